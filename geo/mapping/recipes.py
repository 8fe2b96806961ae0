"""Declarative map recipes (TOML in ``maps/``): which layers, filters, titles and initial view.

A recipe::

    title = "Critical minerals"
    basemap = ["countries", "regions", { layer = "aral_sea_historic", visible = true }]   # optional
    bounds = [[35, 46], [56, 88]]                        # optional [[south, west], [north, east]]
    layers = [
      { layer = "mineral_deposits", title = "Uranium", filter = { commodities = ["uranium"] } },
      { layer = "campuses", visible = false },
    ]

``layers = "curated"`` draws every registered curated layer, in registry order (the default atlas): a new
layer appears without editing the recipe. A recipe that lists its layers leaves the others out on purpose.
``filter`` keeps features whose field equals one of the values (for list fields such as
``commodities``: contains one of them); ``exclude`` drops them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import registry
from geo.catalog import load
from geo.errors import GeoToolkitError, RecipeError
from geo.mapping.builder import AtlasMap, build_map, registered_layer
from geo.mapping.overlays import choropleth_layer, elevation_image
from geo.mapping.payload import MapLayer, UserLayer
from geo.paths import MAPS_DIR

__all__ = ["find_recipe", "load_recipe", "needs_dem", "recipes", "render_recipe", "select_curated"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def recipes() -> list[str]:
    """Return the names of the shipped recipes (``atlas``, ``minerals`` …), usable wherever a recipe path is."""
    return sorted(p.stem for p in MAPS_DIR.glob("*.toml"))


def find_recipe(path: str | Path) -> Path:
    """Return the recipe file `path` names: a file, or the name of a shipped recipe (``"minerals"``).

    Raises
    ------
    RecipeError
        Neither a file nor a shipped recipe; the message lists the shipped ones.
    """
    candidate = Path(path)
    if candidate.exists():
        return candidate
    name = str(path).removesuffix(".toml")
    if _NAME.match(name) and (MAPS_DIR / f"{name}.toml").is_file():
        return MAPS_DIR / f"{name}.toml"
    msg = f"{path}: no such recipe file, and no shipped recipe of that name; shipped: {', '.join(recipes())}."
    raise RecipeError(msg)


_KEYS = {"title", "basemap", "bounds", "layers", "tiles", "rasters", "choropleth"}
_RASTERS = ("elevation",)
_LAYER_KEYS = {"layer", "title", "filter", "exclude", "visible"}


def _matches(gdf: gpd.GeoDataFrame, rules: Mapping[str, Any], *, where: str) -> pd.Series:
    keep = pd.Series(True, index=gdf.index)
    for field, wanted in rules.items():
        if field not in gdf.columns:
            msg = f"{where}: no field {field!r} to filter on; fields: {[c for c in gdf.columns if c != 'geometry']}."
            raise RecipeError(msg)
        values = set(wanted if isinstance(wanted, list) else [wanted])
        column = gdf[field]
        if column.map(lambda v: isinstance(v, list)).any():
            keep &= column.map(lambda v, vs=values: bool(vs & set(v or [])))
        else:
            keep &= column.isin(values)
    return keep


def _layer(spec: Mapping[str, Any], *, where: str) -> MapLayer:
    if unknown := set(spec) - _LAYER_KEYS:
        msg = f"{where}: unknown key(s) {sorted(unknown)}; use {sorted(_LAYER_KEYS)}."
        raise RecipeError(msg)
    name = spec.get("layer")
    if name not in registry.names():
        msg = f"{where}: layer {name!r} is not a registered layer; choose from {', '.join(registry.names())}."
        raise RecipeError(msg)
    gdf = load(name)
    if spec.get("filter"):
        gdf = gdf[_matches(gdf, spec["filter"], where=where)]
    if spec.get("exclude"):
        gdf = gdf[~_matches(gdf, spec["exclude"], where=where)]
    layer = registered_layer(name, gdf, title=spec.get("title"))
    return replace(layer, visible=bool(spec.get("visible", True)))


def _check_basemap(path: Path, basemap: Any) -> None:
    if basemap is True or basemap is False:
        return
    if not isinstance(basemap, list):
        msg = f"{path}: 'basemap' is a list of layer names (or {{ layer = ..., visible = ... }} tables)."
        raise RecipeError(msg)
    for i, entry in enumerate(basemap):
        name = entry if isinstance(entry, str) else entry.get("layer") if isinstance(entry, dict) else None
        extra = set(entry) - {"layer", "visible"} if isinstance(entry, dict) else set()
        if name not in registry.reference() or extra:
            msg = (
                f"{path}, basemap[{i}]: {entry!r} is not a reference layer; "
                f"choose from {', '.join(registry.reference())} (optionally {{ layer = ..., visible = true }})."
            )
            raise RecipeError(msg)


def load_recipe(path: str | Path) -> dict[str, Any]:
    """Read and check a recipe (a file, or a shipped recipe's name); errors name the file and the key at fault."""
    path = find_recipe(path)
    try:
        recipe = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        msg = f"{path} is not valid UTF-8 TOML: {err}."
        raise RecipeError(msg) from None
    if unknown := set(recipe) - _KEYS:
        msg = f"{path}: unknown key(s) {sorted(unknown)}; a recipe has {sorted(_KEYS)}."
        raise RecipeError(msg)
    if recipe.get("layers") == "curated":
        recipe["layers"] = [{"layer": name} for name in registry.curated()]
    if not isinstance(recipe.get("layers", []), list):
        msg = f"{path}: 'layers' is \"curated\" (every curated layer) or a list; got {recipe['layers']!r}."
        raise RecipeError(msg)
    if not recipe.get("layers"):
        msg = f'{path}: \'layers\' is empty; list at least one {{ layer = "..." }}, or say "curated".'
        raise RecipeError(msg)
    _check_basemap(path, recipe.get("basemap", True))
    return recipe


def render_recipe(
    path: str | Path,
    *,
    user: Mapping[str, gpd.GeoDataFrame | UserLayer] | None = None,
    tiles: str | None = None,
    dem: str | Path | None = None,
    relief: str | Path | None = None,
    lang: str = "en",
    where: Sequence[str] = (),
) -> AtlasMap:
    """Build the map a recipe describes, with the user's own layers added.

    Parameters
    ----------
    path
        The recipe: a TOML file, or the name of a shipped one (see :func:`recipes`).
    user
        The user's own layers by title.
    tiles
        Online tiles (overrides the recipe's).
    dem
        The elevation grid, for a recipe with ``rasters = ["elevation"]`` (see
        :func:`geo.raster.dem.fetch_dem`); such a recipe without it is an error.
    relief
        The elevation grid, to add a light hillshade to the basemap (see :func:`geo.map`).
    lang
        The language of the map's words (see :func:`geo.map`).
    where
        Conditions (:func:`geo.analysis.select.where`) the curated features drawn must meet; a curated
        layer none of whose features meets them is left out (``geo map --where``).

    Raises
    ------
    RecipeError
        A bad recipe, or `where` conditions that leave no curated feature to draw.
    ValueError
        A condition no curated layer can answer (see :func:`geo.analysis.select.select`).
    """
    path = find_recipe(path)
    recipe = load_recipe(path)
    layers: list[MapLayer] = [
        _layer(spec, where=f"{path.name}, layers[{i}]") for i, spec in enumerate(recipe["layers"])
    ]
    if where:
        layers = select_curated(layers, where)
    try:
        layers += [choropleth_layer(m) for m in recipe.get("choropleth", [])]
    except GeoToolkitError as err:
        msg = f"{path.name}, choropleth: {err}"
        raise RecipeError(msg) from None
    images = []
    for raster in recipe.get("rasters", []):
        if raster not in _RASTERS:
            msg = f"{path.name}: unknown raster {raster!r}; available: {list(_RASTERS)}."
            raise RecipeError(msg)
        if dem is None:
            msg = f"{path.name} draws the elevation grid: fetch it first (`geo data fetch elevation`) and pass dem=."
            raise RecipeError(msg)
        images.append(elevation_image(dem))
    ids = [layer.name for layer in layers]
    if len(set(ids)) != len(ids):
        layers = [replace(ml, name=f"{ml.name}-{i}") for i, ml in enumerate(layers)]
    return build_map(
        layers,
        user=user,
        basemap=recipe.get("basemap", True),
        title=recipe.get("title", path.stem),
        tiles=tiles or recipe.get("tiles"),
        bounds=recipe.get("bounds"),
        settings={"recipe": path.name},
        images=images,
        relief=None if images else relief,  # the elevation image already shows the relief
        lang=lang,
    )


def select_curated(layers: Sequence[MapLayer], conditions: Sequence[str]) -> list[MapLayer]:
    """Return `layers` with each curated one cut to the features that meet `conditions` (others as they are).

    Raises
    ------
    RecipeError
        No curated feature is left to draw.
    ValueError
        A condition no curated layer can answer.
    """
    from geo.analysis.select import select

    titles = [ml.title for ml in layers]
    keys = [t if titles.count(t) == 1 else f"{t} [{i}]" for i, t in enumerate(titles)]  # names in messages
    curated = {k: ml for k, ml in zip(keys, layers, strict=True) if ml.spec and ml.spec.name in registry.curated()}
    frames = {key: ml.gdf if ml.gdf is not None else load(ml.name) for key, ml in curated.items()}
    kept = {key: gdf for key, gdf in select(frames, conditions).items() if len(gdf)}
    if curated and not kept:
        msg = f"No curated feature on this map meets {' and '.join(conditions)}: nothing to draw."
        raise RecipeError(msg)
    return [
        replace(ml, gdf=kept[key]) if key in kept else ml
        for key, ml in zip(keys, layers, strict=True)
        if key not in curated or key in kept
    ]


def needs_dem(path: str | Path) -> bool:
    """Whether the recipe at `path` draws the elevation grid."""
    return "elevation" in load_recipe(path).get("rasters", [])
