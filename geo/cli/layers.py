"""``geo layers``: the registered layers with their counts, sources and licences."""

from __future__ import annotations

from rich.table import Table

from geo.cli.options import out, user_errors

__all__ = ["layers"]


@user_errors
def layers() -> None:
    """List the shipped layers with their feature counts, sources and licences."""
    from geo.catalog import layer_rows

    rows = layer_rows()
    table = Table(title="centralasia-geo layers", caption="The whole source and licence: geo.layers() in Python")
    fixed = {"name": max(len(str(r["name"])) for r in rows), "kind": 9, "features": 8}
    for col, width in fixed.items():
        table.add_column(col, no_wrap=True, width=width, justify="right" if col == "features" else "left")
    spare = max(12, (out().width - sum(fixed.values()) - 16) // 2)  # 16: borders and padding of five columns
    for col in ("source", "licence"):  # one line per layer
        table.add_column(col, no_wrap=True, overflow="ellipsis", max_width=min(spare, 60))
    for row in rows:
        table.add_row(*(str(row[col]) for col in ("name", "kind", "features", "source", "licence")))
    out().print(table)
