"""Scale-out: the same questions in memory, on dask threads and on a LocalCluster give the same answers."""

import dask_geopandas
import geopandas as gpd
import numpy as np
import pytest

import geo
from geo.analysis import nearest, overlaps, summarize, within_distance
from geo.analysis.scale import compute, is_lazy


def _points(n, seed=1):
    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame(
        {"pid": np.arange(n)},
        geometry=gpd.points_from_xy(rng.uniform(60, 80, n), rng.uniform(40, 52, n)),
        crs=4326,
    )


def _pairs(frame):
    return sorted(
        zip(
            frame["pid_a"], frame["id_b"], frame["distance_m"].round(3), frame["within_status"].astype(str), strict=True
        )
    )


def test_lazy_results_have_the_same_columns_and_pairs():
    pts, deposits = _points(6000), geo.load("mineral_deposits")
    lazy = within_distance(dask_geopandas.from_geopandas(pts, npartitions=3), deposits, "40 km", columns=["pid", "id"])
    assert is_lazy(lazy)
    eager = within_distance(pts, deposits, "40 km", columns=["pid", "id"])
    assert list(lazy.columns) == list(eager.columns)
    seen = []
    got = compute(lazy, progress=lambda done, total: seen.append((done, total)))
    assert _pairs(got) == _pairs(eager)
    assert seen[-1] == (3, 3)


def test_nearest_summarize_overlaps_and_zonal_on_dask(dem):
    from geo.raster import zonal_stats

    pts, towns = _points(2000, seed=2), geo.load("cities")[["id", "name", "geometry"]]
    lazy = nearest(dask_geopandas.from_geopandas(pts, npartitions=2), towns, columns=["pid", "id"])
    eager = nearest(pts, towns, columns=["pid", "id"])
    assert sorted(zip(compute(lazy)["pid_a"], compute(lazy)["id_b"], strict=True)) == sorted(
        zip(eager["pid_a"], eager["id_b"], strict=True)
    )
    aff = geo.load("afforestation_areas")
    table = summarize(dask_geopandas.from_geopandas(aff, npartitions=2)).compute()
    assert table.set_index("iso_a3")["stated_ha"].to_dict() == summarize(aff).set_index("iso_a3")["stated_ha"].to_dict()
    pieces = overlaps(dask_geopandas.from_geopandas(aff, npartitions=2), geo.load("countries")).compute()
    assert len(pieces) == len(overlaps(aff, geo.load("countries")))
    zones = geo.load("regions").iloc[:6]
    lazy_zonal = zonal_stats(
        dem, dask_geopandas.from_geopandas(zones, npartitions=2), stats=("max",), include_cols=["id"]
    )
    eager_zonal = zonal_stats(dem, zones, stats=("max",), include_cols=["id"])
    assert lazy_zonal.compute().set_index("id")["max"].equals(eager_zonal.set_index("id")["max"])


def test_partitioned_geoparquet_round_trip(tmp_path):
    from geo.exporter.partitioned import write_partitioned

    pts = _points(2500)
    done = write_partitioned(pts, tmp_path / "pts.parquet", rows_per_file=1000)
    assert done == {"files": 3, "rows": 2500}
    whole = geo.read(tmp_path / "pts.parquet")
    assert whole["pid"].tolist() == pts["pid"].tolist()
    assert whole.crs.equals(pts.crs)
    lazy = geo.read(tmp_path / "pts.parquet", lazy=True)
    assert lazy.npartitions == 3
    with pytest.raises(geo.ExportError, match="already exists"):
        write_partitioned(pts, tmp_path / "pts.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(geo.InputFileError, match=r"no \.parquet files"):
        geo.read(tmp_path / "empty")


@pytest.mark.slow
def test_same_pairs_in_memory_and_on_a_local_cluster(tmp_path):
    from geo.exporter.partitioned import write_partitioned

    pts, deposits = _points(20_000, seed=4), geo.load("mineral_deposits")
    write_partitioned(pts, tmp_path / "pts.parquet", rows_per_file=5_000)
    lazy = within_distance(geo.read(tmp_path / "pts.parquet", lazy=True), deposits, "25 km", columns=["pid", "id"])
    progress = []
    on_cluster = compute(lazy, scheduler="local", progress=lambda d, t: progress.append((d, t)))
    in_memory = within_distance(pts, deposits, "25 km", columns=["pid", "id"])
    assert _pairs(on_cluster) == _pairs(in_memory)
    assert progress[-1] == (4, 4)


@pytest.mark.slow
def test_cli_near_with_a_scheduler(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from geo.cli.main import app
    from geo.exporter.partitioned import write_partitioned

    monkeypatch.chdir(tmp_path)
    write_partitioned(_points(4_000, seed=5), tmp_path / "pts.parquet", rows_per_file=2_000)
    args = ["near", "pts.parquet", "mineral_deposits", "--within-km", "25", "--scheduler", "local", "-o", "p.parquet"]
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(geo.read(tmp_path / "p.parquet")) == len(
        within_distance(_points(4_000, seed=5), geo.load("mineral_deposits"), "25 km")
    )
    bad = CliRunner().invoke(
        app, ["near", "campuses", "cities", "--within-km", "5", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert bad.exit_code == 1
    assert "No dask scheduler answers" in bad.output
