"""Raster checks done before any pixel is read: a safe open, a CRS, and a size that fits in memory.

Every raster function opens its input through :func:`raster_source` (or :func:`check_raster`), so a
user's raster is opened only as GeoTIFF, with GDAL's network access off (:mod:`geo.safety`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import rasterio

from geo.errors import CRSError, InputFileError
from geo.safety import open_raster, open_raster_dataset

__all__ = ["MEMORY_SHARE", "check_raster", "memory_bytes", "raster_source"]

#: A whole-raster read may use at most this share of the machine's memory.
MEMORY_SHARE = 0.25


def memory_bytes() -> int:
    """Physical memory of this machine in bytes."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _check(src: rasterio.DatasetReader, path: Path, *, whole: bool) -> None:
    if src.crs is None:
        msg = f"{path} has no CRS. Georeference it first (e.g. gdal_edit.py -a_srs EPSG:4326); geo never guesses."
        raise CRSError(msg)
    size = src.width * src.height * src.count * np.dtype(src.dtypes[0]).itemsize
    if whole and size > MEMORY_SHARE * memory_bytes():
        msg = (
            f"{path} declares {src.width} x {src.height} x {src.count} pixels ({size / 2**30:.1f} GiB), more than "
            f"a quarter of this machine's memory ({memory_bytes() / 2**30:.1f} GiB). Clip it first, or use a "
            "windowed function (zonal_stats, slope_raster) that reads it in blocks."
        )
        raise InputFileError(msg)


@contextlib.contextmanager
def raster_source(path: str | Path, *, whole: bool = True, trusted: bool = False) -> Iterator[rasterio.DatasetReader]:
    """Open a user's raster safely and check it, for the block (every read in it runs under geo's GDAL options).

    Parameters
    ----------
    path
        A GeoTIFF (``.tif``/``.tiff``); any raster GDAL reads if `trusted`.
    whole
        The caller will read it in one piece: refuse a declared size above a quarter of memory.
    trusted
        The file is yours: open it with any GDAL driver, including a VRT (network access stays off).

    Raises
    ------
    InputFileError
        A refused path or format, an unreadable file, or (with `whole`) a raster too large for memory.
    CRSError
        The raster has no CRS.
    """
    with open_raster(path, trusted=trusted) as src:
        _check(src, Path(path), whole=whole)
        yield src


def check_raster(path: str | Path, *, whole: bool = True, trusted: bool = False) -> rasterio.DatasetReader:
    """Open a raster after checking it: a safe open, a CRS and (if read whole) a size that fits in memory.

    Parameters are those of :func:`raster_source`; prefer it, which also keeps geo's GDAL options on
    for the reads.

    Returns
    -------
    rasterio.DatasetReader
        The open dataset (close it, or use it in a ``with`` block).
    """
    src = open_raster_dataset(path, trusted=trusted)
    try:
        _check(src, Path(path), whole=whole)
    except (CRSError, InputFileError):
        src.close()
        raise
    return src
