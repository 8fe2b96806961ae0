"""Slope in degrees, from metre-correct pixel sizes on a geographic grid; in memory or block by block."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.windows import Window

from geo.crs import GEOD
from geo.errors import InputFileError
from geo.outputs import atomic_path
from geo.raster.io import raster_source

__all__ = ["pixel_sizes_m", "slope_degrees", "slope_raster"]

_MIN_PIXELS = 2  # a gradient needs two pixels in each direction
_CACHE_MB = 64  # GDAL block cache while writing slope block by block


def pixel_sizes_m(transform: Affine, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Return per-row pixel width and height in metres (geodesic) for a north-up lon/lat grid."""
    lat = transform.f + transform.e * (np.arange(height) + 0.5)
    lon = np.full(height, transform.c)
    dx = GEOD.inv(lon, lat, lon + transform.a, lat)[2]
    dy = GEOD.inv(lon, lat - transform.e / 2, lon, lat + transform.e / 2)[2]
    return dx, dy


def slope_degrees(elevation: np.ndarray, transform: Affine, *, geographic: bool = True) -> np.ndarray:
    """Slope of a north-up elevation grid in degrees (NaN where elevation is NaN).

    On a geographic grid the pixel size in metres is computed per row on the ellipsoid, so a
    degree of longitude shrinks with latitude as it should; on a projected grid it is taken
    from the transform.
    """
    z = elevation.astype("float64")
    height = z.shape[0]
    if geographic:
        dx, dy = pixel_sizes_m(transform, height)
    else:
        dx, dy = np.full(height, abs(transform.a)), np.full(height, abs(transform.e))
    gy, gx = np.gradient(z)  # per pixel
    gx = gx / dx[:, None]
    gy = gy / dy[:, None]
    return np.degrees(np.arctan(np.hypot(gx, gy)))


def slope_raster(src_path: str | Path, dst_path: str | Path, *, block_rows: int = 256, trusted: bool = False) -> Path:
    """Write the slope (degrees) of an elevation raster block by block, in bounded memory.

    Each block of `block_rows` rows is read with one row of overlap above and below, so the
    result equals the whole-raster computation while memory stays proportional to the block.
    Nodata stays nodata (NaN in the float32 output). The input is opened only as GeoTIFF unless
    `trusted` (see :func:`geo.raster.io.raster_source`).
    """
    src_path, dst_path = Path(src_path), Path(dst_path)
    # GDAL's block cache (5% of RAM by default) would hold the written blocks: cap it, so memory stays
    # proportional to the block whatever the machine.
    with rasterio.Env(GDAL_CACHEMAX=_CACHE_MB), raster_source(src_path, whole=False, trusted=trusted) as src:
        if min(src.width, src.height) < _MIN_PIXELS:
            msg = f"{src_path} is {src.width} x {src.height} pixels; a slope needs at least 2 x 2."
            raise InputFileError(msg)
        geographic = src.crs.is_geographic
        profile = {
            "driver": "GTiff",
            "width": src.width,
            "height": src.height,
            "count": 1,
            "dtype": "float32",
            "crs": src.crs,
            "transform": src.transform,
            "nodata": np.nan,
            "tiled": True,
            "blockxsize": 512,
            "blockysize": 512,
            "compress": "DEFLATE",
            "BIGTIFF": "IF_SAFER",
        }
        with atomic_path(dst_path) as tmp, rasterio.open(tmp, "w", **profile) as dst:
            for top in range(0, src.height, block_rows):
                first, last = max(top - 1, 0), min(top + block_rows + 1, src.height)
                window = Window(0, first, src.width, last - first)
                z = src.read(1, window=window, masked=True).astype("float64").filled(np.nan)
                transform = src.transform @ Affine.translation(0, first)
                slope = slope_degrees(z, transform, geographic=geographic)
                keep = slope[top - first : top - first + min(block_rows, src.height - top)]
                dst.write(keep.astype("float32"), 1, window=Window(0, top, src.width, keep.shape[0]))
    return dst_path
