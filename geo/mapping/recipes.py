"""Declarative map recipes (TOML in ``maps/``): which layers, filters, titles and initial view.

A recipe::

    title = "Critical minerals"
    basemap = ["countries", "regions", "lakes"]          # optional; default: the full basemap
    bounds = [[35, 46], [56, 88]]                        # optional [[south, west], [north, east]]
    layers = [
      { layer = "mineral_deposits", title = "Uranium", filter = { commodities = ["uranium"] } },
      { layer = "campuses", visible = false },
    ]

``filter`` keeps features whose field equals one of the values (for list fields such as
``commodities``: contains one of them); ``exclude`` drops them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.catalog import CURATED, REFERENCE, load
from geo.errors import LayerSchemaError
from geo.mapping.builder import BASEMAP, AtlasMap, build_map, curated_layer
from geo.mapping.overlays import choropleth_layer, elevation_image
from geo.mapping.payload import MapLayer
from geo.raster.dem import dem_path

__all__ = ["load_recipe", "render_recipe"]

_KEYS = {"title", "basemap", "bounds", "layers", "tiles", "rasters", "choropleth"}
_RASTERS = ("elevation",)
_LAYER_KEYS = {"layer", "title", "filter", "exclude", "visible"}


def _matches(gdf: gpd.GeoDataFrame, rules: Mapping[str, Any], *, where: str) -> pd.Series:
    keep = pd.Series(True, index=gdf.index)
    for field, wanted in rules.items():
        if field not in gdf.columns:
            msg = f"{where}: no field {field!r} to filter on; fields: {[c for c in gdf.columns if c != 'geometry']}."
            raise LayerSchemaError(msg)
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
        raise LayerSchemaError(msg)
    name = spec.get("layer")
    if name not in (*CURATED, *REFERENCE):
        msg = f"{where}: layer {name!r} is not a shipped layer; choose from {', '.join((*CURATED, *REFERENCE))}."
        raise LayerSchemaError(msg)
    gdf = load(name)
    if spec.get("filter"):
        gdf = gdf[_matches(gdf, spec["filter"], where=where)]
    if spec.get("exclude"):
        gdf = gdf[~_matches(gdf, spec["exclude"], where=where)]
    base = (
        curated_layer(name, gdf, title=spec.get("title"))
        if name in CURATED
        else MapLayer(name=name, title=spec.get("title") or name, gdf=gdf, style=name)
    )
    return MapLayer(
        name=name, title=base.title, gdf=base.gdf, style=base.style, visible=bool(spec.get("visible", True))
    )


def load_recipe(path: str | Path) -> dict[str, Any]:
    """Read and check a recipe file; errors name the file and the key at fault."""
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such recipe. Recipes live in maps/ (e.g. maps/atlas.toml)."
        raise LayerSchemaError(msg)
    try:
        recipe = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        msg = f"{path} is not valid UTF-8 TOML: {err}."
        raise LayerSchemaError(msg) from None
    if unknown := set(recipe) - _KEYS:
        msg = f"{path}: unknown key(s) {sorted(unknown)}; a recipe has {sorted(_KEYS)}."
        raise LayerSchemaError(msg)
    if not recipe.get("layers"):
        msg = f"{path}: 'layers' is empty; list at least one {{ layer = \"...\" }}."
        raise LayerSchemaError(msg)
    return recipe


def render_recipe(
    path: str | Path, *, user: Mapping[str, gpd.GeoDataFrame] | None = None, tiles: str | None = None
) -> AtlasMap:
    """Build the map a recipe describes, with the user's own layers added."""
    path = Path(path)
    recipe = load_recipe(path)
    layers: Sequence[MapLayer] = [
        _layer(spec, where=f"{path.name}, layers[{i}]") for i, spec in enumerate(recipe["layers"])
    ]
    layers = [*layers, *(choropleth_layer(m) for m in recipe.get("choropleth", []))]
    images = []
    for raster in recipe.get("rasters", []):
        if raster not in _RASTERS:
            msg = f"{path.name}: unknown raster {raster!r}; available: {list(_RASTERS)}."
            raise LayerSchemaError(msg)
        images.append(elevation_image(dem_path()))
    ids = [layer.name for layer in layers]
    if len(set(ids)) != len(ids):
        layers = [
            MapLayer(name=f"{ml.name}-{i}", title=ml.title, gdf=ml.gdf, style=ml.style, visible=ml.visible)
            for i, ml in enumerate(layers)
        ]
    return build_map(
        layers,
        user=user,
        basemap=recipe.get("basemap", BASEMAP),
        title=recipe.get("title", path.stem),
        tiles=tiles or recipe.get("tiles"),
        bounds=recipe.get("bounds"),
        settings={"recipe": path.name},
        images=images,
    )
