"""``geo near``: which features of A lie within a distance of B, given each one's location precision."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from geo.cli.options import (
    Commodity,
    Limit,
    Overwrite,
    Scheduler,
    Where,
    load_any,
    load_lazy,
    out,
    run_lazy,
    selected,
    user_errors,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["near"]


@user_errors
def near(
    a: Annotated[str, typer.Argument(help="A layer name or file (e.g. campuses, or a partitioned GeoParquet folder).")],
    b: Annotated[str, typer.Argument(help="A layer name or file (e.g. mineral_deposits).")],
    within_km: Annotated[float, typer.Option("--within-km", min=0.001, help="Distance threshold in km.")],
    where: Where = None,
    commodity: Commodity = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="One row per feature of A: its nearest feature of B by guaranteed distance, and how many are "
            "within --within-km for certain or possibly.",
        ),
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also export the pairs, or the summary (any format).")
    ] = None,
    kinds: Annotated[
        str | None,
        typer.Option(
            help="Kinds of A to count, comma-separated, or 'all' [default: the layer's own subject, e.g. "
            "campuses count branch_campus,university, not the school or the office; B always counts its own]."
        ),
    ] = None,
    overwrite: Overwrite = False,
    limit: Limit = 40,
    scheduler: Scheduler = None,
) -> None:
    """Which features of A lie within --within-km of B: yes / possibly (given location precision) / no.

    Rows are ordered by guaranteed distance (the upper bound of each interval); a match known only
    to its region or country says so in the note. --where and --commodity choose the features of B;
    --summary answers per feature of A.
    """
    import geo
    from geo.analysis import within_distance
    from geo.analysis.proximity import near_summary
    from geo.analysis.select import counted
    from geo.errors import LayerSchemaError
    from geo.exporter import check_target

    name = "summary" if summary else "pairs"
    if scheduler:  # a missing extra is said before any work
        from geo.analysis.scale import require_dask

        require_dask()
    if output is not None:
        output, _, _ = check_target(output, layers=[name], overwrite=overwrite)  # before the work
    whole = load_any(b)
    right = selected({b: whole}, where, commodity).get(b, whole.iloc[:0])
    try:
        right, note_b = counted(right, name=b)
    except ValueError as exc:
        raise LayerSchemaError(str(exc)) from None
    measure = near_summary if summary else within_distance
    if scheduler:
        note_a = ""  # a partitioned file: every feature counts
        lazy = measure(load_lazy(a), right, within_km * 1000, names=(a, b))
        result = run_lazy(lazy, scheduler=scheduler, label=f"{a} within {within_km:g} km of {b}")
    else:
        try:
            left, note_a = counted(load_any(a), name=a, kinds=kinds)
        except ValueError as exc:
            raise LayerSchemaError(str(exc)) from None
        result = measure(left, right, within_km * 1000, names=(a, b))
    for note in filter(None, (note_a, note_b)):
        out().print(note)  # wrapped to the terminal: tables and notes fit 80 columns
    if summary:
        _show_summary(result, a=a, b=b, within_km=within_km, limit=limit, kept=len(right))
    else:
        _show(result, a=a, b=b, within_km=within_km, limit=limit, kept=len(right))
    if output is not None:
        report = geo.export(result, output, name=name, overwrite=overwrite)
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


def _show_summary(table: pd.DataFrame, *, a: str, b: str, within_km: float, limit: int, kept: int) -> None:
    """One row per feature of A: the nearest of B (guaranteed), its range, and the counts within the distance."""
    import pandas as pd

    label_a = "name_a" if "name_a" in table else table.columns[0]
    label_b = "name_b" if "name_b" in table else next(c for c in table.columns if c.endswith("_b"))
    found = table["distance_max_m"].notna()
    grid = Table(
        title=f"{a}: the nearest of {b} ({kept} features) by guaranteed distance; "
        f"how many are within {within_km:g} km for certain (yes) or possibly",
        caption="+N: features whose range starts nearer than the nearest's guaranteed distance",
    )
    for col in (a, f"nearest of {b}", "km", "yes", "poss."):
        grid.add_column(col, overflow="fold", justify="right" if col in ("km", "yes", "poss.") else "left")
    for (_, row), located in zip(table.head(limit).iterrows(), found.head(limit), strict=True):
        if not located:
            grid.add_row(str(row[label_a]), "no location" if pd.isna(row.geometry) else "–", "", "0", "0")
            continue
        more = f" (+{int(row['could_be_nearer'])})" if row["could_be_nearer"] else ""
        grid.add_row(
            str(row[label_a]),
            f"{row[label_b]}{more}",
            f"{row['distance_min_m'] / 1000:,.0f}–{row['distance_max_m'] / 1000:,.0f}",
            str(int(row["n_yes"])),
            str(int(row["n_possibly"])),
        )
    out().print(grid)
    if len(table) > limit:
        out().print(f"… {len(table) - limit} more rows (use --limit).")
