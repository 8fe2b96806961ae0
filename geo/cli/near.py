"""``geo near``: which features of A lie within a distance of B, given each one's location precision."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from geo.cli.options import Limit, Overwrite, load_any, out, user_errors

__all__ = ["near"]


@user_errors
def near(
    a: Annotated[str, typer.Argument(help="A layer name or file (e.g. campuses).")],
    b: Annotated[str, typer.Argument(help="A layer name or file (e.g. mineral_deposits).")],
    within_km: Annotated[float, typer.Option("--within-km", min=0.001, help="Distance threshold in km.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also export the pairs (any format).")] = None,
    overwrite: Overwrite = False,
    limit: Limit = 40,
) -> None:
    """Which features of A lie within --within-km of B: yes / possibly (given location precision) / no."""
    import geo
    from geo.analysis import within_distance
    from geo.exporter import check_target

    if output is not None:
        output, _, _ = check_target(output, layers=["pairs"], overwrite=overwrite)  # before the work
    pairs = within_distance(load_any(a), load_any(b), within_km * 1000, names=(a, b))
    label_a = "name_a" if "name_a" in pairs else pairs.columns[0]
    label_b = "name_b" if "name_b" in pairs else pairs.columns[1]
    status = pairs["within_status"]
    table = Table(
        title=f"{a} within {within_km:g} km of {b}: {len(pairs)} pairs "
        f"({(status == 'yes').sum()} yes, {(status == 'possibly').sum()} possibly)"
    )
    for col in (a, b, "km", "range km", "within"):
        table.add_column(col, overflow="fold")
    for _, row in pairs.sort_values("distance_m").head(limit).iterrows():
        table.add_row(
            str(row[label_a]),
            str(row[label_b]),
            f"{row['distance_m'] / 1000:,.0f}",
            f"{row['distance_min_m'] / 1000:,.0f}–{row['distance_max_m'] / 1000:,.0f}",
            str(row["within_status"]),
        )
    out().print(table)
    if output is not None:
        report = geo.export(pairs, output, name="pairs", overwrite=overwrite)
        out().print(f"Wrote {report.path}", soft_wrap=True)
