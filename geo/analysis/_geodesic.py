"""Vectorised kernels behind :mod:`geo.analysis.proximity`: candidates in a projected CRS, answers on the ellipsoid.

The projected CRS (``geo.crs.METRIC``) only proposes candidates: its distances are within
``METRIC_MAX_ERROR`` (1.5%, measured by a test over 50-85 E, 37-55 N) of the geodesic ones, so a
search radius widened by that factor never misses a pair. Every distance reported is then
geodesic on the WGS84 ellipsoid (``pyproj.Geod.inv``) between the nearest points found in the
projection.

For a layer of points (the large side in practice) nothing here builds a shapely geometry per
point: coordinates are moved as arrays, candidates come from a grid of the other side's
bounding boxes, a point inside a polygon is found with ``shapely.contains_xy`` (distance 0), and
the nearest point on a line or polygon boundary comes from numpy over its segments. The work is
done in chunks of points, so memory stays bounded whatever the number of points. No thread
pool: parallelism belongs to the caller (dask, see :mod:`geo.analysis.scale`).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from geo import precision
from geo.crs import GEOD, METRIC, WGS84, reproject, require_crs

__all__ = ["METRIC_MAX_ERROR", "Side", "candidates_within", "evaluate", "side"]

#: The largest relative distance error of ``METRIC`` over Central Asia (tests measure it).
METRIC_MAX_ERROR = 0.015
#: Edges of lon/lat lines and polygons are split to this length before projecting, so that the
#: projected edge follows the edge in degrees (a 0.1 degree chord bows at most about 2 m; a test measures it).
DENSIFY_DEGREES = 0.1
#: Points handled at once: bounds the memory of the temporary arrays (candidate pairs are about 1.6x
#: this many, each with a dozen temporary arrays), and keeps each chunk's arrays the same size call after call.
CHUNK = 250_000
_BLOCK = 1 << 15  # elements of one (points x segments) block: a few hundred kB, in cache
_FAR_BLOCK = 1_000_000  # elements of one (points x hull vertices) block
_MAX_CELLS = 1 << 20
_MANY_SEGMENTS = 256  # above this, the nearest segment comes from a tree of segments
_LOCAL = threading.local()
_POINT = 0  # shapely type id
_POLYGONAL = (3, 6)  # Polygon, MultiPolygon


def transformer(src: str, dst: str) -> Transformer:
    """Return this thread's Transformer (pyproj transformers must not be shared between threads)."""
    cache = _LOCAL.__dict__.setdefault("transformers", {})
    if (src, dst) not in cache:
        cache[(src, dst)] = Transformer.from_crs(src, dst, always_xy=True)
    return cache[(src, dst)]


@dataclass
class Side:
    """One layer prepared for distance work (positions are rows of the original frame)."""

    n: int
    rows: np.ndarray  # positions with a geometry
    radius: np.ndarray  # uncertainty_m per row
    area: np.ndarray  # somewhere inside its (area) geometry
    points: bool  # every located feature is a single point
    lon: np.ndarray = field(default_factory=lambda: np.empty(0))  # WGS84 coordinates of points (by row)
    lat: np.ndarray = field(default_factory=lambda: np.empty(0))
    x: np.ndarray = field(default_factory=lambda: np.empty(0))  # METRIC coordinates of points (by row)
    y: np.ndarray = field(default_factory=lambda: np.empty(0))
    geoms: np.ndarray | None = None  # METRIC geometries (by row; built lazily for points)
    extra: dict[str, object] = field(default_factory=dict)

    def metric(self) -> np.ndarray:
        """METRIC geometries by row (points are built here, once, only when a caller needs them)."""
        if self.geoms is None:
            self.geoms = np.asarray(shapely.points(self.x, self.y), dtype=object)
        return self.geoms


def side(gdf: gpd.GeoDataFrame, *, name: str) -> Side:
    """Prepare `gdf`: METRIC coordinates (points) or geometries, radii and the somewhere-inside flags."""
    require_crs(gdf, name=name)
    geoms = gdf.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(located)
    types = shapely.get_type_id(geoms[rows])
    radius, area = precision.uncertainty_m(gdf), precision.somewhere_inside(gdf)
    if len(rows) and (types == _POINT).all():
        if len(rows) == len(gdf):  # the usual case: every point located, no copies by row
            px, py = shapely.get_x(geoms), shapely.get_y(geoms)
        else:
            px, py = np.full(len(gdf), np.nan), np.full(len(gdf), np.nan)
            px[rows], py[rows] = shapely.get_x(geoms[rows]), shapely.get_y(geoms[rows])
        src = gdf.crs.to_wkt() if not gdf.crs.equals(WGS84) else WGS84
        lon, lat = transformer(src, WGS84).transform(px, py) if src != WGS84 else (px, py)
        x, y = transformer(WGS84, METRIC).transform(lon, lat)  # NaN stays NaN
        return Side(len(gdf), rows, radius, np.zeros(len(gdf), bool), True, lon, lat, x, y)
    if gdf.crs.is_geographic:  # edges are straight in degrees: keep them so once projected
        gdf = gdf.set_geometry(shapely.segmentize(geoms, DENSIFY_DEGREES), crs=gdf.crs)
    metric = reproject(gdf, METRIC, name=name).geometry.to_numpy()
    return Side(len(gdf), rows, radius, area, False, geoms=metric)


# --- candidates -----------------------------------------------------------------------------------


def _grid_join(x: np.ndarray, y: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (point i, box j) with point i inside box j: a uniform grid over the boxes, all in numpy."""
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    # Cells a quarter of the typical box: a point's cell lists few boxes it is not in (about 1.6x the
    # true pairs for overlapping buffers, against 4x with cells the size of a box).
    cell = max(float(np.median(size)) / 4, max(x1 - x0, y1 - y0) / 1024, 1.0)
    nx, ny = int((x1 - x0) // cell) + 1, int((y1 - y0) // cell) + 1
    while nx * ny > _MAX_CELLS:
        cell *= 2
        nx, ny = int((x1 - x0) // cell) + 1, int((y1 - y0) // cell) + 1
    i0, i1 = ((boxes[:, 0] - x0) // cell).astype(np.int64), ((boxes[:, 2] - x0) // cell).astype(np.int64)
    j0, j1 = ((boxes[:, 1] - y0) // cell).astype(np.int64), ((boxes[:, 3] - y0) // cell).astype(np.int64)
    width = i1 - i0 + 1
    counts = width * (j1 - j0 + 1)
    box = np.repeat(np.arange(len(boxes)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cells = (j0[box] + local // width[box]) * nx + i0[box] + local % width[box]
    order = np.argsort(cells, kind="stable")
    box_sorted = box[order]
    per_cell = np.bincount(cells, minlength=nx * ny)
    start = np.cumsum(per_cell) - per_cell
    idx = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    pc = ((y[idx] - y0) // cell).astype(np.int64) * nx + ((x[idx] - x0) // cell).astype(np.int64)
    k = per_cell[pc]
    ia = np.repeat(idx, k)
    ib = box_sorted[np.repeat(start[pc], k) + np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)]
    keep = (x[ia] >= boxes[ib, 0]) & (x[ia] <= boxes[ib, 2]) & (y[ia] >= boxes[ib, 1]) & (y[ia] <= boxes[ib, 3])
    return ia[keep], ib[keep]


def candidates_within(a: Side, b: Side, reach: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs that may lie within `reach` (planar metres per row of `b`, already widened) of each other.

    `a` is a points side; only its `rows` are searched.
    """
    if not len(b.rows) or not len(a.x) or not len(rows):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    bounds = shapely.bounds(b.metric()[b.rows])
    grow = reach[b.rows][:, None]
    boxes = bounds + np.hstack([-grow, -grow, grow, grow])
    x, y = a.x[rows], a.y[rows]
    valid = ~np.isnan(x)
    ia, jb = _grid_join(np.where(valid, x, np.inf), np.where(valid, y, np.inf), boxes)
    return rows[ia], b.rows[jb]


# --- nearest points, from a points side ---------------------------------------------------------


def _segments(geom: shapely.Geometry) -> np.ndarray:
    """Return the segments (x0, y0, x1, y1) of a geometry's linework; a point is a zero-length segment."""
    kind = shapely.get_type_id(geom)
    if kind in (_POINT, 4):  # Point, MultiPoint
        c = shapely.get_coordinates(geom)
        return np.hstack([c, c])
    lines = shapely.boundary(geom) if kind in _POLYGONAL else geom
    parts = []
    for part in shapely.get_parts(shapely.get_parts(lines)):  # collections, then their parts
        if shapely.get_type_id(part) == _POINT:
            c = shapely.get_coordinates(part)
            parts.append(np.hstack([c, c]))
        else:
            c = shapely.get_coordinates(part)
            parts.append(np.hstack([c[:-1], c[1:]]))
    return np.vstack(parts) if parts else np.empty((0, 4))


def _nearest_on(px: np.ndarray, py: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planar distance from each point to the nearest of `seg`, and that nearest point.

    Blocks of (points x segments) small enough to stay in cache, computed in place in buffers
    allocated once per call: no full-size temporaries, so nothing large is freed and re-faulted.
    """
    d, qx, qy = np.empty(len(px)), np.empty(len(px)), np.empty(len(px))
    ax, ay = seg[:, 0], seg[:, 1]
    dx, dy = seg[:, 2] - ax, seg[:, 3] - ay
    length2 = dx * dx + dy * dy
    inverse = np.divide(1.0, length2, out=np.zeros_like(length2), where=length2 > 0)  # zero length: t = 0
    m = max(len(seg), 1)
    step = max(1, _BLOCK // m)
    rows = min(step, len(px))
    ex, ey, t, w = (np.empty((rows, m)) for _ in range(4))
    for s in range(0, len(px), step):
        x, y = px[s : s + step, None], py[s : s + step, None]
        k = len(x)
        e, f, tk, wk = ex[:k], ey[:k], t[:k], w[:k]
        np.subtract(x, ax, out=e)
        np.subtract(y, ay, out=f)
        np.multiply(e, dx, out=tk)
        np.multiply(f, dy, out=wk)
        tk += wk
        tk *= inverse
        np.clip(tk, 0.0, 1.0, out=tk)
        np.multiply(tk, dx, out=wk)
        e -= wk
        np.multiply(tk, dy, out=wk)
        f -= wk
        e *= e
        f *= f
        e += f
        j = e.argmin(axis=1)
        r = np.arange(k)
        tj = tk[r, j]
        d[s : s + k] = np.sqrt(e[r, j])
        qx[s : s + k] = ax[j] + tj * dx[j]
        qy[s : s + k] = ay[j] + tj * dy[j]
    return d, qx, qy


def _on_segments(px: np.ndarray, py: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planar distance from point i to segment i, and the nearest point on it."""
    ax, ay, dx, dy = seg[:, 0], seg[:, 1], seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
    length2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    qx, qy = ax + t * dx, ay + t * dy
    return np.hypot(px - qx, py - qy), qx, qy


@dataclass
class _Shape:
    """What is precomputed once per feature of the non-point side."""

    segments: np.ndarray
    centre: tuple[float, float]
    inner: float  # radius of a circle around `centre` inside the polygon (0 if none)
    outer: float  # distance from `centre` to the farthest vertex
    polygonal: bool
    tree: shapely.STRtree | None = None  # over the segments, for features with many of them


def _shape(geom: shapely.Geometry) -> _Shape:
    polygonal = shapely.get_type_id(geom) in _POLYGONAL
    seg = _segments(geom)
    if polygonal:
        line = shapely.maximum_inscribed_circle(geom, max(float(shapely.length(geom)) / 1e4, 1.0))
        (cx, cy), (ex, ey) = shapely.get_coordinates(line)
        inner = float(np.hypot(ex - cx, ey - cy))
    else:
        cx, cy = shapely.get_coordinates(shapely.centroid(geom))[0]
        inner = 0.0
    ends = seg.reshape(-1, 2)
    outer = float(np.hypot(ends[:, 0] - cx, ends[:, 1] - cy).max()) if len(ends) else 0.0
    lines = np.asarray(shapely.linestrings(seg.reshape(-1, 2, 2)), dtype=object)
    tree = shapely.STRtree(lines) if len(seg) > _MANY_SEGMENTS else None
    return _Shape(seg, (float(cx), float(cy)), inner, outer, polygonal, tree)


def _shapes(b: Side, rows: np.ndarray) -> dict[int, _Shape]:
    cache: dict[int, _Shape] = b.extra.setdefault("shapes", {})  # type: ignore[assignment]
    geoms = b.metric()
    for j in rows:
        if int(j) not in cache:
            cache[int(j)] = _shape(geoms[j])
    return cache


def _planar_from_points(
    a: Side, b: Side, ia: np.ndarray, ib: np.ndarray, reach: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planar distance and nearest point on `b` for points of `a`; inf where surely beyond `reach`."""
    if b.points:  # point to point: the nearest point is b itself
        qx, qy = b.x[ib], b.y[ib]
        return np.hypot(a.x[ia] - qx, a.y[ia] - qy), qx, qy
    order = np.argsort(ib.astype(np.uint16) if b.n <= 1 << 16 else ib, kind="stable")  # uint16: a radix sort
    sib = ib[order]
    cuts = np.r_[0, np.flatnonzero(np.diff(sib)) + 1, len(sib)]
    px_all, py_all, reach_all = a.x[ia[order]], a.y[ia[order]], reach[order]  # grouped by feature: slices
    d, qx, qy = np.full(len(ia), np.inf), np.full(len(ia), np.nan), np.full(len(ia), np.nan)
    geoms = b.metric()
    for lo, hi in itertools.pairwise(cuts.tolist()):
        if lo == hi:
            continue
        j = int(sib[lo])
        shape = _shapes(b, np.array([j]))[j]
        px, py, rg = px_all[lo:hi], py_all[lo:hi], reach_all[lo:hi]
        dc = np.hypot(px - shape.centre[0], py - shape.centre[1])
        open_ = dc - shape.outer <= rg  # else surely too far
        if shape.polygonal:
            inside = dc < shape.inner
            maybe = open_ & ~inside
            inside[maybe] = shapely.contains_xy(geoms[j], px[maybe], py[maybe])
            d[lo:hi][inside] = 0.0
            qx[lo:hi][inside], qy[lo:hi][inside] = px[inside], py[inside]
            open_ &= ~inside
        if shape.tree is not None and np.isfinite(rg).all():  # prepared test: within reach at all?
            shapely.prepare(geoms[j])
            open_[open_] = shapely.dwithin(geoms[j], shapely.points(px[open_], py[open_]), rg[open_])
        sel = np.flatnonzero(open_) + lo
        if shape.tree is not None:  # many segments: the nearest one from a tree, then the point on it
            _, k = shape.tree.query_nearest(shapely.points(px[open_], py[open_]), all_matches=False)
            d[sel], qx[sel], qy[sel] = _on_segments(px[open_], py[open_], shape.segments[k])
        else:
            d[sel], qx[sel], qy[sel] = _nearest_on(px[open_], py[open_], shape.segments)
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return d[back], qx[back], qy[back]


# --- farthest points, for features somewhere inside an area -------------------------------------


def _farthest(a: Side, b: Side, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Geodesic metres to the farthest point of the area of `b` (from a point or an area of `a`).

    The farthest point of a polygon is a vertex of its convex hull; every vertex whose planar
    distance is within the projection's error of the planar farthest is measured on the ellipsoid.
    """
    out = np.zeros(len(ia))
    if a.points:  # many points: vectorised per feature of b
        order = np.argsort(ib, kind="stable")
        for group in np.split(order, np.flatnonzero(np.diff(ib[order])) + 1):
            if len(group):
                out[group] = _farthest_from_points(a.x[ia[group]], a.y[ia[group]], _outline(b, int(ib[group[0]])))
        return out
    for i, (ra, rb) in enumerate(zip(ia, ib, strict=True)):
        pa, pb = _outline(a, int(ra)), _outline(b, int(rb))
        best = np.zeros(1)
        for px, py in pa:
            best = np.maximum(best, _farthest_from_points(np.array([px]), np.array([py]), pb))
        out[i] = best[0]
    return out


def _farthest_from_points(px: np.ndarray, py: np.ndarray, hull: np.ndarray) -> np.ndarray:
    slack = (1 - METRIC_MAX_ERROR) / (1 + METRIC_MAX_ERROR)
    out = np.zeros(len(px))
    back = transformer(METRIC, WGS84)
    hlon, hlat = back.transform(hull[:, 0], hull[:, 1])
    step = max(1, _FAR_BLOCK // max(len(hull), 1))
    for s in range(0, len(px), step):
        x, y = px[s : s + step], py[s : s + step]
        planar = np.hypot(x[:, None] - hull[None, :, 0], y[:, None] - hull[None, :, 1])
        rows, cols = np.nonzero(planar >= planar.max(axis=1, keepdims=True) * slack)
        lon, lat = back.transform(x, y)
        far = np.zeros(len(x))
        np.maximum.at(far, rows, GEOD.inv(lon[rows], lat[rows], hlon[cols], hlat[cols])[2])
        out[s : s + step] = far
    return out


def _outline(s: Side, row: int) -> np.ndarray:
    """Return the points that bound how far a feature can be: its convex hull's vertices (or the point itself)."""
    if s.points:
        return np.array([[s.x[row], s.y[row]]])
    cache: dict[int, np.ndarray] = s.extra.setdefault("hulls", {})  # type: ignore[assignment]
    if row not in cache:
        cache[row] = shapely.get_coordinates(shapely.convex_hull(s.metric()[row]))
    return cache[row]


# --- evaluation -------------------------------------------------------------------------------------


@dataclass
class Intervals:
    """Distances for row pairs (ia, ib), all geodesic metres."""

    ia: np.ndarray
    ib: np.ndarray
    near: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _geodesic_general(a: Side, b: Side, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Geodesic metres between the nearest points of any two geometries (0 where they touch)."""
    ga, gb = a.metric()[ia], b.metric()[ib]
    out = np.zeros(len(ia))
    apart = ~shapely.intersects(ga, gb)
    if apart.any():
        ends = shapely.get_coordinates(shapely.shortest_line(ga[apart], gb[apart])).reshape(-1, 2, 2)
        back = transformer(METRIC, WGS84)
        lon1, lat1 = back.transform(ends[:, 0, 0], ends[:, 0, 1])
        lon2, lat2 = back.transform(ends[:, 1, 0], ends[:, 1, 1])
        out[apart] = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    return out


def evaluate(
    a: Side, b: Side, ia: np.ndarray, ib: np.ndarray, *, limit: float | None = None, reach: float | None = None
) -> Intervals:
    """Geodesic distance and its interval for row pairs; with `limit`, drop pairs whose lower bound exceeds it.

    `reach` (planar metres) drops pairs surely farther apart than it, without a `limit`.

    The interval: a point with radius r widens the distance by ±r; a feature somewhere inside an
    area can be anywhere from the area's nearest to its farthest point.
    """
    ua, ub = a.radius[ia], b.radius[ib]
    if a.points:
        widened = (
            np.full(len(ia), np.inf if reach is None else reach)
            if limit is None
            else (limit + ua + ub) * (1 + METRIC_MAX_ERROR)
        )
        planar, qx, qy = _planar_from_points(a, b, ia, ib, widened)
        keep = planar <= widened
        ia, ib, planar, qx, qy, ua, ub = (v[keep] for v in (ia, ib, planar, qx, qy, ua, ub))
        near = np.zeros(len(ia))
        apart = planar > 0
        if apart.any():
            if b.points:
                lon2, lat2 = b.lon[ib[apart]], b.lat[ib[apart]]
            else:
                lon2, lat2 = transformer(METRIC, WGS84).transform(qx[apart], qy[apart])
            near[apart] = GEOD.inv(a.lon[ia[apart]], a.lat[ia[apart]], lon2, lat2)[2]
    else:
        near = _geodesic_general(a, b, ia, ib)
    low = np.maximum(near - ua - ub, 0.0)
    if limit is not None:
        keep = low <= limit
        ia, ib, near, low, ua, ub = (v[keep] for v in (ia, ib, near, low, ua, ub))
    high = near + ua + ub
    areas = a.area[ia] | b.area[ib]
    if areas.any():
        high[areas] = _farthest(a, b, ia[areas], ib[areas]) + ua[areas] + ub[areas]
    return Intervals(ia, ib, near, low, high)
