"""Suitability rasters for afforestation, from real inputs and documented, configurable criteria.

**These criteria are assumptions for screening, not findings.** No source here gives the sites of
Valor Carbon's 25,000 ha; the suitability only ranks where such a planting *could* go.

Mountain forest (the GEBCO grid): an elevation band, a slope limit, nearness to rivers and lakes,
and hard exclusions (open water, mineral sites, and towns with a buffer that grows with their
population). The Aralkum (no DEM): inside the dried seabed, scored by distance from today's shore.
A place the grid covers in part is searched only in that part (:mod:`geo.raster.coverage`); the
criteria used and those no dataset gives (land cover, protected areas, land tenure) travel with
the grid (:mod:`geo.raster.criteria`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from rasterio.features import rasterize
from rasterio.windows import Window, from_bounds
from scipy import ndimage

from geo.catalog import default
from geo.crs import EQUAL_AREA, METRIC, WGS84, reproject
from geo.errors import CRSError, InputFileError
from geo.raster.coverage import grid_coverage
from geo.raster.criteria import Criteria, aralkum_criteria, criteria_table
from geo.raster.io import MEMORY_SHARE, memory_bytes, raster_source
from geo.raster.terrain import pixel_sizes_m, slope_degrees

__all__ = ["Criteria", "Grid", "aralkum_suitability", "mountain_suitability"]

logger = logging.getLogger(__name__)


@dataclass
class Grid:
    """A single-band raster in memory: values (NaN = not available), its transform and CRS."""

    values: np.ndarray
    transform: Affine
    crs: str
    layers: dict[str, np.ndarray] = field(default_factory=dict)  # companions on the same grid (elevation, slope)
    #: What the search knew: ``place``, ``covered_share``, ``coverage`` (words), ``criteria`` (a table).
    meta: dict[str, Any] = field(default_factory=dict)


def _ramp(x: np.ndarray, low: float, high: float, ramp: float) -> np.ndarray:
    below = np.clip(1 - (low - x) / ramp, 0, 1)
    above = np.clip(1 - (x - high) / ramp, 0, 1)
    return np.where(x < low, below, np.where(x > high, above, 1.0))


def _buffered(gdf: gpd.GeoDataFrame, km: float | np.ndarray, *, name: str) -> list[shapely.Geometry]:
    """Buffer the located points of `gdf` by `km` (one value, or one per row of `gdf`)."""
    keep = (gdf.geometry.notna() & gdf.geom_type.isin(["Point", "MultiPoint"])).to_numpy()
    radii = np.broadcast_to(np.asarray(km, dtype="float64"), (len(gdf),))[keep]
    located = gdf[keep]
    if located.empty or not (radii > 0).any():
        return []
    metric = reproject(located, METRIC, name=name)
    return list(reproject(metric.set_geometry(metric.buffer(radii * 1000)), WGS84, name=name).geometry)


def town_radii_km(towns: gpd.GeoDataFrame, criteria: Criteria) -> np.ndarray:
    """Return each town's exclusion radius in km, from its ``population`` (the floor where it has none)."""
    if "population" not in towns:
        return np.full(len(towns), criteria.town_buffer_km)
    population = pd.to_numeric(towns["population"], errors="coerce").astype("float64").to_numpy()
    return np.array([criteria.town_radius_km(p) for p in population], dtype="float64")


def _burn(shapes: list[shapely.Geometry], shape: tuple[int, int], transform: Affine) -> np.ndarray:
    if not shapes:
        return np.zeros(shape, dtype=bool)
    return rasterize(
        ((g, 1) for g in shapes), out_shape=shape, transform=transform, fill=0, dtype="uint8", all_touched=True
    ).astype(bool)


def mountain_suitability(
    dem: str | Path,
    *,
    area: gpd.GeoDataFrame | None = None,
    criteria: Criteria | None = None,
    name: str = "the area",
    rivers: gpd.GeoDataFrame | None = None,
    lakes: gpd.GeoDataFrame | None = None,
    towns: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    trusted: bool = False,
) -> Grid:
    """Score every DEM pixel (inside `area`, if given) for mountain afforestation.

    Parameters
    ----------
    dem
        The elevation raster (a lon/lat grid in metres, e.g. :func:`geo.raster.dem_path`).
    area
        Polygons to search in (e.g. Issyk-Kul oblast); the raster is read only in their window. Only the
        part inside the grid is searched; its share (by area, in EQUAL_AREA) is in ``meta["covered_share"]``.
    criteria
        The scoring assumptions (see :class:`Criteria`).
    rivers, lakes
        Water that scores nearness (lakes are also excluded); default: the shipped ``rivers`` and ``lakes``.
    towns
        Places excluded with a buffer that grows with their ``population`` (see :class:`Criteria`);
        default: the shipped ``cities`` (GeoNames).
    sites
        Mineral sites excluded with a buffer; default: the shipped ``mineral_deposits``.
    trusted
        `dem` is yours: open it with any GDAL driver (e.g. a VRT); otherwise only as GeoTIFF.

    name
        The place's name in messages and in ``meta["place"]``.

    Returns
    -------
    Grid
        Suitability in [0, 1] (NaN: excluded or outside), with ``elevation`` and ``slope`` companions and
        ``meta`` (place, covered share, the criteria table).

    Raises
    ------
    MissingDataError
        If the grid covers none of `area` (one line naming the grid's extent).
    """
    criteria = criteria or Criteria()
    with raster_source(dem, whole=False, trusted=trusted) as src:
        if not src.crs.is_geographic:
            msg = f"{dem}: expected a lon/lat elevation grid with a CRS."
            raise CRSError(msg)
        window = Window(0, 0, src.width, src.height)
        mask_geoms: list[shapely.Geometry] = []
        meta: dict[str, Any] = {"place": name, "covered_share": None, "coverage": None}
        if area is not None:
            b = src.bounds
            coverage = grid_coverage(area, (b.left, b.bottom, b.right, b.top), place=name)  # none: one line
            meta |= {"covered_share": round(coverage.share, 4), "coverage": coverage.words}
            area = reproject(coverage.area, src.crs.to_wkt(), name=name)
            mask_geoms = list(area.geometry)
            window = from_bounds(*area.total_bounds, transform=src.transform).round_offsets().round_lengths()
            window = window.intersection(Window(0, 0, src.width, src.height))
        if min(int(window.width), int(window.height)) < 2:  # noqa: PLR2004 (a slope needs two pixels each way)
            msg = (
                f"{dem}: the search window is {int(window.width)} x {int(window.height)} pixels; a slope needs at "
                "least 2 x 2. Search a larger area, or use a finer elevation grid."
            )
            raise InputFileError(msg)
        needed = int(window.width) * int(window.height) * 8 * 6  # float64 elevation, slope, distances, score
        if needed > MEMORY_SHARE * memory_bytes():
            msg = (
                f"{dem}: the search window is {int(window.width)} x {int(window.height)} pixels, which needs about "
                f"{needed / 2**30:.1f} GiB; search a smaller area (a region or a country)."
            )
            raise InputFileError(msg)
        z = src.read(1, window=window, masked=True).astype("float64").filled(np.nan)
        # (rasterio's window_transform multiplies Affines with `*`, which affine 3 deprecates)
        transform = src.transform @ Affine.translation(window.col_off, window.row_off)
    shape = z.shape
    inside = _burn(mask_geoms, shape, transform) if mask_geoms else np.ones(shape, dtype=bool)
    slope = slope_degrees(z, transform)
    dx, dy = pixel_sizes_m(transform, shape[0])
    lakes = default(lakes, "lakes")
    water = _burn(list(default(rivers, "rivers").geometry) + list(lakes.geometry), shape, transform)
    open_water = _burn(list(lakes.geometry), shape, transform)
    dist_km = ndimage.distance_transform_edt(~water, sampling=(float(dy.mean()), float(dx.mean()))) / 1000
    w_elev, w_slope, w_water = criteria.weights
    low, high = criteria.elevation_band_m
    score = (
        w_elev * _ramp(z, low, high, criteria.elevation_ramp_m)
        + w_slope * np.clip(1 - slope / criteria.max_slope_deg, 0, 1)
        + w_water * np.clip(1 - dist_km / criteria.water_max_km, 0, 1)
    ) / sum(criteria.weights)
    towns = default(towns, "cities")
    town_px = _burn(_buffered(towns, town_radii_km(towns, criteria), name="towns"), shape, transform)
    mines = _burn(
        _buffered(default(sites, "mineral_deposits"), criteria.mineral_buffer_km, name="sites"), shape, transform
    )
    excluded = ~inside | np.isnan(z) | open_water | town_px | mines | (slope > criteria.max_slope_deg)
    score[excluded] = np.nan
    logger.info("Suitability on %d x %d pixels; %.0f%% available", shape[1], shape[0], 100 * np.isfinite(score).mean())
    companions = {"elevation": z.astype("float32"), "slope": slope.astype("float32")}
    return Grid(score.astype("float32"), transform, WGS84, companions, meta | {"criteria": criteria_table(criteria)})


def aralkum_suitability(
    *,
    pixel_m: float = 500.0,
    prefer: str = "far",
    country: str | None = None,
    seabed: gpd.GeoDataFrame | None = None,
    water: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> Grid:
    """Score the dried Aral seabed on an equal-area grid by distance from today's shore.

    ``prefer="far"`` (default assumption) favours seabed longest dry (farther from today's water);
    ``"near"`` the opposite; ``"none"`` scores all of it 1. `country` (``"UZB"``/``"KAZ"``) keeps one side.
    `seabed`, `water` and `countries` default to the shipped ``aralkum``, ``aral_sea_current`` and
    ``countries`` layers.
    """
    if prefer not in ("far", "near", "none"):
        msg = f"prefer must be 'far', 'near' or 'none', got {prefer!r}."
        raise ValueError(msg)
    bed = shapely.union_all(reproject(default(seabed, "aralkum"), EQUAL_AREA, name="seabed").geometry.to_numpy())
    if country:
        border = default(countries, "countries").set_index("id").loc[[country]]
        bed = bed.intersection(reproject(border, EQUAL_AREA, name="countries").geometry.iloc[0])
    sea = shapely.union_all(reproject(default(water, "aral_sea_current"), EQUAL_AREA, name="water").geometry.to_numpy())
    west, south, east, north = bed.bounds
    width, height = int(np.ceil((east - west) / pixel_m)), int(np.ceil((north - south) / pixel_m))
    transform = Affine(pixel_m, 0, west, 0, -pixel_m, north)
    inside = _burn([bed], (height, width), transform)
    wet = _burn([sea], (height, width), transform)
    dist = ndimage.distance_transform_edt(~wet, sampling=pixel_m)
    score = np.ones((height, width)) if prefer == "none" else dist / dist[inside].max()
    if prefer == "near":
        score = 1 - score
    score = np.where(inside & ~wet, 0.2 + 0.8 * score, np.nan)
    companions = {"distance_to_shore_km": (dist / 1000).astype("float32")}
    place = f"the dried Aral seabed{f' in {country}' if country else ''}"
    meta = {"place": place, "covered_share": 1.0, "coverage": None, "criteria": aralkum_criteria(prefer)}
    return Grid(score.astype("float32"), transform, EQUAL_AREA, companions, meta)
