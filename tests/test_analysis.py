import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from typer.testing import CliRunner

import geo
from geo.analysis import concentration, nearest, overlaps, production, summarize, within_distance
from geo.cli.main import app
from geo.crs import GEOD


def _points(coords, **cols):
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(len(coords))], **cols}, geometry=[Point(x, y) for x, y in coords], crs=4326
    )


def test_distances_are_geodesic_metres():
    a = _points([(70.0, 44.5)])
    b = _points([(70.0, 45.5)])
    pairs = within_distance(a, b, 120_000)
    assert pairs["distance_m"].iloc[0] == pytest.approx(111_136, abs=30)  # one degree of latitude at 45° N
    assert pairs["within_status"].iloc[0] == "yes"
    assert within_distance(a, b, 110_000).empty


def test_distances_do_not_depend_on_the_input_crs():
    a = _points([(69.28, 41.31), (76.9, 43.25)])
    b = _points([(71.45, 51.18)])
    here = within_distance(a, b, 2_000_000)["distance_m"].to_numpy()
    utm = within_distance(a.to_crs(32642), b.to_crs(3857), 2_000_000)["distance_m"].to_numpy()
    assert here == pytest.approx(utm, rel=1e-6)
    assert here[0] == pytest.approx(GEOD.inv(69.28, 41.31, 71.45, 51.18)[2], rel=1e-6)


def test_uncertainty_turns_yes_into_possibly():
    site = _points([(70.0, 44.5)], location_precision=["site"], uncertainty_m=[100.0])
    town = _points([(70.0, 45.5)], location_precision=["town"], uncertainty_m=[15_000.0])
    pairs = within_distance(site, town, 115_000)
    row = pairs.iloc[0]
    assert row["within_status"] == "possibly"
    assert row["distance_min_m"] == pytest.approx(111_136 - 15_100, abs=30)
    assert row["distance_max_m"] == pytest.approx(111_136 + 15_100, abs=30)


def test_a_region_known_area_gives_an_interval_from_nearest_to_farthest_point():
    valor = geo.load("afforestation_areas").set_index("id").loc[["kg-valor-carbon-issyk-kul"]].reset_index()
    naryn = geo.load("campuses").set_index("id").loc[["kg-uca-naryn"]].reset_index()
    pairs = within_distance(naryn, valor, 100_000, include_no=True, names=("campus", "planting"))
    row = pairs.iloc[0]
    assert row["distance_min_m"] < row["distance_m"] + 1 < row["distance_max_m"]
    assert row["distance_max_m"] > 300_000  # the oblast is about 400 km across
    assert row["within_status"] == "possibly"


def test_campuses_near_uranium_or_copper_sites():
    campuses = geo.load("campuses")
    deposits = geo.load("mineral_deposits")
    metals = deposits[deposits["commodities"].map(lambda c: "uranium" in c or "copper" in c)]
    pairs = within_distance(campuses, metals, 300_000, names=("campuses", "deposits"))
    assert set(pairs["within_status"]) <= {"yes", "possibly"}
    yes = pairs[pairs["within_status"] == "yes"]
    assert ("kz-coventry-astana", "kz-bozshakol") in set(zip(yes["id_a"], yes["id_b"], strict=True))
    assert (pairs["distance_min_m"] <= pairs["distance_m"]).all()
    assert (pairs["distance_m"] <= pairs["distance_max_m"]).all()


def test_nearest_ranks_by_geodesic_distance():
    a = _points([(69.28, 41.31)])
    b = _points([(76.9, 43.25), (69.6, 42.3), (71.45, 51.18)])
    result = nearest(a, b, k=2)
    assert result["id_b"].tolist() == ["p1", "p0"]
    assert result["rank"].tolist() == [1, 2]
    assert nearest(a, b, k=1, max_distance_m=50_000).empty


def test_bad_arguments_are_refused():
    a = _points([(70, 44)])
    with pytest.raises(ValueError, match="positive number of metres"):
        within_distance(a, a, 0)
    with pytest.raises(geo.CRSError, match="no CRS"):
        within_distance(a.set_crs(None, allow_override=True), a, 10)


def test_overlaps_in_hectares():
    one = gpd.GeoDataFrame({"id": ["one"]}, geometry=[box(70, 40, 71, 41)], crs=4326)
    half = gpd.GeoDataFrame({"id": ["half"]}, geometry=[box(70.5, 40, 71.5, 41)], crs=4326)
    result = overlaps(one, half)
    geodesic_ha = abs(GEOD.geometry_area_perimeter(box(70.5, 40, 71, 41))[0]) / 10_000
    assert result["overlap_ha"].iloc[0] == pytest.approx(geodesic_ha, rel=1e-3)
    assert result["share_a"].iloc[0] == pytest.approx(0.5, rel=1e-3)
    assert result.crs.to_epsg() == 4326


def test_summarize_counts_features_per_country():
    table = summarize(geo.load("campuses"), by="country").set_index("iso_a3")
    campuses = geo.load("campuses")
    assert table.loc["KAZ", "features"] == (campuses["country"] == "KAZ").sum()
    assert table["features"].sum() == len(campuses)
    with pytest.raises(ValueError, match="'country' or 'region'"):
        summarize(campuses, by="district")


def test_concentration_against_the_60_percent_line():
    result = concentration().set_index("mineral")
    uranium = result.loc["uranium"]
    assert uranium["top_country"] == "KAZ"
    assert uranium["top_share_pct"] == pytest.approx(100 * 23_270 / 60_213, abs=0.1)
    assert uranium["central_asia_share_pct"] == pytest.approx(100 * (23_270 + 4_000) / 60_213, abs=0.1)
    assert not uranium["exceeds_cap"]
    assert result.loc["gallium", "exceeds_cap"]
    assert pd.isna(result.loc["zinc", "exceeds_cap"])  # no world total: unknown, not "no"
    assert result.loc["rhenium", "status"] == "NOT FOUND"
    assert pd.isna(result.loc["copper", "central_asia_share_pct"])  # Kazakhstan not listed for 2024
    assert "imports" in result["caveat"].iloc[0]


def test_production_table_keeps_sources_and_confidence():
    table = production()
    assert table["source"].notna().sum() >= len(table) - 2
    assert set(table["confidence"]) <= {"H", "M", "L"}


def test_cli_near_and_supply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["near", "campuses", "mineral_deposits", "--within-km", "300", "-o", "pairs.gpkg"])
    assert result.exit_code == 0, result.output
    assert "possibly" in result.output
    assert (tmp_path / "pairs.gpkg").exists()
    result = runner.invoke(app, ["supply", "--png", "supply.png"])
    assert result.exit_code == 0, result.output
    assert "uranium" in result.output
    assert (tmp_path / "supply.png").read_bytes()[:4] == b"\x89PNG"
