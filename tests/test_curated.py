from pathlib import Path

import pytest

import geo
from geo.precision import LEVELS as PRECISIONS
from geo.registry import STATUSES

#: Site coordinates as printed in layers/research-notes/reference/coordinates.md (lat, lon): an independent
#: check. The layer keeps no more decimals than each source warrants, so they agree to within 0.0001 degrees
#: (about 11 m).
CITED_SITES = {
    "kz-inkai": (45.282222, 67.536667),
    "kz-tortkuduk": (44.504444, 69.200861),
    "kz-mynkuduk": (45.598333, 67.909722),
    "kz-karamurun": (44.098611, 66.793889),
    "kz-akdala": (45.647222, 68.402222),
    "kz-aktogay": (46.949444, 79.858889),
    "uz-almalyk-kalmakyr": (40.814213, 69.646094),
    "uz-muruntau": (41.495833, 64.5775),
    "kg-kumtor": (41.866667, 78.2),
    "kg-bozymchak": (41.258611, 71.064694),
    "tj-talco": (38.548611, 68.227778),
    "uz-wiut-tashkent": (41.306944, 69.283333),
}
#: Moved after the 2026-12 audit: Bozshakol to the USGS record (about 1 km from the old point).
MOVED_SITES = {"kz-bozshakol": (51.8462, 74.2897)}

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
    assert REQUIRED_IDS.get(layer, set()) <= set(gdf["id"])  # a new layer needs no entry here
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


def test_required_ids_name_registered_layers():
    assert set(REQUIRED_IDS) <= set(geo.CURATED)


def test_site_coordinates_are_the_cited_ones():
    features = {}
    for layer in geo.CURATED:
        gdf = geo.load(layer)
        features |= dict(zip(gdf["id"], zip(gdf["location_precision"], gdf.geometry, strict=True), strict=True))
    for fid, (lat, lon) in {**CITED_SITES, **MOVED_SITES}.items():
        precision, point = features[fid]
        assert precision == "site", fid
        tolerance = 5e-4 if fid in ("kg-kumtor", "uz-wiut-tashkent") else 1e-4  # arc-minute or 3-decimal sources
        assert abs(point.y - lat) <= tolerance, fid
        assert abs(point.x - lon) <= tolerance, fid


def test_the_curated_data_has_no_mechanical_faults():
    from geo.audit import audit

    faults = [f for f in audit() if f.severity == "fault"]
    assert faults == []


@pytest.mark.parametrize(
    ("text", "values", "decimals"),
    [
        ("43°32′22″N 78°58′31″E", (43.5394, 78.9753), 4),
        ("41° 15′ 31″ N, 71° 3′ 52,9″ O", (41.2586, 71.0647), 5),
        ("41°52′N 78°12′E", (41.8667, 78.2), 3),
        ("Geographic location 74.2897, 51.8462", (74.2897, 51.8462), 4),
        ("44°08′25″ s. sh. 68°28′30″ E (village of Suzak/Sozak)", (44.1403, 68.475), 4),
    ],
)
def test_stated_coordinates_parse_with_their_resolution(text, values, decimals):
    from geo.audit import parse_stated

    stated = parse_stated(text)
    assert stated is not None
    assert stated.values == pytest.approx(values, abs=1e-4)
    assert stated.decimals == decimals


def test_the_audit_finds_what_it_should(tmp_path):
    from geo.audit import _feature_findings

    feature = {
        "id": "kz-x",
        "as_of": "2023-01",
        "status": "operating",
        "sources": [{"title": "T", "publisher": "P", "url": "", "date": "2023"}],
        "location": {
            "precision": "site",
            "lon": 70.123456,
            "lat": 43.5394,
            "stated": "43°32′22″N 70°07′24″E",
            "uncertainty_m": 5,
            "source": {"title": "T", "url": "https://x.org"},
        },
        "capacity": {"value": 1, "unit": "t", "source": "https://elsewhere.org"},
    }
    from datetime import date

    checks = {f.check for f in _feature_findings("mineral_deposits", feature, date(2026, 12, 1))}
    assert {
        "source without a URL",
        "decimals beyond the source",
        "uncertainty finer than the source",
        "capacity source not among the sources",
        "status older than a year",
    } <= checks


def test_the_audit_finds_untyped_weak_lagging_and_unbacked_data():
    from datetime import date

    from geo.audit import _feature_findings

    mirror = "https://www.wikiwand.com/en/articles/X"
    feature = {
        "id": "kz-x",
        "as_of": "2017",
        "checked": "2026-11-30",
        "status": "operating",
        "sources": [
            {"title": "A", "publisher": "P", "url": "https://a.org/1", "date": "2023-05"},
            {"title": "B", "publisher": "P", "url": "https://b.org/2", "date": "2024"},
            {"title": "C", "publisher": "Wikipedia", "url": mirror, "date": "", "type": "encyclopedia"},
            {"title": "D", "publisher": "P", "url": "https://d.org/3", "date": "", "type": "aggregator"},
            {"title": "E", "publisher": "P", "url": "http://206.189.44.186/x", "date": "", "type": "news"},
        ],
        "capacity": {"value": 1, "unit": "t", "source": "https://d.org/3"},
        "uk_link": [{"kind": "uk_finance", "note": "UKEF", "source": "https://e.org"}],
    }
    found = _feature_findings("mineral_deposits", feature, date(2026, 12, 8))
    checks = [f.check for f in found if f.severity == "fault"]
    assert checks.count("source without a known type") == 2
    assert {
        "mirror typed as something else",
        "capacity rests on a mirror or aggregator",
        "uk_link source not among the sources",
        "status lags its newest source",
        "checked without backing",
    } <= set(checks)
    assert "bare IP or search page" in {f.check for f in found}
    for src in feature["sources"][:2]:
        src["type"] = "news"
    feature |= {"as_of": "2024", "searched": "company site and news 2025-26: nothing newer found"}
    feature["sources"].append({"title": "F", "publisher": "P", "url": "https://wikiwand.com/f", "date": "2026-01"})
    feature["sources"][-1]["type"] = "mirror"  # a mirror's date is when it copied the page: no lag
    checks = [f.check for f in _feature_findings("mineral_deposits", feature, date(2026, 12, 8))]
    assert "status lags its newest source" not in checks
    assert "checked without backing" not in checks
    assert "not checked within a year" not in checks
    feature["checked"] = "2025-11-30"
    checks = [f.check for f in _feature_findings("mineral_deposits", feature, date(2026, 12, 8))]
    assert "not checked within a year" in checks


def test_the_audit_summary_counts_checked_features_and_source_types():
    from datetime import date

    from geo.audit import summary
    from geo.registry import SOURCE_TYPES

    counts = summary(today=date(2026, 12, 8))  # the re-check of issue 21; a later check only adds
    assert counts.features >= 165
    assert set(counts.sources) <= set(SOURCE_TYPES)  # every source typed
    assert counts.share_checked >= 0.8  # issue 21: at least 80% checked within a year


def test_deposits_cover_at_least_100_sites_and_15_uk_critical_minerals():
    from geo.symbology import UK_CRITICAL

    deposits = geo.load("mineral_deposits")
    assert len(deposits) >= 100
    main = {c for cs in deposits["commodities"] for c in cs} & UK_CRITICAL
    assert len(main) >= 15, sorted(main)
    with_url = deposits["sources"].map(lambda ss: any(str(s.get("url", "")).startswith("http") for s in ss))
    assert with_url.all()
    bozshakol = deposits.set_index("id").loc["kz-bozshakol"]
    assert {"rhenium", "gold", "molybdenum"} <= set(bozshakol["byproducts"])
    inkai = deposits.set_index("id").loc["kz-inkai"]
    assert {o["name"]: o["share_pct"] for o in inkai["owners"]} == {"Kazatomprom": 60.0, "Cameco": 40.0}
    assert [e["status"] for e in inkai["events"]][-2:] == ["suspended", "resumed"]


def test_issue_21_corrections_hold():
    deposits = geo.load("mineral_deposits").set_index("id")
    shares = {o["name"]: o.get("share_pct") for o in deposits.loc["uz-djengeldi", "owners"]}
    assert shares == {"Navoiyuran State Enterprise": 45.0, "Orano Mining": 45.0, "ITOCHU Corporation": 10.0}
    assert deposits.loc["tm-khazar-iodine", "status"] != "operating"
    assert "gallium" not in deposits.loc["kz-aluminium-of-kazakhstan", "byproducts"]
    assert any("CGN" in o["name"] for o in deposits.loc["kz-zhalpak", "owners"])
    campuses = geo.load("campuses").set_index("id")
    assert campuses.loc["tj-uca-khorog", "opened"] == "2018-09-14"


def test_audit_corrections_hold():
    deposits = geo.load("mineral_deposits").set_index("id")
    assert deposits.loc["tj-konchoch", "status"] == "operating"
    assert "gallium" not in deposits.loc["kz-aluminium-of-kazakhstan", "commodities"]
    uranium_unions = deposits[deposits["location_basis"].fillna("").str.contains("union of three", case=False)]
    assert uranium_unions.empty
    assert deposits.loc["kz-irkol", "location_precision"] in ("district", "town")
    campuses = geo.load("campuses").set_index("id")
    assert campuses.loc["uz-wiut-tashkent", "uncertainty_m"] >= 1000
    forests = geo.load("afforestation_areas").set_index("id")
    assert forests.loc["uz-resiland", "status"] != "announced"
    assert forests.loc["uz-yashil-makon", "target_area_ha"] == 1_500_000


def test_agreements_link_features_and_the_february_2026_deals():
    table = geo.agreements().set_index("id")
    roadmap = table.loc["uk-kz-critical-minerals-roadmap-2026"]
    assert roadmap["date"] == "2026-02-26"
    assert any("Saparbekov" in s for s in roadmap["signatories"])
    assert any("Bryant" in s for s in roadmap["signatories"])
    assert "60%" in table.loc["uk-critical-minerals-strategy-vision-2035", "summary"]
    assert table.loc["ca5-uk-forest-100m-25000ha-2026", "features"]  # the £100m / 25,000 ha deal, linked
    linked = {fid for ids in table["features"] for fid in ids}
    assert {"kz-coventry-almaty", "kg-valor-carbon-issyk-kul"} <= linked
    campuses = geo.load("campuses").set_index("id")
    assert campuses.loc["kz-coventry-almaty", "agreements"]
    hits = geo.features_of(campuses.loc["kz-coventry-almaty", "agreements"][0])
    assert "kz-coventry-almaty" in set(hits["id"])
    with pytest.raises(geo.UnknownNameError, match="No agreement 'uk-mars-2030'"):
        geo.features_of("uk-mars-2030")


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
_SOURCE = (
    'sources = [{ title = "A source", publisher = "P", url = "https://example.org/a", date = "2026-01", '
    'type = "news" }]'
)
_UK_LINK = 'uk_link = [{ kind = "uk_friend", note = "n", source = "https://example.org/a" }]'
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
sources = [{ title = "A source", publisher = "P", url = "https://example.org/a", date = "2026-01", type = "news" }]
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
            (_SOURCE, "sources = []"),
            "field 'sources'",
        ),
        (('precision = "town"', 'precision = "village"'), "location.precision must be one of"),
        (('type = "news"', 'type = "blog"'), "field 'sources'"),
        (
            ('as_of = "2026"', f'as_of = "2026"\n{_UK_LINK}'),
            "field 'uk_link'",
        ),
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


def test_geo_data_audit_reports_the_checked_share_and_the_sources_by_type():
    from typer.testing import CliRunner

    from geo.cli.main import app

    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["data", "audit"])
    assert result.exit_code == 0, result.output
    assert "checked within a year:" in result.output
    assert "sources by type: official" in result.output
