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
    """Candidate afforestation parcels (e.g. 5 x 25,000 ha in Issyk-Kul oblast): screening, not known sites."""
    import geo
    from geo.errors import GeoToolkitError
    from geo.exporter import check_target
    from geo.places import search_area
    from geo.raster import aralkum_suitability, mountain_suitability, site_parcels

    if sum(bool(x) for x in (country, region, aralkum)) > 1:
        msg = "Give one place to search: --country, --region or --aralkum."
        raise GeoToolkitError(msg)
    output, _, _ = check_target(output, layers=["parcels"], overwrite=overwrite)  # before the work
    area = None if aralkum else search_area(country=country, region=region)
    dem = None if aralkum else elevation_grid()
    with Progress(console=err(), transient=True) as progress:
        task = progress.add_task("Scoring suitability", total=2)
        grid = aralkum_suitability() if aralkum or dem is None else mountain_suitability(dem, area=area)
        progress.update(task, advance=1, description=f"Growing {n} parcels of {area_ha:,.0f} ha")
        result = site_parcels(grid, area_ha=area_ha, n=n)
        progress.update(task, advance=1)
    if result.reason:
        err().print(f"Warning: found {len(result.parcels)} of {n} parcels: {result.reason}", markup=False)
    if result.parcels.empty:
        msg = f"No parcel of {area_ha:,.0f} ha fits: {result.reason}."
        raise GeoToolkitError(msg)
    report = geo.export(result.parcels, output, name="parcels", overwrite=overwrite)
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
    out().print(f"Wrote {report.path}", soft_wrap=True)
