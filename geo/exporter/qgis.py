"""QGIS styles that say what the web map says, from :mod:`geo.symbology` and :mod:`geo.precision`.

- **Points** (a curated layer's site, town and district features): one category per colour of the
  layer's scheme (commodity group, campus status, carbon approach, afforestation kind), the marker
  shape of its :class:`~geo.registry.LayerSpec`, a larger marker for a cited site, a thick black
  outline for a UK-critical mineral. Points closer than :data:`DISPLACE_MM` on screen (four campuses in
  one town) are **drawn apart** on a ring around their place (QGIS's point displacement renderer) and,
  zoomed in beyond :data:`POINT_LABEL_SCALE`, each is named beside its own marker; cited sites are
  labelled from :data:`SITE_LABEL_SCALE`. The **uncertainty radius is a halo** (:func:`halo_style`): a
  dashed ring of ``uncertainty_m`` metres on the ground, drawn by a geometry generator (true at any scale
  and in any project CRS), in a layer of its own under the markers (QGIS 3.22 draws no geometry
  generator inside a displacement renderer).
- **Areas** (region- and country-only features, "somewhere inside"): grouped by precision level, then
  category. A region is **hatched and translucent** with a dashed outline, giving way to the outline
  alone zoomed in beyond :data:`HATCH_SCALE`; a country is a **dashed outline with no fill**, so it
  never covers what lies inside it. Features with one and the same envelope are drawn once (the first
  id) with **one label naming them all** and where they are ("somewhere in Kyrgyzstan").
- **Reference layers** from :data:`geo.symbology.REFERENCE_STYLES`; towns small, sized by population and
  thinned by scale (more appear as you zoom in), labelled by population.

Styles are written as QML (built with lxml, :mod:`geo.exporter.qml`) into a GeoPackage's or PostGIS's
``layer_styles`` table, where QGIS finds them as the layers' default styles, and into QGIS projects.
A layer that is not registered (a user's own file) gets a plain style in one colour, with the same
precision symbols if it has ``location_precision``.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
from lxml import etree

from geo import precision, registry, symbology
from geo.data.build import CA5
from geo.errors import UnknownLayerError
from geo.exporter.qml import (
    MM_PER_PX,
    Category,
    Label,
    Rule,
    SymbolKind,
    categorized,
    document,
    field,
    geometry_generator,
    labeling,
    layer_parts,
    line_pattern_fill,
    literal,
    point_displacement,
    rule_based,
    simple_fill,
    simple_line,
    simple_marker,
    single_symbol,
    symbol,
)
from geo.exporter.split import part_of
from geo.registry import LayerSpec

__all__ = [
    "HALO",
    "Style",
    "add_qgis_styles",
    "category_expression",
    "geometry_kind",
    "halo_style",
    "qml_document",
    "style",
]

#: How a format holds list fields: JSON text (GeoPackage, FlatGeobuf, ...) or native arrays (PostGIS jsonb).
Lists = Literal["json", "native"]
_USER_COLOUR = "#3182bd"
_LABEL_GREY = "#3a3a3a"

#: The uncertainty halo, in the layer's CRS: project to Web Mercator, which is conformal and whose scale at
#: latitude phi is 1/cos(phi), so a radius of r metres on the ground is r / cos(phi) Mercator metres; the
#: ring is a true circle to within 1% for the radii geo uses (up to about 50 km). Nothing is drawn without
#: a radius. QGIS 3.22 draws no geometry generator inside a point displacement renderer, so the halos are a
#: layer of their own in a project (:func:`halo_style`), under the displaced markers.
HALO = (
    'CASE WHEN coalesce("uncertainty_m", 0) > 0 THEN '
    "with_variable('ll', transform($geometry, @layer_crs, 'EPSG:4326'), "
    "transform(buffer(transform(@ll, 'EPSG:4326', 'EPSG:3857'), \"uncertainty_m\" / cos(radians(y(@ll))), 36), "
    "'EPSG:3857', @layer_crs)) END"
)
_SITE_SIZE_MM, _POINT_SIZE_MM = 3.4, 2.8
#: The first quoted string of a JSON list: its first item.
_FIRST_QUOTED = '"([^"]+)"'


@dataclass(frozen=True)
class Style:
    """A layer's QGIS style: renderer, labels, opacity and blend mode."""

    renderer: etree._Element
    label: etree._Element | None = None
    opacity: float = 1.0
    blend_mode: int = 0

    def qml(self) -> str:
        """Return the style as a QML document (what ``layer_styles`` and ``.qml`` files hold)."""
        return document(self.renderer, self.label, opacity=self.opacity, blend_mode=self.blend_mode)

    def parts(self) -> list[etree._Element]:
        """Return copies of the elements a project's ``<maplayer>`` holds."""
        label = copy.deepcopy(self.label) if self.label is not None else None
        return layer_parts(copy.deepcopy(self.renderer), label, opacity=self.opacity, blend_mode=self.blend_mode)


def geometry_kind(gdf: gpd.GeoDataFrame, part: str = "whole") -> SymbolKind:
    """Return the QGIS symbol kind of a layer: ``marker``, ``line`` or ``fill`` (an empty half by its part)."""
    if part == "points":
        return "marker"
    if part == "areas":
        return "fill"
    types = set(gdf.geom_type.dropna())
    if not types or types <= {"Point", "MultiPoint"}:
        return "marker"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "fill"


def _first_item(name: str, lists: Lists) -> str:
    """Expression: the first item of list field `name` (JSON text, or a native array)."""
    if lists == "native":
        return f"array_first({field(name)})"
    return f"regexp_substr({field(name)}, {literal(_FIRST_QUOTED)})"


def category_expression(spec: LayerSpec, lists: Lists = "json") -> str:
    """Return the QGIS expression giving a feature's legend category, as :func:`geo.symbology.category_of` does.

    For the commodity scheme it is the group of the first commodity listed; otherwise the field itself.
    """
    if spec.category is None:
        msg = f"Layer {spec.name!r} has no category field."
        raise UnknownLayerError(msg)
    if spec.scheme != "commodity":
        return field(spec.category)
    first = _first_item(spec.category, lists)
    whens = " ".join(
        f"WHEN {first} IN ({', '.join(literal(c) for c in members)}) THEN {literal(group)}"
        for group, members in symbology.COMMODITY_GROUPS.items()
    )
    return f"CASE {whens} END"


def _critical_expression(lists: Lists) -> str:
    """Expression: whether a feature lists a UK-critical mineral."""
    minerals = sorted(symbology.UK_CRITICAL)
    if lists == "native":
        return f'array_intersect("commodities", array({", ".join(literal(m) for m in minerals)}))'
    pattern = '"(' + "|".join(minerals) + ')"'
    return f'regexp_match("commodities", {literal(pattern)}) > 0'


def _categories(spec: LayerSpec, values: pd.Series) -> list[tuple[str, str, str]]:
    """``(category, legend label, colour)`` of each category present, in the scheme's order."""
    if spec.scheme is None:
        return []
    scheme = symbology.scheme(spec.scheme)
    present = {symbology.category_of(v, spec.scheme) for v in values if v is not None and not _is_na(v)}
    return [(k, scheme.label(k), c) for k, c in scheme.colours.items() if k in present]


def _is_na(value: Any) -> bool:
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _point_symbol(colour: str, marker: str, *, critical: str | None) -> etree._Element:
    sizes = f"CASE WHEN \"location_precision\" = 'site' THEN {_SITE_SIZE_MM} ELSE {_POINT_SIZE_MM} END"
    expressions = {"size": sizes}
    if critical:
        expressions["outlineColor"] = f"CASE WHEN {critical} THEN '0,0,0,255' ELSE '255,255,255,255' END"
        expressions["outlineWidth"] = f"CASE WHEN {critical} THEN 0.7 ELSE 0.35 END"
    dot = simple_marker(marker, colour, size=_POINT_SIZE_MM, outline_width=0.35, expressions=expressions)
    return symbol("marker", [dot])


def _halo_symbol(colour: str) -> etree._Element:
    """Return a marker symbol that draws only the uncertainty ring (a faint disc, a dashed edge) around its point."""
    ring = symbol(
        "fill",
        [simple_fill(colour, opacity=0.07), simple_line(colour, width=0.3, opacity=0.85, dash=(1.2, 0.9))],
    )
    return symbol("marker", [geometry_generator(HALO, ring)])


#: Opacity of an areas layer as a whole. Its symbols are opaque, so features sharing one region (drawn
#: once each) do not pile up into a solid fill; the layer is then made translucent once.
AREAS_OPACITY = 0.6


def _area_symbol(kind: precision.Symbol, colour: str) -> etree._Element:
    if kind == "hatch":  # a region: hatched (translucent through the layer's opacity), dashed outline
        layers = [line_pattern_fill(colour, opacity=1.0), simple_line(colour, width=0.5, dash=(1.6, 1.1))]
    else:  # a whole country: a dashed outline and no fill, so it hides nothing inside it
        layers = [simple_line(colour, width=0.7, dash=(1.0, 1.5))]
    return symbol("fill", layers)


def _name_label(gdf: gpd.GeoDataFrame, **options: Any) -> etree._Element | None:
    return labeling(Label(field("name"), **options)) if "name" in gdf else None


#: Points closer than this on screen (mm; a marker is 2.8-3.4 mm) are drawn apart on a ring around their
#: place, each in its own symbol: four campuses in one town are four markers, not one on top of three.
DISPLACE_MM = 2.0
#: Point labels appear zoomed in beyond these scales: a cited site from 1:5,000,000, a point placed only to
#: its town or district from 1:2,000,000 (where the towns' own names appear too).
SITE_LABEL_SCALE, POINT_LABEL_SCALE = 5e6, 2e6


def _point_labels(gdf: gpd.GeoDataFrame) -> etree._Element | None:
    """Labels placed by QGIS's labelling engine, zoomed out: cited sites only, between 1:5M and 1:2M.

    Zoomed in beyond :data:`POINT_LABEL_SCALE` the displacement renderer names every point beside its own
    (displaced) marker; the engine would name only one point of a stack, at the stack's centre.
    """
    if "name" not in gdf:
        return None
    site = "\"location_precision\" = 'site'" if "location_precision" in gdf else ""
    look: dict[str, Any] = {"size": 8, "colour": _LABEL_GREY, "placement": 6, "distance": 1.0}
    return labeling(
        Label(
            field("name"),
            filter=site,
            max_scale=SITE_LABEL_SCALE,
            min_scale=POINT_LABEL_SCALE,
            description="cited sites, zoomed out",
            **look,
        )
    )


def _by_category(
    spec: LayerSpec | None, gdf: gpd.GeoDataFrame, lists: Lists, make: Callable[[str], etree._Element]
) -> etree._Element:
    """Return a renderer with one symbol per category of the layer's scheme (`make`: colour -> symbol)."""
    if spec is None or spec.category is None:
        return single_symbol(make(_USER_COLOUR))
    categories = [
        Category(value, label, make(colour)) for value, label, colour in _categories(spec, gdf[spec.category])
    ]
    return categorized(category_expression(spec, lists), categories)


def _points_style(spec: LayerSpec | None, gdf: gpd.GeoDataFrame, lists: Lists) -> Style:
    marker = spec.marker if spec is not None else "circle"
    critical = _critical_expression(lists) if spec is not None and spec.critical_outline else None
    markers = _by_category(spec, gdf, lists, lambda colour: _point_symbol(colour, marker, critical=critical))
    names = "name" if "name" in gdf else None
    displaced = point_displacement(
        markers, tolerance=DISPLACE_MM, label_field=names, label_scale=POINT_LABEL_SCALE, label_colour=_LABEL_GREY
    )
    return Style(displaced, _point_labels(gdf))


def halo_style(name: str, gdf: gpd.GeoDataFrame, *, lists: Lists = "json") -> Style | None:
    """Return the style of a points layer's uncertainty halos (a layer of their own in a project), or ``None``.

    ``None`` for a layer without ``uncertainty_m`` or that is not points. The rings are in the points' colours,
    ``uncertainty_m`` metres on the ground, centred on each point's true place (not on its displaced marker).
    """
    source, part = part_of(name, gdf)
    spec = _spec(source)
    if "uncertainty_m" not in gdf or part == "areas" or geometry_kind(gdf, part) != "marker":
        return None
    if spec is not None and spec.kind == "reference":
        return None
    return Style(_by_category(spec, gdf, lists, _halo_symbol))


#: Zoomed in beyond this scale a region's hatching gives way to its dashed outline (the web map's
#: "somewhere inside" hatching thins to an outline as you zoom in); a country is an outline at every scale.
HATCH_SCALE = 2e6
#: Features whose envelopes are one geometry (three features known only to be in Issyk-Kul) form one group:
#: drawn once (by the first id) with one label naming them all.
ENVELOPE = "geom_to_wkt($geometry)"
FIRST_OF_ENVELOPE = f"$id = minimum($id, group_by:={ENVELOPE})"


def _names_of_envelope(gdf: gpd.GeoDataFrame) -> str:
    """Expression: the names of every feature sharing this feature's envelope, one a line, A to Z."""
    name = f"coalesce({', '.join(field(c) for c in ('name', 'id') if c in gdf)}, '')"
    return f"concatenate({name}, group_by:={ENVELOPE}, concatenator:='\\n', order_by:={name})"


def _area_label(gdf: gpd.GeoDataFrame) -> etree._Element | None:
    """Every area's label, once per envelope: the names, then where (a country-wide one: "somewhere in ...")."""
    if "name" not in gdf and "id" not in gdf:
        return None
    where = "'somewhere in this region'"
    if "country" in gdf:
        names = " ".join(f"WHEN {field('country')} = {literal(k)} THEN {literal(v[2])}" for k, v in CA5.items())
        country = f"coalesce(CASE {names} END, {field('country')}, 'this country')"
        where = f"CASE WHEN \"location_precision\" = 'country' THEN 'somewhere in ' || {country} ELSE {where} END"
    text = f"{_names_of_envelope(gdf)} || '\\n(' || {where} || ')'"
    return labeling(
        Label(
            text,
            size=8,
            colour=_LABEL_GREY,
            italic=True,
            placement=0,  # around the centroid: two layers' labels of one region both find room
            distance=1.0,
            whole_centroid=True,
            filter=FIRST_OF_ENVELOPE,
            description="one label per envelope, naming every feature in it",
        )
    )


def _area_rules(kind: precision.Symbol, colour: str, test: str, label: str) -> Rule:
    """Return a category's rule: a region hatched zoomed out, outlined zoomed in; a country outlined."""
    if kind != "hatch":
        return Rule(test, label, _area_symbol(kind, colour))
    outline = symbol("fill", [simple_line(colour, width=0.6, dash=(1.6, 1.1))])
    return Rule(
        test,
        label,
        children=(
            Rule("", f"{label} (hatched)", _area_symbol(kind, colour), min_scale=HATCH_SCALE),
            Rule("", f"{label} (outline, zoomed in)", outline, max_scale=HATCH_SCALE),
        ),
    )


def _areas_style(spec: LayerSpec | None, gdf: gpd.GeoDataFrame, lists: Lists) -> Style:
    expression = category_expression(spec, lists) if spec is not None and spec.category else None
    rules = []
    for key in sorted(precision.AREA_LEVELS, key=lambda k: precision.get(k).rank):
        level = precision.get(key)
        rows = gdf[gdf["location_precision"] == key]
        if rows.empty:
            continue
        if spec is None or expression is None or spec.category is None:
            children: tuple[Rule, ...] = (_area_rules(level.symbol, _USER_COLOUR, "", "all"),)
        else:
            children = tuple(
                _area_rules(level.symbol, colour, f"{expression} = {literal(value)}", label)
                for value, label, colour in _categories(spec, rows[spec.category])
            )
        test = f'"location_precision" = {literal(key)} AND {FIRST_OF_ENVELOPE}'
        rules.append(Rule(test, level.legend, children=children))
    return Style(rule_based(rules), _area_label(gdf), opacity=AREAS_OPACITY)


def _reference_symbol(kind: SymbolKind, st: Mapping[str, Any]) -> etree._Element:
    width = float(st.get("w", 1.0)) * MM_PER_PX
    dash = tuple(float(d) * MM_PER_PX for d in str(st["d"]).split()) if "d" in st else None
    if kind == "marker":
        size = 2 * float(st.get("r", 3)) * MM_PER_PX
        return symbol("marker", [simple_marker("circle", st.get("f", st["c"]), size=size, outline=st["c"])])
    if kind == "line":
        return symbol("line", [simple_line(st["c"], width=width, dash=dash)])
    fill = st.get("f", "none")
    layers = [simple_fill(None if fill == "none" else fill, opacity=float(st.get("fo", 1.0)))]
    if width > 0:
        layers.append(simple_line(st["c"], width=width, dash=dash))
    return symbol("fill", layers)


#: Towns by population: (at least, marker diameter mm, largest scale denominator it draws at; 0 = always).
TOWN_TIERS = (
    (1_000_000, 2.3, 0.0),
    (250_000, 1.8, 0.0),
    (50_000, 1.3, 12e6),
    (10_000, 1.0, 5e6),
    (0, 0.8, 2e6),
)
#: Which towns are labelled at each scale: (scale denominator above, minimum population).
TOWN_LABELS = ((8e6, 250_000), (3e6, 100_000), (1e6, 20_000), (0, 0))


def _towns_style(st: Mapping[str, Any]) -> Style:
    population = 'coalesce("population", 0)'
    rules, upper = [], None
    for least, size, max_scale in TOWN_TIERS:
        test = f"{population} >= {least}" + (f" AND {population} < {upper}" if upper else "")
        sym = symbol("marker", [simple_marker("circle", st["f"], size=size, outline=st["c"], outline_width=0.2)])
        rules.append(Rule(test, f"{least:,}+ people" if least else "smaller towns", sym, max_scale=max_scale))
        upper = least
    steps = " ".join(f"WHEN @map_scale > {scale:.0f} THEN {least}" for scale, least in TOWN_LABELS[:-1])
    show = f"{population} >= CASE {steps} ELSE {TOWN_LABELS[-1][1]} END"
    priority = f"scale_linear(log10(max({population}, 10)), 3, 6.3, 1, 10)"
    label = Label(field("name"), size=7, colour="#555555", show=show, priority=priority, placement=6, distance=0.6)
    return Style(rule_based(rules), labeling(label))


_REFERENCE_LABELS: dict[str, Label] = {
    "lakes": Label(field("name"), size=7, colour="#3b76a8", italic=True, placement=1, distance=0),
    "rivers": Label(field("name"), size=7, colour="#3b76a8", italic=True, placement=3, distance=0.5),
    "aralkum": Label(field("name"), size=8, colour="#8a6d2f", italic=True, placement=1, distance=0),
}


def _reference_style(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> Style:
    st = symbology.reference_style(spec.name)
    if spec.name == "cities":
        return _towns_style(st)
    kind = geometry_kind(gdf)
    if spec.name == "countries":  # the five states, and their clipped neighbours in grey
        rules = [
            Rule('"central_asia"', "Central Asia", _reference_symbol(kind, st)),
            Rule('NOT "central_asia"', "neighbours", _reference_symbol(kind, symbology.reference_style("neighbours"))),
        ]
        label = Label(
            f'CASE WHEN "central_asia" THEN upper({field("name")}) END',
            size=10,
            colour="#8a8a8a",
            placement=1,
            distance=0,
            buffer=0.6,
            extras={"fontLetterSpacing": "2"},
        )
        return Style(rule_based(rules), labeling(label))
    named = _REFERENCE_LABELS.get(spec.name)
    return Style(single_symbol(_reference_symbol(kind, st)), labeling(named) if named else None)


def _spec(name: str) -> LayerSpec | None:
    try:
        return registry.get(name)
    except UnknownLayerError:
        return None


def style(name: str, gdf: gpd.GeoDataFrame, *, lists: Lists = "json") -> Style:
    """Return the QGIS style of layer `name` (a registered layer, one of its halves, or a user's layer).

    Parameters
    ----------
    name
        The layer's name in the export (``mineral_deposits_areas`` is the area half of ``mineral_deposits``).
    gdf
        The layer as written: its categories present decide the legend.
    lists
        How the target holds list fields: ``json`` text or ``native`` arrays (PostGIS jsonb).
    """
    source, part = part_of(name, gdf)
    spec = _spec(source)
    if spec is not None and spec.kind == "reference":
        return _reference_style(spec, gdf)
    if part == "areas":
        return _areas_style(spec, gdf, lists)
    if part == "points" or spec is not None:
        return _points_style(spec, gdf, lists)
    kind = geometry_kind(gdf)
    sym = _reference_symbol(kind, {"c": _USER_COLOUR, "f": _USER_COLOUR, "fo": 0.3, "w": 1.5, "r": 4})
    return Style(single_symbol(sym), _name_label(gdf, size=8, colour=_LABEL_GREY))


def qml_document(name: str, gdf: gpd.GeoDataFrame, *, lists: Lists = "json") -> str:
    """Return the QML document of layer `name` (see :func:`style`)."""
    return style(name, gdf, lists=lists).qml()


_TABLE = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def add_qgis_styles(path: Path, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Write one default QGIS style per layer into the GeoPackage at `path`.

    A points layer with ``uncertainty_m`` also gets its halos as a second, non-default style (QGIS:
    Layer Properties > Style > Load Style > From database), for a copy of the layer drawn under it.
    """
    insert = (
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
        "styleQML, styleSLD, useAsDefault, description, owner, ui) VALUES ('', '', ?, ?, ?, ?, '', ?, ?, '', '')"
    )
    with sqlite3.connect(path) as con:
        con.execute(_TABLE)
        geometry_columns = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        for name, gdf in frames.items():
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (name,))
            column = geometry_columns.get(name, "geom")
            styles = [(f"{name} (centralasia-geo)", qml_document(name, gdf), 1, f"Default style for {name}")]
            halos = halo_style(name, gdf)
            if halos is not None:
                styles.append((f"{name}: uncertainty radius", halos.qml(), 0, f"Uncertainty halos of {name}"))
            for style_name, qml, use, description in styles:
                con.execute(insert, (name, column, style_name, qml, use, f"{description}, written by centralasia-geo"))
    con.close()
