"""Building blocks of QGIS style documents (QML), built with lxml: symbol layers, symbols, renderers, labels.

Only what geo's styles use, written the way QGIS 3.22 writes it (``<Option type="Map">`` properties,
``data_defined_properties`` for expressions). Sizes are millimetres unless a unit says otherwise;
colours are ``#rrggbb`` with an opacity from 0 to 1. Every value from data (a category, a label) goes
through lxml, which escapes it; expressions quote names and strings with :func:`field` and :func:`literal`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Literal

from lxml import etree

__all__ = [
    "MM_PER_PX",
    "Category",
    "Label",
    "Rule",
    "categorized",
    "document",
    "field",
    "geometry_generator",
    "labeling",
    "line_pattern_fill",
    "literal",
    "point_displacement",
    "rgba",
    "rule_based",
    "simple_fill",
    "simple_line",
    "simple_marker",
    "single_symbol",
    "symbol",
]

#: Screen pixels (the web map's unit) to millimetres at QGIS's 96 dpi.
MM_PER_PX = 25.4 / 96
SymbolKind = Literal["marker", "line", "fill"]
Element = etree._Element


def rgba(colour: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity (0-1) as QGIS's ``r,g,b,a``."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(opacity * 255)}"


def field(name: str) -> str:
    """Return a field reference in a QGIS expression: ``"name"`` with inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """Return a string literal in a QGIS expression: ``'text'`` with quotes doubled and backslashes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _mm(value: float) -> str:
    return f"{value:.3g}"


def _option_map(parent: Element, values: Mapping[str, str], *, name: str | None = None) -> Element:
    option = etree.SubElement(parent, "Option", {"type": "Map", **({"name": name} if name else {})})
    for key, value in values.items():
        etree.SubElement(option, "Option", type="QString", name=key, value=value)
    return option


def _expressions(parent: Element, tag: str, expressions: Mapping[str, str]) -> None:
    """Data-defined properties: property name -> QGIS expression."""
    holder = etree.SubElement(parent, tag)
    collection = etree.SubElement(holder, "Option", type="Map")
    etree.SubElement(collection, "Option", type="QString", name="name", value="")
    props = etree.SubElement(collection, "Option", type="Map", name="properties")
    for key, expression in expressions.items():
        prop = etree.SubElement(props, "Option", type="Map", name=key)
        etree.SubElement(prop, "Option", type="bool", name="active", value="true")
        etree.SubElement(prop, "Option", type="QString", name="expression", value=expression)
        etree.SubElement(prop, "Option", type="int", name="type", value="3")  # 3: an expression
    etree.SubElement(collection, "Option", type="QString", name="type", value="collection")


def _layer(
    cls: str,
    props: Mapping[str, str],
    *,
    expressions: Mapping[str, str] | None = None,
    sub: Element | None = None,
    pass_: int = 0,
) -> Element:
    layer = etree.Element("layer", {"class": cls, "enabled": "1", "locked": "0", "pass": str(pass_)})
    _option_map(layer, props)
    _expressions(layer, "data_defined_properties", expressions or {})
    if sub is not None:
        layer.append(sub)
    return layer


def symbol(kind: SymbolKind, layers: Sequence[Element], name: str = "0", *, opacity: float = 1.0) -> Element:
    """Return a symbol of `kind` made of symbol `layers` (drawn first to last)."""
    sym = etree.Element("symbol", type=kind, name=name, alpha=f"{opacity:g}", clip_to_extent="1", force_rhr="0")
    for layer in layers:
        sym.append(layer)
    return sym


def simple_marker(
    shape: str,
    colour: str,
    *,
    size: float,
    outline: str = "#ffffff",
    outline_width: float = 0.3,
    opacity: float = 1.0,
    expressions: Mapping[str, str] | None = None,
    pass_: int = 0,
) -> Element:
    """Return a marker symbol layer: `shape` (circle, square, triangle, diamond) filled with `colour`."""
    props = {
        "name": shape,
        "color": rgba(colour, opacity),
        "outline_color": rgba(outline),
        "outline_style": "solid" if outline_width > 0 else "no",
        "outline_width": _mm(outline_width),
        "outline_width_unit": "MM",
        "size": _mm(size),
        "size_unit": "MM",
        "scale_method": "diameter",
    }
    return _layer("SimpleMarker", props, expressions=expressions, pass_=pass_)


def simple_line(
    colour: str,
    *,
    width: float,
    opacity: float = 1.0,
    dash: Sequence[float] | None = None,
    pass_: int = 0,
) -> Element:
    """Return a line symbol layer (also a fill's outline); `dash` is a dash-gap pattern in millimetres."""
    props = {
        "line_color": rgba(colour, opacity),
        "line_width": _mm(width),
        "line_width_unit": "MM",
        "line_style": "solid",
        "capstyle": "flat" if dash else "round",
        "joinstyle": "round",
        "use_custom_dash": "1" if dash else "0",
        "customdash": ";".join(_mm(d) for d in dash) if dash else "5;2",
        "customdash_unit": "MM",
    }
    return _layer("SimpleLine", props, pass_=pass_)


def simple_fill(
    colour: str | None,
    *,
    opacity: float = 1.0,
    outline: str | None = None,
    outline_width: float = 0.26,
    pass_: int = 0,
) -> Element:
    """Return a solid fill (``None``: no fill) with an optional solid outline."""
    props = {
        "color": rgba(colour or "#000000", opacity if colour else 0.0),
        "style": "solid" if colour else "no",
        "outline_color": rgba(outline or "#000000"),
        "outline_style": "solid" if outline else "no",
        "outline_width": _mm(outline_width),
        "outline_width_unit": "MM",
    }
    return _layer("SimpleFill", props, pass_=pass_)


def line_pattern_fill(
    colour: str, *, opacity: float, angle: float = 45, spacing: float = 2.2, width: float = 0.35
) -> Element:
    """Return a hatch: parallel lines at `angle` degrees, `spacing` mm apart."""
    line = symbol("line", [simple_line(colour, width=width, opacity=opacity)], name="@0@0")
    props = {"angle": f"{angle:g}", "distance": _mm(spacing), "distance_unit": "MM", "line_width_unit": "MM"}
    return _layer("LinePatternFill", props, sub=line)


def geometry_generator(expression: str, sub: Element, *, kind: Literal["Fill", "Line", "Marker"] = "Fill") -> Element:
    """Return a symbol layer that draws `sub` on the geometry an expression returns (in the layer's CRS)."""
    sub.set("name", "@0@0")
    props = {"SymbolType": kind, "geometryModifier": expression, "units": "MapUnit"}
    return _layer("GeometryGenerator", props, sub=sub)


@dataclass(frozen=True)
class Category:
    """One category of a categorised renderer: a value, its legend label and its symbol."""

    value: str
    label: str
    symbol: Element


def _renderer(kind: str, **attrs: str) -> Element:
    base = {"type": kind, "symbollevels": "0", "enableorderby": "0", "forceraster": "0"}
    return etree.Element("renderer-v2", {**base, **attrs})


def _symbols(renderer: Element, symbols: Sequence[Element]) -> None:
    holder = etree.SubElement(renderer, "symbols")
    for i, sym in enumerate(symbols):
        sym.set("name", str(i))
        holder.append(sym)


def categorized(expression: str, categories: Sequence[Category], *, symbol_levels: bool = False) -> Element:
    """Return a renderer with one symbol per value of `expression` (a field reference or any expression)."""
    renderer = _renderer("categorizedSymbol", attr=expression, symbollevels="1" if symbol_levels else "0")
    holder = etree.SubElement(renderer, "categories")
    for i, cat in enumerate(categories):
        etree.SubElement(holder, "category", render="true", symbol=str(i), value=cat.value, label=cat.label)
    _symbols(renderer, [c.symbol for c in categories])
    return renderer


def single_symbol(sym: Element, *, symbol_levels: bool = False) -> Element:
    """Return a renderer drawing every feature with one symbol."""
    renderer = _renderer("singleSymbol", symbollevels="1" if symbol_levels else "0")
    _symbols(renderer, [sym])
    return renderer


@dataclass(frozen=True)
class Rule:
    """A rule of a rule-based renderer: a filter, a legend label, a symbol, child rules and a scale range.

    ``max_scale`` is the largest scale denominator at which the rule draws (e.g. 5,000,000: only when
    zoomed in beyond 1:5M), ``min_scale`` the smallest (2,000,000: only when zoomed out beyond 1:2M);
    0 means no limit.
    """

    filter: str
    label: str
    symbol: Element | None = None
    children: tuple[Rule, ...] = ()
    max_scale: float = 0
    min_scale: float = 0


def _scales(attrs: dict[str, str], max_scale: float, min_scale: float) -> dict[str, str]:
    """Return `attrs` with a scale range as QGIS writes it: ``scalemaxdenom`` (zoomed in beyond), ``scalemindenom``."""
    if max_scale:
        attrs["scalemaxdenom"] = f"{max_scale:.0f}"
    if min_scale:
        attrs["scalemindenom"] = f"{min_scale:.0f}"
    return attrs


def _rule(parent: Element, rule: Rule, key: str, symbols: list[Element]) -> None:
    attrs = {"key": key, "label": rule.label}
    if rule.filter:
        attrs["filter"] = rule.filter
    if rule.symbol is not None:
        attrs["symbol"] = str(len(symbols))
        symbols.append(rule.symbol)
    _scales(attrs, rule.max_scale, rule.min_scale)
    node = etree.SubElement(parent, "rule", attrs)
    for i, child in enumerate(rule.children):
        _rule(node, child, f"{key}.{i}", symbols)


def rule_based(rules: Sequence[Rule], *, symbol_levels: bool = False) -> Element:
    """Return a rule-based renderer; a feature is drawn by every rule whose filter (and parents' filters) it passes."""
    renderer = _renderer("RuleRenderer", symbollevels="1" if symbol_levels else "0")
    root = etree.SubElement(renderer, "rules", key="r")
    symbols: list[Element] = []
    for i, rule in enumerate(rules):
        _rule(root, rule, f"r{i}", symbols)
    _symbols(renderer, symbols)
    return renderer


@dataclass(frozen=True)
class Label:
    r"""A layer's labels: the text expression, its look, and when to show it.

    ``placement`` follows QGIS: 0 around a point, 1 over a point (for areas: offset from the centroid,
    inside it), 2 parallel to a line, 3 curved along it, 6 the cartographic positions around a point.
    ``filter``, ``max_scale`` and ``min_scale`` (scale denominators, as for :class:`Rule`) make it a rule
    of rule-based labeling, named by ``description``; ``whole_centroid`` places an area's label by its whole
    polygon, not by the part in view (so a country-wide label stays put as you pan). The text may hold
    line breaks (``'\\n'``).
    """

    expression: str
    size: float = 8.0
    colour: str = "#282828"
    italic: bool = False
    bold: bool = False
    show: str | None = None
    priority: str | None = None
    placement: int = 6
    distance: float = 1.0
    buffer: float = 0.8
    extras: dict[str, str] = dataclass_field(default_factory=dict)
    filter: str = ""
    max_scale: float = 0
    min_scale: float = 0
    description: str = ""
    whole_centroid: bool = False


def _settings(parent: Element, label: Label) -> None:
    """Write the ``<settings>`` of one label: text, buffer, placement, rendering, data-defined show/priority."""
    settings = etree.SubElement(parent, "settings", calloutType="simple")
    text_style = {
        "fieldName": label.expression,
        "isExpression": "1",
        "fontSize": f"{label.size:g}",
        "fontSizeUnit": "Point",
        "textColor": rgba(label.colour),
        "fontItalic": "1" if label.italic else "0",
        "fontWeight": "75" if label.bold else "50",
        "textOpacity": "1",
        "multilineHeight": "1",
    }
    style = etree.SubElement(settings, "text-style", {**text_style, **label.extras})
    etree.SubElement(
        style,
        "text-buffer",
        bufferDraw="1" if label.buffer else "0",
        bufferSize=f"{label.buffer:g}",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="0.85",
        bufferNoFill="1",
    )
    etree.SubElement(settings, "text-format", wrapChar="", multilineAlign="3")
    etree.SubElement(
        settings,
        "placement",
        placement=str(label.placement),
        dist=f"{label.distance:g}",
        distUnits="MM",
        centroidInside="1",
        centroidWhole="1" if label.whole_centroid else "0",
        fitInPolygonOnly="0",
        priority="5",
        predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR",
    )
    etree.SubElement(settings, "rendering", obstacle="1", obstacleFactor="1", drawLabels="1", upsidedownLabels="0")
    expressions = {}
    if label.show:
        expressions["Show"] = label.show
    if label.priority:
        expressions["Priority"] = label.priority
    _expressions(settings, "dd_properties", expressions)


def labeling(*labels: Label) -> Element:
    """Return the ``<labeling>`` element of a layer.

    One label with no filter and no scale range is QGIS's simple labeling; otherwise each label is a rule
    of rule-based labeling (drawn where its ``filter`` holds, within its scale range).
    """
    (first, *_) = labels
    if len(labels) == 1 and not (first.filter or first.max_scale or first.min_scale):
        node = etree.Element("labeling", type="simple")
        _settings(node, first)
        return node
    node = etree.Element("labeling", type="rule-based")
    root = etree.SubElement(node, "rules", key="r")
    for i, label in enumerate(labels):
        attrs = {"key": f"r{i}", "description": label.description or f"labels {i + 1}"}
        if label.filter:
            attrs["filter"] = label.filter
        _settings(etree.SubElement(root, "rule", _scales(attrs, label.max_scale, label.min_scale)), label)
    return node


def point_displacement(
    embedded: Element,
    *,
    tolerance: float,
    centre: Element | None = None,
    colour: str = "#7d7d7d",
    placement: Literal["ring", "concentric", "grid"] = "ring",
    label_field: str | None = None,
    label_scale: float = 0,
    label_colour: str = "#282828",
    label_size: float = 7.5,
) -> Element:
    """Return a renderer that draws points within `tolerance` mm of each other apart, around their place.

    QGIS's point displacement renderer: the `embedded` renderer draws each point, moved onto a ring (or
    concentric rings, a grid) around the group's centre, where `centre` (default: a small grey dot) marks
    the true place and a thin circle in `colour` joins them. A lone point is drawn where it is. With a
    `label_field`, the renderer writes that field beside each point's own marker, zoomed in beyond
    `label_scale` (a scale denominator; 0: at every scale).
    """
    renderer = _renderer(
        "pointDisplacement",
        tolerance=f"{tolerance:g}",
        toleranceUnit="MM",
        toleranceUnitScale="3x:0,0,0,0,0,0",
        placement=str(("ring", "concentric", "grid").index(placement)),
        circleColor=rgba(colour),
        circleWidth="0.3",
        circleRadiusAddition="0.6",
        labelAttributeName=label_field or "",
        labelColor=rgba(label_colour),
        labelDistanceFactor="0.5",
        maxLabelScaleDenominator=f"{label_scale:.0f}" if label_scale else "-1",
        referencescale="-1",
    )
    etree.SubElement(renderer, "labelFontProperties", description=f"Sans Serif,{label_size:g},-1,5,50,0,0,0,0,0")
    renderer.append(embedded)
    dot = centre
    if dot is None:
        dot = symbol("marker", [simple_marker("circle", colour, size=1.2, outline_width=0)])
    dot.set("name", "centerSymbol")
    renderer.append(dot)
    return renderer


def document(
    renderer: Element,
    label: Element | None = None,
    *,
    opacity: float = 1.0,
    blend_mode: int = 0,
) -> str:
    """Return a complete QML document: renderer, labels and the layer's opacity and blend mode."""
    root = etree.Element(
        "qgis",
        version="3.22.0",
        styleCategories="Symbology|Labeling|Rendering",
        labelsEnabled="1" if label is not None else "0",
    )
    for element in layer_parts(renderer, label, opacity=opacity, blend_mode=blend_mode):
        root.append(element)
    body = etree.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>{body}"


def layer_parts(renderer: Element, label: Element | None, *, opacity: float, blend_mode: int) -> list[Element]:
    """Return the style elements a ``<maplayer>`` of a project holds, the same as a QML document's."""
    parts = [renderer]
    if label is not None:
        parts.append(label)
    for tag, value in (("blendMode", str(blend_mode)), ("featureBlendMode", "0"), ("layerOpacity", f"{opacity:g}")):
        element = etree.Element(tag)
        element.text = value
        parts.append(element)
    return parts
