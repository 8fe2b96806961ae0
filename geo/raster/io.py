"""Raster checks done before any pixel is read: a CRS, and a size that fits in memory."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import rasterio

from geo.errors import CRSError, InputFileError

__all__ = ["check_raster", "memory_bytes"]

#: A whole-raster read may use at most this share of the machine's memory.
MEMORY_SHARE = 0.25


def memory_bytes() -> int:
    """Physical memory of this machine in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_raster(path: str | Path, *, whole: bool = True) -> rasterio.DatasetReader:
    """Open a raster after checking it: it exists, has a CRS and (if read whole) fits in memory.

    Parameters
    ----------
    path
        Any raster GDAL reads.
    whole
        The caller will read it in one piece: refuse a declared size above a quarter of memory.

    Returns
    -------
    rasterio.DatasetReader
        The open dataset (close it, or use it in a ``with`` block).
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such raster."
        raise InputFileError(msg)
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as err:
        msg = f"{path}: not a raster GDAL can read ({err})."
        raise InputFileError(msg) from None
    if src.crs is None:
        src.close()
        msg = f"{path} has no CRS. Georeference it first (e.g. gdal_edit.py -a_srs EPSG:4326); geo never guesses."
        raise CRSError(msg)
    size = src.width * src.height * src.count * np.dtype(src.dtypes[0]).itemsize
    if whole and size > MEMORY_SHARE * memory_bytes():
        src.close()
        msg = (
            f"{path} declares {src.width} x {src.height} x {src.count} pixels ({size / 2**30:.1f} GiB), more than "
            f"a quarter of this machine's memory ({memory_bytes() / 2**30:.1f} GiB). Clip it first, or use a "
            "windowed function (zonal_stats, slope_degrees with a path) that reads it in blocks."
        )
        raise InputFileError(msg)
    return src
