"""``geo supply``: supply concentration per mineral against the UK's 60%-per-country line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from geo.cli.options import Overwrite, out, user_errors, user_output

__all__ = ["supply"]


def _missing(value: object) -> bool:
    """Whether a cell has no figure (None, NaN or pandas' NA); pandas is imported only when the command runs."""
    import pandas as pd

    return value is None or bool(pd.isna(value))  # type: ignore[call-overload]


def _pct(v: object) -> str:
    return "unknown" if _missing(v) else f"{v:.1f}"


@user_errors
def supply(
    png: Annotated[Path | None, typer.Option(help="Also write a bar chart (PNG) of the top shares.")] = None,
    overwrite: Overwrite = False,
) -> None:
    """Supply concentration per mineral against the UK's 60%-per-country line (world shares as a proxy)."""
    from geo.analysis.supply import CAVEAT, concentration

    if png is not None:
        png = user_output(png, overwrite=overwrite, suffixes=(".png",))
    result = concentration()
    table = Table(title="Top producer's share of world production (latest year found)", caption=CAVEAT)
    for col in ("mineral", "year", "top", "top %", "Central Asia %", "> 60%", "status", "conf."):
        table.add_column(col, overflow="fold")
    for row in result.itertuples():
        over = "unknown" if _missing(row.exceeds_cap) else ("YES" if row.exceeds_cap else "no")
        table.add_row(
            str(row.mineral),
            _cell(row.year),
            _cell(row.top_country),
            _pct(row.top_share_pct),
            _pct(row.central_asia_share_pct),
            over,
            str(row.status),
            _cell(row.confidence),
        )
    out().print(table)
    if png is not None:
        from geo.analysis.charts import concentration_chart

        out().print(f"Wrote {concentration_chart(result, png, overwrite=overwrite)}", soft_wrap=True)


def _cell(value: object) -> str:
    """Return a table cell: a dash for a missing value (no figure was found), never `nan` or `<NA>`."""
    return "–" if _missing(value) else str(value)
