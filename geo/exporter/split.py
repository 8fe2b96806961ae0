"""Points apart from areas: each curated layer becomes two layers, linked by ``id``.

A curated layer mixes what :mod:`geo.precision` calls *point* levels (site, town, district: a point and
its ``uncertainty_m``) with *area* levels (region, country: a polygon the feature lies somewhere inside).
GIS software wants one geometry type per layer: QGIS splits a mixed table into sublayers and draws the
envelopes as filled areas over the points. So every export, in every format, writes

- ``<name>``: the point-level features (and those with no location, without a geometry: listed, never
  pinned), geometry type Point;
- ``<name>_areas``: the somewhere-inside features, geometry type MultiPolygon (a Polygon is written
  as a one-part MultiPolygon, the same area).

Both always exist, with the same columns, even when one is empty, so a layer's schema does not change
with the data. A frame without ``location_precision`` (a reference layer, a user's file) is left
whole. :func:`split_by_precision` is the public form of the split, for notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import geopandas as gpd
import shapely

from geo import precision, registry
from geo.errors import ExportError, UnknownLayerError

__all__ = [
    "AREAS_SUFFIX",
    "PART_ATTR",
    "Part",
    "declared_geometry_type",
    "part_of",
    "split_by_precision",
    "split_layers",
    "split_names",
]

#: The area half of layer ``x`` is ``x_areas``.
AREAS_SUFFIX = "_areas"
#: Key in ``GeoDataFrame.attrs`` recording which layer and half a frame is: ``(source, part)``.
PART_ATTR = "geo_part"
Part = Literal["points", "areas", "whole"]


def _multi(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Polygons as one-part MultiPolygons, so an area layer has one geometry type."""
    values = geoms.to_numpy()
    single = shapely.get_type_id(values) == shapely.GeometryType.POLYGON
    if single.any():
        values = values.copy()
        values[single] = [shapely.MultiPolygon([g]) for g in values[single]]
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs, name=geoms.name)


def split_by_precision(gdf: gpd.GeoDataFrame, name: str) -> dict[str, gpd.GeoDataFrame]:
    """Split a layer into its point-level and its somewhere-inside features.

    Parameters
    ----------
    gdf
        A layer; if it has a ``location_precision`` column it is split, otherwise returned whole.
    name
        The layer's name; the area half is called ``name + "_areas"``.

    Returns
    -------
    dict
        ``{name: points, name_areas: areas}`` (both always present, possibly empty, same columns and
        CRS, new 0-based index), or ``{name: gdf}`` for a layer without location precision.

    Examples
    --------
    >>> parts = split_by_precision(geo.load("mineral_deposits"), "mineral_deposits")  # doctest: +SKIP
    >>> sorted(parts)  # doctest: +SKIP
    ['mineral_deposits', 'mineral_deposits_areas']
    """
    if "location_precision" not in gdf:
        whole = gdf.copy()
        whole.attrs[PART_ATTR] = (name, "whole")
        return {name: whole}
    inside = precision.somewhere_inside(gdf)
    points = gdf.loc[~inside].reset_index(drop=True)
    areas = gdf.loc[inside].reset_index(drop=True)
    areas = areas.set_geometry(_multi(areas.geometry))
    points.attrs[PART_ATTR] = (name, "points")
    areas.attrs[PART_ATTR] = (name, "areas")
    return {name: points, f"{name}{AREAS_SUFFIX}": areas}


def split_layers(frames: Mapping[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Split every frame that has location precision; the others pass through whole.

    Raises
    ------
    ExportError
        If a split would give a layer the name of another layer (e.g. ``x`` is split while ``x_areas``
        is also given).
    """
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in frames.items():
        for part_name, part in split_by_precision(gdf, name).items():
            if part_name in out or (part_name != name and part_name in frames):
                msg = (
                    f"Layer {name!r} is written as {name!r} and {name + AREAS_SUFFIX!r}, but {part_name!r} is "
                    "also a layer of this export: rename one of them."
                )
                raise ExportError(msg)
            out[part_name] = part
    return out


def part_of(name: str, gdf: gpd.GeoDataFrame) -> tuple[str, Part]:
    """Return the layer a frame comes from and which half it is: ``(source name, part)``.

    Read from the frame's ``attrs`` when :func:`split_by_precision` made it; otherwise told from the
    name and the data (a frame read back from an export).
    """
    recorded = gdf.attrs.get(PART_ATTR)
    if isinstance(recorded, tuple) and len(recorded) == 2:  # noqa: PLR2004 (source, part)
        return str(recorded[0]), recorded[1]
    if "location_precision" not in gdf:
        return name, "whole"
    if name.endswith(AREAS_SUFFIX) and precision.somewhere_inside(gdf).all():
        return name.removesuffix(AREAS_SUFFIX), "areas"
    return name, "points"


#: The one geometry type of each half, as GDAL names it.
_DECLARED = {"points": "Point", "areas": "MultiPolygon"}


def declared_geometry_type(name: str, gdf: gpd.GeoDataFrame) -> str | None:
    """Return the geometry type to declare for a half (``Point``, ``MultiPolygon``), if its geometries all have it.

    ``None`` for a whole layer or a half holding other types (a user's data): the writer decides then.
    An empty half is declared too, so its table has the right type.
    """
    declared = _DECLARED.get(part_of(name, gdf)[1])
    if declared is None:
        return None
    types = set(gdf.geom_type.dropna())
    return declared if types <= {declared} else None


def split_names(names: Sequence[str]) -> list[str]:
    """Return the layer names an export writes for `names`: a registered curated layer counts as two."""
    out: list[str] = []
    for name in names:
        try:
            curated = registry.get(name).kind == "curated"
        except UnknownLayerError:
            curated = False
        out += [name, f"{name}{AREAS_SUFFIX}"] if curated else [name]
    return list(dict.fromkeys(out))
