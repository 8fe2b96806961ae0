"""``geo layers``: the registered layers with their counts, sources and licences."""

from __future__ import annotations

from rich.table import Table

from geo.cli.options import out, user_errors

__all__ = ["layers"]


@user_errors
def layers() -> None:
    """List the shipped layers with their feature counts, sources and licences."""
    import geo

    frame = geo.layers()
    table = Table(title="centralasia-geo layers", caption="The whole source and licence: geo.layers() in Python")
    fixed = {"name": int(frame["name"].str.len().max()), "kind": 9, "features": 8}
    for col, width in fixed.items():
        table.add_column(col, no_wrap=True, width=width, justify="right" if col == "features" else "left")
    spare = max(12, (out().width - sum(fixed.values()) - 16) // 2)  # 16: borders and padding of five columns
    for col in ("source", "licence"):  # one line per layer
        table.add_column(col, no_wrap=True, overflow="ellipsis", max_width=min(spare, 60))
    for row in frame.itertuples():
        table.add_row(str(row.name), str(row.kind), str(row.features), str(row.source), str(row.licence))
    out().print(table)
