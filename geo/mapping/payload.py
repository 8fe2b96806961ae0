"""Turn GeoDataFrames into the JSON the map's script draws: features, popups, legend, filters, search index.

Nothing here builds HTML: popups travel as plain text fields and the script puts them into the
page with ``textContent``, so text from data can never become markup or script.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import precision, symbology
from geo.crs import WGS84, area_ha, reproject
from geo.errors import RecipeError
from geo.i18n import words
from geo.mapping.context import reference_collection, without_leased_holes
from geo.mapping.packed import colour_classes, pack_points
from geo.mapping.words import LANGUAGE, current_language, data_word, word
from geo.registry import CONFIDENCE, Field, LayerSpec

__all__ = [
    "BIG_LAYER",
    "FACETS",
    "MapLayer",
    "UserLayer",
    "facet_definitions",
    "feature_style",
    "layer_payload",
    "legend_entries",
    "style_problem",
    "symbols",
    "to_json",
]

#: A point layer larger than this is drawn from a compact binary encoding on one canvas.
BIG_LAYER = 5_000
_DISPLAY_TOLERANCE = 0.002  # degrees (about 200 m): polygons are simplified for display only
_DECIMALS = 5
_MAX_TEXT = 300
#: The fields the map can filter curated features by, in the order its filter panel lists them. A field
#: missing from a layer simply offers no choice there, so a new field (e.g. ``agreements``) needs only data.
#: Each is labelled by the word ``facet.<field>`` (:mod:`geo.mapping.words`).
FACETS: tuple[str, ...] = (
    "status",
    "country",
    "commodities",
    "confidence",
    "location_precision",
    "agreements",
    "uk_link",
)
#: Dated fields a feature may carry and the status each date starts (``None``: a dated fact, no status).
DATED_FIELDS: dict[str, str | None] = {
    "announced": "announced",
    "opened": "operating",
    "start_year": "operating",
    "signed": "agreement",
}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def style_problem(color: str | None, marker: str | None) -> str | None:
    """Return what is wrong with a user layer's colour or marker shape (or ``None``), before any file is read."""
    if color is not None and not _HEX.match(color):
        return f"colour {color!r} is not #rgb or #rrggbb (e.g. #882255)"
    if marker is not None and marker not in symbology.MARKER_SHAPES:
        return f"marker {marker!r} is not one of {', '.join(symbology.MARKER_SHAPES)}"
    return None


@dataclass(frozen=True)
class UserLayer:
    """A user's own layer and how to draw it (``geo.map(user={"My sites": UserLayer(gdf, color_by="status")})``).

    Parameters
    ----------
    gdf
        The features, in any CRS.
    color
        One colour (``#rrggbb``) for every feature; a colour of :data:`geo.symbology.USER_COLOURS` by default.
    color_by
        A column whose values colour the features: up to nine categories (more: the eight most frequent
        and "other values"), or five classes of a number.
    marker
        Marker shape of point features: one of :data:`geo.symbology.MARKERS`.
    visible
        Whether the layer is on when the map opens.
    label
        A column whose values name the points on the map (decluttered with the other names).
    """

    gdf: gpd.GeoDataFrame
    color: str | None = None
    color_by: str | None = None
    marker: str = "circle"
    visible: bool = True
    label: str | None = None


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
        The features, in any CRS (reprojected to WGS84 for the map, and logged); ``None`` for a
        shipped layer taken whole (loaded only if its drawing is not cached yet).
    spec
        The layer's spec in :mod:`geo.registry` (curated or reference); ``None`` for a user's layer
        or a choropleth (``extra["fills"]``).
    group
        ``overlay`` (toggleable, in the legend) or ``basemap``.
    visible
        Whether the layer is on when the map opens.
    color, color_by, marker, label
        A user's layer: one colour, or the column whose values colour it; its marker shape; the column
        whose values name its points.
    """

    name: str
    title: str
    gdf: gpd.GeoDataFrame | None
    spec: LayerSpec | None = None
    group: str = "overlay"
    visible: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    color: str | None = None
    color_by: str | None = None
    marker: str = "circle"
    label: str | None = None

    @property
    def style(self) -> str:
        """How the layer is drawn: ``curated``, ``reference``, ``choropleth`` or ``user``."""
        if self.spec is not None:
            return self.spec.kind
        return "choropleth" if "fills" in self.extra else "user"

    def frame(self) -> gpd.GeoDataFrame:
        """Return the layer's features (a shipped layer is loaded on first use)."""
        if self.gdf is not None:
            return self.gdf
        from geo.catalog import load

        return load(self.name if self.spec is None else self.spec.name)


def to_json(data: Any) -> str:
    """Serialise for embedding in HTML: sorted keys, and ``<``, ``>``, ``&`` escaped as unicode escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str | None:
    if _missing(value):
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


def _year(value: Any) -> str | None:
    """Return a year as written (2024, never 2,024)."""
    return None if _text(value) is None else str(int(value))


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


def _listed(value: Any) -> list[Any]:
    """Return a list field's items: a list, tuple or array (as a file read back gives it); nothing for a blank."""
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    return []


def _location_words(row: pd.Series) -> str:
    key = row.get("location_precision") or "unknown"
    words = precision.describe(key, row.get("uncertainty_m"))
    if current_language() != LANGUAGE:
        base = precision.get(key).words
        words = data_word(base) + words[len(base) :]
    basis = _text(row.get("location_basis"))
    return word("field.location_basis", words=words, basis=basis) if basis else words


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
        return [_label(f), f"{amount} {unit} ({detail})".replace(" ()", "").strip()]
    value: Any = row.get(f.name)
    if f.name == "owners":
        value = [
            f"{o.get('name')}" + (f" {o['share_pct']:g}%" if o.get("share_pct") is not None else "")
            for o in _listed(value)
        ]
    if f.name in ("start_year", "mine_life_end"):
        return None if _year(value) is None else [_label(f), str(_year(value))]
    if f.name in ("commodities", "byproducts"):
        value = [
            word("field.uk_critical", value=data_word(c)) if c in symbology.UK_CRITICAL else data_word(c)
            for c in _listed(value)
        ]
    if f.type == "int" and f.name.endswith("year"):
        return None if _text(value) is None else [_label(f), _year(value) or ""]
    text = _text(value)
    if text is not None and f.name in ("status", "kind", "approach") and current_language() != LANGUAGE:
        return [_label(f), data_word(text)]
    return None if text is None else [_label(f), text.replace("_", " ") if f.name == "kind" else text]


def _label(f: Field) -> str:
    """Return a field's popup label in the map's language."""
    return data_word(f.label) if f.label else f.name


def _date(value: Any) -> str | None:
    """Return a date as ``YYYY[-MM[-DD]]`` text, or ``None`` if `value` is not one."""
    if _missing(value):
        return None
    if isinstance(value, int | np.integer | float) and float(value).is_integer():
        value = str(int(value))
    text = str(value)[:10]
    return text if _DATE.match(text) else None


def _records(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list | tuple | np.ndarray):
        return [r for r in value if isinstance(r, dict)]
    return []


def timeline(row: pd.Series, agreements: Mapping[str, Mapping[str, str]]) -> list[list[str | None]]:
    """Return a feature's dated records ``[date, status or None, what]``, oldest first.

    From its dated history (``events``), its dated fields (:data:`DATED_FIELDS`), the dates of the
    agreements it is part of (no status: a signature says nothing of the site's state) and its
    status ``as_of`` (last on a tie: the curated status is the newest reading).
    """
    out: list[tuple[str, int, str | None, str]] = []
    for event in _records(row.get("events")):
        if day := _date(event.get("date")):
            status = event.get("status")
            note = _text(event.get("note")) or str(status or "event")
            out.append((day, 0, str(status) if status else None, note))
    for name, status in DATED_FIELDS.items():
        if day := _date(row.get(name)):
            out.append((day, 0, status, name.replace("_", " ")))
    for agreement in _listed(row.get("agreements")):
        record = agreements.get(str(agreement), {})
        if day := _date(record.get("date")):
            out.append((day, 0, None, f"agreement: {record.get('title') or agreement}"))
    if day := _date(row.get("as_of")):
        out.append((day, 1, str(row["status"]), "status as of"))
    return [[d, s, w] for d, _, s, w in sorted(out, key=lambda r: (r[0], r[1]))]


def _facets(row: pd.Series) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in FACETS:
        value = row.get(key)
        if isinstance(value, list | tuple | np.ndarray):  # a record list (uk_link) filters by each record's kind
            out[key] = [str(v.get("kind")) if isinstance(v, dict) else str(v) for v in value]
        elif not _missing(value):
            out[key] = str(value)
    return out


def _curated_item(row: pd.Series, spec: LayerSpec, lookups: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    rows = [r for f in ("kind", "status") if (r := _field_row(row, spec.field(f))) is not None]
    agreements = lookups.get("agreements", {})
    if part_of := [str(agreements.get(str(a), {}).get("title") or a) for a in _listed(row.get("agreements"))]:
        rows.append([word("field.part_of"), "; ".join(part_of)])
    rows += [r for f in spec.fields if f.label and (r := _field_row(row, f)) is not None]
    country = (
        lookups.get("country", {}).get(row["country"], row["country"])
        if current_language() == LANGUAGE
        else words(current_language()).country(row["country"])
    )
    rows += [
        [word("field.country"), str(country)],
        [word("field.region"), _text(row.get("region")) or word("field.region_missing")],
        [word("field.location"), _location_words(row)],
        [word("field.confidence"), f"{row['confidence']} ({data_word(CONFIDENCE[row['confidence']])})"],
        [word("field.as_of"), str(row["as_of"])],
    ]
    if checked := _text(row.get("checked")):
        rows.append([word("field.checked"), checked])
    if links := _records(row.get("uk_link")):
        text = "; ".join(f"{str(r.get('kind') or '').replace('_', ' ')}: {r.get('note') or ''}" for r in links)
        rows.append(["UK link", text])
    if notes := _text(row.get("notes")):
        rows.append([word("field.notes"), notes])
    sources = [
        {
            "t": str(s.get("title") or ""),
            "u": str(s.get("url") or ""),
            "p": str(s.get("publisher") or ""),
            "d": str(s.get("date") or ""),
        }
        for s in _records(row.get("sources"))
    ]
    readings = [
        {"c": str(r["claim"]), "k": str(r["confidence"]), "s": str(r["source"])} for r in _records(row.get("readings"))
    ]
    events = [
        [_date(e.get("date")) or "", str(e.get("status") or ""), _text(e.get("note")) or ""]
        for e in _records(row.get("events"))
    ]
    keys = [k for k in (_text(row.get("name_local")), _text(row.get("region"))) if k]
    item: dict[str, Any] = {
        "n": str(row["name"]),
        "id": str(row["id"]),
        "rows": rows,
        "src": sources,
        "rd": readings,
        "disp": bool(row.get("disputed")),
        "k": keys,
        "f": _facets(row),
        "t": timeline(row, agreements),
    }
    if events:
        item["ev"] = events
    return item


def _name_column(gdf: gpd.GeoDataFrame) -> str | None:
    return next((c for c in ("name", "title", "label", "id") if c in gdf.columns), None)


def feature_style(row: pd.Series, spec: LayerSpec) -> dict[str, Any]:
    """Return the drawing instructions of one curated feature, from the symbology and precision modules.

    Keys: ``c`` colour, ``f`` fill, ``k`` legend category, ``m`` marker shape, ``r`` marker radius (px),
    ``w`` stroke width, ``d`` dash pattern, ``u`` the uncertainty radius in metres (a dashed ring),
    ``h`` hatched area (region only), ``a`` dashed outline with no fill (country only), ``x`` a thick
    black outline (a UK-critical commodity), ``g`` the glyph of a mineral the UK strategy names
    (:data:`geo.symbology.CRITICAL_GLYPHS`) and ``gi`` its ink.
    """
    if spec.scheme is None or spec.category is None:
        msg = f"Layer {spec.name!r} has no colour scheme; register it with scheme= and category=."
        raise RecipeError(msg)
    category = symbology.category_of(row.get(spec.category), spec.scheme)
    colour = symbology.scheme(spec.scheme).colour(category)
    level = precision.get(row.get("location_precision") or "unknown")
    style: dict[str, Any] = {"c": colour, "f": colour, "w": 1.5, "k": category, "m": spec.marker}
    if level.symbol == "point":
        point = _point_style(level)
        style |= {"r": point["r"], "fo": point["fo"]}
        if uncertainty := float(row.get("uncertainty_m") or 0):
            style["u"] = uncertainty
    elif level.symbol == "hatch":
        style |= {"h": True, "d": "6 4", "fo": 0.25}
    elif level.symbol == "outline":  # a whole country: a dashed outline, so it does not hide everything else
        style |= {"f": "none", "d": "2 6", "w": 2.5, "fo": 0.0, "a": True}
    if spec.critical_outline and symbology.UK_CRITICAL & set(_listed(row.get("commodities"))):
        style |= {"x": True}
    glyph = symbology.critical_glyph(row.get("commodities")) if spec.critical_outline else None
    if glyph is not None:  # a named critical mineral: its glyph inside a larger marker (areas keep their hatch)
        style |= {"g": glyph.commodity, "gi": symbology.glyph_ink(colour)}
        if "r" in style:
            style["r"] = 9
    return style


def _point_style(level: precision.Precision) -> dict[str, float]:
    """Marker radius (px), fill opacity and legend swatch radius of a point level: a cited site stands out."""
    return {"r": 6, "fo": 0.95, "swatch_r": 4.5} if level.key == "site" else {"r": 5, "fo": 0.6, "swatch_r": 4}


def symbols() -> dict[str, Any]:
    """Return the symbols the page draws by name: marker shapes and the location-precision symbols.

    ``markers`` comes from :data:`geo.symbology.MARKER_SHAPES` and ``precision`` from
    :data:`geo.precision.LEVELS` (each level's ``symbol``, legend line and, for a point, its marker's
    radius and opacity). The page throws on a name it has no drawing for.
    """
    levels: dict[str, Any] = {}
    for key, level in precision.LEVELS.items():
        levels[key] = {"symbol": level.symbol, "legend": data_word(level.legend)}
        if level.symbol == "point":
            point = _point_style(level)
            levels[key] |= {"r": point["swatch_r"], "fo": point["fo"]}
    return {
        "markers": {name: shape.drawing() for name, shape in symbology.MARKER_SHAPES.items()},
        "glyphs": {name: glyph.drawing() for name, glyph in symbology.CRITICAL_GLYPHS.items()},
        "precision": levels,
    }


def _precision_legend(key: str, uncertainties: pd.Series) -> str:
    """Return a precision level's legend line in the map's language, with the radii drawn."""
    text = precision.legend_label(key, uncertainties)
    if current_language() == LANGUAGE:
        return text
    base = precision.get(key).legend
    return data_word(base) + text[len(base) :]


def _scheme_label(scheme: symbology.Scheme, key: str) -> str:
    """Return a legend category's text in the map's language (its gloss of commodities too)."""
    if current_language() == LANGUAGE:
        return scheme.label(key)
    gloss = scheme.notes.get(key)
    text = data_word(key)
    return f"{text} ({', '.join(data_word(c) for c in gloss.split(', '))})" if gloss else text


def layer_title(title: str) -> str:
    """Return a map's or layer's title in the map's language.

    The titles geo gives (registered layers, shipped recipes, ``geo.map``'s default) are translated; a title
    the user wrote is theirs and stays as written.
    """
    if current_language() == LANGUAGE or title not in _shipped_titles():
        return title
    return data_word(title)


@cache
def _shipped_titles() -> frozenset[str]:
    from geo import registry
    from geo.i18n import recipe_titles

    return frozenset([registry.get(n).title for n in registry.names()] + recipe_titles())


def legend_entries(gdf: pd.DataFrame, spec: LayerSpec) -> list[dict[str, Any]]:
    """One legend entry per category present in `gdf` (label, colour, marker shape, category key), in scheme order."""
    if spec.scheme is None or spec.category is None:
        return []
    scheme = symbology.scheme(spec.scheme)
    present = {symbology.category_of(v, spec.scheme) for v in gdf[spec.category]}
    entries: list[dict[str, Any]] = [
        {"label": _scheme_label(scheme, k), "color": c, "shape": spec.marker, "key": k}
        for k, c in scheme.colours.items()
        if k in present
    ]
    if spec.critical_outline and gdf["commodities"].map(lambda c: bool(symbology.UK_CRITICAL & set(_listed(c)))).any():
        entries.append(
            {
                "label": word("legend.critical"),
                "color": "#ffffff",
                "shape": spec.marker,
                "outline": True,
                "key": "_critical",
            }
        )
    if spec.critical_outline:  # the named critical minerals, each by its glyph
        shown = {g.commodity for g in gdf["commodities"].map(symbology.critical_glyph) if g is not None}
        entries += [
            {
                "label": word("legend.glyph", commodity=data_word(c), glyph=g.text),
                "color": "#ffffff",
                "shape": spec.marker,
                "glyph": c,
                "key": f"_glyph:{c}",
            }
            for c, g in symbology.CRITICAL_GLYPHS.items()
            if c in shown
        ]
    return entries


def _curated_payload(
    layer: MapLayer, spec: LayerSpec, gdf: gpd.GeoDataFrame, lookups: Mapping[str, Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    features: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = []
    areas: dict[bytes, dict[str, Any]] = {}
    hectares = area_ha(gdf, name=layer.name)  # once for the layer, not per feature
    feature: dict[str, Any]
    for i, (_, row) in enumerate(gdf.iterrows()):
        item = _curated_item(row, spec, lookups)
        if row.geometry is None or row.geometry.is_empty:
            unknown.append({"layer": layer_title(layer.title), "n": item["n"], "item": item})
            continue
        style = feature_style(row, spec)
        item["c"] = style["k"] if not style.get("x") else [style["k"], "_critical"]
        if style.get("g"):
            item["c"] = [*([item["c"]] if isinstance(item["c"], str) else item["c"]), f"_glyph:{style['g']}"]
        if style.get("h") or style.get("a"):  # areas known only to a region or country: draw each once
            key = shapely.to_wkb(row.geometry)
            if key in areas:
                areas[key]["properties"]["_items"].append(item)
                continue
            envelope = without_leased_holes(row.geometry)
            rep = envelope.representative_point()
            props: dict[str, Any] = {"_s": style, "_items": [item], "_lbl": [round(rep.y, 4), round(rep.x, 4)]}
            # label priority: the smaller (more specific) the area, the sooner its label is placed
            props["_rank"] = round(1e9 + 1e7 / (1 + hectares[i] / 100))
            feature = {"type": "Feature", "geometry": _geometries(np.array([envelope]), simplify=True)[0]}
            feature["properties"] = props
            areas[key] = feature
        else:
            feature = {
                "type": "Feature",
                "geometry": _geometries(np.array([row.geometry]), simplify=False)[0],
                "properties": {"_s": style, "_items": [item]},
            }
        features.append(feature)
    return features, unknown


def facet_definitions(
    frames: Mapping[str, pd.DataFrame], lookups: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Return the filter panel's fields: ``{key, label, values: [[value, label], ...]}`` for each facet the data has.

    Values follow the field's vocabulary (the registry's order, precision by rank), else sorted.
    """
    from geo import registry

    out = []
    for key in FACETS:
        seen: set[str] = set()
        for frame in frames.values():
            if key in frame.columns:
                for value in frame[key]:
                    if isinstance(value, list | tuple | np.ndarray):
                        seen |= {str(v.get("kind")) if isinstance(v, dict) else str(v) for v in value}
                    elif not _missing(value):
                        seen.add(str(value))
        if not seen:
            continue
        order = _vocabulary(key, registry)
        values = sorted(seen, key=lambda v: (order.index(v) if v in order else len(order), v))
        out.append(
            {"key": key, "label": word(f"facet.{key}"), "values": [[v, _facet_label(key, v, lookups)] for v in values]}
        )
    return out


def _vocabulary(key: str, registry: Any) -> list[str]:
    if key == "location_precision":
        return list(precision.LEVELS)
    for name in registry.curated():
        for f in registry.get(name).all_fields:
            if f.name == key and f.values:
                return list(f.values)
    return []


def _facet_label(key: str, value: str, lookups: Mapping[str, Mapping[str, Any]]) -> str:
    if key == "confidence":
        return f"{value} ({data_word(CONFIDENCE.get(value, value))})"
    if key == "commodities" and value in symbology.UK_CRITICAL:
        return word("facet.uk_critical", value=data_word(value))
    if current_language() != LANGUAGE and key in ("status", "commodities", "country"):
        return words(current_language()).country(value) if key == "country" else data_word(value)
    if key == "agreements":
        return str(lookups.get("agreements", {}).get(value, {}).get("title") or value)
    if key == "location_precision":
        return word(f"facet.precision_{precision.get(value).geometry}", value=data_word(value))
    return str(lookups.get(key, {}).get(value, value)).replace("_", " ")


def _user_payload(layer: MapLayer, gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return a user's layer or a choropleth: every column in its popups, one colour or colours by a column."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    name_col = _name_column(gdf)
    texts = {c: [_year(v) if c.endswith("year") else _text(v) for v in gdf[c].tolist()] for c in columns}
    names = [_text(v) for v in gdf[name_col].tolist()] if name_col else [None] * len(gdf)
    colour = layer.color or symbology.USER_COLOURS[0]
    fills = layer.extra.get("fills")  # a choropleth: one fill per feature
    legend = layer.extra.get("legend") or [{"label": layer_title(layer.title), "color": colour, "shape": layer.marker}]
    codes: np.ndarray | None = None
    if layer.color_by is not None:
        codes, legend = colour_classes(gdf[layer.color_by])
        for entry in legend:
            entry["shape"] = layer.marker
    features, unknown = [], []
    for i, shape in enumerate(_geometries(gdf.geometry.to_numpy(), simplify=fills is not None)):
        c = legend[int(codes[i])]["color"] if codes is not None else colour
        style: dict[str, Any] = {"c": c, "f": c, "r": 7, "w": 1.2, "fo": 0.9, "m": layer.marker}
        if fills is not None:
            style = {"c": "#333333", "f": fills[i], "w": 0.8, "fo": 0.75, "ch": True}
        rows = [[col, texts[col][i]] for col in columns if texts[col][i] is not None]
        item: dict[str, Any] = {
            "n": names[i] or word("field.unnamed", index=gdf.index[i]),
            "rows": rows,
            "src": [],
            "rd": [],
        }
        if codes is not None:
            item["c"] = str(int(codes[i]))
        if layer.label is not None and texts[layer.label][i] is not None:
            item["l"] = texts[layer.label][i]
        if shape is None:
            unknown.append({"layer": layer_title(layer.title), "n": item["n"], "item": item})
        else:
            features.append({"type": "Feature", "geometry": shape, "properties": {"_s": style, "_items": [item]}})
    if codes is not None:
        legend = [e | {"key": str(k)} for k, e in enumerate(legend)]
    return {
        "kind": "vector",
        "fc": {"type": "FeatureCollection", "features": features},
        "unknown": unknown,
        "legend": legend,
        "note": layer.extra.get("note"),
        "label": layer.label is not None,
    }


def layer_payload(layer: MapLayer, *, lookups: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Return the JSON-ready description of `layer` for the map script.

    Parameters
    ----------
    layer
        The layer.
    lookups
        Labels and records the popups and filters show instead of raw values: ``country`` (code ->
        name) and ``agreements`` (id -> ``{"title", "date"}``).
    """
    lookups = lookups or {}
    gdf = reproject(layer.frame(), WGS84, name=layer.name)
    base = {
        "id": layer.name,
        "title": layer_title(layer.title),
        "group": layer.group,
        "visible": layer.visible,
        "style": layer.style,
        "count": len(gdf),
    }
    if layer.spec is not None and layer.spec.kind == "curated":
        features, unknown = _curated_payload(layer, layer.spec, gdf, lookups)
        levels = sorted(set(gdf["location_precision"]), key=lambda k: precision.get(k).rank)
        return base | {
            "kind": "vector",
            "marker": layer.spec.marker,
            "fc": {"type": "FeatureCollection", "features": features},
            "unknown": unknown,
            "legend": legend_entries(gdf, layer.spec),
            "precisions": levels,
            "precision_labels": {
                k: _precision_legend(k, gdf.loc[gdf["location_precision"] == k, "uncertainty_m"]) for k in levels
            },
        }
    if layer.spec is not None:  # a reference layer, in the basemap or as an overlay
        fc = reference_collection(
            layer.spec.name, gdf, aliases=lookups.get("aliases"), countries=lookups.get("country")
        )
        return base | {"kind": "vector", "legend": [], "fc": fc}
    if len(gdf) > BIG_LAYER and bool((shapely.get_type_id(gdf.geometry.to_numpy()) == 0).all()):  # all points
        packed, legend = pack_points(gdf, name_column=_name_column(gdf), color_by=layer.color_by)
        colour = layer.color or symbology.USER_COLOURS[0]
        packed.setdefault("colors", [colour])
        return base | {
            "kind": "packed",
            "packed": packed,
            "legend": legend or [{"label": layer_title(layer.title), "color": colour, "shape": "square"}],
        }
    return base | _user_payload(layer, gdf)
