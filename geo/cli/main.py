"""The ``geo`` command: list, show, validate and export layers, and rebuild the reference data.

Each command parses its options, calls the library and turns geo's own errors into a one-line
message and exit code 1; click's usage errors exit with 2. No analysis logic lives here.
"""

from __future__ import annotations

import logging
import math
import sys
import warnings
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import geopandas as gpd
import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import geo
from geo.errors import GeoToolkitError, GeoToolkitWarning
from geo.exporter import FORMATS

__all__ = ["app", "run"]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Curated UK–Central Asia layers: list, inspect, validate and export them.",
    epilog="Examples:  geo layers  |  geo show campuses  |  geo export --format gpkg -o build/atlas.gpkg"
    "  |  geo map maps/minerals.toml -o build/minerals.html --png build/minerals.png",
)
data_app = typer.Typer(no_args_is_help=True, help="Rebuild the reference data from pinned registry packages.")
app.add_typer(data_app, name="data")


def _out() -> Console:
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


@app.callback()
def main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")] = 0,
) -> None:
    """Configure logging once, for the whole process: the library never does."""
    level = max(logging.DEBUG, logging.WARNING - 10 * verbose)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def user_errors(func: F) -> F:
    """Show geo's warnings as one-line messages; turn its errors into one line on stderr and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GeoToolkitWarning)
            try:
                return func(*args, **kwargs)
            except GeoToolkitError as exc:
                _err().print(f"Error: {exc}", markup=False, soft_wrap=True)
                raise typer.Exit(code=1) from None
            finally:
                for warning in caught:
                    _err().print(f"Warning: {warning.message}", markup=False, soft_wrap=True)

    return wrapper  # type: ignore[return-value]


@app.command("layers")
@user_errors
def layers_cmd() -> None:
    """List the shipped layers with their feature counts, sources and licences."""
    table = Table(title="centralasia-geo layers", show_lines=False)
    for col in ("name", "kind", "features", "source", "licence"):
        table.add_column(col, overflow="fold")
    for row in geo.layers().itertuples():
        table.add_row(row.name, row.kind, str(row.features), row.source, row.licence)
    _out().print(table)


_SHOW_COLUMNS = ("id", "name", "country", "status", "confidence", "location_precision", "sources")


def _cell(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(str(v.get("publisher") or v.get("title")) for v in value)
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


@app.command()
@user_errors
def show(
    layer: Annotated[str, typer.Argument(help="A layer name (see `geo layers`) or a file to read.")],
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many rows.")] = 50,
    columns: Annotated[str | None, typer.Option(help="Comma-separated columns to show.")] = None,
) -> None:
    """Show a layer as a readable table (e.g. `geo show campuses`)."""
    gdf = _load_any(layer)
    wanted = (
        columns.split(",")
        if columns
        else [c for c in _SHOW_COLUMNS if c in gdf] or [c for c in gdf.columns if c != gdf.geometry.name][:6]
    )
    if missing := [c for c in wanted if c not in gdf]:
        msg = f"{layer} has no column(s) {missing}; it has {list(gdf.columns)}."
        raise geo.LayerSchemaError(msg)
    table = Table(title=f"{layer}: {len(gdf)} features", show_lines=False)
    for col in wanted:
        table.add_column(col, overflow="fold")
    for _, row in gdf.head(limit).iterrows():
        table.add_row(*(_cell(row[c]) for c in wanted))
    _out().print(table)
    if len(gdf) > limit:
        _out().print(f"… {len(gdf) - limit} more rows (use --limit).")


def _load_any(layer: str, *, crs: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    if layer in (*geo.CURATED, *geo.REFERENCE):
        return geo.load(layer)
    if Path(layer).suffix:
        return geo.read(layer, crs=crs, encoding=encoding)
    return geo.load(layer)  # raises UnknownLayerError listing the layers


@app.command()
@user_errors
def validate(
    path: Annotated[Path, typer.Argument(help="A vector file, zipped Shapefile, GeoParquet or CSV.")],
    crs: Annotated[str | None, typer.Option(help="CRS of a file that declares none, e.g. EPSG:4326.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding if not UTF-8, e.g. cp1251.")] = None,
    id_column: Annotated[str | None, typer.Option("--id", help="Column whose values must be unique.")] = None,
) -> None:
    """Read a file the way the toolkit does and report what is wrong with it, if anything."""
    gdf = geo.read(path, crs=crs, encoding=encoding, id_column=id_column)
    types = ", ".join(f"{k}: {v}" for k, v in gdf.geom_type.value_counts(dropna=False).items())
    _out().print(f"OK {path}: {len(gdf)} features ({types}), CRS {gdf.crs.to_string()}")


@app.command("export")
@user_errors
def export_cmd(
    layers: Annotated[list[str] | None, typer.Argument(help="Layer names or files; all layers if omitted.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "gpkg",
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file (or folder for several layers).")] = Path(
        "build/atlas.gpkg"
    ),
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")] = False,
    root: Annotated[Path | None, typer.Option(help="OUTPUT must lie inside this folder [default: .]")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS for input files that declare none.")] = None,
) -> None:
    """Export layers for GIS software, e.g. `geo export mineral_deposits regions -f geojson -o build/out`."""
    if fmt not in FORMATS:
        msg = f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}."
        raise typer.BadParameter(msg, param_hint="--format")
    names = layers or [*geo.CURATED, *geo.REFERENCE]
    frames = {Path(n).stem if Path(n).suffix else n: _load_any(n, crs=crs) for n in names}
    report = geo.export(frames, output, fmt=fmt, overwrite=overwrite, root=root or Path.cwd())
    counts = ", ".join(f"{k} {v}" for k, v in report.features.items())
    _out().print(f"Wrote {report.path} ({report.format}): {counts}", soft_wrap=True)


@app.command("map")
@user_errors
def map_cmd(
    recipe: Annotated[Path | None, typer.Argument(help="A recipe in maps/ (default: the full atlas).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("build/atlas.html"),
    layer: Annotated[list[Path] | None, typer.Option("--layer", help="Add your own file (repeatable).")] = None,
    tiles: Annotated[str | None, typer.Option(help="Online tiles, e.g. osm (needs a network).")] = None,
    png: Annotated[Path | None, typer.Option(help="Also write a PNG snapshot (headless Chromium).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")] = False,
    root: Annotated[Path | None, typer.Option(help="OUTPUT must lie inside this folder [default: .]")] = None,
    crs: Annotated[str | None, typer.Option(help="CRS for --layer files that declare none.")] = None,
) -> None:
    """Render an offline map, e.g. `geo map maps/minerals.toml -o build/minerals.html --layer my_sites.csv`."""
    from geo.mapping.builder import build_map, save_map
    from geo.mapping.recipes import render_recipe

    base = (root or Path.cwd()).resolve()
    for path in (output, png):
        if path is not None and not path.resolve().is_relative_to(base):
            msg = f"{path} is outside the target folder {base}; write inside it (or pass --root)."
            raise geo.ExportError(msg)
    user = {p.name: geo.read(p, crs=crs) for p in layer or []}
    m = render_recipe(recipe, user=user, tiles=tiles) if recipe else build_map(user=user, tiles=tiles)
    path = save_map(m, output, overwrite=overwrite)
    _out().print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB, works offline)", soft_wrap=True)
    if png is not None:
        from geo.mapping.snapshot import snapshot

        _out().print(f"Wrote {snapshot(path, png)}", soft_wrap=True)


@app.command()
@user_errors
def near(
    a: Annotated[str, typer.Argument(help="A layer name or file (e.g. campuses).")],
    b: Annotated[str, typer.Argument(help="A layer name or file (e.g. mineral_deposits).")],
    within_km: Annotated[float, typer.Option("--within-km", min=0.001, help="Distance threshold in km.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also export the pairs (any format).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many rows.")] = 40,
) -> None:
    """Which features of A lie within --within-km of B: yes / possibly (given location precision) / no."""
    from geo.analysis import within_distance

    pairs = within_distance(_load_any(a), _load_any(b), within_km * 1000, names=(a, b))
    label_a = "name_a" if "name_a" in pairs else pairs.columns[0]
    label_b = "name_b" if "name_b" in pairs else pairs.columns[1]
    table = Table(
        title=f"{a} within {within_km:g} km of {b}: {len(pairs)} pairs "
        f"({(pairs['within'] == 'yes').sum()} yes, {(pairs['within'] == 'possibly').sum()} possibly)"
    )
    for col in (a, b, "km", "range km", "within"):
        table.add_column(col, overflow="fold")
    for _, row in pairs.sort_values("distance_m").head(limit).iterrows():
        table.add_row(
            str(row[label_a]),
            str(row[label_b]),
            f"{row['distance_m'] / 1000:,.0f}",
            f"{row['distance_min_m'] / 1000:,.0f}–{row['distance_max_m'] / 1000:,.0f}",
            row["within"],
        )
    _out().print(table)
    if output is not None:
        report = geo.export(pairs, output, name="pairs", overwrite=overwrite, root=Path.cwd())
        _out().print(f"Wrote {report.path}", soft_wrap=True)


@app.command()
@user_errors
def supply(
    png: Annotated[Path | None, typer.Option(help="Also write a bar chart (PNG) of the top shares.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace PNG if it exists.")] = False,
) -> None:
    """Supply concentration per mineral against the UK's 60%-per-country line (world shares as a proxy)."""
    from geo.analysis.supply import CAVEAT, concentration

    result = concentration()
    table = Table(title="Top producer's share of world production (latest year found)", caption=CAVEAT)
    for col in ("mineral", "year", "top", "top %", "Central Asia %", "> 60%", "status", "conf."):
        table.add_column(col, overflow="fold")

    def pct(v: object) -> str:
        return "unknown" if v is None or pd.isna(v) else f"{v:.1f}"

    for row in result.itertuples():
        over = "unknown" if pd.isna(row.exceeds_cap) else ("YES" if row.exceeds_cap else "no")
        table.add_row(
            row.mineral,
            str(row.year),
            str(row.top_country or "–"),
            pct(row.top_share_pct),
            pct(row.central_asia_share_pct),
            over,
            row.status,
            row.confidence,
        )
    _out().print(table)
    if png is not None:
        from geo.analysis.charts import concentration_chart

        _out().print(f"Wrote {concentration_chart(result, png, overwrite=overwrite)}", soft_wrap=True)


def _search_area(country: str | None, region: str | None) -> gpd.GeoDataFrame | None:
    if region:
        regions = geo.load("regions")
        aliases = geo.region_aliases().set_index("alias")["region_id"].to_dict()
        wanted = region.strip().lower()
        ids = {r.lower(): r for r in regions["id"]}
        match = regions[
            (regions["name"].str.lower() == wanted)
            | (regions["id"] == ids.get(wanted, ""))
            | (regions["id"] == aliases.get(region, ""))
        ]
        if match.empty:
            msg = f"No region named {region!r}; try one of: {', '.join(sorted(regions['name'])[:12])} …"
            raise geo.LayerSchemaError(msg)
        return match.iloc[[0]]
    if country:
        countries = geo.load("countries")
        match = countries[countries["id"] == country.upper()]
        if match.empty:
            msg = f"No country {country!r}; use an ISO alpha-3 code such as KGZ or TJK."
            raise geo.LayerSchemaError(msg)
        return match
    return None


@app.command()
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
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Candidate afforestation parcels (e.g. 5 x 25,000 ha in Issyk-Kul oblast): screening, not known sites."""
    from rich.progress import Progress

    from geo.raster import aralkum_suitability, dem_path, mountain_suitability, site_parcels

    area = None if aralkum else _search_area(country, region)
    with Progress(console=_err(), transient=True) as progress:
        task = progress.add_task("Fetching the elevation grid (first use only)", total=3)
        dem = None if aralkum else str(dem_path())
        progress.update(task, advance=1, description="Scoring suitability")
        grid = aralkum_suitability() if aralkum else mountain_suitability(dem, area=area)
        progress.update(task, advance=1, description=f"Growing {n} parcels of {area_ha:,.0f} ha")
        result = site_parcels(grid, area_ha=area_ha, n=n)
        progress.update(task, advance=1)
    if result.reason:
        _err().print(f"Warning: found {len(result.parcels)} of {n} parcels: {result.reason}", markup=False)
    if result.parcels.empty:
        msg = f"No parcel of {area_ha:,.0f} ha fits: {result.reason}."
        raise geo.GeoToolkitError(msg)
    report = geo.export(result.parcels, output, name="parcels", overwrite=overwrite, root=Path.cwd())
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
    _out().print(table)
    _out().print(f"Wrote {report.path}", soft_wrap=True)


@data_app.command("rebuild")
@user_errors
def data_rebuild(
    only: Annotated[list[str] | None, typer.Option(help="Rebuild only these outputs.")] = None,
    cache: Annotated[Path, typer.Option(help="Download cache.")] = Path("build/cache"),
) -> None:
    """Download the pinned packages (checking sha256) and rewrite layers/reference and the manifest."""
    from geo.data import rebuild
    from geo.data.build import OUTPUTS

    total = len(only) if only else len(OUTPUTS)
    with Progress(console=_err(), transient=True) as progress:
        task = progress.add_task("Rebuilding reference layers", total=total)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"Building {name}")

        written = rebuild(cache_dir=cache, only=only, progress=step)
    for path in written:
        _out().print(f"wrote {path}", soft_wrap=True)


@data_app.command("manifest")
@user_errors
def data_manifest() -> None:
    """Refresh the provenance records of the curated files after editing them (no network)."""
    from geo.provenance import refresh_curated

    changed = refresh_curated()
    _out().print(f"updated: {', '.join(changed)}" if changed else "manifest up to date")


def run() -> None:
    """Entry point of the ``geo`` console script."""
    app()
