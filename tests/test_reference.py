import json

import pytest

import geo
from geo.crs import area_ha
from geo.paths import LAYERS_DIR
from geo.provenance import sha256_file


def test_every_data_file_has_a_current_provenance_record():
    manifest = json.loads((LAYERS_DIR / "manifest.json").read_text())["files"]
    assert set(manifest) == set(geo.CURATED) | set(geo.REFERENCE) | {
        "production",
        "region_aliases",
        "agreements",
        "uk_minerals",
    }
    for name, record in manifest.items():
        path = LAYERS_DIR / record["file"]
        assert path.exists(), name
        assert record["sha256"] == sha256_file(path), f"{name}: run `geo data manifest` or `make data`"
        assert record["built"], name
        assert record["sources"], name
        if record["kind"] == "reference":
            for src in record["sources"]:
                assert {"package", "version", "sha256", "licence"} <= set(src)


@pytest.mark.parametrize("name", geo.REFERENCE)
def test_reference_layers_load_valid(name):
    gdf = geo.load(name)
    assert len(gdf) > 0
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    assert gdf["id"].is_unique


def test_countries_hold_the_five_states_whole():
    countries = geo.load("countries").set_index("iso_a3")
    assert set(countries.index[countries["central_asia"]]) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert not countries.loc[["KAZ", "UZB"], "clipped_to_window"].any()
    kz_million_km2 = area_ha(countries.loc[["KAZ"]], name="KAZ")[0] / 1e8
    assert kz_million_km2 == pytest.approx(2.72, rel=0.02)  # Kazakhstan: about 2.72 million km²


def test_regions_are_the_48_natural_earth_units_with_names():
    regions = geo.load("regions")
    assert regions["country"].value_counts().to_dict() == {"KAZ": 16, "UZB": 14, "KGZ": 8, "TJK": 5, "TKM": 5}
    issyk = regions.set_index("id").loc["kg-issyk-kul"]
    assert issyk["iso_3166_2"] == "KG-Y"
    assert issyk["name_ru"] == "Иссык-Кульская область"
    assert regions.set_index("id").loc["kz-astana", "name_en_ne"] == "Nur-Sultan"


def test_alias_table_points_at_existing_regions():
    aliases = geo.region_aliases()
    ids = set(geo.load("regions")["id"])
    assert set(aliases["region_id"]) <= ids
    regions = geo.load("regions").set_index("id")
    shymkent = geo.load("cities").set_index("name").loc["Shymkent"].geometry
    target = aliases.set_index("alias").loc["Shymkent", "region_id"]
    assert regions.loc[target].geometry.contains(shymkent)


def test_kazakhstan_2022_layout_has_the_new_regions():
    kz = geo.load("regions_kz_2022")
    assert len(kz) == 20
    assert {"Abay Region", "Jetisu Region", "Ulytau Region", "Shymkent"} <= set(kz["name"])


def test_cities_are_geonames_plus_cited_zarafshan():
    cities = geo.load("cities")
    assert len(cities) >= 870
    assert set(cities["country"]) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    zarafshan = cities.set_index("id").loc["zarafshan-uz"]
    assert "perceptiofr.com" in zarafshan["source"]
    oskemen = cities[cities["alt_names"].map(lambda names: "Oskemen" in names or "Öskemen" in names)]
    assert "Ust-Kamenogorsk" in set(oskemen["name"])
    assert cities["name_cyrillic"].notna().mean() > 0.8


def test_aralkum_is_the_dried_seabed_of_about_49000_km2():
    historic = area_ha(geo.load("aral_sea_historic"), name="h")[0] / 100
    current = area_ha(geo.load("aral_sea_current"), name="c")[0] / 100
    dried = area_ha(geo.load("aralkum"), name="a")[0] / 100
    assert historic == pytest.approx(67_550, rel=0.01)
    assert current == pytest.approx(18_550, rel=0.01)
    assert dried == pytest.approx(49_000, rel=0.02)
    assert dried == pytest.approx(historic - current, rel=0.001)


def test_named_lakes_and_rivers():
    lakes = geo.load("lakes").set_index("name")
    assert lakes.loc["Issyk-Kul", "country"] == "KGZ"
    assert lakes.loc["Issyk-Kul", "area_ha"] == pytest.approx(623_600, rel=0.03)  # 6,236 km²
    assert lakes.loc["Balkhash", "country"] == "KAZ"
    assert 1_500_000 < lakes.loc["Balkhash", "area_ha"] < 1_900_000  # 15,000-19,000 km² with the water level
    rivers = geo.load("rivers")
    assert {"Amu Darya", "Syr Darya"} <= set(rivers["name"].dropna())


def test_load_returns_independent_copies():
    first = geo.load("campuses")
    first.loc[0, "name"] = "changed"
    first.loc[0, "sources"].append({"title": "x"})
    again = geo.load("campuses")
    assert again.loc[0, "name"] != "changed"
    assert {"title": "x"} not in again.loc[0, "sources"]


def test_unknown_layer_lists_the_available_ones():
    with pytest.raises(geo.UnknownLayerError, match="Available: mineral_deposits"):
        geo.load("minerals")


def test_layers_readme_is_generated_from_the_manifest():
    from geo.provenance import manifest_markdown, read_manifest

    readme = (LAYERS_DIR / "README.md").read_text(encoding="utf-8")
    assert readme == manifest_markdown(read_manifest()), "run `geo data manifest`"


def test_readme_layer_table_is_generated_from_the_registry_and_manifest():
    from geo.provenance import TABLE_MARKS, layer_table, read_manifest
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split(TABLE_MARKS[0] + "\n")[1].split(TABLE_MARKS[1])[0]
    assert table == layer_table(read_manifest()), "run `geo data manifest`"
    assert [line.split("`")[1] for line in table.splitlines()[2:]] == list(geo.layers()["name"])


def test_manifest_rewrites_the_readme_table_from_the_registry(tmp_path):
    from geo.provenance import TABLE_MARKS, read_manifest, write_manifest

    layers = tmp_path / "layers"
    layers.mkdir()
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{TABLE_MARKS[0]}\nold\n{TABLE_MARKS[1]}\n\nafter\n", encoding="utf-8")
    write_manifest(read_manifest(), layers)
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text
    assert "| `mineral_deposits` | curated |" in text
    assert text.endswith(f"{TABLE_MARKS[1]}\n\nafter\n")


@pytest.mark.parametrize(
    ("name", "holder"),
    [("countries", "KAZ"), ("regions", "kz-kyzylorda"), ("regions_kz_2022", "kz-kyzylorda-region")],
)
def test_baikonur_is_in_kazakhstan_and_its_region_with_the_lease_kept(name, holder):
    import geopandas as gpd
    from shapely.geometry import Point

    baikonur = gpd.GeoDataFrame({"id": ["baikonur"]}, geometry=[Point(63.31, 45.62)], crs=4326)
    layer = geo.load(name)
    joined = gpd.sjoin(baikonur, layer[["id", "lease", "geometry"]], predicate="within")
    assert joined["id_right"].tolist() == [holder]  # in one unit, not in a hole
    assert "leased to Russia until 2050" in joined["lease"].iloc[0]
    assert layer["lease"].notna().sum() == 1


def test_a_feature_in_baikonur_counts_for_kazakhstan_and_kyzylorda():
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.analysis import summarize

    site = gpd.GeoDataFrame({"id": ["launch-pad"]}, geometry=[Point(63.31, 45.62)], crs=4326)
    by_country = summarize(site, by="country").set_index("iso_a3")
    assert by_country.loc["KAZ", "features"] == 1
    by_region = summarize(site, by="region").set_index("id")
    assert by_region.loc["kz-kyzylorda", "features"] == 1
