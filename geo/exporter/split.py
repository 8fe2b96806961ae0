"""Points apart from areas, split once per export: each layer becomes the parts an export writes.

A curated layer mixes what :mod:`geo.precision` calls *point* levels (site, town, district: a point and
its ``uncertainty_m``) with *area* levels (region, country: a polygon the feature lies somewhere inside).
GIS software wants one geometry type per layer: QGIS splits a mixed table into sublayers and draws the
envelopes as filled areas over the points. The naming rule, in every format:

- **A layer keeps its name.** ``<name>`` holds the point-level features (and those with no location,
  without a geometry: listed, never pinned), geometry type Point.
- **Only a layer that mixes both gets a second one**, ``<name>_areas``, with the somewhere-inside
  features, geometry type MultiPolygon (a Polygon is written as a one-part MultiPolygon, the same area).
- A layer whose features are all known only to an area is written whole under its own name, as
  MultiPolygons (``afforestation_areas``); no empty layer is written beside it.

A frame without ``location_precision`` (a reference layer, a user's file) is left whole. The split runs
once (:func:`split_layers`); each frame it returns carries its :class:`Part` (name, source layer, role,
geometry type) in ``GeoDataFrame.attrs``, which every writer reads instead of deriving it again.
:func:`split_by_precision` is the public form of the split, for notebooks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import shapely

from geo import precision, registry
from geo.errors import ExportError, UnknownLayerError

__all__ = [
    "AREAS_SUFFIX",
    "PART_ATTR",
    "Part",
    "Role",
    "declared_geometry_type",
    "part_of",
    "split_by_precision",
    "split_layers",
    "split_names",
]

#: The area part of layer ``x``, when ``x`` also has point-level features, is ``x_areas``.
AREAS_SUFFIX = "_areas"
#: Key in ``GeoDataFrame.attrs`` holding a frame's :class:`Part`.
PART_ATTR = "geo_part"
Role = Literal["points", "areas", "whole"]
#: The one geometry type of each role, as GDAL names it.
_DECLARED = {"points": "Point", "areas": "MultiPolygon"}


@dataclass(frozen=True)
class Part:
    """One layer an export writes, as the split made it.

    Attributes
    ----------
    name
        The layer's name in the export (``mineral_deposits_areas``).
    source
        The layer it comes from (``mineral_deposits``); `name` itself for a layer written whole.
    role
        ``points`` (point-level features and unlocated ones), ``areas`` (somewhere inside a region or a
        country) or ``whole`` (a layer without location precision).
    geometry_type
        The one geometry type to declare (``Point``, ``MultiPolygon``), or ``None`` when the writer
        decides (a whole layer, or one holding other types).
    """

    name: str
    source: str
    role: Role
    geometry_type: str | None

    @property
    def spec(self) -> registry.LayerSpec | None:
        """The registry entry of the source layer (``None`` for a user's layer)."""
        try:
            return registry.get(self.source)
        except UnknownLayerError:
            return None


def _declared(role: Role, gdf: gpd.GeoDataFrame) -> str | None:
    declared = _DECLARED.get(role)
    if declared is None:
        return None
    return declared if set(gdf.geom_type.dropna()) <= {declared} else None


def _tagged(gdf: gpd.GeoDataFrame, name: str, source: str, role: Role) -> gpd.GeoDataFrame:
    gdf.attrs[PART_ATTR] = Part(name, source, role, _declared(role, gdf))
    return gdf


def _multi(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Polygons as one-part MultiPolygons, so an area layer has one geometry type."""
    values = geoms.to_numpy()
    single = shapely.get_type_id(values) == shapely.GeometryType.POLYGON
    if single.any():
        values = values.copy()
        values[single] = [shapely.MultiPolygon([g]) for g in values[single]]
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs, name=geoms.name)


def split_by_precision(gdf: gpd.GeoDataFrame, name: str) -> dict[str, gpd.GeoDataFrame]:
    """Split a layer into its point-level and its somewhere-inside features, by the naming rule above.

    Parameters
    ----------
    gdf
        A layer; if it has a ``location_precision`` column it is split, otherwise returned whole.
    name
        The layer's name; an area part beside points is called ``name + "_areas"``.

    Returns
    -------
    dict
        ``{name: points, name_areas: areas}`` when the layer has both kinds (same columns and CRS, new
        0-based index); ``{name: areas}`` when every feature is known only to an area; ``{name: points}``
        otherwise (an empty layer too); ``{name: gdf}`` for a layer without location precision. Each
        frame carries its :class:`Part` in ``attrs[PART_ATTR]``.

    Examples
    --------
    >>> parts = split_by_precision(geo.load("mineral_deposits"), "mineral_deposits")  # doctest: +SKIP
    >>> sorted(parts)  # doctest: +SKIP
    ['mineral_deposits', 'mineral_deposits_areas']
    >>> list(split_by_precision(geo.load("afforestation_areas"), "afforestation_areas"))  # doctest: +SKIP
    ['afforestation_areas']
    """
    if "location_precision" not in gdf:
        return {name: _tagged(gdf.copy(), name, name, "whole")}
    inside = precision.somewhere_inside(gdf)
    points = gdf.loc[~inside].reset_index(drop=True)
    areas = gdf.loc[inside].reset_index(drop=True)
    areas = areas.set_geometry(_multi(areas.geometry))
    if areas.empty:
        return {name: _tagged(points, name, name, "points")}
    if points.empty:
        return {name: _tagged(areas, name, name, "areas")}
    area_name = f"{name}{AREAS_SUFFIX}"
    return {name: _tagged(points, name, name, "points"), area_name: _tagged(areas, area_name, name, "areas")}


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


def part_of(name: str, gdf: gpd.GeoDataFrame) -> tuple[str, Role]:
    """Return the layer a frame comes from and its role: ``(source name, role)``.

    Read from the frame's :class:`Part` when :func:`split_by_precision` made it; otherwise (a frame read
    back from an export) told by the naming rule: a frame whose features all lie somewhere inside an area
    is an area part, of ``name`` minus ``_areas`` unless ``name`` is itself a registered layer.
    """
    recorded = gdf.attrs.get(PART_ATTR)
    if isinstance(recorded, Part):
        return recorded.source, recorded.role
    if "location_precision" not in gdf:
        return name, "whole"
    if len(gdf) and precision.somewhere_inside(gdf).all():
        source = name
        if name.endswith(AREAS_SUFFIX) and name not in registry.names():
            source = name.removesuffix(AREAS_SUFFIX)
        return source, "areas"
    return name, "points"


def declared_geometry_type(name: str, gdf: gpd.GeoDataFrame) -> str | None:
    """Return the geometry type the split declared for a part (``Point``, ``MultiPolygon``), if any.

    ``None`` for a whole layer, one holding other types (a user's data), or a frame the split did not
    make: the writer decides then. An empty part is declared too, so its table has the right type.
    """
    recorded = gdf.attrs.get(PART_ATTR)
    return recorded.geometry_type if isinstance(recorded, Part) else None


def split_names(names: Sequence[str]) -> list[str]:
    """Return the layer names an export may write for `names`: a registered curated layer counts as two.

    Told before the data is read (for checking a target), so it names ``<name>_areas`` even when the
    data will turn out to need none.
    """
    out: list[str] = []
    for name in names:
        try:
            curated = registry.get(name).kind == "curated"
        except UnknownLayerError:
            curated = False
        out += [name, f"{name}{AREAS_SUFFIX}"] if curated else [name]
    return list(dict.fromkeys(out))
