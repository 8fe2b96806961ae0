"""``geo site``: candidate afforestation parcels on the elevation grid or the dried Aral seabed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from geo.cli.map_command import elevation_grid
from geo.cli.options import Overwrite, err, out, user_errors

__all__ = ["site"]


@user_errors
def site(
    country: Annotated[str | None, typer.Option(help="Search this country (ISO alpha-3), e.g. KGZ.")] = None,
    region: Annotated[str | None, typer.Option(help="Search one region, e.g. Issyk-Kul.")] = None,
    aralkum: Annotated[bool, typer.Option("--aralkum", help="Search the dried Aral seabed instead.")] = False,
    area_ha: Annotated[float, typer.Option("--area-ha", min=1, help="Area of each parcel in hectares.")] = 25_000,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of parcels.")] = 5,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the parcels.")] = Path(
        "build/sites.gpkg"
    ),
    overwrite: Overwrite = False,
) -> None:
    """Candidate afforestation parcels (e.g. 5 x 25,000 ha in Issyk-Kul oblast): screening, not known sites.

    Searches only the part of the place the elevation grid covers (and says which share that is); prints
    the criteria used and those no dataset gives (land cover, protected areas, land tenure), and writes
    them into the output (GeoPackage layer metadata, else ``<name>.siting.json`` beside it).
    """
    import geo
    from geo.errors import GeoToolkitError
    from geo.exporter import check_target
    from geo.places import search_area
    from geo.raster import aralkum_suitability, mountain_suitability, site_parcels
    from geo.raster.criteria import write_siting_metadata

    if sum(bool(x) for x in (country, region, aralkum)) > 1:
        msg = "Give one place to search: --country, --region or --aralkum."
        raise GeoToolkitError(msg)
    output, _, _ = check_target(output, layers=["parcels"], overwrite=overwrite)  # before the work
    area = None if aralkum else search_area(country=country, region=region)
    place = "the elevation grid" if area is None else ", ".join(f"{r.name} ({r.id})" for r in area.itertuples())
    dem = None if aralkum else elevation_grid()
    with Progress(console=err(), transient=True) as progress:
        task = progress.add_task("Scoring suitability", total=2)
        if aralkum or dem is None:
            grid = aralkum_suitability()
        else:
            grid = mountain_suitability(dem, area=area, name=place)
        progress.update(task, advance=1, description=f"Growing {n} parcels of {area_ha:,.0f} ha")
        result = site_parcels(grid, area_ha=area_ha, n=n)
        progress.update(task, advance=1)
    if result.reason:
        err().print(f"Warning: found {len(result.parcels)} of {n} parcels: {result.reason}", markup=False)
    if result.parcels.empty:
        msg = f"No parcel of {area_ha:,.0f} ha fits: {result.reason}."
        raise GeoToolkitError(msg)
    report = geo.export(result.parcels, output, name="parcels", overwrite=overwrite)
    written = write_siting_metadata(Path(report.path), result.parcels)
    table = Table(title=f"{len(result.parcels)} candidate parcels (screening assumptions, not known sites)")
    for col in ("rank", "area ha", "suitability", "nearest town", "km"):
        table.add_column(col)
    for row in result.parcels.itertuples():
        table.add_row(
            str(row.rank),
            f"{row.area_ha:,.0f}",
            f"{row.suitability_mean:.2f}",
            str(row.nearest_town),
            f"{row.nearest_town_km:,.1f}",
        )
    out().print(table)
    if coverage := result.parcels.attrs.get("coverage"):
        out().print(coverage, markup=False, soft_wrap=True)
    out().print(_criteria(result.parcels.attrs.get("criteria") or []))
    where = "" if written == report.path else f" (the criteria in {written})"
    out().print(f"Wrote {report.path}{where}", soft_wrap=True)


def _criteria(records: list[dict[str, str]]) -> Table:
    """Return the criteria the search used, and those it could not (no dataset), as a table."""
    table = Table(title="What the search knows (used) and does not (missing)")
    for col in ("criterion", "status", "rule", "data"):
        table.add_column(col, overflow="fold")
    for row in sorted(records, key=lambda r: r["status"] != "used"):
        style = "" if row["status"] == "used" else "yellow"
        table.add_row(row["criterion"], row["status"], row["rule"], row["data"], style=style)
    return table
