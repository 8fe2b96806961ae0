"""Turn GeoDataFrames into the JSON the map's script draws: features, popups, legend, search index.

Nothing here builds HTML: popups travel as plain text fields and the script puts them into the
page with ``textContent``, so text from data can never become markup or script.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import WGS84, area_ha, reproject
from geo.mapping.styles import (
    PRECISION_SYMBOLS,
    REFERENCE_STYLES,
    UK_CRITICAL,
    feature_style,
    legend_entries,
)
from geo.schema import CONFIDENCE, PRECISIONS

__all__ = ["BIG_LAYER", "MapLayer", "layer_payload", "to_json"]

#: A point layer larger than this is drawn from a compact binary encoding on one canvas.
BIG_LAYER = 5_000
_DISPLAY_TOLERANCE = 0.002  # degrees (about 200 m): polygons are simplified for display only
_DECIMALS = 5
_MAX_TEXT = 300
_MAX_FIELDS = 20
_KM = 1000.0


@dataclass(frozen=True)
class MapLayer:
    """One layer on a map.

    Parameters
    ----------
    name
        Identifier (layer name, or the user's label).
    title
        What the layer control and legend show.
    gdf
        The features, in any CRS (reprojected to WGS84 for the map, and logged).
    style
        ``commodity``, ``campus``, ``carbon``, ``afforestation``, a reference layer name, or ``user``.
    group
        ``overlay`` (toggleable, in the legend) or ``basemap``.
    visible
        Whether the layer is on when the map opens.
    """

    name: str
    title: str
    gdf: gpd.GeoDataFrame
    style: str = "user"
    group: str = "overlay"
    visible: bool = True
    label_min_population: int = 250_000
    extra: dict[str, Any] = field(default_factory=dict)


def to_json(data: Any) -> str:
    """Serialise for embedding in HTML: sorted keys, and ``<``, ``>``, ``&`` escaped as unicode escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, list | tuple | np.ndarray):
        items = [_text(v) for v in value]
        return ", ".join(i for i in items if i) or None
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    text = str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _geometry(geom: shapely.Geometry | None, *, simplify: bool) -> dict[str, Any] | None:
    return _geometries(np.array([geom], dtype=object), simplify=simplify)[0]


def _geometries(geoms: np.ndarray, *, simplify: bool) -> list[dict[str, Any] | None]:
    """GeoJSON geometry dicts for an array of geometries, rounded to 5 decimals (vectorised)."""
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if simplify:
        lines = ~missing & np.isin(shapely.get_type_id(geoms), [1, 3, 5, 6])
        geoms = geoms.copy()
        geoms[lines] = shapely.simplify(geoms[lines], _DISPLAY_TOLERANCE, preserve_topology=True)
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, _DECIMALS))
    texts = shapely.to_geojson(rounded)
    return [None if gone else json.loads(text) for gone, text in zip(missing, texts, strict=True)]


def _location_words(row: pd.Series) -> str:
    precision = row.get("location_precision") or "site"
    words = PRECISIONS.get(precision, precision)
    uncertainty = row.get("uncertainty_m")
    if uncertainty and not (isinstance(uncertainty, float) and math.isnan(uncertainty)):
        words += f" (±{uncertainty / 1000:,.0f} km)" if uncertainty >= _KM else f" (±{uncertainty:,.0f} m)"
    basis = _text(row.get("location_basis"))
    return f"{words}. {basis}" if basis else words


_LAYER_ROWS = {
    "commodity": ("operator",),
    "campus": ("institution", "opened", "students"),
    "carbon": ("approach", "programme", "area_ha", "target_area_ha", "funding"),
    "afforestation": ("area_ha", "target_area_ha", "funding", "species"),
}


def _curated_item(row: pd.Series, style: str) -> dict[str, Any]:
    rows: list[list[str]] = [["Kind", row["kind"].replace("_", " ")], ["Status", row["status"]]]
    if style == "commodity":
        marks = [f"{c} (UK critical)" if c in UK_CRITICAL else c for c in row.get("commodities") or []]
        rows.append(["Commodities", ", ".join(marks)])
    for key in _LAYER_ROWS.get(style, ()):
        if (value := _text(row.get(key))) is not None:
            label = key.replace("_ha", " (ha)").replace("_", " ").capitalize()
            rows.append([label, value])
    if style == "commodity" and (value := _text(row.get("production_value"))) is not None:
        year = _text(row.get("production_year"))
        detail = "; ".join(x for x in (year, _text(row.get("production_source"))) if x)
        rows.append(["Production", f"{value} {row.get('production_unit') or ''} ({detail})".strip()])
    rows += [
        ["Country", row["country"]],
        ["Region", _text(row.get("region")) or "not stated"],
        ["Location", _location_words(row)],
        ["Confidence", f"{row['confidence']} ({CONFIDENCE[row['confidence']]})"],
        ["As of", row["as_of"]],
    ]
    if notes := _text(row.get("notes")):
        rows.append(["Notes", notes])
    sources = [
        {
            "t": str(s.get("title") or ""),
            "u": str(s.get("url") or ""),
            "p": str(s.get("publisher") or ""),
            "d": str(s.get("date") or ""),
        }
        for s in row.get("sources") or []
    ]
    readings = [
        {"c": str(r["claim"]), "k": str(r["confidence"]), "s": str(r["source"])} for r in row.get("readings") or []
    ]
    keys = [k for k in (_text(row.get("name_local")),) if k]
    return {
        "n": str(row["name"]),
        "id": str(row["id"]),
        "rows": rows,
        "src": sources,
        "rd": readings,
        "disp": bool(row.get("disputed")),
        "k": keys,
    }


def _name_column(gdf: gpd.GeoDataFrame) -> str | None:
    return next((c for c in ("name", "title", "label", "id") if c in gdf.columns), None)


def _curated_payload(layer: MapLayer, gdf: gpd.GeoDataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    features, unknown = [], []
    areas: dict[bytes, dict[str, Any]] = {}
    hectares = area_ha(gdf, name=layer.name)  # once for the layer, not per feature
    for i, (_, row) in enumerate(gdf.iterrows()):
        item = _curated_item(row, layer.style)
        if row.geometry is None or row.geometry.is_empty:
            unknown.append({"layer": layer.title, "n": item["n"], "item": item})
            continue
        style = feature_style(row, layer.style)
        if style.get("h") or style.get("a"):  # areas known only to a region or country: draw each once
            key = shapely.to_wkb(row.geometry)
            if key in areas:
                areas[key]["properties"]["_items"].append(item)
                continue
            rep = row.geometry.representative_point()
            props = {"_s": style, "_items": [item]}
            if style.get("h"):  # a region: label it; a whole country gets a tooltip only
                props["_lbl"] = [round(rep.y, 4), round(rep.x, 4)]
                # label priority: the smaller (more specific) the area, the sooner its label is placed
                props["_rank"] = round(1e9 + 1e7 / (1 + hectares[i] / 100))
            feature = {"type": "Feature", "geometry": _geometry(row.geometry, simplify=True), "properties": props}
            areas[key] = feature
        else:
            feature = {
                "type": "Feature",
                "geometry": _geometry(row.geometry, simplify=False),
                "properties": {"_s": style, "_items": [item]},
            }
        features.append(feature)
    for feature in areas.values():
        items = feature["properties"]["_items"]
        feature["properties"]["_t"] = items[0]["n"] if len(items) == 1 else f"{len(items)} features in this area"
    return features, unknown


_SCRIPT_OK = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u0400-\u04FF'`ʻʼ‘’.\-()]+$")
_MAX_KEYS = 40


def _search_keys(row: pd.Series, aliases: dict[str, list[str]]) -> list[str]:
    """Names to search a reference feature by: its names in Latin and Cyrillic, and region aliases."""
    keys: list[str] = []
    for col in ("name", "name_cyrillic", "name_ru", "name_local", "name_ne"):
        if isinstance(value := row.get(col), str) and value:
            keys.append(value)
    for col in ("alt_names", "name_alt"):
        values = row.get(col)
        if isinstance(values, list | np.ndarray):
            keys += [v for v in values if isinstance(v, str) and _SCRIPT_OK.match(v)]
    keys += aliases.get(str(row.get("id")), [])
    return list(dict.fromkeys(keys))[:_MAX_KEYS]


def _reference_payload(layer: MapLayer, gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    style = REFERENCE_STYLES.get(layer.style, {"c": "#3182bd", "w": 1.0})
    features = []
    shapes = _geometries(gdf.geometry.to_numpy(), simplify=True)
    for (_, row), shape in zip(gdf.iterrows(), shapes, strict=True):
        own = REFERENCE_STYLES["neighbours"] if layer.style == "countries" and not row.get("central_asia") else style
        props: dict[str, Any] = {"_s": own}
        name = _text(row.get("name"))
        if name:
            props["_t"] = name
        keys = _search_keys(row, layer.extra.get("aliases", {}))
        if keys:
            props["_k"] = keys
        if layer.style == "cities":
            pop = row.get("population")
            props["_lab"] = bool(pd.notna(pop) and pop >= layer.label_min_population)
            props["_rank"] = int(pop) if pd.notna(pop) else 0
            props["_t"] = f"{name} ({_text(pop)})" if pd.notna(pop) and pop else name
        features.append({"type": "Feature", "geometry": shape, "properties": props})
    return features


def _packed_points(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """Encode a large point layer as quantised uint16 positions plus one category and one number column."""
    x, y = shapely.get_x(gdf.geometry.to_numpy()), shapely.get_y(gdf.geometry.to_numpy())
    west, south, east, north = float(x.min()), float(y.min()), float(x.max()), float(y.max())
    span_x, span_y = max(east - west, 1e-9), max(north - south, 1e-9)
    qx = np.round((x - west) / span_x * 65535).astype("<u2")
    qy = np.round((y - south) / span_y * 65535).astype("<u2")
    out: dict[str, Any] = {
        "n": len(gdf),
        "bbox": [west, south, east, north],
        "xy": base64.b64encode(np.column_stack([qx, qy]).tobytes()).decode(),
        "step_m": round(max(span_x, span_y) / 65535 * 111_320, 1),
    }
    text_cols = [
        c
        for c in gdf.columns
        if c != gdf.geometry.name and (gdf[c].dtype == object or str(gdf[c].dtype) in ("str", "string", "category"))
    ]
    cat_col = next((c for c in text_cols if 1 < gdf[c].nunique() <= 12), None)  # noqa: PLR2004
    if cat_col:
        codes, cats = pd.factorize(gdf[cat_col], sort=True)
        out |= {
            "cat": cat_col,
            "cats": [str(c) for c in cats],
            "ci": base64.b64encode(codes.astype("u1").tobytes()).decode(),
        }
    num_col = next((c for c in gdf.columns if c != gdf.geometry.name and pd.api.types.is_float_dtype(gdf[c])), None)
    if num_col:
        values = gdf[num_col].to_numpy(dtype="f8")
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        q = np.round((values - lo) / max(hi - lo, 1e-12) * 65534).astype("<u2")
        q[np.isnan(values)] = 65535
        out |= {"num": num_col, "range": [lo, hi], "nv": base64.b64encode(q.tobytes()).decode()}
    return out


def layer_payload(layer: MapLayer) -> dict[str, Any]:
    """Return the JSON-ready description of `layer` for the map script."""
    gdf = reproject(layer.gdf, WGS84, name=layer.name)
    base = {
        "id": layer.name,
        "title": layer.title,
        "group": layer.group,
        "visible": layer.visible,
        "style": layer.style,
        "count": len(gdf),
    }
    if "location_precision" in gdf.columns and layer.style in _LAYER_ROWS:
        features, unknown = _curated_payload(layer, gdf)
        precisions = sorted(set(gdf["location_precision"]), key=list(PRECISION_SYMBOLS).index)
        return base | {
            "kind": "vector",
            "fc": {"type": "FeatureCollection", "features": features},
            "unknown": unknown,
            "legend": legend_entries(gdf, layer.style),
            "precisions": precisions,
        }
    if layer.group == "basemap":
        return base | {
            "kind": "vector",
            "legend": [],
            "fc": {"type": "FeatureCollection", "features": _reference_payload(layer, gdf)},
        }
    points = gdf.geometry.notna() & gdf.geom_type.eq("Point")
    if len(gdf) > BIG_LAYER and points.all():
        return base | {"kind": "packed", "packed": _packed_points(gdf), "legend": []}
    columns = [c for c in gdf.columns if c != gdf.geometry.name][:_MAX_FIELDS]
    name_col = _name_column(gdf)
    texts = {c: [_text(v) for v in gdf[c].tolist()] for c in columns}  # one pass per column
    names = [_text(v) for v in gdf[name_col].tolist()] if name_col else [None] * len(gdf)
    style = {"c": "#3182bd", "f": "#3182bd", "r": 4, "w": 1, "fo": 0.7}
    fills = layer.extra.get("fills")  # a choropleth: one fill per feature
    features, unknown = [], []
    for i, shape in enumerate(_geometries(gdf.geometry.to_numpy(), simplify=fills is not None)):
        if fills is not None:
            style = {"c": "#333333", "f": fills[i], "w": 0.8, "fo": 0.75}
        rows = [[c, texts[c][i]] for c in columns if texts[c][i] is not None]
        item = {"n": names[i] or f"feature {gdf.index[i]}", "rows": rows, "src": [], "rd": []}
        if shape is None:
            unknown.append({"layer": layer.title, "n": item["n"], "item": item})
        else:
            features.append({"type": "Feature", "geometry": shape, "properties": {"_s": style, "_items": [item]}})
    legend = layer.extra.get("legend") or [{"label": layer.title, "color": "#3182bd"}]
    return base | {
        "kind": "vector",
        "fc": {"type": "FeatureCollection", "features": features},
        "unknown": unknown,
        "legend": legend,
    }
