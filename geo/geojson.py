"""Deterministic RFC 7946 GeoJSON: the files of ``layers/reference`` and GeoJSON exports.

Coordinates are rounded (5 decimals: about 1 m), polygons oriented counterclockwise, Z kept and M dropped
(:func:`without_m`, which the export's checks also use where a format cannot hold M).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from geo.outputs import atomic_path

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

__all__ = ["without_m", "write_geojson"]

_DECIMALS = 5  # 1.1 m at the equator: finer than any source geometry here


def without_m(geom: BaseGeometry) -> BaseGeometry:
    """Return `geom` without M (measure) values, keeping Z; `geom` itself if it has none."""
    import shapely

    if not shapely.has_m(geom):
        return geom
    has_z = bool(shapely.has_z(geom))
    flat = shapely.force_2d(geom)
    return shapely.set_coordinates(
        shapely.force_3d(flat) if has_z else flat, shapely.get_coordinates(geom, include_z=has_z)
    )


def _rounded(geom: BaseGeometry | None, decimals: int) -> BaseGeometry | None:
    """Round coordinates, keeping Z (RFC 7946: an optional third position) and dropping M (no place in GeoJSON)."""
    import numpy as np
    import shapely

    if geom is None:
        return None
    geom = without_m(geom)
    out = shapely.transform(geom, lambda xy: np.round(xy, decimals), include_z=None)
    if out.geom_type in ("Polygon", "MultiPolygon"):
        out = shapely.orient_polygons(out)  # RFC 7946 §3.1.6: exterior rings counterclockwise
    if out.is_valid:
        return out
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom  # a line part collapsed by rounding: keep the exact coordinates
    return shapely.make_valid(out, method="structure", keep_collapsed=False)


def _plain(value: object) -> object:
    """Turn numpy and pandas scalars and arrays into JSON-ready Python values (NaN and NA become None)."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else value  # type: ignore[call-overload]


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, decimals: int = _DECIMALS, atomic: bool = True) -> Path:
    """Write `gdf` (EPSG:4326) as deterministic, RFC 7946 GeoJSON with native lists.

    Coordinates are rounded to `decimals` (5: about 1 m); properties keep their column order.
    With `atomic`, the file appears only once complete.
    """
    import shapely.geometry

    features = []
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    for row, geom in zip(gdf[props].itertuples(index=False, name=None), gdf.geometry, strict=True):
        g = _rounded(geom, decimals)
        features.append(
            {
                "type": "Feature",
                "properties": {k: _plain(v) for k, v in zip(props, row, strict=True)},
                "geometry": None if g is None else shapely.geometry.mapping(g),
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    if not atomic:
        path.write_text(text + "\n", encoding="utf-8")
        return path
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    return path
