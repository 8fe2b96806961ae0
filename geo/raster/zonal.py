"""Zonal statistics of any raster over any polygons, with exactextract (exact pixel coverage)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from exactextract import exact_extract

from geo.analysis.scale import is_lazy
from geo.analysis.scale import zonal_stats as lazy_zonal_stats
from geo.crs import reproject
from geo.raster.io import raster_source

__all__ = ["zonal_stats"]


def zonal_stats(
    raster: str | Path,
    zones: gpd.GeoDataFrame,
    *,
    stats: Sequence[str] = ("mean", "min", "max", "count"),
    name: str = "zones",
    include_cols: Sequence[str] = (),
    trusted: bool = False,
) -> pd.DataFrame:
    """Statistics of `raster` inside each zone; the zones are moved to the raster's CRS, never the pixels.

    exactextract weights each pixel by the share of it inside the zone and reads the raster in
    blocks, so a raster larger than memory works. Nodata is honoured. Returns one row per zone
    (in the zones' order) with `include_cols` and one column per statistic. The raster is opened only
    as GeoTIFF unless `trusted` (see :func:`geo.raster.io.raster_source`). `zones` may be a dask-geopandas
    frame (many polygons): the result is then a lazy dask frame, one task per partition.
    """
    if is_lazy(zones):  # a dask-geopandas frame: one task per partition, lazily
        meta = pd.DataFrame({c: zones._meta[c] for c in include_cols} | {s: pd.Series(dtype="float64") for s in stats})
        return lazy_zonal_stats(
            zones,
            _partition,
            meta,
            raster=raster,
            stats=tuple(stats),
            name=name,
            include_cols=tuple(include_cols),
            trusted=trusted,
        )
    with raster_source(raster, whole=False, trusted=trusted) as src:
        zones = reproject(zones, src.crs.to_wkt(), name=name)
        result = exact_extract(src, zones.reset_index(drop=True), list(stats), output="pandas")
    result = result.reset_index(drop=True)  # one row per zone, in the zones' order
    return pd.concat([pd.DataFrame(zones[list(include_cols)]).reset_index(drop=True), result], axis=1)


def _partition(zones: gpd.GeoDataFrame, *, raster: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Zonal statistics of one partition of a lazy zones layer."""
    return zonal_stats(raster, zones, **kwargs)
