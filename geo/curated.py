"""Read a curated layer (TOML) and resolve each feature's location honestly.

A feature's ``location`` says how precisely it is known, and its geometry follows from that:

- ``site``: the point a cited source states (``lon``, ``lat``, ``source``);
- ``town`` / ``district``: the GeoNames place the source names (``geonameid``), or a cited
  town coordinate, with ``uncertainty_m`` (for a district, its seat and a district radius);
- ``region`` / ``country``: the union of reference polygons (``areas``), optionally cut to
  one country (used for the two national halves of the Aralkum);
- ``unknown``: no geometry at all.

Nothing is ever placed without one of these.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from geo.crs import MAX_LAT, MAX_LON, WGS84
from geo.errors import LayerSchemaError
from geo.schema import COMMON_COLUMNS, LAYER_COLUMNS, PRECISIONS, validate_curated

__all__ = ["read_curated"]

logger = logging.getLogger(__name__)

ReferenceLoader = Callable[[str], gpd.GeoDataFrame]
_POINT_PRECISIONS = {"site", "town", "district"}
_AREA_PRECISIONS = {"region", "country"}


def _fail(path: Path, problems: list[str]) -> None:
    msg = f"Curated file {path} has {len(problems)} problem(s): " + "; ".join(problems) + "."
    raise LayerSchemaError(msg)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


class _Resolver:
    """Turn location specs into geometries, looking reference layers up once."""

    def __init__(self, reference: ReferenceLoader) -> None:
        self._reference = reference
        self._index: dict[str, pd.Series] = {}

    def _layer(self, name: str) -> pd.Series:
        if name not in self._index:
            gdf = self._reference(name)
            self._index[name] = pd.Series(gdf.geometry.to_numpy(), index=gdf["id"].astype("string"))
        return self._index[name]

    def point(self, fid: str, loc: dict[str, Any]) -> tuple[shapely.Geometry, str | None]:
        if "geonameid" in loc:
            places = self._layer("cities")
            key = f"gn-{loc['geonameid']}"
            if key not in places.index:
                msg = f"feature {fid!r}: geonameid {loc['geonameid']} is not in the cities layer"
                raise KeyError(msg)
            return places[
                key
            ], f"GeoNames {loc['geonameid']} (cities layer, https://www.geonames.org/{loc['geonameid']})"
        lon, lat, src = loc.get("lon"), loc.get("lat"), loc.get("source")
        if lon is None or lat is None or not isinstance(src, dict) or not src.get("title"):
            msg = f"feature {fid!r}: a {loc.get('precision')} location needs geonameid, or lon, lat and a source"
            raise KeyError(msg)
        if not (abs(float(lon)) <= MAX_LON and abs(float(lat)) <= MAX_LAT):
            msg = f"feature {fid!r}: lon {lon!r} / lat {lat!r} out of range (lon first, then lat)"
            raise KeyError(msg)
        return Point(float(lon), float(lat)), " ".join(filter(None, [src.get("title"), src.get("url")]))

    def area(self, fid: str, loc: dict[str, Any]) -> shapely.Geometry:
        areas = loc.get("areas")
        if not isinstance(areas, list) or not areas:
            msg = f"feature {fid!r}: a {loc.get('precision')} location needs areas = [{{layer, id}}, ...]"
            raise KeyError(msg)
        parts = []
        for ref in areas:
            layer, key = ref.get("layer"), str(ref.get("id"))
            polys = self._layer(layer)
            if key not in polys.index:
                msg = f"feature {fid!r}: no feature {key!r} in reference layer {layer!r}"
                raise KeyError(msg)
            geom = polys[key]
            if ref.get("country"):
                geom = geom.intersection(self._layer("countries")[ref["country"]])
            parts.append(geom)
        return shapely.make_valid(shapely.union_all(parts))


def _row(feat: dict[str, Any], layer: str, resolver: _Resolver) -> tuple[dict[str, Any], shapely.Geometry | None]:
    fid = str(feat.get("id", "?"))
    loc = feat.get("location") or {}
    precision = loc.get("precision")
    if precision not in PRECISIONS:
        msg = f"feature {fid!r}: location.precision must be one of {list(PRECISIONS)}, got {precision!r}"
        raise KeyError(msg)
    geom, loc_source = None, None
    uncertainty = loc.get("uncertainty_m")
    if precision in _POINT_PRECISIONS:
        geom, loc_source = resolver.point(fid, loc)
        if uncertainty is None:
            msg = f"feature {fid!r}: a {precision} location needs uncertainty_m"
            raise KeyError(msg)
    elif precision in _AREA_PRECISIONS:
        geom = resolver.area(fid, loc)
        uncertainty = None
    production = feat.get("production") or {}
    row = {
        "id": fid,
        "name": feat.get("name"),
        "name_local": _text(feat.get("name_local")),
        "layer": layer,
        "kind": feat.get("kind"),
        "country": feat.get("country"),
        "region": _text(feat.get("region")),
        "status": feat.get("status"),
        "confidence": feat.get("confidence"),
        "sources": [{k: str(v) for k, v in s.items()} for s in feat.get("sources", [])],
        "as_of": str(feat.get("as_of", "")),
        "notes": _text(feat.get("notes")),
        "disputed": bool(feat.get("disputed", False)),
        "readings": list(feat.get("readings", [])),
        "location_precision": precision,
        "uncertainty_m": None if uncertainty is None else float(uncertainty),
        "location_basis": _text(loc.get("basis")),
        "location_source": loc_source,
        "commodities": list(feat.get("commodities", [])),
        "production_value": production.get("value"),
        "production_unit": production.get("unit"),
        "production_year": production.get("year"),
        "production_source": production.get("source"),
    }
    for key in (
        "operator",
        "institution",
        "opened",
        "students",
        "approach",
        "area_ha",
        "target_area_ha",
        "programme",
        "funding",
        "species",
    ):
        row[key] = feat.get(key)
    return row, geom


_DTYPES = {
    "uncertainty_m": "float64",
    "production_value": "float64",
    "area_ha": "float64",
    "target_area_ha": "float64",
    "production_year": "Int64",
    "students": "Int64",
}


def read_curated(path: Path, *, reference: ReferenceLoader) -> gpd.GeoDataFrame:
    """Read a curated TOML file into a validated GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path
        The ``layers/curated/<layer>.toml`` file.
    reference
        Loads a reference layer by name (cities, regions, countries, ...).

    Returns
    -------
    gpd.GeoDataFrame
        One row per feature, with the common and layer-specific columns; features of
        unknown location have no geometry.

    Raises
    ------
    LayerSchemaError
        Listing every problem found in the file.
    """
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        msg = f"Curated file {path} is not valid UTF-8 TOML: {err}. Fix the syntax at the position shown."
        raise LayerSchemaError(msg) from None
    layer = doc.get("layer")
    if layer not in LAYER_COLUMNS:
        _fail(path, [f"'layer' must be one of {list(LAYER_COLUMNS)}, got {layer!r}"])
    features = doc.get("features") or []
    if not features:
        _fail(path, ["it has no [[features]]"])
    resolver = _Resolver(reference)
    rows, geoms, problems = [], [], []
    for feat in features:
        try:
            row, geom = _row(feat, layer, resolver)
        except KeyError as err:
            problems.append(str(err.args[0]))
            continue
        rows.append(row)
        geoms.append(geom)
    if problems:
        _fail(path, problems)
    columns = [*COMMON_COLUMNS, *LAYER_COLUMNS[layer]]
    frame = pd.DataFrame(rows)[columns]
    for col, dtype in _DTYPES.items():
        if col in frame:
            frame[col] = frame[col].astype(dtype)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    validate_curated(gdf, layer=layer, path=str(path))
    logger.info("Read %d %s features from %s", len(gdf), layer, path)
    return gdf
