"""Siting that says what it knows: the grid's coverage of a place, town buffers by population, the criteria."""

import json
import warnings

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import rasterio
from affine import Affine
from shapely.geometry import Point, box
from typer.testing import CliRunner

import geo
from geo.crs import GEOD, WGS84
from geo.raster import Criteria, mountain_suitability, site_parcels

NOTHING = gpd.GeoDataFrame(geometry=[], crs=WGS84)


def _cli(*args):
    from geo.cli.main import app

    return CliRunner(env={"COLUMNS": "200"}).invoke(app, list(args))


def _hills(path, *, west=75.0, north=42.0, size=200, pixel=0.005):
    """A gentle 2,000 m plateau of `size` x `size` pixels: every pixel suitable."""
    z = 2_000 + np.add.outer(np.arange(size), np.arange(size)).astype("float32") * 0.5
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "float32", "crs": WGS84}
    with rasterio.open(path, "w", transform=Affine(pixel, 0, west, 0, -pixel, north), **profile) as dst:
        dst.write(z, 1)
    return path


def _free(dem, area=None, towns=NOTHING, criteria=None):
    return mountain_suitability(
        str(dem), area=area, towns=towns, sites=NOTHING, rivers=NOTHING, lakes=NOTHING, criteria=criteria
    )


def test_a_place_outside_the_grid_is_one_line_naming_the_extent(dem):
    result = _cli("site", "--region", "kz-kostanay")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: Kostanay (kz-kostanay) lies outside the elevation grid")
    assert "66.14-84.46 E, 36.32-44.71 N" in lines[0]


def test_a_place_the_grid_covers_in_part_is_searched_only_there_and_says_how_much(tmp_path):
    dem = _hills(tmp_path / "dem.tif")  # 75-76 E, 41-42 N
    half = gpd.GeoDataFrame({"id": ["half"]}, geometry=[box(74.0, 41.0, 76.0, 42.0)], crs=WGS84)
    with pytest.warns(geo.GeoToolkitWarning, match=r"covers 50\.\d% of the half"):
        grid = mountain_suitability(
            str(dem), area=half, name="the half", towns=NOTHING, sites=NOTHING, rivers=NOTHING, lakes=NOTHING
        )
    parcels = site_parcels(grid, area_ha=5_000, n=2).parcels
    assert parcels.attrs["covered_share"] == pytest.approx(0.5, abs=0.01)  # equal-area: the halves are ~equal
    assert "only that part is searched" in parcels.attrs["coverage"]
    assert parcels.geometry.within(box(75.0, 41.0, 76.0, 42.0).buffer(1e-6)).all()


def test_kazakhstan_is_mostly_outside_the_grid_and_the_share_is_equal_area():
    from geo.raster.coverage import grid_coverage

    kaz = geo.load("countries").set_index("id").loc[["KAZ"]]
    with pytest.warns(geo.GeoToolkitWarning, match="of Kazakhstan"):
        coverage = grid_coverage(kaz, (66.14, 36.32, 84.46, 44.71), place="Kazakhstan")
    assert 0.10 < coverage.share < 0.14
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kgz = grid_coverage(geo.load("countries").set_index("id").loc[["KGZ"]], (66.14, 36.32, 84.46, 44.71), place="K")
    assert kgz.share == pytest.approx(1.0)


def test_town_buffers_grow_with_population(tmp_path):
    dem = _hills(tmp_path / "dem.tif")
    at = Point(75.5, 41.5)
    small = gpd.GeoDataFrame({"name": ["village"], "population": [1_000]}, geometry=[at], crs=WGS84)
    big = gpd.GeoDataFrame({"name": ["city"], "population": [100_000]}, geometry=[at], crs=WGS84)
    criteria = Criteria()
    assert criteria.town_radius_km(1_000) == 2.0  # the floor
    assert criteria.town_radius_km(None) == 2.0
    assert criteria.town_radius_km(100_000) == pytest.approx(15.0)
    lost_small = np.isnan(_free(dem, towns=small).values).sum()
    lost_big = np.isnan(_free(dem, towns=big).values).sum()
    pixel_km2 = (0.005 * 111.32 * np.cos(np.radians(41.5))) * (0.005 * 110.95)
    assert lost_small * pixel_km2 == pytest.approx(np.pi * 2.0**2, rel=0.5)  # all_touched adds an edge ring
    assert lost_big * pixel_km2 == pytest.approx(np.pi * 15.0**2, rel=0.15)


def test_parcels_carry_the_criteria_used_and_missing(tmp_path):
    grid = _free(_hills(tmp_path / "dem.tif"))
    parcels = site_parcels(grid, area_ha=5_000, n=1).parcels
    status = {r["criterion"]: r["status"] for r in parcels.attrs["criteria"]}
    assert status["elevation"] == status["settlements"] == "used"
    assert status["land cover"] == status["protected areas"] == status["land tenure"] == "missing"
    assert parcels.attrs["covered_share"] is None  # no place given: the whole grid


@pytest.mark.slow
def test_issyk_kul_parcels_keep_clear_of_tyup_and_balykchy(dem):
    oblast = geo.load("regions").set_index("id").loc[["kg-issyk-kul"]]
    parcels = site_parcels(mountain_suitability(str(dem), area=oblast), area_ha=25_000, n=5).parcels
    towns = geo.load("cities").set_index("name").loc[["Tyup", "Balykchy"]]
    criteria = Criteria()
    for name, town in towns.iterrows():
        radius_km = criteria.town_radius_km(town["population"])
        assert radius_km > 4  # was a flat 2 km
        for parcel in parcels.geometry:
            nearest = parcel.exterior.interpolate(parcel.exterior.project(town.geometry))
            km = GEOD.inv(town.geometry.x, town.geometry.y, nearest.x, nearest.y)[2] / 1000
            assert km >= radius_km * 0.98, f"a parcel is {km:.1f} km from {name} (buffer {radius_km:.1f} km)"


def test_cli_site_prints_and_writes_what_it_knows(tmp_path, dem):
    result = _cli("site", "--region", "Issyk-Kul", "--n", "1", "--area-ha", "5000", "-o", str(tmp_path / "s.gpkg"))
    assert result.exit_code == 0, result.output
    assert "The elevation grid covers all of Issyk-Kul" in result.output
    assert "land cover" in result.output
    assert "missing" in result.output
    meta = pyogrio.read_info(tmp_path / "s.gpkg", layer="parcels")["layer_metadata"]  # as GDAL and QGIS read it
    assert meta["covered_share"] == "1.0000"
    assert meta["place"] == "Issyk-Kul (kg-issyk-kul)"
    missing = {r["criterion"] for r in json.loads(meta["criteria_missing"])}
    assert missing >= {"land cover", "protected areas", "land tenure"}
    assert len(geo.read(tmp_path / "s.gpkg")) == 1  # still one layer to read


def test_cli_site_in_part_of_a_country_writes_the_share_beside_a_geojson(tmp_path, dem):
    out = tmp_path / "kaz.geojson"
    result = _cli("site", "--country", "KAZ", "--n", "1", "--area-ha", "5000", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "of Kazakhstan (KAZ); only that part is searched" in result.output
    meta = json.loads((tmp_path / "kaz.siting.json").read_text())
    assert 0.10 < meta["covered_share"] < 0.14
    assert {r["criterion"] for r in meta["criteria_missing"]} >= {"land cover", "protected areas", "land tenure"}


def test_aralkum_parcels_say_what_the_seabed_search_leaves_out():
    from geo.raster import aralkum_suitability

    parcels = site_parcels(aralkum_suitability(pixel_m=2_000), area_ha=25_000, n=1).parcels
    status = {r["criterion"]: r["status"] for r in parcels.attrs["criteria"]}
    assert status["dried seabed"] == "used"
    assert status["settlements, mineral sites, elevation and slope"] == "missing"
    assert status["land cover"] == "missing"


def test_the_covered_share_follows_the_grids_parallels_not_chords():
    import shapely

    from geo.raster.coverage import grid_coverage

    dense = shapely.segmentize(box(60.0, 40.0, 84.0, 48.0), 0.01)  # 24 degrees wide, vertices as dense as a border's
    place = gpd.GeoDataFrame(geometry=[dense], crs=WGS84)
    with pytest.warns(geo.GeoToolkitWarning, match="of a band"):
        coverage = grid_coverage(place, (60.0, 36.0, 84.0, 44.0), place="a band")  # covers its southern half
    ellipsoid = [
        abs(GEOD.geometry_area_perimeter(shapely.segmentize(b, 0.01))[0])
        for b in (box(60, 40, 84, 44), box(60, 40, 84, 48))
    ]
    assert coverage.share == pytest.approx(ellipsoid[0] / ellipsoid[1], abs=0.002)
