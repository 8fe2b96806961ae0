"""Rasters: the GEBCO elevation grid, slope, suitability, 25,000-ha siting and zonal statistics."""

from geo.raster.dem import dem_path, fetch_dem
from geo.raster.io import check_raster
from geo.raster.siting import site_parcels
from geo.raster.suitability import Criteria, aralkum_suitability, mountain_suitability
from geo.raster.terrain import slope_degrees, slope_raster
from geo.raster.zonal import zonal_stats

__all__ = [
    "Criteria",
    "aralkum_suitability",
    "check_raster",
    "dem_path",
    "fetch_dem",
    "mountain_suitability",
    "site_parcels",
    "slope_degrees",
    "slope_raster",
    "zonal_stats",
]
