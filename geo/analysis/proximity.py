"""Proximity with honest uncertainty: geodesic metres, and "within X" as yes / possibly / no.

A projected CRS (``geo.crs.METRIC``, ≤1.5% distance error over Central Asia) is only the fast
prefilter; every distance reported is geodesic on the WGS84 ellipsoid between the nearest points
of the two geometries. A feature's location precision widens the distance into an interval:

- a point with ``uncertainty_m`` (town- or district-level) may lie anywhere within that radius;
- an area with precision ``region`` or ``country`` means "somewhere inside": the distance can be
  anything from the nearest to the farthest point of the area.

``within_distance`` then answers ``yes`` (even the farthest reading is within), ``possibly`` (the
nearest reading is within, the farthest is not) or ``no``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo import precision
from geo.crs import GEOD, METRIC, WGS84, reproject, require_crs

__all__ = ["METRIC_MAX_ERROR", "nearest", "within_distance"]

logger = logging.getLogger(__name__)

#: The largest relative distance error of ``METRIC`` over Central Asia (tests measure it).
METRIC_MAX_ERROR = 0.015
_MAX_DENSE_PAIRS = 5_000_000  # nearest() compares every pair
_LOCAL = threading.local()
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_CHUNK = 100_000  # below this, threads cost more than they save


def _transformer(src: str, dst: str) -> Transformer:
    """Return this thread's Transformer (pyproj transformers must not be shared between threads)."""
    cache = _LOCAL.__dict__.setdefault("transformers", {})
    if (src, dst) not in cache:
        cache[(src, dst)] = Transformer.from_crs(src, dst, always_xy=True)
    return cache[(src, dst)]


def _in_chunks(fn: Callable[..., Any], n: int, *arrays: np.ndarray) -> list[Any]:
    """Apply `fn` to aligned chunks of `arrays` on all cores (shapely and PROJ release the GIL)."""
    if n < 2 * _CHUNK or _WORKERS == 1:
        return [fn(0, *arrays)]
    step = -(-n // _WORKERS)
    jobs = [(start, *(a[start : start + step] for a in arrays)) for start in range(0, n, step)]
    with ThreadPoolExecutor(_WORKERS) as pool:
        return list(pool.map(lambda job: fn(*job), jobs))


def _projected(gdf: gpd.GeoDataFrame, *, name: str) -> np.ndarray:
    """Geometries of `gdf` in METRIC; points are transformed as coordinate arrays, in parallel."""
    require_crs(gdf, name=name)
    geoms = gdf.geometry.to_numpy()
    if len(geoms) < 2 * _CHUNK or not (shapely.get_type_id(geoms) == 0).all():
        return reproject(gdf, METRIC, name=name).geometry.to_numpy()
    src = gdf.crs.to_wkt()

    def run(_start: int, part: np.ndarray) -> np.ndarray:
        x, y = _transformer(src, METRIC).transform(shapely.get_x(part), shapely.get_y(part))
        return shapely.points(x, y)

    return np.concatenate(_in_chunks(run, len(geoms), geoms))


_uncertainty = precision.uncertainty_m
_somewhere_inside = precision.somewhere_inside


def _geodesic_near(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Geodesic metres between the nearest points of METRIC geometries `a[i]` and `b[i]` (0 if they touch)."""
    out = np.zeros(len(a))
    if not len(a):
        return out
    apart = ~shapely.intersects(b, a)  # no shapely.prepare here: this runs in threads on shared geometries
    if apart.any():
        lines = shapely.shortest_line(a[apart], b[apart])
        ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        back = _transformer(METRIC, WGS84)
        lon1, lat1 = back.transform(ends[:, 0, 0], ends[:, 0, 1])
        lon2, lat2 = back.transform(ends[:, 1, 0], ends[:, 1, 1])
        out[apart] = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    return out


def _geodesic_far(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Geodesic metres between the farthest points of `a[i]` and `b[i]` (hull vertices, METRIC input)."""
    out = np.zeros(len(a))
    for i, (ga, gb) in enumerate(zip(a, b, strict=True)):
        pa = shapely.get_coordinates(shapely.convex_hull(ga))
        pb = shapely.get_coordinates(shapely.convex_hull(gb))
        d = np.linalg.norm(pa[:, None, :] - pb[None, :, :], axis=2)
        ia, ib = np.unravel_index(int(d.argmax()), d.shape)
        back = _transformer(METRIC, WGS84)
        (lon1,), (lat1,) = back.transform([pa[ia, 0]], [pa[ia, 1]])
        (lon2,), (lat2,) = back.transform([pb[ib, 0]], [pb[ib, 1]])
        out[i] = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    return out


def _pairs_frame(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    pairs: tuple[np.ndarray, np.ndarray],
    projected: tuple[np.ndarray, np.ndarray],
    *,
    suffixes: tuple[str, str],
) -> gpd.GeoDataFrame:
    """Distances and intervals for index pairs (ia, ib); METRIC geometries (ap, bp)."""
    (ia, ib), (ap, bp) = pairs, projected
    near = np.concatenate(_in_chunks(lambda _s, x, y: _geodesic_near(x, y), len(ia), ap[ia], bp[ib]))
    ua, ub = _uncertainty(a)[ia], _uncertainty(b)[ib]
    low = np.maximum(near - ua - ub, 0.0)
    high = near + ua + ub
    areas = _somewhere_inside(a)[ia] | _somewhere_inside(b)[ib]
    if areas.any():
        high[areas] = _geodesic_far(ap[ia][areas], bp[ib][areas]) + ua[areas] + ub[areas]
    left = a.iloc[ia].reset_index(drop=True).add_suffix(suffixes[0])
    right = pd.DataFrame(b.drop(columns=b.geometry.name).iloc[ib].reset_index(drop=True)).add_suffix(suffixes[1])
    left = left.set_geometry(a.geometry.name + suffixes[0]).rename_geometry("geometry")
    out = pd.concat([left, right], axis=1)
    out["distance_m"] = near
    out["distance_min_m"] = low
    out["distance_max_m"] = high
    return gpd.GeoDataFrame(out, geometry="geometry", crs=a.crs)


def _check(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, names: tuple[str, str]) -> None:
    require_crs(a, name=names[0])
    require_crs(b, name=names[1])


def within_distance(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    distance_m: float,
    *,
    include_no: bool = False,
    suffixes: tuple[str, str] = ("_a", "_b"),
    names: tuple[str, str] = ("a", "b"),
) -> gpd.GeoDataFrame:
    """Pair features of `a` and `b` that are, or may be, within `distance_m` geodesic metres.

    Parameters
    ----------
    a, b
        Layers with a CRS (any; distances are geodesic whatever the CRS).
    distance_m
        The threshold in metres; must be positive.
    include_no
        Also return the pairs whose answer is ``no`` (every a x b pair).
    suffixes
        Added to the column names of `a` and `b`.
    names
        Layer names for messages.

    Returns
    -------
    gpd.GeoDataFrame
        One row per pair with both layers' columns (geometry of `a`, in `a`'s CRS), ``distance_m``
        (nearest points), ``distance_min_m``/``distance_max_m`` (the interval allowed by the
        location precision) and ``within_status``: ``yes``, ``possibly`` or ``no``.
    """
    if not distance_m > 0:
        msg = f"distance_m must be a positive number of metres, got {distance_m!r}."
        raise ValueError(msg)
    _check(a, b, names)
    ap, bp = _projected(a, name=names[0]), _projected(b, name=names[1])
    if include_no:
        if len(a) * len(b) > _MAX_DENSE_PAIRS:
            msg = f"include_no=True lists every pair; {len(a)} x {len(b)} is too many. Leave it off."
            raise ValueError(msg)
        ia, ib = np.repeat(np.arange(len(a)), len(b)), np.tile(np.arange(len(b)), len(a))
    else:  # prefilter in the projected CRS with a margin for its error and the uncertainty radii
        margin = distance_m * (1 + METRIC_MAX_ERROR) + _uncertainty(a).max(initial=0) + _uncertainty(b).max(initial=0)
        tree = shapely.STRtree(bp)

        def query(start: int, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            left, right = tree.query(part, predicate="dwithin", distance=margin)
            return left + start, right

        found = _in_chunks(query, len(ap), ap)
        ia, ib = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    pairs = _pairs_frame(a, b, (ia, ib), (ap, bp), suffixes=suffixes)
    pairs["within_status"] = np.select(
        [pairs["distance_max_m"] <= distance_m, pairs["distance_min_m"] <= distance_m], ["yes", "possibly"], "no"
    )
    if not include_no:
        pairs = pairs[pairs["within_status"] != "no"].reset_index(drop=True)
    logger.info("%s x %s within %.0f m: %d pairs", names[0], names[1], distance_m, len(pairs))
    return pairs


def nearest(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    k: int = 1,
    max_distance_m: float | None = None,
    suffixes: tuple[str, str] = ("_a", "_b"),
    names: tuple[str, str] = ("a", "b"),
) -> gpd.GeoDataFrame:
    """For each feature of `a`, its `k` nearest features of `b` by geodesic distance.

    Candidates are ranked in the projected CRS, taking a few more than `k` to absorb its
    error, then re-ranked by geodesic distance. Returns the same columns as
    :func:`within_distance` plus ``rank`` (1 = nearest); without `max_distance_m` every
    feature of `a` gets `k` rows (fewer if `b` is smaller).
    """
    if k < 1:
        msg = f"k must be at least 1, got {k!r}."
        raise ValueError(msg)
    if max_distance_m is not None and not max_distance_m > 0:
        msg = f"max_distance_m must be a positive number of metres, got {max_distance_m!r}."
        raise ValueError(msg)
    _check(a, b, names)
    ap, bp = _projected(a, name=names[0]), _projected(b, name=names[1])
    take = min(len(b), k + 3)
    planar = shapely.distance(ap[:, None], bp[None, :]) if len(a) * len(b) <= _MAX_DENSE_PAIRS else None
    if planar is None:
        msg = f"nearest() compares every pair; {len(a)} x {len(b)} is too many. Use within_distance() first."
        raise ValueError(msg)
    order = np.argsort(planar, axis=1)[:, :take]
    ia, ib = np.repeat(np.arange(len(a)), take), order.ravel()
    pairs = _pairs_frame(a, b, (ia, ib), (ap, bp), suffixes=suffixes)
    pairs["_a"] = ia
    pairs = pairs.sort_values(["_a", "distance_m"], kind="stable")
    pairs["rank"] = pairs.groupby("_a").cumcount() + 1
    pairs = pairs[pairs["rank"] <= k]
    if max_distance_m is not None:
        pairs = pairs[pairs["distance_min_m"] <= max_distance_m]
    return pairs.drop(columns="_a").reset_index(drop=True)
