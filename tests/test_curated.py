from pathlib import Path

import pytest

import geo
from geo.precision import LEVELS as PRECISIONS
from geo.registry import STATUSES

#: Site coordinates as printed in shared/reference/coordinates.md (lat, lon): an independent check.
CITED_SITES = {
    "kz-inkai": (45.282222, 67.536667),
    "kz-tortkuduk": (44.504444, 69.200861),
    "kz-mynkuduk": (45.598333, 67.909722),
    "kz-karamurun": (44.098611, 66.793889),
    "kz-akdala": (45.647222, 68.402222),
    "kz-aktogay": (46.949444, 79.858889),
    "kz-bozshakol": (51.854306, 74.298306),
    "uz-almalyk-kalmakyr": (40.814213, 69.646094),
    "uz-muruntau": (41.495833, 64.5775),
    "kg-kumtor": (41.866667, 78.2),
    "kg-bozymchak": (41.258611, 71.064694),
    "tj-talco": (38.548611, 68.227778),
    "uz-wiut-tashkent": (41.306944, 69.283333),
}

REQUIRED_IDS = {
    "mineral_deposits": {
        "kz-inkai",
        "kz-tortkuduk",
        "kz-muyunkum",
        "kz-south-tortkuduk",
        "kz-mynkuduk",
        "kz-karamurun",
        "kz-akdala",
        "kz-zhalpak",
        "kz-kanzhugan",
        "kz-zarechnoye",
        "kz-north-kharasan",
        "kz-budenovskoye",
        "kz-irkol",
        "kz-semizbay",
        "kz-donskoy-gok",
        "kz-aktogay",
        "kz-bozshakol",
        "kz-uktmp",
        "kz-tau-ken-temir",
        "kz-kazsilicon",
        "kz-balasausqandiq",
        "kz-aluminium-of-kazakhstan",
        "uz-almalyk-kalmakyr",
        "uz-almalyk-dalneye",
        "uz-almalyk-yoshlik-ii",
        "uz-muruntau",
        "uz-central-kyzylkum",
        "kg-kumtor",
        "kg-bozymchak",
        "kg-kadamzhay",
        "tj-jijikrut",
        "tj-konchoch",
        "tj-anzob",
        "tj-pakrut",
    },
    "campuses": {
        "kz-coventry-astana",
        "kz-coventry-almaty",
        "kz-astana-ai-centre",
        "kz-cardiff-astana",
        "kz-de-montfort-almaty",
        "kz-heriot-watt-aktobe",
        "uz-wiut-tashkent",
        "kg-uca-naryn",
        "tj-uca-khorog",
        "kz-uca-tekeli",
    },
    "carbon_sites": {
        "kg-cs-for-ak-tala",
        "kg-cs-for-toguz-toro",
        "kg-cs-for-suzak",
        "kg-cs-for-uzgen",
        "kg-afoco-rabobank",
    },
    "afforestation_areas": {
        "kg-valor-carbon-issyk-kul",
        "uz-aralkum-planting",
        "kz-aral-bed-saxaul",
        "uz-resiland",
        "kz-two-billion-trees",
    },
}


@pytest.mark.parametrize("layer", geo.CURATED)
def test_every_feature_is_sourced_marked_and_located_honestly(layer):
    gdf = geo.load(layer)
    assert REQUIRED_IDS[layer] <= set(gdf["id"])
    assert gdf["sources"].map(len).min() >= 1
    assert gdf["confidence"].isin(["H", "M", "L"]).all()
    assert gdf["status"].isin(STATUSES).all()
    assert gdf["location_precision"].isin(PRECISIONS).all()
    for _, f in gdf.iterrows():
        precision = f["location_precision"]
        if precision in ("site", "town", "district"):
            assert f.geometry.geom_type == "Point", f["id"]
            assert f["uncertainty_m"] > 0, f["id"]
            assert f["location_source"], f["id"]
        elif precision in ("region", "country"):
            assert f.geometry.geom_type in ("Polygon", "MultiPolygon"), f["id"]
        else:
            assert f.geometry is None, f["id"]


def test_site_coordinates_are_the_cited_ones():
    features = {}
    for layer in geo.CURATED:
        gdf = geo.load(layer)
        features |= dict(zip(gdf["id"], zip(gdf["location_precision"], gdf.geometry, strict=True), strict=True))
    sites = {fid for fid, (precision, _) in features.items() if precision == "site"}
    assert sites == set(CITED_SITES) | {"kz-south-inkai"}
    for fid, (lat, lon) in CITED_SITES.items():
        point = features[fid][1]
        assert (round(point.y, 6), round(point.x, 6)) == (lat, lon), fid


def test_town_points_are_the_geonames_places():
    cities = geo.load("cities").set_index("id")
    campuses = geo.load("campuses").set_index("id")
    astana = cities.loc["gn-1526273"].geometry
    for fid in ("kz-coventry-astana", "kz-cardiff-astana", "kz-astana-ai-centre"):
        assert campuses.loc[fid].geometry.equals(astana)
        assert campuses.loc[fid, "location_precision"] == "town"


def test_valor_carbon_is_the_issyk_kul_oblast_with_the_deal_link_as_an_inference():
    valor = geo.load("afforestation_areas").set_index("id").loc["kg-valor-carbon-issyk-kul"]
    oblast = geo.load("regions").set_index("id").loc["kg-issyk-kul"].geometry
    assert valor["location_precision"] == "region"
    assert valor.geometry.symmetric_difference(oblast).area < 1e-9
    assert valor["target_area_ha"] == 25_000
    link = [r for r in valor["readings"] if "100m" in r["claim"]]
    assert link
    assert link[0]["confidence"] == "M"
    assert "Inference" in link[0]["source"]


def test_conflicting_sources_show_both_readings():
    campuses = geo.load("campuses").set_index("id")
    ai = campuses.loc["kz-astana-ai-centre"]
    assert ai["disputed"]
    claims = " ".join(r["claim"] for r in ai["readings"])
    assert "Cardiff" in claims
    assert "Coventry" in claims
    dmu = campuses.loc["kz-de-montfort-almaty"]
    dmu_claims = " ".join(r["claim"] for r in dmu["readings"])
    assert dmu["disputed"]
    assert "2021" in dmu_claims
    assert "2022" in dmu_claims


def test_aralkum_programmes_split_the_seabed_by_country():
    aff = geo.load("afforestation_areas").set_index("id")
    aralkum = geo.load("aralkum").geometry.iloc[0]
    uz, kz = aff.loc["uz-aralkum-planting"].geometry, aff.loc["kz-aral-bed-saxaul"].geometry
    assert uz.intersection(kz).area < 1e-6
    assert (uz.area + kz.area) == pytest.approx(aralkum.area, rel=0.01)


# --- bad curated input --------------------------------------------------------------------
GOOD = """
layer = "campuses"
[[features]]
id = "kz-test"
name = "Test campus"
kind = "university"
country = "KAZ"
status = "operating"
confidence = "M"
as_of = "2026"
institution = "Test University"
location = { precision = "town", geonameid = 1526273, uncertainty_m = 10000 }
sources = [{ title = "A source", publisher = "P", url = "https://example.org/a", date = "2026-01" }]
"""


@pytest.fixture
def layers_dir(tmp_path):
    from geo.paths import LAYERS_DIR

    (tmp_path / "curated").mkdir()
    (tmp_path / "reference").symlink_to(LAYERS_DIR / "reference")
    (tmp_path / "manifest.json").symlink_to(LAYERS_DIR / "manifest.json")
    return tmp_path


def _write(layers_dir: Path, text: str) -> None:
    (layers_dir / "curated" / "campuses.toml").write_text(text, encoding="utf-8")


def test_a_well_formed_file_loads(layers_dir):
    _write(layers_dir, GOOD)
    assert geo.load("campuses", layers_dir=layers_dir)["id"].tolist() == ["kz-test"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("geonameid = 1526273, uncertainty_m = 10000", "lon = 71.4, lat = 51.1, uncertainty_m = 10000"),
            "needs geonameid, or lon, lat and a source",
        ),
        (
            (
                'precision = "town", geonameid = 1526273, uncertainty_m = 10000',
                'precision = "region", areas = [{ layer = "regions", id = "kz-nowhere" }]',
            ),
            "no feature 'kz-nowhere' in reference layer 'regions'",
        ),
        (('status = "operating"', 'status = "rumoured"'), "field 'status' fails isin"),
        (('confidence = "M"', 'confidence = "high"'), "field 'confidence'"),
        (
            (
                'sources = [{ title = "A source", publisher = "P", url = "https://example.org/a", date = "2026-01" }]',
                "sources = []",
            ),
            "field 'sources'",
        ),
        (('precision = "town"', 'precision = "village"'), "location.precision must be one of"),
        (('name = "Test campus"', 'name = "Test campus'), "not valid UTF-8 TOML"),
    ],
)
def test_bad_curated_input_is_named(layers_dir, change, message):
    old, new = change
    _write(layers_dir, GOOD.replace(old, new))
    with pytest.raises(geo.LayerSchemaError, match=message):
        geo.load("campuses", layers_dir=layers_dir)


def test_duplicate_ids_and_several_problems_are_all_reported(layers_dir):
    twice = GOOD + GOOD.split('layer = "campuses"')[1].replace('status = "operating"', 'status = "x"')
    _write(layers_dir, twice)
    with pytest.raises(geo.LayerSchemaError) as info:
        geo.load("campuses", layers_dir=layers_dir)
    assert "field 'id'" in str(info.value)
    assert "field 'status'" in str(info.value)
