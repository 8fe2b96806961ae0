import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import geo
from geo.analysis import nearest, within_distance
from geo.analysis.units import parse_distance_m
from geo.crs import GEOD


def _points(coords, **cols):
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(len(coords))], **cols}, geometry=[Point(x, y) for x, y in coords], crs=4326
    )


def _brute_geodesic(lon, lat, polygon, step=0.001):
    """Geodesic metres from a point to a lon/lat polygon's densified boundary (0 inside)."""
    if polygon.contains(Point(lon, lat)):
        return 0.0
    ring = shapely.get_coordinates(shapely.segmentize(polygon.exterior, step))
    return float(GEOD.inv(np.full(len(ring), lon), np.full(len(ring), lat), ring[:, 0], ring[:, 1])[2].min())


def test_distance_to_a_polygon_is_the_geodesic_minimum():
    rng = np.random.default_rng(3)
    zone = gpd.GeoDataFrame({"id": ["z"]}, geometry=[box(70, 44, 70.6, 44.4)], crs=4326)
    lon, lat = rng.uniform(69.5, 71.1, 300), rng.uniform(43.6, 44.8, 300)
    pts = gpd.GeoDataFrame({"id": range(300)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    pairs = within_distance(pts, zone, 100_000).set_index("id_a")
    for i in pairs.index[:60]:
        assert pairs.loc[i, "distance_m"] == pytest.approx(_brute_geodesic(lon[i], lat[i], zone.geometry[0]), abs=2.0)


def test_within_distance_never_misses_a_pair_near_the_threshold():
    """The projected candidates have a margin: every pair the ellipsoid puts within is found."""
    rng = np.random.default_rng(7)
    centre = _points([(66.0, 48.0)])
    lon, lat = rng.uniform(60, 72, 4000), rng.uniform(44, 52, 4000)
    pts = gpd.GeoDataFrame({"id": range(4000)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    truth = GEOD.inv(np.full(4000, 66.0), np.full(4000, 48.0), lon, lat)[2]
    pairs = within_distance(pts, centre, 300_000)
    assert set(pairs["id_a"]) == set(np.flatnonzero(truth <= 300_000))
    got = pairs.set_index("id_a")["distance_m"]
    assert np.allclose(got.to_numpy(), truth[got.index.to_numpy()], atol=0.01)


def test_points_against_polygons_matches_the_general_path():
    """The vectorised points path and the geometry path agree (polygons against points swaps the sides)."""
    rng = np.random.default_rng(11)
    pts = gpd.GeoDataFrame(
        {"id": range(500)},
        geometry=gpd.points_from_xy(rng.uniform(68, 74, 500), rng.uniform(40, 45, 500)),
        crs=4326,
    )
    zones = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[box(70, 41, 71, 42), Point(72, 43).buffer(0.5)], crs=4326)
    forward = within_distance(pts, zones, 40_000)
    backward = within_distance(zones, pts, 40_000)
    key = lambda f, x, y: sorted(zip(f[x], f[y], f["distance_m"].round(2), strict=True))  # noqa: E731
    assert key(forward, "id_a", "id_b") == key(backward, "id_b", "id_a")


def test_distances_in_metres_or_kilometres_with_clear_errors():
    assert parse_distance_m("300 km") == 300_000
    assert parse_distance_m("300km") == 300_000
    assert parse_distance_m("2,500 m") == 2_500
    assert parse_distance_m(1500) == 1500
    a = _points([(70.0, 44.5)])
    b = _points([(70.0, 45.5)])
    assert len(within_distance(a, b, "120 km")) == 1
    with pytest.raises(ValueError, match="metres or kilometres"):
        within_distance(a, b, "300 miles")
    with pytest.raises(ValueError, match="positive"):
        within_distance(a, b, "-3 km")
    with pytest.raises(TypeError, match="300 km"):
        within_distance(a, b, [300])


def test_status_column_shadows_nothing_and_columns_are_compact():
    pairs = within_distance(geo.load("campuses"), geo.load("mineral_deposits"), "300 km")
    assert not hasattr(gpd.GeoDataFrame, "within_status")
    assert pairs.within_status.value_counts()["possibly"] > 0  # attribute access works
    assert list(pairs.columns) == [
        "id_a",
        "name_a",
        "location_precision_a",
        "id_b",
        "name_b",
        "location_precision_b",
        "distance_m",
        "distance_min_m",
        "distance_max_m",
        "geometry",
        "within_status",
        "note",
    ]
    wide = within_distance(geo.load("campuses"), geo.load("mineral_deposits"), "300 km", columns="all")
    assert "sources_b" in wide
    assert len(wide) == len(pairs)
    picked = within_distance(geo.load("campuses"), geo.load("mineral_deposits"), 300_000, columns=["commodities"])
    assert "commodities_b" in picked
    assert "commodities_a" not in picked
    with pytest.raises(ValueError, match="neither layer"):
        within_distance(geo.load("campuses"), geo.load("mineral_deposits"), 300_000, columns=["colour"])


def test_notes_say_region_and_country_matches_in_words():
    pairs = within_distance(
        geo.load("campuses"), geo.load("mineral_deposits"), "300 km", names=("campuses", "deposits")
    )
    for level in ("region", "country"):  # the curated deposits have region-only ones; a test frame adds a country
        known = pairs[pairs["location_precision_b"] == level]
        assert known["note"].str.contains(f"deposits: location known only to its {level}").all()
    assert (pairs["location_precision_b"] == "region").any()
    kazakhstan = geo.load("countries").query("id == 'KAZ'").assign(id="kz-x", location_precision="country")
    whole = within_distance(geo.load("campuses"), kazakhstan, "300 km", names=("campuses", "deposits"))
    assert whole["note"].str.contains("deposits: location known only to its country").all()
    assert len(whole)
    sites = pairs[(pairs["location_precision_a"] == "site") & (pairs["location_precision_b"] == "site")]
    assert sites["note"].isna().all()


def _worked_example():
    """The docstring's example: a campus, a site 40 km away, a town-level deposit 30 km away, a region around both."""
    campus = _points([(70.0, 44.0)], location_precision=["site"], uncertainty_m=[0.0])
    here = (70.0, 44.0)
    site = GEOD.fwd(*here, 90, 40_000)[:2]
    town = GEOD.fwd(*here, 0, 30_000)[:2]
    region = box(68.5, 43.0, 71.5, 45.0)
    candidates = gpd.GeoDataFrame(
        {
            "id": ["mine-a", "deposit-b", "programme-c"],
            "location_precision": ["site", "town", "region"],
            "uncertainty_m": [0.0, 15_000.0, np.nan],
        },
        geometry=[Point(site), Point(town), region],
        crs=4326,
    )
    return campus, candidates


def test_nearest_is_the_smallest_guaranteed_distance_with_the_candidates_that_could_be_nearer():
    campus, candidates = _worked_example()
    result = nearest(campus, candidates).set_index("id_b")
    assert result.loc["mine-a", "nearest_status"] == "nearest"
    assert result.loc["mine-a", "rank"] == 1
    assert result.loc["mine-a", "distance_max_m"] == pytest.approx(40_000, abs=1)
    assert result.loc["deposit-b", "nearest_status"] == "could be nearer"
    assert result.loc["deposit-b", "distance_min_m"] == pytest.approx(15_000, abs=1)
    assert result.loc["programme-c", "nearest_status"] == "could be nearer"
    assert result.loc["programme-c", "distance_m"] == 0
    assert result.loc["programme-c", "distance_max_m"] > 150_000
    assert result["note"].loc["programme-c"] == "b: location known only to its region"
    assert result["note"].loc["deposit-b"] == "b: location known only to its town (±15 km)"  # the radius in words


def test_no_zero_km_country_only_nearest():
    campuses = geo.load("campuses")
    deposits = geo.load("mineral_deposits")
    metals = deposits[deposits["commodities"].map(lambda c: "uranium" in c or "copper" in c)]
    result = nearest(campuses, metals)
    answers = result[result["nearest_status"] == "nearest"]
    assert len(answers) == campuses.geometry.notna().sum()  # one answer per located campus
    point_campuses = answers["location_precision_a"].isin(["site", "town", "district"])  # a campus known to a country
    envelope = answers["location_precision_b"].isin(["country", "region"])  # touches every envelope beside it
    assert not (point_campuses & envelope & (answers["distance_m"] == 0)).any()
    could = result[result["nearest_status"] == "could be nearer"]
    assert could["location_precision_b"].isin(["country", "region"]).any()  # region-only ones, as possibilities
    for _, group in result.groupby("id_a"):
        best = group.loc[group["rank"] == 1, "distance_max_m"].iloc[0]
        assert (group["distance_max_m"] >= best).all()
        assert (group.loc[group["rank"] > 1, "distance_min_m"] < best).all()


def test_nearest_k_and_limits():
    a = _points([(69.28, 41.31)])
    b = _points([(76.9, 43.25), (69.6, 42.3), (71.45, 51.18)])
    result = nearest(a, b, k=2)
    assert result["id_b"].tolist() == ["p1", "p0"]
    assert result["rank"].tolist() == [1, 2]
    assert nearest(a, b, k=1, max_distance_m="50 km").empty
    assert nearest(a, b, k=1, max_distance_m=50_000).empty  # metres as a number, too
    with pytest.raises(ValueError, match="at least 1"):
        nearest(a, b, k=0)


def test_many_points_nearest_matches_brute_force():
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(60, 80, 2000), rng.uniform(40, 52, 2000)
    pts = gpd.GeoDataFrame({"id": range(2000)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    towns = geo.load("cities")[["id", "name", "geometry"]]
    result = nearest(pts, towns).sort_values("id_a")
    tl, ta = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    for i in range(0, 2000, 97):
        d = GEOD.inv(np.full(len(tl), lon[i]), np.full(len(tl), lat[i]), tl, ta)[2]
        row = result[result["id_a"] == i].iloc[0]
        assert row["distance_m"] == pytest.approx(d.min(), abs=0.01)


def test_results_keep_the_left_crs_and_skip_unlocated_features():
    a = _points([(70.0, 44.5), (70.1, 44.6)]).to_crs(32642)
    a.loc[1, "geometry"] = None
    b = _points([(70.0, 45.0)])
    pairs = within_distance(a, b, "100 km")
    assert pairs.crs.to_epsg() == 32642
    assert pairs["id_a"].tolist() == ["p0"]
    assert isinstance(pairs["within_status"].dtype, pd.CategoricalDtype)


def test_pairs_equal_a_geod_reference_and_differ_from_projected_metres_only_near_the_threshold():
    """Point to point, every pair is exactly pyproj.Geod's answer; the projected-metres join (what
    geopandas' sjoin dwithin gives in geo.crs.METRIC) disagrees only within the documented tolerance."""
    from geo.analysis.proximity import PROJECTED_TOLERANCE
    from geo.crs import METRIC

    rng = np.random.default_rng(20)
    site_lon, site_lat = rng.uniform(48, 86, 30), rng.uniform(41, 55, 30)
    pick = rng.integers(0, 30, 4000)
    lon, lat = site_lon[pick] + rng.uniform(-0.45, 0.45, 4000), site_lat[pick] + rng.uniform(-0.3, 0.3, 4000)
    a = gpd.GeoDataFrame({"id": range(4000)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    b = gpd.GeoDataFrame({"id": range(30)}, geometry=gpd.points_from_xy(site_lon, site_lat), crs=4326)
    limit = 25_000.0
    ours = within_distance(a, b, limit)
    ii, jj = np.meshgrid(np.arange(4000), np.arange(30), indexing="ij")
    metres = GEOD.inv(lon[ii.ravel()], lat[ii.ravel()], site_lon[jj.ravel()], site_lat[jj.ravel()])[2]
    within = metres <= limit
    reference = dict(zip(zip(ii.ravel()[within], jj.ravel()[within], strict=True), metres[within], strict=True))
    got = dict(zip(zip(ours["id_a"], ours["id_b"], strict=True), ours["distance_m"], strict=True))
    assert got.keys() == reference.keys()
    assert all(got[k] == pytest.approx(reference[k], abs=1e-6) for k in got)

    planar = gpd.sjoin(a.to_crs(METRIC), b.to_crs(METRIC), predicate="dwithin", distance=limit)
    projected = set(zip(planar["id_left"], planar["id_right"], strict=True))
    differ = projected ^ reference.keys()
    assert differ, "the sample should reach the band where the projection's scale error matters"
    geodesic = {(i, j): metres[i * 30 + j] for i, j in differ}
    assert all(abs(m - limit) <= limit * PROJECTED_TOLERANCE for m in geodesic.values())


@pytest.mark.slow
def test_within_distance_takes_steady_cpu_time_call_after_call():
    """A user's loop meets every call: after one warm-up, CPU times stay within 1.5x of each other."""
    import time

    rng = np.random.default_rng(42)
    n = 200_000
    pts = gpd.GeoDataFrame(
        {"category": rng.choice(list("abcdefgh"), n)},
        geometry=gpd.points_from_xy(rng.uniform(46.5, 87.3, n), rng.uniform(40.6, 55.4, n)),
        crs=4326,
    )
    laea = "+proj=laea +lat_0=48 +lon_0=67 +datum=WGS84 +units=m"
    xs, ys = np.meshgrid(np.linspace(-1_300_000, 1_300_000, 20), np.linspace(-700_000, 700_000, 10))
    centres = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=laea)
    polys = gpd.GeoDataFrame({"zone": range(200)}, geometry=centres.buffer(60_000), crs=laea).to_crs(4326)
    within_distance(pts, polys, 25_000, columns="all")
    times = []
    for _ in range(4):
        start = time.process_time()
        result = within_distance(pts, polys, 25_000, columns="all")
        times.append(time.process_time() - start)
    assert len(result) > 100_000
    assert max(times) / min(times) < 1.5, times


def test_near_summary_is_one_row_per_feature_of_a_with_the_guaranteed_nearest():
    from geo.analysis.proximity import near_summary

    campus = _points([(70.0, 45.0), (80.0, 50.0)], id=["c1", "c2"], name=["Campus", "Far"])
    campus.loc[2] = {"id": "c3", "name": "Unplaced", "geometry": None}
    km = 1 / 111.2  # about a kilometre of latitude, in degrees
    b = _points(
        [(70.0, 45.0 + 40 * km), (70.0, 45.0 + 30 * km)],
        id=["mine", "town"],
        name=["Mine A", "Deposit B"],
        location_precision=["site", "town"],
        uncertainty_m=[0.0, 15_000.0],
    )
    out = near_summary(campus, b, "50 km")
    assert list(out["id_a"]) == ["c1", "c2", "c3"]
    first = out.iloc[0]
    assert first["id_b"] == "mine"  # 40-40 km beats 15-45 km: the guaranteed nearest
    assert first["could_be_nearer"] == 1
    assert (first["n_yes"], first["n_possibly"]) == (2, 0)
    assert round(first["distance_max_m"] / 1000) == 40
    far, unplaced = out.iloc[1], out.iloc[2]
    assert (far["n_yes"], far["n_possibly"]) == (0, 0)
    assert far["id_b"] == "mine"
    assert pd.isna(unplaced["id_b"])
    assert np.isnan(unplaced["distance_m"])
    assert unplaced["n_yes"] == 0
