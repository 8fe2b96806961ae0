"""Styling by meaning: colours and symbols for each layer, and the legend entries that explain them.

Each layer gets a style *kind*; :func:`feature_style` returns the drawing instructions the map's
script applies (colour, fill, radius, dash, hatch, halo), and :func:`legend_entries` lists exactly
the categories present in the data, so the legend never shows what the map does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = [
    "AFFORESTATION_COLOURS",
    "APPROACH_COLOURS",
    "COMMODITY_COLOURS",
    "PRECISION_SYMBOLS",
    "REFERENCE_STYLES",
    "STATUS_COLOURS",
    "UK_CRITICAL",
    "feature_style",
    "legend_entries",
    "primary_commodity",
]

#: Minerals on a UK critical list as far as facts.md §1 confirms: the 2021 list (18, less palladium,
#: dropped in 2024) plus the 2024
#: assessment's confirmed members. Uranium and copper are "growth" minerals, not critical; rhenium and
#: scandium are unconfirmed, so they are not marked.
UK_CRITICAL = frozenset(
    {
        "antimony",
        "bismuth",
        "cobalt",
        "gallium",
        "graphite",
        "indium",
        "lithium",
        "magnesium",
        "niobium",
        "platinum",
        "rare earths",
        "silicon",
        "tantalum",
        "tellurium",
        "tin",
        "tungsten",
        "vanadium",
        "germanium",
        "phosphorus",
        "rhodium",
        "ruthenium",
        "nickel",
        "iron",
        "aluminium",
        "chromium",
        "titanium",
        "zinc",
    }
)

COMMODITY_COLOURS = {
    "uranium": "#e6ab02",
    "copper": "#d95f02",
    "gold": "#c9a227",
    "chromium": "#7570b3",
    "titanium": "#1b9e77",
    "silicon": "#66a61e",
    "antimony": "#e7298a",
    "vanadium": "#a6761d",
    "aluminium": "#666666",
}
_OTHER = "#999999"
_PRIORITY = ("uranium", "copper", "chromium", "titanium", "silicon", "antimony", "vanadium", "aluminium", "gold")

STATUS_COLOURS = {
    "operating": "#1a9850",
    "construction": "#91cf60",
    "agreement": "#4575b4",
    "planned": "#74add1",
    "announced": "#fdae61",
    "pilot": "#8073ac",
    "closed": "#636363",
    "unknown": "#bdbdbd",
}
APPROACH_COLOURS = {"geological": "#542788", "forest": "#1b7837", "pasture": "#b8860b"}
AFFORESTATION_COLOURS = {"planting_project": "#006d2c", "programme": "#74c476"}
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

#: How location precision is drawn, with the words the legend uses.
PRECISION_SYMBOLS = {
    "site": ("solid", "exact site (cited coordinate)"),
    "town": ("halo", "town only: dashed circle = uncertainty radius"),
    "district": ("halo", "district only: dashed circle = district radius"),
    "region": ("hatch", "region only: hatched area, somewhere inside"),
    "country": ("outline", "country only: dashed country outline, somewhere inside"),
    "unknown": ("panel", "location unknown: listed in the side panel"),
}


def primary_commodity(commodities: Iterable[str]) -> str:
    """Return the commodity a deposit is coloured by: the first in a fixed order of interest."""
    items = list(commodities or [])
    return next((c for c in _PRIORITY if c in items), items[0] if items else "other")


def _category(row: pd.Series, kind: str) -> tuple[str, str]:
    if kind == "commodity":
        primary = primary_commodity(row.get("commodities") or [])
        return primary, COMMODITY_COLOURS.get(primary, _OTHER)
    if kind == "campus":
        return row["status"], STATUS_COLOURS.get(row["status"], _OTHER)
    if kind == "carbon":
        return row["approach"], APPROACH_COLOURS.get(row["approach"], _OTHER)
    if kind == "afforestation":
        return row["kind"], AFFORESTATION_COLOURS.get(row["kind"], _OTHER)
    return "features", "#3182bd"


def feature_style(row: pd.Series, kind: str) -> dict[str, Any]:
    """Return the drawing instructions of one curated or user feature.

    Keys: ``c`` stroke colour, ``f`` fill colour, ``r`` marker radius (px), ``w`` stroke width,
    ``d`` dash pattern, ``h`` hatch fill (areas known only to a region or country), ``u`` the
    uncertainty radius in metres drawn as a dashed halo, ``k`` the legend category, ``x`` an
    outline marking a UK-critical mineral.
    """
    category, colour = _category(row, kind)
    precision = row.get("location_precision") or "site"
    style: dict[str, Any] = {"c": colour, "f": colour, "w": 1.5, "k": category}
    if precision == "site":
        style |= {"r": 6, "fo": 0.9}
    elif precision in ("town", "district"):
        style |= {"r": 5, "fo": 0.6, "u": float(row.get("uncertainty_m") or 0), "d": "4 4"}
    elif precision == "region":
        style |= {"h": True, "d": "6 4", "fo": 0.25}
    elif precision == "country":  # a whole country: a dashed outline, so it does not hide everything else
        style |= {"f": "none", "d": "2 6", "w": 2.5, "fo": 0.0, "a": True}
    if kind == "commodity" and UK_CRITICAL & set(row.get("commodities") or []):
        style |= {"x": True, "w": 3.0}
    return style


def legend_entries(gdf: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """Return one legend entry per category present in `gdf` (label, colour), in a stable order."""
    seen: dict[str, str] = {}
    for _, row in gdf.iterrows():
        category, colour = _category(row, kind)
        seen.setdefault(category, colour)
    entries = [{"label": k.replace("_", " "), "color": v} for k, v in sorted(seen.items())]
    if (
        kind == "commodity"
        and "commodities" in gdf
        and gdf["commodities"].map(lambda c: bool(UK_CRITICAL & set(c or []))).any()
    ):
        entries.append({"label": "thick outline: includes a UK critical mineral", "color": "#000000", "outline": True})
    return entries
