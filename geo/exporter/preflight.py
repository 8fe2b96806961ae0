"""Checks before layers are written: what a format cannot hold is refused, or fixed losslessly and reported.

What a format holds is read from its registry entry (:class:`~geo.formats.Format`), never
from its name:

- M (measure) values (``m``): where the format cannot keep them (all but GeoParquet and CSV's WKT) they
  are dropped and the export reports it (GeoJSON would otherwise write ``NaN``, which is not JSON).
- Geometry types (``geometry_types``): a type outside them (a GeometryCollection in a Shapefile) is
  refused, naming the features. Points beside MultiPoints where a layer has one type
  (``mixed_geometries`` false): the points are written as one-part MultiPoints (the same places), and
  the export says so.
- 2D and 3D features in one layer (``mixed_dimensions``): refused (FlatGeobuf) or the 2D ones get
  z = 0 (Shapefile, reported).
- GeoPackage: a data column called ``fid`` that cannot be the feature id (text, repeated or empty
  values) keeps its values; the feature id column gets another name (:func:`geo.exporter.writers.gpkg_fid_column`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import ExportError
from geo.exporter.losses import Losses
from geo.geojson import without_m

if TYPE_CHECKING:
    from geo.formats import Format

__all__ = ["prepare"]

_SHOWN = 5


def _labels(gdf: gpd.GeoDataFrame, mask: pd.Series) -> str:
    values = gdf.loc[mask, "id"] if "id" in gdf else gdf.index[mask]
    word = "ids" if "id" in gdf else "rows"
    items = [repr(v) if word == "ids" else str(v) for v in values]
    return f"{word} {', '.join(items[:_SHOWN])}{' …' if len(items) > _SHOWN else ''}"


def drop_m(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Return `gdf` with M values dropped (Z kept) and how many features had them."""
    geoms = gdf.geometry.to_numpy()
    has_m = np.asarray(shapely.has_m(geoms), dtype=bool) & ~pd.isna(geoms)
    if not has_m.any():
        return gdf, 0
    out = gdf.copy()
    out.loc[has_m, out.geometry.name] = [without_m(g) for g in geoms[has_m]]
    return out, int(has_m.sum())


def _geometry_types(gdf: gpd.GeoDataFrame, name: str, spec: Format) -> tuple[gpd.GeoDataFrame, bool]:
    """Refuse types the format cannot hold; turn points into one-part MultiPoints beside MultiPoints if it must."""
    types = gdf.geometry.geom_type
    allowed = spec.geometry_types
    bad = types.notna() & ~types.isin(allowed) if allowed is not None else pd.Series(False, index=gdf.index)
    if bad.any():
        kinds = ", ".join(sorted(set(types[bad])))
        msg = (
            f"Layer {name!r}: {int(bad.sum())} feature(s) ({_labels(gdf, bad)}) are {kinds}, which a "
            f"{spec.key} export cannot hold. Export to gpkg or geojson, or split them into points, lines "
            "and polygons first (e.g. gdf.explode())."
        )
        raise ExportError(msg)
    if spec.mixed_geometries or not (types == "MultiPoint").any() or not (types == "Point").any():
        return gdf, False
    out = gdf.copy()
    points = types == "Point"
    out.loc[points, out.geometry.name] = [shapely.MultiPoint([g]) for g in gdf.geometry[points]]
    return out, True


def _named(spec: Format, *, article: bool = False) -> str:
    """Return the format's name for messages: GDAL's driver name (``a Shapefile`` with `article`)."""
    name = (spec.driver or spec.key).removeprefix("ESRI ")
    return f"a {name}" if article else name


def _mixed_dimensions(gdf: gpd.GeoDataFrame, name: str, spec: Format, losses: Losses) -> None:
    geoms = gdf.geometry
    arr = geoms.to_numpy()
    where = pd.Series(~(shapely.is_missing(arr) | shapely.is_empty(arr)), index=gdf.index)
    has_z = geoms.has_z & where
    flat = where & ~has_z
    if not has_z.any() or not flat.any():
        return
    if spec.mixed_dimensions == "refused":
        msg = (
            f"Layer {name!r} mixes 3D features ({_labels(gdf, has_z)}) with 2D ones ({_labels(gdf, flat)}), which "
            f"{_named(spec)} cannot hold. Export to gpkg or geojson, or make them alike (shapely.force_2d or force_3d)."
        )
        raise ExportError(msg)
    if spec.mixed_dimensions == "zero_z":
        what = f"{_named(spec, article=True)} layer is all 2D or all 3D"
        losses.add(f"2D features written with z = 0: {what}", name, _labels(gdf, flat))


def prepare(frames: Mapping[str, gpd.GeoDataFrame], spec: Format, losses: Losses) -> dict[str, gpd.GeoDataFrame]:
    """Return `frames` ready for `spec`: refuse what it cannot hold, fix losslessly what it can, report both.

    Raises
    ------
    ExportError
        A layer holds geometries the format cannot (a GeometryCollection in a Shapefile, 2D and 3D
        features in FlatGeobuf).
    """
    out = {}
    for name, gdf in frames.items():
        prepared = gdf
        if not spec.m:
            prepared, n_m = drop_m(prepared)
            if n_m:
                detail = f"{n_m} feature{'s' if n_m > 1 else ''}"
                losses.add(f"M (measure) values dropped: the {spec.key} export keeps x, y and z only", name, detail)
        _mixed_dimensions(prepared, name, spec, losses)
        prepared, promoted = _geometry_types(prepared, name, spec)
        if promoted:
            losses.add("points written as one-part MultiPoints, beside the layer's MultiPoints", name)
        out[name] = prepared
    return out
