"""Slope in degrees, from metre-correct pixel sizes on a geographic grid."""

from __future__ import annotations

import numpy as np
from affine import Affine

from geo.crs import GEOD

__all__ = ["pixel_sizes_m", "slope_degrees"]


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
