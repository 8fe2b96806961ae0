import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from typer.testing import CliRunner

import geo
from geo.analysis import concentration, overlaps, production, summarize, within_distance
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
    cited = table[table["source"].notna()]
    assert cited["source_url"].str.contains("http").mean() > 0.8  # most figures link their source
    assert cited["source_url"].map(lambda u: "http" in u or u.startswith("no URL: ")).all()  # the rest say why
    assert not cited["source_url"].str.contains("pending").any()
    urls = concentration().set_index("mineral")["source_urls"]
    assert "https://api.newsfilecorp.com/redirect/MAynzHzXZ3" in urls["uranium"]  # WNA's table, as cited


def test_a_production_row_without_a_url_or_a_reason_is_refused(tmp_path):
    from geo.analysis.supply import production as read

    table = production()
    table.loc[0, "source_url"] = None
    table.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(geo.LayerSchemaError, match=r"line\(s\) \[2\] cite a source without a URL"):
        read(tmp_path / "p.csv")


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
    assert not re.search(r"\bnan\b|<NA>", result.output)  # a mineral with no figures shows dashes
    assert (tmp_path / "supply.png").read_bytes()[:4] == b"\x89PNG"


# --- issue 9: areas stay honest ------------------------------------------------------------------------


def _stated_by_country(layer):
    from geo.analysis.overlay import stated_ha

    return stated_ha(layer).groupby(layer["country"]).sum()


def test_summarize_by_country_gives_stated_hectares_and_envelopes_apart():
    aff = geo.load("afforestation_areas")
    table = summarize(aff, by="country").set_index("iso_a3")
    expected = _stated_by_country(aff)  # the hand-written groupby the issue asked to replace
    for iso, ha in expected.items():
        assert table.loc[iso, "stated_ha"] == pytest.approx(ha)
    assert table.loc["KAZ", "stated_ha"] == 600_000  # not the 273 Mha of the country it lies in
    assert table.loc["KGZ", "stated_ha"] == 25_000
    assert table.loc["KAZ", "envelope_ha"] > 200_000_000  # reported, labelled, apart
    assert table["features"].sum() == len(aff)
    assert table.loc[["TJK", "TKM"], ["features", "stated_ha", "envelope_ha"]].eq(0).all().all()  # no slivers
    assert "never part of stated_ha" in table.attrs["columns"]["envelope_ha"]
    # what exists apart from what is only targeted: Valor Carbon's 25,000 ha is a target, not planted
    area = pd.to_numeric(aff["area_ha"], errors="coerce")
    assert table.loc["KGZ", ["stated_area_ha", "stated_target_ha"]].tolist() == [0, 25_000]
    assert table["stated_area_ha"].sum() == area.sum()
    assert (table["stated_area_ha"] + table["stated_target_ha"]).eq(table["stated_ha"]).all()


def test_summarize_by_region_names_shared_and_country_only_rows():
    aff = geo.load("afforestation_areas")
    table = summarize(aff, by="region").set_index("id")
    assert table.loc["kg-issyk-kul", "stated_ha"] == 25_000
    assert table.loc["kz-karaganda", "features"] == 0  # the country-only programme is not put in a region
    only = table[table["kind"] == "country only"]
    assert set(only.index) >= {"KAZ", "UZB"}
    together = table[table["kind"] == "together"]
    assert len(together) == 1
    assert together["stated_ha"].iloc[0] == 176_000  # RESILAND, six regions, not split
    assert table["stated_ha"].sum() == pytest.approx(_stated_by_country(aff).sum())


def test_valor_carbon_planting_counted_in_kyrgyzstan_only():
    aff = geo.load("afforestation_areas")
    valor = aff[aff["id"] == "kg-valor-carbon-issyk-kul"]
    result = overlaps(valor, geo.load("countries")[["iso_a3", "name", "geometry"]])
    assert result["iso_a3_b"].tolist() == ["KGZ"]  # the 566 ha in KAZ and 533 ha in CHN were slivers
    assert result["stated_ha"].iloc[0] == 25_000
    assert result["overlap_ha"].isna().all()  # a region-only feature has no covered area, only an envelope
    assert result["envelope_ha"].iloc[0] > 4_000_000


def test_sliver_tolerance_covers_the_reference_boundaries_disagreement():
    """Countries and regions disagree along shared borders by less than the sliver tolerance."""
    import shapely

    from geo.analysis.overlay import SLIVER_M
    from geo.crs import EQUAL_AREA

    countries = geo.load("countries").to_crs(EQUAL_AREA).set_index("iso_a3")
    regions = geo.load("regions").to_crs(EQUAL_AREA)
    for iso in ("KGZ", "TJK", "UZB", "TKM"):
        union = shapely.union_all(regions[regions["country"] == iso].geometry.to_numpy())
        gap = shapely.symmetric_difference(union, countries.loc[iso].geometry)
        widest = max(shapely.length(shapely.maximum_inscribed_circle(p)) for p in shapely.get_parts(gap))
        assert widest < SLIVER_M, iso


def test_overlaps_keep_real_areas_apart_from_envelopes():
    parcels = gpd.GeoDataFrame({"id": ["p"]}, geometry=[box(70, 40, 71, 41)], crs=4326)
    region = gpd.GeoDataFrame(
        {"id": ["r"], "location_precision": ["region"], "target_area_ha": [5_000.0]},
        geometry=[box(70.5, 40, 71.5, 41)],
        crs=4326,
    )
    real = overlaps(parcels, parcels.assign(id="q"))
    assert real["overlap_ha"].iloc[0] > 0
    assert real["envelope_ha"].isna().all()
    envelope = overlaps(region, parcels)
    assert envelope["overlap_ha"].isna().all()
    assert envelope["envelope_ha"].iloc[0] > 0
    assert envelope["stated_ha"].iloc[0] == 5_000


# --- supply and siting ---------------------------------------------------------------------------------


def test_concentration_lists_every_mineral_with_a_curated_feature():
    from geo.analysis.supply import UNKNOWN, curated_minerals

    result = concentration().set_index("mineral")
    curated = curated_minerals(geo.load("mineral_deposits"))
    assert set(curated.index) <= set(result.index)
    assert result.loc["aluminium", "status"] == UNKNOWN
    assert pd.isna(result.loc["aluminium", "top_share_pct"])
    assert pd.isna(result.loc["aluminium", "exceeds_cap"])
    assert result.loc["aluminium", "curated_features"] == curated["aluminium"]


def test_chart_says_what_it_leaves_out():
    from geo.analysis.charts import left_out_text

    result = concentration()
    text = left_out_text(result[result["top_share_pct"].isna()])
    assert "aluminium" in text
    assert "NOT FOUND" in text
    assert "unknown: no sourced production figures" in text


def test_where_filters_the_right_layer():
    from geo.analysis.select import where

    deposits = geo.load("mineral_deposits")
    uranium = where(deposits, "commodities contains uranium")
    assert len(uranium) == deposits["commodities"].map(lambda c: "uranium" in c).sum()
    assert set(where(deposits, "country in KGZ,TJK")["country"]) == {"KGZ", "TJK"}
    assert (where(deposits, "country != KAZ")["country"] != "KAZ").all()
    assert where(deposits, "country = kaz")["id"].tolist() == where(deposits, "country = KAZ")["id"].tolist()
    with pytest.raises(ValueError, match=r"commodities 'uranum'\. Did you mean uranium"):
        where(deposits, "commodities contains uranum")  # a typo is an error, not an empty answer
    with pytest.raises(ValueError, match=r"Its values: KAZ, KGZ, TJK, TKM, UZB\."):
        where(deposits, "country in KAZ,XYZ")
    with pytest.raises(ValueError, match="no field 'colour'"):
        where(deposits, "colour = red")
    with pytest.raises(ValueError, match="FIELD OP VALUE"):
        where(deposits, "uranium")


def test_cli_near_filters_b_and_orders_by_guaranteed_distance(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "250"})
    args = ["near", "campuses", "mineral_deposits", "--within-km", "300", "--commodity", "uranium"]
    result = runner.invoke(app, [*args, "-o", "pairs.gpkg"])
    assert result.exit_code == 0, result.output
    back = geo.read_exported(tmp_path / "pairs.gpkg")
    frame = next(iter(back.values())) if isinstance(back, dict) else back
    deposits = geo.load("mineral_deposits").set_index("id")
    assert frame["id_b"].map(lambda i: "uranium" in deposits.loc[i, "commodities"]).all()
    assert "nearest guaranteed first" in result.output
    bad = runner.invoke(app, ["near", "campuses", "mineral_deposits", "--within-km", "300", "--where", "colour = red"])
    assert bad.exit_code == 1
    assert "no field 'colour'" in bad.output


def test_the_supply_chart_has_a_title_the_datas_date_and_a_source_line(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from geo.analysis.charts import concentration_chart

    figures = []
    save = Figure.savefig

    def spy(self, *args, **kwargs):
        figures.append(self)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    result = concentration()
    concentration_chart(result, tmp_path / "c.png")
    (fig,) = figures
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    subtitles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "share of world production" in title
    assert "60%" in title
    drawn = result.dropna(subset=["top_share_pct"])
    assert f"{drawn['year'].min()}–{drawn['year'].max()}" in subtitles  # the years of the figures drawn
    assert "Sources: " in notes
    assert "World Nuclear Association" in notes  # uranium's publisher, named once
    assert notes.count("World Nuclear Association") == 1
