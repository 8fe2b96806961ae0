"""Candidate parcels of a given area on a suitability raster: compact, contiguous, non-overlapping.

``site_parcels`` answers "where could 25,000 ha go?" as *candidates*, never as anyone's actual site.
Each parcel grows from the best remaining seed (the highest suitability averaged over a window the
size of a parcel) by adding the most suitable neighbouring pixel, penalised by its distance from
the seed so that parcels stay compact, until its area (summed from per-pixel areas on the
ellipsoid, or from an equal-area grid) reaches the target. Parcels keep a one-pixel gap between
them. Areas are then measured on the polygons in ``geo.crs.EQUAL_AREA`` and must be within
`tolerance` of the target.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio.features import shapes
from scipy import ndimage

from geo.analysis.proximity import nearest
from geo.catalog import default
from geo.crs import GEOD, WGS84, area_ha, reproject
from geo.errors import GeoToolkitError
from geo.raster.suitability import Grid

__all__ = ["RANK_RULE", "SitingResult", "site_parcels"]

logger = logging.getLogger(__name__)
_M2_PER_HA = 10_000.0
_NEIGHBOURS = ((-1, 0), (1, 0), (0, -1), (0, 1))


@dataclass
class SitingResult:
    """The parcels found, and why fewer than asked were found (if so)."""

    parcels: gpd.GeoDataFrame
    requested: int
    reason: str | None = None


def _pixel_area_ha(grid: Grid) -> np.ndarray:
    height, width = grid.values.shape
    t = grid.transform
    if grid.crs == WGS84:  # geographic: each row's pixel area on the ellipsoid
        top = t.f + t.e * np.arange(height)
        bottom = top + t.e
        lon0, lon1 = np.full(height, t.c), np.full(height, t.c + t.a)
        rows = (
            np.array(
                [
                    abs(GEOD.polygon_area_perimeter([a, b, b, a], [lo, lo, hi, hi])[0])
                    for a, b, lo, hi in zip(lon0, lon1, bottom, top, strict=True)
                ]
            )
            / _M2_PER_HA
        )
        return np.repeat(rows[:, None], width, axis=1)
    return np.full((height, width), abs(t.a * t.e) / _M2_PER_HA)


def _grow(
    score: np.ndarray,
    free: np.ndarray,
    seed: tuple[int, int],
    *,
    area: np.ndarray,
    target_ha: float,
    radius_px: float,
) -> np.ndarray | None:
    """Grow one 4-connected parcel from `seed`; None if the connected free area is too small."""
    height, width = score.shape
    taken = np.zeros(score.shape, dtype=bool)
    heap = [(-float(score[seed]), seed)]
    queued = {seed}
    total = 0.0
    while heap and total < target_ha:
        _, (r, c) = heapq.heappop(heap)
        taken[r, c] = True
        total += area[r, c]
        for dr, dc in _NEIGHBOURS:
            nr, nc = r + dr, c + dc
            if 0 <= nr < height and 0 <= nc < width and free[nr, nc] and (nr, nc) not in queued:
                queued.add((nr, nc))
                distance = np.hypot(nr - seed[0], nc - seed[1]) / radius_px
                heapq.heappush(heap, (-(float(score[nr, nc]) - 0.5 * distance), (nr, nc)))
    return taken if total >= target_ha else None


def _polygon(mask: np.ndarray, grid: Grid) -> shapely.Geometry:
    rows, cols = np.nonzero(mask)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    sub = mask[r0:r1, c0:c1].astype("uint8")
    transform = grid.transform @ grid.transform.translation(c0, r0)
    parts = [
        shapely.geometry.shape(g)
        for g, v in shapes(sub, mask=sub.astype(bool), transform=transform, connectivity=4)
        if v == 1
    ]
    return shapely.union_all(parts)


def site_parcels(
    suitability: Grid,
    *,
    area_ha: float = 25_000.0,
    n: int = 5,
    tolerance: float = 0.01,
    min_score: float = 0.0,
    towns: gpd.GeoDataFrame | None = None,
) -> SitingResult:
    """Find `n` compact, contiguous, non-overlapping candidate parcels of `area_ha` hectares each.

    Parameters
    ----------
    suitability
        A :class:`geo.raster.suitability.Grid` (NaN = unavailable), e.g. from ``mountain_suitability``.
    area_ha
        The target area of each parcel; each result is within `tolerance` of it (measured in EQUAL_AREA).
    n
        How many parcels.
    min_score
        Pixels scoring below this are unavailable.
    towns
        Places to name the nearest of (default: the shipped ``cities``).

    Returns
    -------
    SitingResult
        ``parcels``: one row per parcel (``rank`` by ``score``, see ``RANK_RULE`` and the
        ``rank_rule`` column; ``grown``: the order of growing; area_ha, mean/min suitability, elevation and slope
        statistics where the grid has them, the nearest town and its distance); ``reason`` says why
        fewer than `n` were found. ``parcels.attrs`` says what the search knew: ``place``,
        ``covered_share`` (of the place, by area, that the grid covers; ``None`` without a place),
        ``coverage`` (in words) and ``criteria`` (records of :func:`geo.raster.criteria.criteria_table`:
        the criteria used and those missing, such as land cover).
    """
    if area_ha <= 0 or n < 1:
        msg = f"area_ha must be positive and n at least 1, got {area_ha!r} and {n!r}."
        raise ValueError(msg)
    score = np.nan_to_num(suitability.values.astype("float64"), nan=-1.0)
    free = score >= max(min_score, 0.0)
    pixel_ha = _pixel_area_ha(suitability)
    target_px = area_ha / float(np.median(pixel_ha[free])) if free.any() else np.inf
    radius_px = max(np.sqrt(target_px / np.pi), 1.0)
    size = max(int(2 * radius_px) | 1, 3)
    parcels: list[np.ndarray] = []
    reason: str | None = None
    while len(parcels) < n:
        smooth = ndimage.uniform_filter(np.where(free, score, 0.0), size=size, mode="constant")
        coverage = ndimage.uniform_filter(free.astype("float64"), size=size, mode="constant")
        candidates = np.where(free & (coverage > 0.5), smooth, -np.inf)  # noqa: PLR2004  (half a parcel free)
        if not np.isfinite(candidates).any():
            reason = f"no free area of {area_ha:,.0f} ha is left after {len(parcels)} parcel(s)"
            break
        row, col = np.unravel_index(int(np.argmax(candidates)), candidates.shape)
        seed = (int(row), int(col))
        taken = _grow(score, free, seed, area=pixel_ha, target_ha=area_ha, radius_px=radius_px)
        if taken is None:  # this seed's connected area is too small: rule it out and look again
            labels, _ = ndimage.label(free)
            free &= labels != labels[seed]
            continue
        parcels.append(taken)
        free &= ~ndimage.binary_dilation(taken, iterations=1)
    if len(parcels) < n and reason is None:
        reason = "not enough contiguous suitable land"
    if reason:
        logger.warning("Found %d of %d parcels: %s", len(parcels), n, reason)
    described = _describe(parcels, suitability, area_ha, tolerance, default(towns, "cities"))
    described.attrs.update(_known(suitability))
    return SitingResult(described, n, reason)


def _known(grid: Grid) -> dict[str, Any]:
    """Return the parcels' ``attrs``: the place, the share of it the grid covers and the criteria (as records)."""
    meta = dict(grid.meta)
    table = meta.pop("criteria", None)
    records = table.to_dict("records") if isinstance(table, pd.DataFrame) else []
    return {
        "place": meta.get("place"),
        "covered_share": meta.get("covered_share"),
        "coverage": meta.get("coverage"),
        "criteria": records,
    }


#: How parcels are ranked (the ``score`` column): the mean suitability of the parcel's pixels.
RANK_RULE = (
    "rank 1 = highest score; score = mean suitability of the parcel's pixels (0-1), ties broken by the "
    "lowest pixel's suitability; 'grown' is the order parcels were grown in (best seed window first)"
)


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order parcels by the documented score (see ``RANK_RULE``) and number them."""
    ordered = sorted(rows, key=lambda r: (-float(r["suitability_mean"]), -float(r["suitability_min"])))
    return [
        {"rank": rank, "score": round(float(r["suitability_mean"]), 4), **r, "rank_rule": RANK_RULE}
        for rank, r in enumerate(ordered, start=1)
    ]


def _describe(
    parcels: list[np.ndarray], grid: Grid, target_ha: float, tolerance: float, towns: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    rows: list[dict[str, Any]] = []
    for grown, mask in enumerate(parcels, start=1):
        values = grid.values[mask]
        row = {
            "grown": grown,
            "suitability_mean": float(np.nanmean(values)),
            "suitability_min": float(np.nanmin(values)),
            "pixels": int(mask.sum()),
        }
        for key, layer in grid.layers.items():
            stats = layer[mask]
            row |= {
                f"{key}_mean": float(np.nanmean(stats)),
                f"{key}_min": float(np.nanmin(stats)),
                f"{key}_max": float(np.nanmax(stats)),
            }
        rows.append(row | {"geometry": _polygon(mask, grid)})
    rows = _ranked(rows)
    gdf = (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=grid.crs)
        if rows
        else gpd.GeoDataFrame({"rank": []}, geometry=[], crs=grid.crs)
    )
    if gdf.empty:
        return reproject(gdf, WGS84, name="parcels")
    gdf["area_ha"] = area_ha(gdf, name="parcels")
    off = (gdf["area_ha"] / target_ha - 1).abs()
    if (off > tolerance).any():
        msg = f"Parcel areas {gdf['area_ha'].round(0).tolist()} miss {target_ha:,.0f} ha by more than {tolerance:.0%}."
        raise GeoToolkitError(msg)
    if not gdf.geometry.is_valid.all() or (gdf.geometry.geom_type != "Polygon").any():
        msg = "A parcel is not a valid single-part polygon."
        raise GeoToolkitError(msg)
    gdf = reproject(gdf, WGS84, name="parcels")
    near = nearest(
        gdf[["rank", "geometry"]],
        towns[["id", "name", "geometry"]],
        k=1,
        columns=["rank", "name"],
        names=("parcels", "towns"),
    )
    near = near[near["nearest_status"] == "nearest"].set_index("rank_a")
    gdf["nearest_town"] = gdf["rank"].map(near["name_b"]).to_numpy()
    gdf["nearest_town_km"] = (gdf["rank"].map(near["distance_m"]) / 1000).round(1).to_numpy()
    gdf["note"] = "Candidate parcel from screening assumptions; not a known planting site."
    return gdf
