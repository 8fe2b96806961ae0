"""``geo layers``: the registered layers with their counts, sources and licences."""

from __future__ import annotations

from rich.table import Table

from geo.cli.options import out, user_errors

__all__ = ["layers"]


@user_errors
def layers() -> None:
    """List the shipped layers with their feature counts, sources and licences."""
    import geo

    table = Table(title="centralasia-geo layers", show_lines=False)
    for col in ("name", "kind", "features", "source", "licence"):
        table.add_column(col, overflow="fold")
    for row in geo.layers().itertuples():
        table.add_row(str(row.name), str(row.kind), str(row.features), str(row.source), str(row.licence))
    out().print(table)
