"""Location precision: what each level means, and the one set of rules every consumer takes from it.

A curated feature is known to one of six levels, finest first. The level decides:

- **geometry**: a *point* (site, town, district: the point a source states or the place it names,
  with ``uncertainty_m``), an *area* the feature lies "somewhere inside" (region, country), or *none*;
- **distance**: a point with radius *r* at distance *d* lies between ``d - r`` and ``d + r``; a feature
  somewhere inside an area lies between the area's nearest and farthest points (see
  :mod:`geo.analysis.proximity`);
- **area counting**: the polygon of a region- or country-level feature is an *envelope*, never an
  area the feature covers: sums of planted, licensed or target hectares use the stated fields only
  (see :mod:`geo.analysis.overlay`);
- **drawing**: the symbol the web map and the QGIS styles both use (``symbol``) and the words of the
  legend and popups.

Nothing else in geo decides what a precision means.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from geo.errors import UnknownNameError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AREA_LEVELS",
    "LEVELS",
    "POINT_LEVELS",
    "Precision",
    "describe",
    "get",
    "is_envelope",
    "legend_label",
    "somewhere_inside",
    "uncertainty_m",
]

Geometry = Literal["point", "area", "none"]
Symbol = Literal["point", "hatch", "outline", "panel"]
_KM = 1000.0


@dataclass(frozen=True)
class Precision:
    """One level of location precision.

    Attributes
    ----------
    key
        The value of ``location_precision``.
    rank
        0 for the finest level.
    geometry
        ``point``, ``area`` (somewhere inside) or ``none``.
    words
        What a reader is told in a popup, before the radius.
    legend
        The legend line for this level.
    symbol
        How maps draw it: ``point`` (a marker, with a dashed ring of its uncertainty radius),
        ``hatch`` (a hatched, translucent area with a label), ``outline`` (a dashed outline, no fill)
        or ``panel`` (listed beside the map, never pinned).
    """

    key: str
    _: KW_ONLY  # the rest by keyword
    rank: int
    geometry: Geometry
    words: str
    legend: str
    symbol: Symbol


LEVELS: dict[str, Precision] = {
    p.key: p
    for p in (
        Precision(
            "site",
            rank=0,
            geometry="point",
            words="site: the point a cited source states",
            legend="site point from a cited source (dashed ring: its stated uncertainty)",
            symbol="point",
        ),
        Precision(
            "town",
            rank=1,
            geometry="point",
            words="town only: drawn at the GeoNames place the source names",
            legend="town only: drawn at the town (dashed ring: uncertainty radius)",
            symbol="point",
        ),
        Precision(
            "district",
            rank=2,
            geometry="point",
            words="district only: drawn at the district seat with a district-sized radius",
            legend="district only: drawn at its seat (dashed ring: district radius)",
            symbol="point",
        ),
        Precision(
            "region",
            rank=3,
            geometry="area",
            words="region only: somewhere inside the region drawn (its area is not the feature's area)",
            legend="region only: hatched area, somewhere inside",
            symbol="hatch",
        ),
        Precision(
            "country",
            rank=4,
            geometry="area",
            words="country only: somewhere inside the country (its area is not the feature's area)",
            legend="country only: dashed country outline, somewhere inside",
            symbol="outline",
        ),
        Precision(
            "unknown",
            rank=5,
            geometry="none",
            words="location unknown: not on the map",
            legend="location unknown: listed beside the map",
            symbol="panel",
        ),
    )
}
#: Levels drawn as a point with a radius.
POINT_LEVELS = frozenset(k for k, p in LEVELS.items() if p.geometry == "point")
#: Levels drawn as an area the feature lies somewhere inside (an envelope).
AREA_LEVELS = frozenset(k for k, p in LEVELS.items() if p.geometry == "area")


def get(key: str) -> Precision:
    """Return the level named `key`.

    Raises
    ------
    UnknownNameError
        If `key` is not a level; the message lists the levels.
    """
    try:
        return LEVELS[key]
    except KeyError:
        msg = f"No location precision {key!r}; use one of {list(LEVELS)}."
        raise UnknownNameError(msg) from None


def _radius_words(uncertainty: float) -> str:
    return f"±{uncertainty / _KM:,.0f} km" if uncertainty >= _KM else f"±{uncertainty:,.0f} m"


def describe(key: str, uncertainty: float | None = None) -> str:
    """Return the words a popup shows for a feature's location, radius included.

    >>> describe("site", 10_000)
    'site: the point a cited source states (±10 km)'
    """
    words = get(key).words
    if uncertainty is not None and not (isinstance(uncertainty, float) and math.isnan(uncertainty)) and uncertainty:
        words += f" ({_radius_words(float(uncertainty))})"
    return words


def legend_label(key: str, uncertainties: pd.Series | None = None) -> str:
    """Return the legend line of a level, with the range of radii actually drawn (if any)."""
    label = get(key).legend
    if uncertainties is None or get(key).geometry != "point":
        return label
    values = uncertainties.dropna()
    values = values[values > 0]
    if values.empty:
        return label
    low, high = float(values.min()), float(values.max())
    span = _radius_words(low) if low == high else f"{_radius_words(low)} to {_radius_words(high).lstrip('±')}"
    return f"{label}; {span}"


def is_envelope(key: str) -> bool:
    """Whether a feature's polygon is only where it lies (region, country), never an area it covers."""
    return get(key).geometry == "area"


def uncertainty_m(frame: pd.DataFrame) -> np.ndarray:
    """Return the radius of each feature in metres (0 where none is stated or the frame has no such column)."""
    if "uncertainty_m" not in frame:
        return np.zeros(len(frame))
    return frame["uncertainty_m"].astype("float64").fillna(0.0).to_numpy()


def somewhere_inside(frame: pd.DataFrame) -> np.ndarray:
    """Which features lie somewhere inside their (area) geometry: region- and country-level ones."""
    if "location_precision" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["location_precision"].isin(AREA_LEVELS).to_numpy()
