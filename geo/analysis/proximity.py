"""Proximity that stays honest about where things are: geodesic metres, intervals, yes / possibly / no.

Every distance reported is geodesic on the WGS84 ellipsoid between the nearest points of the two
geometries (a projected CRS only proposes candidates, with a margin for its error: see
:mod:`geo.analysis._geodesic`). A feature's location precision (:mod:`geo.precision`) widens the
distance into an interval ``distance_min_m``-``distance_max_m``:

- a point with ``uncertainty_m`` (town or district level) may lie anywhere within that radius;
- a feature known only to a region or country lies "somewhere inside" it: anywhere from the area's
  nearest to its farthest point.

**Within a distance** (:func:`within_distance`): ``yes`` if even the upper bound is within,
``possibly`` if only the lower bound is, else ``no``.

**Nearest under uncertainty** (:func:`nearest`): the answer is the feature with the smallest
*guaranteed* distance (the upper bound of its interval), never the one whose area happens to touch.
The features that *could* be nearer (lower bound below the answer's upper bound) are listed with it
as ``could be nearer``. Worked example, for a campus and three candidates::

    candidate            precision   distance   interval        status
    Mine A               site        40 km      40-40 km        nearest (rank 1): at most 40 km
    Deposit B            town ±15 km 30 km      15-45 km        could be nearer (15 < 40)
    Programme C          region      0 km       0-310 km        could be nearer (0 < 40)

Programme C's region contains the campus, so its nearest point is 0 km away; but it can be
anywhere up to 310 km, so it is not "the nearest": Mine A is, and B and C are named as possibly
nearer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis._geodesic import CHUNK, METRIC_MAX_ERROR, Intervals, Side, candidates_within, evaluate, side
from geo.analysis.scale import in_memory, is_lazy, map_with
from geo.analysis.units import parse_distance_m

__all__ = ["METRIC_MAX_ERROR", "PROJECTED_TOLERANCE", "STATUS", "near_summary", "nearest", "within_distance"]

logger = logging.getLogger(__name__)

#: Values of ``within_status``, in this order (a pandas Categorical).
STATUS = ("yes", "possibly", "no")
#: Values of ``nearest_status``.
NEAREST_STATUS = ("nearest", "could be nearer")
#: Projected metres (what a planar join in ``geo.crs.METRIC`` measures) differ from the geodesic metres
#: reported here by at most this fraction over Central Asia (the projection's scale error, measured by a
#: test): a planar join at a threshold d can disagree with :func:`within_distance` only about pairs whose
#: geodesic distance is within ``d * PROJECTED_TOLERANCE`` of d.
PROJECTED_TOLERANCE = METRIC_MAX_ERROR
_MAX_DENSE_PAIRS = 5_000_000
_EARTH_M = 2.0e7  # half the equator: a search radius beyond this covers everything
_COMPACT = ("id", "name", "location_precision")
Columns = Sequence[str] | Literal["all"] | None


def _dense(a: Side, b: Side) -> tuple[np.ndarray, np.ndarray]:
    if len(a.rows) * len(b.rows) > _MAX_DENSE_PAIRS:
        msg = f"include_no=True lists every pair; {len(a.rows)} x {len(b.rows)} is too many. Leave it off."
        raise ValueError(msg)
    return np.repeat(a.rows, len(b.rows)), np.tile(b.rows, len(a.rows))


def _ordered(iv: Intervals) -> Intervals:
    """Pairs ordered by `a`, then by guaranteed distance, then by distance; each array replaced in turn."""
    order = np.lexsort((iv.near, iv.high, iv.ia))
    for name in ("ia", "ib", "near", "low", "high"):
        setattr(iv, name, getattr(iv, name)[order])
    return iv


def _swap(iv: Intervals) -> Intervals:
    return Intervals(iv.ib, iv.ia, iv.near, iv.low, iv.high)


def _pairs_within(a: Side, b: Side, limit: float) -> Intervals:
    """Every pair whose lower bound is within `limit` metres (exact: candidates never miss one)."""
    if not a.points and b.points:
        return _swap(_pairs_within(b, a, limit))
    parts = []
    if a.points:
        reach = (limit + a.radius.max(initial=0) + b.radius) * (1 + METRIC_MAX_ERROR)
        for start in range(0, a.n, CHUNK):
            ia, ib = candidates_within(a, b, reach, np.arange(start, min(start + CHUNK, a.n)))
            parts.append(evaluate(a, b, ia, ib, limit=limit))
    elif len(a.rows) and len(b.rows):
        tree = shapely.STRtree(b.metric()[b.rows])
        reach = (limit + a.radius[a.rows] + b.radius.max(initial=0)) * (1 + METRIC_MAX_ERROR)
        ia, jb = tree.query(a.metric()[a.rows], predicate="dwithin", distance=reach)
        parts.append(evaluate(a, b, a.rows[ia], b.rows[jb], limit=limit))
    if not parts:
        empty = np.empty(0, np.int64)
        return Intervals(empty, empty, np.empty(0), np.empty(0), np.empty(0))
    return _concatenate(parts)


def _concatenate(parts: list[Intervals]) -> Intervals:
    """One Intervals from many, each field joined and then let go of: at most one field held twice."""
    if len(parts) == 1:
        return parts[0]
    joined = {}
    for name in ("ia", "ib", "near", "low", "high"):
        joined[name] = np.concatenate([getattr(p, name) for p in parts])
        for p in parts:
            setattr(p, name, None)
    return Intervals(**joined)


def _pick(frame: pd.DataFrame, columns: Columns, geometry: str) -> list[str]:
    present = [c for c in frame.columns if c != geometry]
    if columns == "all":
        return present
    if columns is None:
        return [c for c in _COMPACT if c in frame.columns] + ([] if "id" in frame.columns else ["index"])
    return [c for c in columns if c in present or c == "index"]


def _check_columns(a: pd.DataFrame, b: pd.DataFrame, columns: Columns) -> None:
    if columns is None or columns == "all":
        return
    if isinstance(columns, str):
        msg = f"columns must be a list of names, 'all' or None (compact), got {columns!r}."
        raise TypeError(msg)
    known = set(a.columns) | set(b.columns) | {"index"}
    if missing := [c for c in columns if c not in known]:
        msg = f"columns {missing} are in neither layer. Columns present: {sorted(known - {'geometry'})}."
        raise ValueError(msg)


def _frame(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    iv: Intervals,
    *,
    columns: Columns,
    suffixes: tuple[str, str],
) -> gpd.GeoDataFrame:
    """One row per pair: chosen columns of both sides, a's geometry (in a's CRS) and the distances."""
    data: dict[str, object] = {}
    for frame, rows, suffix in ((a, iv.ia, suffixes[0]), (b, iv.ib, suffixes[1])):
        for col in _pick(frame, columns, frame.geometry.name):
            values = frame.index if col == "index" else frame[col]
            data[f"{col}{suffix}"] = np.asarray(values.take(rows)) if col == "index" else values.array.take(rows)
    data["distance_m"], data["distance_min_m"], data["distance_max_m"] = iv.near, iv.low, iv.high
    frame = pd.DataFrame(data, copy=False)  # no consolidation: the arrays are not copied again
    return gpd.GeoDataFrame(frame, geometry=a.geometry.array.take(iv.ia), crs=a.crs, copy=False)


def _notes(a: pd.DataFrame, b: pd.DataFrame, iv: Intervals, names: tuple[str, str]) -> pd.Series | None:
    """Words for pairs where a side is not a site: 'deposits: location known only to its country'."""
    if "location_precision" not in a and "location_precision" not in b:
        return None
    parts = []
    for frame, rows, label in ((b, iv.ib, names[1]), (a, iv.ia, names[0])):
        if "location_precision" not in frame:
            continue
        levels = pd.Series(frame["location_precision"].to_numpy(dtype=object)[rows], dtype=object)
        words = pd.Series(pd.NA, index=levels.index, dtype="string")
        for level in ("town", "district", "region", "country"):
            words[(levels == level).to_numpy()] = f"{label}: location known only to its {level}"
        if "uncertainty_m" in frame:  # a point's radius, in the words: a "town" may be placed 150 km off
            radius = pd.to_numeric(pd.Series(frame["uncertainty_m"].to_numpy()[rows]), errors="coerce")
            pointlike = levels.isin(["town", "district"]).to_numpy() & (radius > 0).to_numpy()
            km = (radius[pointlike] / 1000).round().astype("int64").astype("string")
            words[pointlike] = words[pointlike] + " (±" + km + " km)"
        parts.append(words)
    joined = parts[0] if len(parts) == 1 else parts[0].str.cat(parts[1], sep="; ", na_rep="").str.strip("; ")
    joined = joined.mask(joined == "")
    return joined


def within_distance(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    distance_m: float | str,
    *,
    include_no: bool = False,
    columns: Columns = None,
    suffixes: tuple[str, str] = ("_a", "_b"),
    names: tuple[str, str] = ("a", "b"),
) -> gpd.GeoDataFrame:
    """Pair features of `a` and `b` that are, or may be, within `distance_m` geodesic metres.

    Parameters
    ----------
    a, b
        Layers with a CRS (any; distances are geodesic whatever the CRS). Features without a
        location are left out.
    distance_m
        The threshold: metres (a number) or text such as ``"300 km"`` or ``"2500 m"``.
    include_no
        Also return the pairs whose answer is ``no`` (every a x b pair; small layers only).
    columns
        Which columns of `a` and `b` to keep: ``None`` (default) keeps ``id``, ``name`` and
        ``location_precision`` where present (the row label as ``index`` where there is no ``id``);
        a list keeps those names from whichever side has them; ``"all"`` keeps everything.
    suffixes
        Added to the column names of `a` and `b`.
    names
        Layer names for messages and notes.

    Returns
    -------
    gpd.GeoDataFrame
        One row per pair, ordered by `a` then by guaranteed distance, with `a`'s geometry in `a`'s
        CRS, ``distance_m`` (between the nearest points), ``distance_min_m``/``distance_max_m``
        (the interval the location precisions allow), ``within_status`` (``yes``/``possibly``/``no``)
        and, where a layer states precisions, ``note`` in words for region-, country-, town- or
        district-level matches.

    Raises
    ------
    ValueError, TypeError
        A distance that is not positive metres or kilometres; unknown `columns`.
    CRSError
        If either layer has no CRS.

    Notes
    -----
    The pairs are those whose geodesic distance on the WGS84 ellipsoid (``pyproj.Geod``, between
    the nearest points) is within the threshold, point to point exactly what ``Geod.inv`` gives. A
    planar join in a projected CRS (``to_crs(...)`` then ``sjoin(predicate="dwithin")``) measures in
    the projection instead, and disagrees with this answer about pairs whose geodesic distance lies
    within :data:`PROJECTED_TOLERANCE` (1.5%) of the threshold: at 25 km, pairs between 24.6 and
    25.4 km. Those pairs are the planar join's error, not this one's. In the README's benchmark
    (1M points x 200 polygons) the two answers differ by a few pairs in 900,000.
    """
    limit = parse_distance_m(distance_m)
    if is_lazy(a):
        return map_with(
            within_distance,
            a,
            b,
            limit,
            name=names[1],
            include_no=include_no,
            columns=columns,
            suffixes=suffixes,
            names=names,
        )
    b = in_memory(b, name=names[1])
    _check_columns(a, b, columns)
    sa, sb = side(a, name=names[0]), side(b, name=names[1])
    iv = evaluate(sa, sb, *_dense(sa, sb)) if include_no else _pairs_within(sa, sb, limit)
    del sa, sb  # the prepared coordinates go before the result is built: a lower peak
    iv = _ordered(iv)
    out = _frame(a, b, iv, columns=columns, suffixes=suffixes)
    code = np.where(iv.high <= limit, 0, np.where(iv.low <= limit, 1, 2))
    out["within_status"] = pd.Categorical.from_codes(code, categories=pd.Index(STATUS))
    if (notes := _notes(a, b, iv, names)) is not None:
        out["note"] = notes.to_numpy()
    logger.info("%s x %s within %.0f m: %d pairs", names[0], names[1], limit, len(out))
    return out


def _kth(iv: Intervals, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per left row present: the row, its number of candidates and the k-th smallest upper bound."""
    order = np.lexsort((iv.near, iv.high, iv.ia))
    rows, first, counts = np.unique(iv.ia[order], return_index=True, return_counts=True)
    pick = first + np.minimum(k, counts) - 1
    return rows, counts, iv.high[order][pick]


def _nearest_pairs(a: Side, b: Side, k: int) -> Intervals:
    """Candidates for the k nearest: every b whose lower bound could beat the k-th guaranteed distance.

    The search radius grows until, for each feature of `a`, every feature of `b` that could be
    nearer than its k-th guaranteed distance lies inside it.
    """
    widest = b.radius.max(initial=0)
    want = min(k, len(b.rows))
    radius = _first_radius(a, b)
    pending, found = a.rows, []
    while len(pending):
        for start in range(0, len(pending), CHUNK):
            part = pending[start : start + CHUNK]
            if a.points:
                ia, ib = candidates_within(a, b, np.full(b.n, radius), part)
            else:
                hit, jb = shapely.STRtree(b.metric()[b.rows]).query(
                    a.metric()[part], predicate="dwithin", distance=radius
                )
                ia, ib = part[hit], b.rows[jb]
            found.append(evaluate(a, b, ia, ib, reach=radius))
        iv = Intervals(*(np.concatenate([getattr(p, f) for p in found]) for f in ("ia", "ib", "near", "low", "high")))
        rows, counts, kth = _kth(iv, k)
        need = (kth + a.radius[rows] + widest) * (1 + METRIC_MAX_ERROR)
        done = (counts >= len(b.rows)) | ((counts >= want) & (need <= radius))
        found = [Intervals(*(v[np.isin(iv.ia, rows[done])] for v in (iv.ia, iv.ib, iv.near, iv.low, iv.high)))]
        pending = np.setdiff1d(pending, rows[done])
        waiting = need[~done & (counts >= want)]
        radius = max(2 * radius, float(waiting.min()) if len(waiting) else 0.0)
        if radius > _EARTH_M:  # only unprojectable points are left: they get no answer
            logger.warning("%d feature(s) of a could not be placed in the projected CRS", len(pending))
            break
    return found[0] if found else Intervals(*(np.empty(0, t) for t in (np.int64, np.int64, float, float, float)))


def _first_radius(a: Side, b: Side) -> float:
    """Return a first search radius: the median planar distance from `a` to the nearest point of any `b` vertex."""
    vertices = np.asarray(shapely.points(shapely.get_coordinates(b.metric()[b.rows])), dtype=object)
    tree = shapely.STRtree(vertices)
    sample = a.rows[:: max(1, len(a.rows) // 1000)]
    _, distance = tree.query_nearest(a.metric()[sample], return_distance=True, all_matches=False)
    return float(np.median(distance)) * (1 + METRIC_MAX_ERROR) + b.radius.max(initial=0) + 1.0


def nearest(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    k: int = 1,
    max_distance_m: float | str | None = None,
    columns: Columns = None,
    suffixes: tuple[str, str] = ("_a", "_b"),
    names: tuple[str, str] = ("a", "b"),
) -> gpd.GeoDataFrame:
    """For each feature of `a`, the `k` features of `b` nearest by *guaranteed* distance, and any that could be nearer.

    The rule (see the module docstring for a worked example): candidates are ordered by the upper
    bound of their distance interval (``distance_max_m``), then by ``distance_m``. The first `k`
    are the answer (``nearest_status`` = ``nearest``, ``rank`` 1..k); every other candidate whose
    lower bound (``distance_min_m``) is below the k-th answer's upper bound is listed too, as
    ``could be nearer``. A feature known only to its region or country is therefore never "the
    nearest, 0 m" just because its area contains the point; its ``note`` says so in words.

    Parameters
    ----------
    a, b
        Layers with a CRS.
    k
        How many answers per feature of `a`.
    max_distance_m
        Drop candidates whose lower bound exceeds this (metres or text such as ``"50 km"``).
    columns, suffixes, names
        As in :func:`within_distance`.

    Returns
    -------
    gpd.GeoDataFrame
        The columns of :func:`within_distance` without ``within_status``, plus ``rank`` (order by
        guaranteed distance) and ``nearest_status``.
    """
    if not isinstance(k, int | np.integer) or k < 1:
        msg = f"k must be a whole number of at least 1, got {k!r}."
        raise ValueError(msg)
    limit = None if max_distance_m is None else parse_distance_m(max_distance_m, name="max_distance_m")
    if is_lazy(a):
        return map_with(
            nearest, a, b, name=names[1], k=k, max_distance_m=limit, columns=columns, suffixes=suffixes, names=names
        )
    b = in_memory(b, name=names[1])
    _check_columns(a, b, columns)
    sa, sb = side(a, name=names[0]), side(b, name=names[1])
    if len(sa.rows) and len(sb.rows):
        iv = _nearest_pairs(sa, sb, int(k))
    else:
        empty = np.empty(0, np.int64)
        iv = Intervals(empty, empty, np.empty(0), np.empty(0), np.empty(0))
    order = np.lexsort((iv.near, iv.high, iv.ia))
    iv = Intervals(*(v[order] for v in (iv.ia, iv.ib, iv.near, iv.low, iv.high)))
    starts = np.r_[0, np.flatnonzero(np.diff(iv.ia)) + 1] if len(iv.ia) else np.empty(0, np.int64)
    ends = np.r_[starts[1:], len(iv.ia)]
    group = np.repeat(np.arange(len(starts)), ends - starts)
    rank = np.arange(len(iv.ia)) - starts[group] + 1
    kth = iv.high[np.minimum(starts[group] + k - 1, ends[group] - 1)]
    keep = (rank <= k) | (iv.low < kth)
    if limit is not None:
        keep &= iv.low <= limit
    iv = Intervals(*(v[keep] for v in (iv.ia, iv.ib, iv.near, iv.low, iv.high)))
    starts = np.r_[0, np.flatnonzero(np.diff(iv.ia)) + 1] if len(iv.ia) else np.empty(0, np.int64)
    rank = np.arange(len(iv.ia)) - np.repeat(starts, np.diff(np.r_[starts, len(iv.ia)])) + 1
    out = _frame(a, b, iv, columns=columns, suffixes=suffixes)
    out["rank"] = rank
    out["nearest_status"] = pd.Categorical.from_codes((rank > k).astype(int), categories=pd.Index(NEAREST_STATUS))
    if (notes := _notes(a, b, iv, names)) is not None:
        out["note"] = notes.to_numpy()
    return out


def _taken(frame: pd.DataFrame, col: str, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """`col` of `frame` at positions `rows`; ``-1`` gives a missing value."""
    values = pd.Series(frame.index) if col == "index" else frame[col]
    return values.array.take(rows, allow_fill=True)


def near_summary(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    distance_m: float | str,
    *,
    suffixes: tuple[str, str] = ("_a", "_b"),
    names: tuple[str, str] = ("a", "b"),
) -> gpd.GeoDataFrame:
    """One row per feature of `a`: its nearest feature of `b` by guaranteed distance, and how many are within.

    The nearest follows the rule of :func:`nearest` (smallest upper bound); the counts follow
    :func:`within_distance` for `distance_m`.

    Parameters
    ----------
    a, b
        Layers with a CRS.
    distance_m
        The threshold for the counts: metres or text such as ``"300 km"``.
    suffixes, names
        As in :func:`within_distance`.

    Returns
    -------
    gpd.GeoDataFrame
        Every feature of `a` in its order, with its geometry: ``id``, ``name`` and
        ``location_precision`` of each side (those present), ``distance_m``, ``distance_min_m`` and
        ``distance_max_m`` of the nearest, ``could_be_nearer`` (other features whose lower bound is below
        the nearest's upper bound), ``n_yes`` and ``n_possibly`` (features of `b` within `distance_m`
        for certain, or possibly) and ``note``. A feature with no location has no nearest and counts 0.
    """
    limit = parse_distance_m(distance_m)
    if is_lazy(a):
        return map_with(near_summary, a, b, limit, name=names[1], suffixes=suffixes, names=names)
    b = in_memory(b, name=names[1])
    sa, sb = side(a, name=names[0]), side(b, name=names[1])
    n = len(a)
    empty = np.empty(0, np.int64)
    none = Intervals(empty, empty, np.empty(0), np.empty(0), np.empty(0))
    found = _nearest_pairs(sa, sb, 1) if len(sa.rows) and len(sb.rows) else none
    order = np.lexsort((found.near, found.high, found.ia))
    found = Intervals(*(v[order] for v in (found.ia, found.ib, found.near, found.low, found.high)))
    rows, first = np.unique(found.ia, return_index=True)
    best = Intervals(*(v[first] for v in (found.ia, found.ib, found.near, found.low, found.high)))
    pick = np.full(n, -1)
    pick[rows] = best.ib
    data: dict[str, object] = {}
    for col in _pick(a, None, a.geometry.name):
        data[f"{col}{suffixes[0]}"] = np.asarray(a.index) if col == "index" else a[col].array
    for col in _pick(b, None, b.geometry.name):
        data[f"{col}{suffixes[1]}"] = _taken(b, col, pick)
    for col, values in (("distance_m", best.near), ("distance_min_m", best.low), ("distance_max_m", best.high)):
        column = np.full(n, np.nan)
        column[rows] = values
        data[col] = column
    at = np.searchsorted(rows, found.ia)  # each candidate's row of `best`
    beaten = (found.low < best.high[at]) & (found.ib != best.ib[at])
    data["could_be_nearer"] = np.bincount(found.ia[beaten], minlength=n)
    pairs = _pairs_within(sa, sb, limit) if len(sa.rows) and len(sb.rows) else none
    data["n_yes"] = np.bincount(pairs.ia[pairs.high <= limit], minlength=n)
    data["n_possibly"] = np.bincount(pairs.ia[pairs.high > limit], minlength=n)
    out = gpd.GeoDataFrame(pd.DataFrame(data), geometry=a.geometry.array, crs=a.crs)
    if (notes := _notes(a, b, best, names)) is not None:
        note = pd.Series(pd.NA, index=out.index, dtype="string")
        note.iloc[rows] = notes.to_numpy()
        out["note"] = note
    logger.info("%s: nearest of %s for %d features, counts within %.0f m", names[0], names[1], len(rows), limit)
    return out
