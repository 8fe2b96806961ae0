"""Named coordinate reference systems and the one place that reprojects.

Every reprojection in geo goes through :func:`reproject`, which refuses a layer without a CRS
and logs the change. Distances are geodesic (``GEOD``); areas come from ``EQUAL_AREA``.
"""

from __future__ import annotations

import functools
import logging

import geopandas as gpd
import numpy as np
from pyproj import CRS, Geod
from pyproj.exceptions import CRSError as ProjCRSError

from geo.errors import CRSError

__all__ = [
    "EQUAL_AREA",
    "GEOD",
    "MAX_LAT",
    "MAX_LON",
    "METRIC",
    "WGS84",
    "area_ha",
    "check_lonlat",
    "parse_crs",
    "reproject",
    "require_crs",
]

logger = logging.getLogger(__name__)

#: Storage CRS of every layer, and of Leaflet maps.
WGS84 = "EPSG:4326"
#: Equidistant conic fitted to Central Asia; a fast prefilter only (tests measure its error).
METRIC = "+proj=eqdc +lat_1=40 +lat_2=50 +lon_0=66 +datum=WGS84 +units=m +no_defs"
#: Albers equal-area conic fitted to Central Asia (35-56 N); areas in m².
EQUAL_AREA = "+proj=aea +lat_1=38 +lat_2=52 +lat_0=45 +lon_0=66 +datum=WGS84 +units=m +no_defs"
#: Valid longitude and latitude magnitudes in degrees.
MAX_LON, MAX_LAT = 180.0, 90.0
#: The WGS84 ellipsoid, for geodesic distances in metres.
GEOD = Geod(ellps="WGS84")
_SHOWN = 5  # rows named in a message


def parse_crs(value: object) -> CRS:
    """Return `value` (``"EPSG:4326"``, a PROJ string, WKT, a pyproj CRS) as a pyproj CRS.

    Raises
    ------
    CRSError
        `value` names no CRS pyproj knows; the message is one line and says what to give.
    """
    if isinstance(value, str):
        return _crs(value)
    try:
        return CRS.from_user_input(value)
    except (ProjCRSError, TypeError, ValueError) as err:
        raise _unknown(value, err) from None


def _unknown(value: object, err: Exception) -> CRSError:
    reason = str(err).splitlines()[0][:160] if str(err) else type(err).__name__
    msg = f"Unknown CRS {value!r} ({reason}). Give an EPSG code such as EPSG:4326 or EPSG:32642, or WKT."
    return CRSError(msg)


@functools.lru_cache(maxsize=64)
def _crs(text: str) -> CRS:
    """Parse a CRS string once (pyproj parsing is not free on hot paths)."""
    try:
        return CRS.from_user_input(text)
    except (ProjCRSError, TypeError, ValueError) as err:
        raise _unknown(text, err) from None


def require_crs(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise `CRSError` if `gdf` has no CRS; geo never guesses one.

    Parameters
    ----------
    gdf
        The layer to check.
    name
        The layer's name or file, used in the message.
    """
    if gdf.crs is None:
        msg = (
            f"Layer {name!r} has no CRS. Set it explicitly, e.g. gdf.set_crs('EPSG:4326') "
            "or geo.read(path, crs='EPSG:4326'); geo never guesses a CRS."
        )
        raise CRSError(msg)


def reproject(gdf: gpd.GeoDataFrame, crs: str | CRS, *, name: str) -> gpd.GeoDataFrame:
    """Return `gdf` in `crs`, logging the change; a no-op when it is already there.

    Parameters
    ----------
    gdf
        A layer with a CRS.
    crs
        The target CRS (anything pyproj accepts).
    name
        The layer's name, used in log and error messages.

    Returns
    -------
    gpd.GeoDataFrame
        `gdf` itself when already in `crs`, else a reprojected copy.

    Raises
    ------
    CRSError
        If `gdf` has no CRS, or `crs` is not one.
    """
    require_crs(gdf, name=name)
    target = parse_crs(crs)
    if gdf.crs is target or gdf.crs == target:
        return gdf
    logger.debug("Reprojecting %s from %s to %s", name, gdf.crs.to_string(), target.to_string())
    return gdf.to_crs(target)


def area_ha(gdf: gpd.GeoDataFrame, *, name: str) -> np.ndarray:
    """Area of each geometry in hectares, computed in ``EQUAL_AREA`` (never in degrees)."""
    return reproject(gdf, EQUAL_AREA, name=name).geometry.area.to_numpy() / 10_000.0


def check_lonlat(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise `CRSError` if a geographic layer has coordinates outside ±180/±90.

    Out-of-range values almost always mean projected metres labelled as degrees, or
    latitude and longitude swapped; the message says which rows.
    """
    if gdf.crs is None or not gdf.crs.is_geographic or gdf.empty:
        return
    bounds = gdf.geometry.bounds
    bad = bounds[
        (bounds.minx < -MAX_LON) | (bounds.maxx > MAX_LON) | (bounds.miny < -MAX_LAT) | (bounds.maxy > MAX_LAT)
    ]
    if bad.empty:
        return
    rows = ", ".join(str(i) for i in bad.index[:_SHOWN]) + (" …" if len(bad) > _SHOWN else "")
    swapped = bool(((bad.minx.abs() <= MAX_LAT) & (bad.maxy.abs() <= MAX_LON)).all())
    hint = (
        "latitude and longitude look swapped: give longitude first (x=lon, y=lat)"
        if swapped
        else "these look like projected coordinates: declare the layer's real CRS instead of EPSG:4326"
    )
    msg = (
        f"Layer {name!r}: {len(bad)} feature(s) (rows {rows}) have coordinates outside "
        f"longitude ±180 / latitude ±90 in {gdf.crs.to_string()}; {hint}."
    )
    raise CRSError(msg)
