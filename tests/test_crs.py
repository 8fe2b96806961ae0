import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from geo.crs import EQUAL_AREA, GEOD, METRIC, WGS84, area_ha, check_lonlat, reproject
from geo.errors import CRSError


def test_metric_crs_distance_error_is_small_over_central_asia():
    """The fitted conic is only a prefilter: measure its worst error against the ellipsoid."""
    rng = np.random.default_rng(1)
    lon = rng.uniform(50, 85, 400)
    lat = rng.uniform(37, 55, 400)
    az = rng.uniform(0, 360, 400)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, np.full(400, 50_000.0))
    a = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(METRIC)
    b = gpd.GeoSeries(gpd.points_from_xy(lon2, lat2), crs=WGS84).to_crs(METRIC)
    error = np.abs(a.distance(b).to_numpy() / 50_000.0 - 1)
    assert error.max() < 0.015


def test_equal_area_matches_geodesic_area():
    cell = gpd.GeoDataFrame(geometry=[box(70, 40, 71, 41), box(55, 50, 57, 52)], crs=WGS84)
    geodesic = [abs(GEOD.geometry_area_perimeter(g)[0]) / 10_000 for g in cell.geometry]
    assert area_ha(cell, name="cells") == pytest.approx(geodesic, rel=1e-4)


def test_reproject_refuses_missing_crs():
    with pytest.raises(CRSError, match="has no CRS"):
        reproject(gpd.GeoDataFrame(geometry=[Point(0, 0)]), EQUAL_AREA, name="x")


def test_reproject_is_a_noop_in_place():
    gdf = gpd.GeoDataFrame(geometry=[Point(70, 40)], crs=WGS84)
    assert reproject(gdf, "EPSG:4326", name="x") is gdf


def test_check_lonlat_names_rows_and_cause():
    gdf = gpd.GeoDataFrame(geometry=[Point(70, 40), Point(500_000, 4_500_000)], crs=WGS84)
    with pytest.raises(CRSError, match=r"rows 1\).*projected coordinates"):
        check_lonlat(gdf, name="x")
    swapped = gpd.GeoDataFrame(geometry=[Point(40, 120)], crs=WGS84)
    with pytest.raises(CRSError, match="swapped"):
        check_lonlat(swapped, name="x")
