"""How much of a place the elevation grid covers, measured in ``geo.crs.EQUAL_AREA``.

The GEBCO grid (:mod:`geo.raster.dem`) covers only part of Central Asia. Before a search reads a
pixel, :func:`grid_coverage` tells the share of the place inside the grid's extent: none (the search
stops with one line naming the extent), part (the search keeps to that part, and says so), or all.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import shapely
from shapely.geometry import box

from geo.crs import WGS84, area_ha, reproject
from geo.errors import GeoToolkitWarning, MissingDataError

__all__ = ["Coverage", "extent_words", "grid_coverage"]

#: What the shipped grid covers, in words (see :mod:`geo.raster.dem`).
GRID_WORDS = "all of Kyrgyzstan and Tajikistan, eastern Uzbekistan and southern Kazakhstan"
_EDGE_STEP_DEG = 0.05  # vertex spacing along the grid's edges before they are reprojected
_FULL = 0.9995  # a share this close to 1 is all of it (the edge of a border polygon on the grid's edge)


@dataclass(frozen=True)
class Coverage:
    """The share of a place (by area, in EQUAL_AREA) that the grid covers, and the part it covers."""

    place: str
    share: float
    extent: tuple[float, float, float, float]  # the grid's west, south, east, north in degrees
    area: gpd.GeoDataFrame  # the covered part (WGS84), one row per input row that keeps any area

    @property
    def words(self) -> str:
        """One sentence: what is covered and what is searched."""
        if self.share >= _FULL:
            return f"The elevation grid covers all of {self.place}."
        return (
            f"The elevation grid ({extent_words(self.extent)}) covers {self.share:.1%} of {self.place}; "
            "only that part is searched."
        )


def extent_words(bounds: tuple[float, float, float, float]) -> str:
    """``66.14-84.46 E, 36.32-44.71 N`` for west, south, east, north (the grid lies north and east of 0)."""
    west, south, east, north = bounds
    return f"{west:.2f}-{east:.2f} E, {south:.2f}-{north:.2f} N"


def grid_coverage(area: gpd.GeoDataFrame, extent: tuple[float, float, float, float], *, place: str) -> Coverage:
    """Return the share of `area` inside the grid's lon/lat `extent` and the covered part.

    Parameters
    ----------
    area
        The polygons of the place (any CRS).
    extent
        The grid's bounds in degrees (west, south, east, north), e.g. ``rasterio``'s ``src.bounds``.
    place
        The place's name, for the messages.

    Warns
    -----
    GeoToolkitWarning
        If the grid covers only part of the place (the share, in words).

    Raises
    ------
    MissingDataError
        If the grid covers none of the place: one line naming the grid's extent.
    """
    lonlat = reproject(area, WGS84, name=place)
    # edges straight in lon/lat (the grid's parallels, a long border segment) are densified so that they stay
    # parallels in the equal-area CRS instead of becoming chords
    lonlat = lonlat.set_geometry(shapely.segmentize(lonlat.geometry.to_numpy(), _EDGE_STEP_DEG), crs=WGS84)
    frame = shapely.segmentize(box(*extent), _EDGE_STEP_DEG)
    clipped = lonlat.set_geometry(shapely.intersection(lonlat.geometry.to_numpy(), frame), crs=WGS84)
    clipped = clipped[shapely.area(clipped.geometry.to_numpy()) > 0]
    total = float(area_ha(lonlat, name=place).sum())
    covered = float(area_ha(clipped, name=place).sum()) if not clipped.empty else 0.0
    share = min(covered / total, 1.0) if total > 0 else 0.0
    if clipped.empty or share <= 0:
        msg = (
            f"{place} lies outside the elevation grid, which covers {extent_words(extent)} ({GRID_WORDS}); "
            "search a place inside it, or the dried Aral seabed with --aralkum."
        )
        raise MissingDataError(msg)
    result = Coverage(place, share, extent, clipped)
    if share < _FULL:
        warnings.warn(result.words, GeoToolkitWarning, stacklevel=3)
    return result
