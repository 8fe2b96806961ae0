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

from geo import precision, symbology
from geo.crs import WGS84, area_ha, reproject
from geo.errors import RecipeError
from geo.registry import CONFIDENCE, Field, LayerSpec

__all__ = ["BIG_LAYER", "USER_COLOUR", "MapLayer", "feature_style", "layer_payload", "legend_entries", "to_json"]

#: A point layer larger than this is drawn from a compact binary encoding on one canvas.
BIG_LAYER = 5_000
_DISPLAY_TOLERANCE = 0.002  # degrees (about 200 m): polygons are simplified for display only
_DECIMALS = 5
_MAX_TEXT = 300
_MAX_FIELDS = 20
#: The colour of a user's layer unless they choose one.
USER_COLOUR = "#3182bd"


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
    spec
        The layer's spec in :mod:`geo.registry` (curated or reference); ``None`` for a user's layer
        or a choropleth (``extra["fills"]``).
    group
        ``overlay`` (toggleable, in the legend) or ``basemap``.
    visible
        Whether the layer is on when the map opens.
    """

    name: str
    title: str
    gdf: gpd.GeoDataFrame
    spec: LayerSpec | None = None
    group: str = "overlay"
    visible: bool = True
    label_min_population: int = 250_000
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def style(self) -> str:
        """How the layer is drawn: ``curated``, ``reference``, ``choropleth`` or ``user``."""
        if self.spec is not None:
            return self.spec.kind
        return "choropleth" if "fills" in self.extra else "user"


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


def _year(value: Any) -> str | None:
    """Return a year as written (2024, never 2,024)."""
    return None if _text(value) is None else str(int(value))


def _location_words(row: pd.Series) -> str:
    words = precision.describe(row.get("location_precision") or "unknown", row.get("uncertainty_m"))
    basis = _text(row.get("location_basis"))
    return f"{words}. {basis}" if basis else words


def _field_row(row: pd.Series, f: Field) -> list[str] | None:
    """Return the popup row of one field: ``[label, text]``, or ``None`` when the feature has no value."""
    if f.type == "quantity":
        amount = _text(row.get(f"{f.name}_value"))
        if amount is None:
            return None
        parts = [_year(row.get(f"{f.name}_year"))]
        parts += [_text(row.get(f"{f.name}_{p}")) for p in f.parts if p not in ("value", "unit", "year")]
        detail = "; ".join(x for x in parts if x and not x.startswith("http"))  # the URL is among the sources
        unit = _text(row.get(f"{f.name}_unit")) or ""
        return [f.label or f.name, f"{amount} {unit} ({detail})".replace(" ()", "").strip()]
    value: Any = row.get(f.name)
    if f.name == "owners":
        value = [
            f"{o.get('name')}" + (f" {o['share_pct']:g}%" if o.get("share_pct") is not None else "")
            for o in value or []
        ]
    if f.name in ("start_year", "mine_life_end"):
        return None if _year(value) is None else [f.label or f.name, str(_year(value))]
    if f.name == "commodities":
        value = [f"{c} (UK critical)" if c in symbology.UK_CRITICAL else c for c in value or []]
    text = _text(value)
    return None if text is None else [f.label or f.name, text.replace("_", " ") if f.name == "kind" else text]


def _curated_item(row: pd.Series, spec: LayerSpec) -> dict[str, Any]:
    rows = [r for f in ("kind", "status") if (r := _field_row(row, spec.field(f))) is not None]
    rows += [r for f in spec.fields if f.label and (r := _field_row(row, f)) is not None]
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


def feature_style(row: pd.Series, spec: LayerSpec) -> dict[str, Any]:
    """Return the drawing instructions of one curated feature, from the symbology and precision modules.

    Keys: ``c`` colour, ``f`` fill, ``k`` legend category, ``m`` marker shape, ``r`` marker radius (px),
    ``w`` stroke width, ``d`` dash pattern, ``u`` the uncertainty radius in metres (a dashed ring),
    ``h`` hatched area (region only), ``a`` dashed outline with no fill (country only), ``x`` a thick
    black outline (a UK-critical commodity).
    """
    if spec.scheme is None or spec.category is None:
        msg = f"Layer {spec.name!r} has no colour scheme; register it with scheme= and category=."
        raise RecipeError(msg)
    category = symbology.category_of(row.get(spec.category), spec.scheme)
    colour = symbology.scheme(spec.scheme).colour(category)
    level = precision.get(row.get("location_precision") or "unknown")
    style: dict[str, Any] = {"c": colour, "f": colour, "w": 1.5, "k": category, "m": spec.marker}
    if level.symbol == "point":
        style |= {"r": 6 if level.key == "site" else 5, "fo": 0.9 if level.key == "site" else 0.6}
        if uncertainty := float(row.get("uncertainty_m") or 0):
            style["u"] = uncertainty
    elif level.symbol == "hatch":
        style |= {"h": True, "d": "6 4", "fo": 0.25}
    elif level.symbol == "outline":  # a whole country: a dashed outline, so it does not hide everything else
        style |= {"f": "none", "d": "2 6", "w": 2.5, "fo": 0.0, "a": True}
    if spec.critical_outline and symbology.UK_CRITICAL & set(row.get("commodities") or []):
        style |= {"x": True}
    return style


def legend_entries(gdf: pd.DataFrame, spec: LayerSpec) -> list[dict[str, Any]]:
    """One legend entry per category present in `gdf` (label, colour, marker shape), in scheme order."""
    if spec.scheme is None or spec.category is None:
        return []
    scheme = symbology.scheme(spec.scheme)
    present = {symbology.category_of(v, spec.scheme) for v in gdf[spec.category]}
    entries: list[dict[str, Any]] = [
        {"label": scheme.label(k), "color": c, "shape": spec.marker} for k, c in scheme.colours.items() if k in present
    ]
    if spec.critical_outline and gdf["commodities"].map(lambda c: bool(symbology.UK_CRITICAL & set(c or []))).any():
        entries.append(
            {"label": "thick black outline: includes a UK critical mineral", "color": "#000000", "outline": True}
        )
    return entries


def _curated_payload(
    layer: MapLayer, spec: LayerSpec, gdf: gpd.GeoDataFrame
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    features: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    areas: dict[bytes, dict[str, Any]] = {}
    hectares = area_ha(gdf, name=layer.name)  # once for the layer, not per feature
    feature: dict[str, Any]
    for i, (_, row) in enumerate(gdf.iterrows()):
        item = _curated_item(row, spec)
        if row.geometry is None or row.geometry.is_empty:
            unknown.append({"layer": layer.title, "n": item["n"], "item": item})
            continue
        style = feature_style(row, spec)
        if style.get("h") or style.get("a"):  # areas known only to a region or country: draw each once
            key = shapely.to_wkb(row.geometry)
            if key in areas:
                areas[key]["properties"]["_items"].append(item)
                continue
            rep = row.geometry.representative_point()
            props: dict[str, Any] = {"_s": style, "_items": [item]}
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
    for area in areas.values():
        items = area["properties"]["_items"]
        area["properties"]["_t"] = items[0]["n"] if len(items) == 1 else f"{len(items)} features in this area"
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
    style = symbology.reference_style(layer.name)
    neighbours = symbology.reference_style("neighbours") if layer.name == "countries" else None
    features = []
    shapes = _geometries(gdf.geometry.to_numpy(), simplify=True)
    for (_, row), shape in zip(gdf.iterrows(), shapes, strict=True):
        own = neighbours if neighbours and not row.get("central_asia") else style
        props: dict[str, Any] = {"_s": own}
        name = _text(row.get("name"))
        if name:
            props["_t"] = name
        keys = _search_keys(row, layer.extra.get("aliases", {}))
        if keys:
            props["_k"] = keys
        if layer.name == "cities":
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
    if layer.spec is not None and layer.spec.kind == "curated":
        features, unknown = _curated_payload(layer, layer.spec, gdf)
        levels = sorted(set(gdf["location_precision"]), key=lambda k: precision.get(k).rank)
        return base | {
            "kind": "vector",
            "fc": {"type": "FeatureCollection", "features": features},
            "unknown": unknown,
            "legend": legend_entries(gdf, layer.spec),
            "precisions": levels,
            "precision_labels": {
                k: precision.legend_label(k, gdf.loc[gdf["location_precision"] == k, "uncertainty_m"]) for k in levels
            },
        }
    if layer.spec is not None:  # a reference layer, in the basemap or as an overlay
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
    texts = {  # one pass per column; years as written
        c: [_year(v) if c.endswith("year") else _text(v) for v in gdf[c].tolist()] for c in columns
    }
    names = [_text(v) for v in gdf[name_col].tolist()] if name_col else [None] * len(gdf)
    colour = layer.extra.get("color", USER_COLOUR)
    style = {"c": colour, "f": colour, "r": 4, "w": 1, "fo": 0.7}
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
    legend = layer.extra.get("legend") or [{"label": layer.title, "color": colour}]
    return base | {
        "kind": "vector",
        "fc": {"type": "FeatureCollection", "features": features},
        "unknown": unknown,
        "legend": legend,
    }
