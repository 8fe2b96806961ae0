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

from geo import precision
from geo.crs import MAX_LAT, MAX_LON, WGS84
from geo.errors import LayerSchemaError
from geo.registry import LayerSpec
from geo.schema import validate_curated

__all__ = ["read_curated"]

logger = logging.getLogger(__name__)

ReferenceLoader = Callable[[str], gpd.GeoDataFrame]


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


_LOCATION_KEYS = {"precision", "lon", "lat", "stated", "uncertainty_m", "basis", "source", "geonameid", "areas"}
_DERIVED = {"layer", "location_source", "agreements"}  # columns geo fills in, never read from the file


def _lookup(feat: dict[str, Any], key: str) -> Any:
    value: Any = feat
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _plain(value: Any) -> Any:
    """TOML dates and times as ISO text; other scalars as they are."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _convert(value: Any, ftype: str, name: str) -> Any:
    if ftype in ("text", "date"):
        return _text(_plain(value))
    if ftype == "bool":
        return bool(value or False)
    if ftype == "list":
        return list(value or [])
    if ftype == "records":
        records = [dict(r) if isinstance(r, dict) else r for r in (value or [])]
        if name == "sources":  # every part of a source is text
            records = [{k: str(_plain(v)) for k, v in r.items()} if isinstance(r, dict) else r for r in records]
        return [{k: _plain(v) for k, v in r.items()} if isinstance(r, dict) else r for r in records]
    return value  # numbers: cast to the column dtype afterwards


def _unknown_keys(feat: dict[str, Any], spec: LayerSpec, fid: str) -> list[str]:
    known = {(f.key or f.name).split(".")[0] for f in spec.all_fields if f.name not in _DERIVED}
    problems = []
    if extra := sorted(set(feat) - known):
        problems.append(f"feature {fid!r}: unknown field(s) {extra} for layer {spec.name!r}")
    if extra := sorted(set(feat.get("location") or {}) - _LOCATION_KEYS):
        problems.append(f"feature {fid!r}: unknown location key(s) {extra}; use {sorted(_LOCATION_KEYS)}")
    for f in spec.all_fields:
        table = feat.get(f.key or f.name)
        if f.type == "quantity" and isinstance(table, dict) and (extra := sorted(set(table) - set(f.parts))):
            problems.append(f"feature {fid!r}: {f.name} has unknown part(s) {extra}; use {list(f.parts)}")
    return problems


def _row(feat: dict[str, Any], spec: LayerSpec, resolver: _Resolver) -> tuple[dict[str, Any], shapely.Geometry | None]:
    fid = str(feat.get("id", "?"))
    if problems := _unknown_keys(feat, spec, fid):
        raise KeyError("; ".join(problems))
    loc = feat.get("location") or {}
    level = loc.get("precision")
    if level not in precision.LEVELS:
        msg = f"feature {fid!r}: location.precision must be one of {list(precision.LEVELS)}, got {level!r}"
        raise KeyError(msg)
    geom, loc_source = None, None
    kind = precision.get(level).geometry
    if kind == "point":
        geom, loc_source = resolver.point(fid, loc)
        if loc.get("uncertainty_m") is None:
            msg = f"feature {fid!r}: a {level} location needs uncertainty_m"
            raise KeyError(msg)
    elif kind == "area":
        geom = resolver.area(fid, loc)
    row: dict[str, Any] = {}
    for f in spec.all_fields:
        if f.type == "quantity":
            table = _lookup(feat, f.key or f.name) or {}
            for part, (col, ftype) in zip(f.parts, f.columns(), strict=True):
                row[col] = _convert(table.get(part), ftype, col)
        else:
            row[f.name] = _convert(_lookup(feat, f.key or f.name), f.type, f.name)
    row["layer"] = spec.name
    row["location_source"] = loc_source
    if kind != "point":
        row["uncertainty_m"] = None  # an area's extent is its uncertainty
    return row, geom


_DTYPES: dict[str, Any] = {"float": "float64", "int": "Int64"}


def read_curated(path: Path, *, spec: LayerSpec, reference: ReferenceLoader) -> gpd.GeoDataFrame:
    """Read a curated TOML file into a validated GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path
        The layer's TOML file.
    spec
        The layer's spec in the registry: its fields and their types.
    reference
        Loads a reference layer by name (cities, regions, countries, ...).

    Returns
    -------
    gpd.GeoDataFrame
        One row per feature, with the columns of `spec`; features of unknown location have no geometry.

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
    except FileNotFoundError:
        msg = f"Curated file {path} of layer {spec.name!r} does not exist; create it or fix the spec's file."
        raise LayerSchemaError(msg) from None
    if doc.get("layer") != spec.name:
        _fail(path, [f"'layer' must be {spec.name!r}, got {doc.get('layer')!r}"])
    features = doc.get("features") or []
    if not features:
        _fail(path, ["it has no [[features]]"])
    resolver = _Resolver(reference)
    rows, geoms, problems = [], [], []
    for feat in features:
        try:
            row, geom = _row(feat, spec, resolver)
        except KeyError as err:
            problems.append(str(err.args[0]))
            continue
        rows.append(row)
        geoms.append(geom)
    if problems:
        _fail(path, problems)
    frame = pd.DataFrame(rows, columns=spec.columns())
    for f in spec.all_fields:
        for col, ftype in f.columns():
            if ftype in _DTYPES:
                frame[col] = frame[col].astype(_DTYPES[ftype])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    validate_curated(gdf, spec=spec, path=str(path))
    logger.info("Read %d %s features from %s", len(gdf), spec.name, path)
    return gdf
