"""Symbology shared by the web map and the QGIS styles: colour schemes, commodities, marker shapes.

This module is neutral: it imports neither the map nor the export code, and both read it, so the
atlas and a GeoPackage opened in QGIS say the same thing. Colours come from the Okabe–Ito palette
(distinguishable with every common colour-vision deficiency; ``tests/test_symbology.py`` checks each
scheme under simulated deuteranopia, protanopia and tritanopia). Within a scheme every category has its
own colour; across layers, marker *shapes* differ (minerals circles, campuses squares, carbon
triangles, afforestation diamonds), so a colour never has to mean two things in one place.

An unknown scheme, category or commodity is an error, never a grey fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

from geo.errors import UnknownNameError
from geo.mineral_lists import critical_minerals, read_lists

__all__ = [
    "COMMODITIES",
    "COMMODITY_GROUPS",
    "CRITICAL_GLYPHS",
    "MARKERS",
    "MARKER_SHAPES",
    "NO_DATA",
    "OKABE_ITO",
    "REFERENCE_STYLES",
    "SCHEMES",
    "SEQUENTIAL",
    "UK_CRITICAL",
    "USER_COLOURS",
    "Glyph",
    "MarkerShape",
    "Scheme",
    "category_of",
    "commodity_group",
    "critical_glyph",
    "glyph_ink",
    "marker_shape",
    "primary_commodity",
    "reference_style",
    "scheme",
]

#: Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable for all common CVDs.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
_GREY = "#8C8C8C"

#: Every commodity a curated feature may name, by the group its colour stands for.
COMMODITY_GROUPS: dict[str, tuple[str, ...]] = {
    "uranium": ("uranium",),
    "copper": ("copper",),
    "precious metals": ("gold", "silver", "platinum", "palladium", "rhodium", "ruthenium", "osmium"),
    "technology metals": (
        "beryllium",
        "bismuth",
        "caesium",
        "cobalt",
        "gallium",
        "germanium",
        "graphite",
        "indium",
        "lithium",
        "molybdenum",
        "niobium",
        "rare earths",
        "rhenium",
        "rubidium",
        "scandium",
        "selenium",
        "tantalum",
        "tellurium",
        "thorium",
        "tungsten",
        "yttrium",
        "zirconium",
    ),
    "steel and ferroalloy metals": ("chromium", "iron", "manganese", "nickel", "titanium", "vanadium"),
    "light metals and silicon": ("aluminium", "magnesium", "silicon"),
    "base metals": ("antimony", "cadmium", "lead", "mercury", "thallium", "tin", "zinc"),
    "industrial minerals": (
        "arsenic",
        "barite",
        "bromine",
        "fluorspar",
        "iodine",
        "phosphorus",
        "potash",
        "strontium",
        "sulphur",
        "sulphuric acid",
    ),
}
#: Commodity -> its group.
COMMODITIES: dict[str, str] = {c: group for group, members in COMMODITY_GROUPS.items() for c in members}


_MIN_VERTICES = 3


@dataclass(frozen=True)
class MarkerShape:
    """A marker shape: its name (QGIS's SimpleMarker knows it too) and its drawing, which the web map receives as data.

    Attributes
    ----------
    name
        The name layers and users give (``LayerSpec.marker``, ``UserLayer(marker=...)``).
    kind
        ``circle``, or ``polygon`` drawn through `points`.
    points
        A polygon's vertices around the marker's centre, in marker radii (x right, y down). Shapes have
        about the area of the circle of the same radius, so no shape looks more important.
    """

    name: str
    kind: Literal["circle", "polygon"]
    points: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "polygon" and len(self.points) < _MIN_VERTICES:
            msg = f"Marker shape {self.name!r} is a polygon with {len(self.points)} points; give three or more."
            raise ValueError(msg)
        if self.kind not in ("circle", "polygon"):
            msg = f"Marker shape {self.name!r} has kind {self.kind!r}; use 'circle' or 'polygon' (with points)."
            raise ValueError(msg)

    def drawing(self) -> dict[str, Any]:
        """Return the shape as the page draws it: ``{"kind": ..., "points": [[x, y], ...]}``."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "polygon":
            out["points"] = [[round(x, 6), round(y, 6)] for x, y in self.points]
        return out


_S, _T, _D = 0.89, 1.35, 1.25  # half side of the square, and the reach of the triangle and diamond, in radii
#: Marker shapes by name: the web map draws each from its points (and throws on a name it has no drawing for).
MARKER_SHAPES: dict[str, MarkerShape] = {
    m.name: m
    for m in (
        MarkerShape("circle", "circle"),
        MarkerShape("square", "polygon", ((-_S, -_S), (_S, -_S), (_S, _S), (-_S, _S))),
        MarkerShape("triangle", "polygon", ((0.0, -_T), (_T * 0.866, _T * 0.5), (-_T * 0.866, _T * 0.5))),
        MarkerShape("diamond", "polygon", ((0.0, -_D), (_D, 0.0), (0.0, _D), (-_D, 0.0))),
    )
}
#: Marker shape names (both the web map and QGIS's SimpleMarker know these names).
MARKERS = tuple(MARKER_SHAPES)


def marker_shape(name: str) -> MarkerShape:
    """Return the marker shape `name`; an unknown name is an error listing the shapes."""
    try:
        return MARKER_SHAPES[name]
    except KeyError:
        msg = f"No marker shape {name!r}; use one of {list(MARKER_SHAPES)}."
        raise UnknownNameError(msg) from None


@dataclass(frozen=True)
class Glyph:
    """A mark drawn inside a marker to tell one UK-critical mineral from the others, whatever the colour.

    Attributes
    ----------
    commodity
        The commodity it stands for (a key of :data:`COMMODITIES`).
    kind
        How the page draws it (``text``: `text` in bold, centred on the marker); the page throws on a kind
        it has no drawing for.
    text
        The mark: the element's symbol (``REE`` for the rare earths).
    """

    commodity: str
    kind: Literal["text"]
    text: str

    def drawing(self) -> dict[str, Any]:
        """Return the glyph as the page draws it: ``{"kind": ..., "text": ..., "label": ...}``."""
        return {"kind": self.kind, "text": self.text, "label": self.commodity}


#: The minerals the UK Critical Minerals Strategy names, each with its own glyph on the map and in the legend
#: (the other commodities keep the colour of their group). Order: which glyph a deposit of several shows.
CRITICAL_GLYPHS: dict[str, Glyph] = {
    g.commodity: g
    for g in (
        Glyph("lithium", "text", "Li"),
        Glyph("rare earths", "text", "REE"),
        Glyph("tungsten", "text", "W"),
        Glyph("graphite", "text", "C"),
        Glyph("antimony", "text", "Sb"),
        Glyph("gallium", "text", "Ga"),
        Glyph("germanium", "text", "Ge"),
        Glyph("titanium", "text", "Ti"),
        Glyph("vanadium", "text", "V"),
        Glyph("chromium", "text", "Cr"),
        Glyph("cobalt", "text", "Co"),
        Glyph("nickel", "text", "Ni"),
    )
}


def critical_glyph(commodities: Iterable[str] | None) -> Glyph | None:
    """Return the glyph of the first (in :data:`CRITICAL_GLYPHS` order) glyph-bearing commodity, or ``None``."""
    present = set(commodities or ())
    return next((g for c, g in CRITICAL_GLYPHS.items() if c in present), None)


def glyph_ink(fill: str) -> str:
    """Return the colour of a glyph on a marker filled `fill`: black or white, whichever contrasts more."""
    return "#000000" if _luminance(fill) > _INK_SWITCH else "#FFFFFF"


_SRGB_KNEE = 0.04045  # sRGB: linear below, a power curve above
_INK_SWITCH = 0.179  # the luminance at which black and white text contrast equally (WCAG 2)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= _SRGB_KNEE else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


#: Colours for a user's own layers (one per layer, or one per category of a column), from Paul Tol's
#: "muted" scheme: safe for colour-blind readers and none of them an Okabe–Ito colour of the curated
#: schemes, so a user's layer never looks like a curated category.
USER_COLOURS = ("#882255", "#332288", "#44AA99", "#999933", "#CC6677", "#117733", "#88CCEE", "#DDCC77", "#AA4499")
#: Five classes of a number, low to high (viridis samples: ordered in lightness for every reader).
SEQUENTIAL = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")
#: The fill of "no data" (a choropleth unit without a figure).
NO_DATA = "#D9D9D9"


@dataclass(frozen=True)
class Scheme:
    """A categorical colour scheme: category -> colour, in legend order.

    Attributes
    ----------
    name
        The key layers refer to (``LayerSpec.scheme``).
    title
        What the legend calls the categories (e.g. "commodity group").
    colours
        Category -> ``#rrggbb``.
    notes
        Category -> a short gloss shown in the legend (e.g. the commodities of a group).
    """

    name: str
    _: KW_ONLY  # the rest by keyword
    title: str
    colours: Mapping[str, str]
    notes: Mapping[str, str] = field(default_factory=dict)

    def colour(self, category: str) -> str:
        """Return the colour of `category`; an unknown category is an error."""
        try:
            return self.colours[category]
        except KeyError:
            msg = f"Scheme {self.name!r} has no category {category!r}; it has {list(self.colours)}."
            raise UnknownNameError(msg) from None

    def label(self, category: str) -> str:
        """Return the legend text of `category`."""
        text = category.replace("_", " ")
        return f"{text} ({self.notes[category]})" if category in self.notes else text


_COMMODITY_COLOURS = dict(
    zip(
        COMMODITY_GROUPS,
        (
            OKABE_ITO["orange"],
            OKABE_ITO["vermillion"],
            OKABE_ITO["yellow"],
            OKABE_ITO["green"],
            OKABE_ITO["blue"],
            OKABE_ITO["sky"],
            OKABE_ITO["purple"],
            OKABE_ITO["black"],
        ),
        strict=True,
    )
)

SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme(
            "commodity",
            title="main commodity",
            colours=_COMMODITY_COLOURS,
            notes={g: ", ".join(m) for g, m in COMMODITY_GROUPS.items() if len(m) > 1},
        ),
        Scheme(
            "status",
            title="status",
            colours={
                "operating": OKABE_ITO["blue"],
                "construction": OKABE_ITO["sky"],
                "pilot": OKABE_ITO["green"],
                "exploration": OKABE_ITO["green"],
                "agreement": OKABE_ITO["purple"],
                "planned": OKABE_ITO["orange"],
                "announced": OKABE_ITO["yellow"],
                "suspended": OKABE_ITO["vermillion"],
                "closed": OKABE_ITO["black"],
                "unknown": _GREY,
            },
        ),
        Scheme(
            "approach",
            title="approach",
            colours={
                "geological": OKABE_ITO["purple"],
                "forest": OKABE_ITO["green"],
                "pasture": OKABE_ITO["orange"],
                "marine": OKABE_ITO["sky"],
            },
        ),
        Scheme(
            "afforestation",
            title="kind",
            colours={"planting_project": OKABE_ITO["green"], "programme": OKABE_ITO["sky"]},
        ),
    )
}
#: Status pairs that share a colour on purpose: one stage of work ("testing the ground").
SHARED_COLOURS = frozenset({frozenset({"pilot", "exploration"})})

#: How reference layers are drawn: ``c`` stroke, ``w`` width, ``f`` fill, ``fo`` fill opacity, ``d`` dash,
#: ``r`` marker radius. ``countries`` has a second style for the clipped neighbours.
REFERENCE_STYLES: dict[str, dict[str, Any]] = {
    "countries": {"c": "#555555", "w": 1.3, "f": "#f7f4ec", "fo": 1.0},
    "neighbours": {"c": "#e4e4e4", "w": 0.0, "f": "#e4e4e4", "fo": 1.0},
    "regions": {"c": "#9a9a9a", "w": 0.6, "f": "none", "fo": 0.0},
    "regions_kz_2022": {"c": "#9a9a9a", "w": 0.6, "f": "none", "fo": 0.0, "d": "3 3"},
    "lakes": {"c": "#6baed6", "w": 0.6, "f": "#c6dbef", "fo": 1.0},
    "aral_sea_historic": {"c": "#6baed6", "w": 1.0, "f": "none", "fo": 0.0, "d": "2 4"},
    "aral_sea_current": {"c": "#6baed6", "w": 0.6, "f": "#c6dbef", "fo": 1.0},
    "aralkum": {"c": "#c2a25a", "w": 1.0, "f": "#e8d6a5", "fo": 0.8},
    "rivers": {"c": "#6baed6", "w": 1.2},
    "cities": {"c": "#777777", "f": "#ffffff", "r": 2, "w": 0.8, "fo": 1.0},
}


def scheme(name: str) -> Scheme:
    """Return the colour scheme `name`; an unknown name is an error listing the schemes."""
    try:
        return SCHEMES[name]
    except KeyError:
        msg = f"No colour scheme {name!r}; use one of {list(SCHEMES)}."
        raise UnknownNameError(msg) from None


def reference_style(name: str) -> dict[str, Any]:
    """Return the drawing style of a reference layer; an unknown layer is an error."""
    try:
        return dict(REFERENCE_STYLES[name])
    except KeyError:
        msg = f"No reference style {name!r}; styles exist for {list(REFERENCE_STYLES)}."
        raise UnknownNameError(msg) from None


def commodity_group(commodity: str) -> str:
    """Return the group a commodity is coloured by; an unknown commodity is an error."""
    try:
        return COMMODITIES[commodity]
    except KeyError:
        msg = (
            f"Unknown commodity {commodity!r}; add it to geo.symbology.COMMODITY_GROUPS (known: {sorted(COMMODITIES)})."
        )
        raise UnknownNameError(msg) from None


def primary_commodity(commodities: Iterable[str] | None) -> str:
    """Return the commodity a deposit is coloured by: the first it lists (the curator lists the main one first)."""
    items = list(commodities or [])
    if not items:
        msg = "A deposit lists no commodity; give at least one."
        raise UnknownNameError(msg)
    return items[0]


def category_of(value: Any, scheme_name: str) -> str:
    """Return the legend category of a feature's category-field `value` under `scheme_name`.

    For the ``commodity`` scheme, `value` is the list of commodities and the category is the group of
    the first; for the others it is the value itself, checked against the scheme.
    """
    sch = scheme(scheme_name)
    category = commodity_group(primary_commodity(value)) if scheme_name == "commodity" else str(value)
    sch.colour(category)  # an unknown category is an error here, not grey on the map
    return category


#: Minerals on a UK critical list as far as the sources confirm, derived from the lists table
#: (``layers/tables/uk_minerals.csv``, see :mod:`geo.mineral_lists`): the 2024 assessment's named members
#: plus the 2021 list less palladium. Uranium, copper and beryllium are growth minerals, not critical.
#: Defined last: reading the table checks its minerals against ``COMMODITIES`` above.
UK_CRITICAL: frozenset[str] = critical_minerals(read_lists(commodities=COMMODITIES))
