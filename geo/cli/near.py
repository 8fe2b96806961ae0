"""``geo near``: which features of A lie within a distance of B, given each one's location precision."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from geo.cli.options import Limit, Overwrite, Scheduler, load_any, load_lazy, out, run_lazy, user_errors

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["near"]


@user_errors
def near(
    a: Annotated[str, typer.Argument(help="A layer name or file (e.g. campuses, or a partitioned GeoParquet folder).")],
    b: Annotated[str, typer.Argument(help="A layer name or file (e.g. mineral_deposits).")],
    within_km: Annotated[float, typer.Option("--within-km", min=0.001, help="Distance threshold in km.")],
    where: Annotated[
        str | None,
        typer.Option(
            help="Keep only features of B that meet this, e.g. 'commodities contains uranium', 'country = KAZ'."
        ),
    ] = None,
    commodity: Annotated[
        str | None,
        typer.Option(help="Keep only features of B with this commodity (same as --where 'commodities contains X')."),
    ] = None,
    kinds: Annotated[
        str | None,
        typer.Option(
            help="Kinds of A to count, comma-separated, or 'all' [default: the layer's own subject, e.g. "
            "campuses count branch_campus,university, not the school or the office; B always counts its own]."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also export the pairs (any format).")] = None,
    overwrite: Overwrite = False,
    limit: Limit = 40,
    scheduler: Scheduler = None,
) -> None:
    """Which features of A lie within --within-km of B: yes / possibly (given location precision) / no.

    Rows are ordered by guaranteed distance (the upper bound of each interval); a match known only
    to its region or country says so in the note.
    """
    import geo
    from geo.analysis import within_distance
    from geo.analysis.select import counted
    from geo.analysis.select import where as where_
    from geo.errors import LayerSchemaError
    from geo.exporter import check_target

    if output is not None:
        output, _, _ = check_target(output, layers=["pairs"], overwrite=overwrite)  # before the work
    right = load_any(b)
    try:
        right, note_b = counted(right, name=b)
        for condition in filter(None, [where, f"commodities contains {commodity}" if commodity else None]):
            right = where_(right, condition, name=b)
    except ValueError as exc:
        raise LayerSchemaError(str(exc)) from None
    if scheduler:
        note_a = ""  # a partitioned file: every feature counts
        lazy = within_distance(load_lazy(a), right, within_km * 1000, names=(a, b))
        pairs = run_lazy(lazy, scheduler=scheduler, label=f"{a} within {within_km:g} km of {b}")
    else:
        try:
            left, note_a = counted(load_any(a), name=a, kinds=kinds)
        except ValueError as exc:
            raise LayerSchemaError(str(exc)) from None
        pairs = within_distance(left, right, within_km * 1000, names=(a, b))
    for note in filter(None, (note_a, note_b)):
        out().print(note, soft_wrap=True)
    _show(pairs, a=a, b=b, within_km=within_km, limit=limit, kept=len(right))
    if output is not None:
        report = geo.export(pairs, output, name="pairs", overwrite=overwrite)
        out().print(f"Wrote {report.path}", soft_wrap=True)


def _show(pairs: pd.DataFrame, *, a: str, b: str, within_km: float, limit: int, kept: int) -> None:
    import pandas as pd

    label_a = "name_a" if "name_a" in pairs else pairs.columns[0]
    label_b = "name_b" if "name_b" in pairs else pairs.columns[1]
    status = pairs["within_status"].astype(str)
    table = Table(
        title=f"{a} within {within_km:g} km of {b} ({kept} features): {len(pairs)} pairs "
        f"({(status == 'yes').sum()} yes, {(status == 'possibly').sum()} possibly), nearest guaranteed first"
    )
    for col in (a, b, "km", "range km", "within", "note"):
        table.add_column(col, overflow="fold")
    ordered = pairs.sort_values(["distance_max_m", "distance_m"], kind="stable").head(limit)
    notes = ordered["note"] if "note" in ordered else pd.Series("", index=ordered.index)
    for (_, row), note in zip(ordered.iterrows(), notes, strict=True):
        table.add_row(
            str(row[label_a]),
            str(row[label_b]),
            f"{row['distance_m'] / 1000:,.0f}",
            f"{row['distance_min_m'] / 1000:,.0f}–{row['distance_max_m'] / 1000:,.0f}",
            str(row["within_status"]),
            "" if pd.isna(note) else str(note),
        )
    out().print(table)
