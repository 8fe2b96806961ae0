"""Map building without a browser: offline assets, escaping, determinism, recipes."""

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import Point

import geo
from geo.mapping.builder import build_map, save_map, to_html
from geo.mapping.offline import OfflineError, inline_assets, loaded_urls
from geo.mapping.recipes import render_recipe
from tests.conftest import ROOT, seeded_points

EVIL = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2"> ${window.pwned=3} `tick`'


@pytest.fixture(scope="module")
def atlas_html():
    return to_html(build_map())


def test_atlas_loads_nothing_from_the_network(atlas_html):
    assert loaded_urls(atlas_html) == []
    assert "cdn.jsdelivr" not in atlas_html
    assert "cdnjs" not in atlas_html
    assert "L.Icon.Default.imagePath" in atlas_html


def test_unvendored_asset_fails_loudly():
    page = '<html><head><script src="https://cdn.example.org/lib.js"></script></head></html>'
    with pytest.raises(OfflineError, match=r"cdn\.example\.org/lib\.js"):
        inline_assets(page)
    with pytest.raises(OfflineError, match="would still load"):
        inline_assets("<style>.a{background:url(https://x.org/a.png)}</style>")


def test_same_inputs_give_byte_identical_html(atlas_html):
    assert to_html(build_map()) == atlas_html


def test_manifest_records_inputs_versions_and_settings(atlas_html):
    text = re.search(r'<script type="application/json" id="atlas-manifest">(.*?)</script>', atlas_html).group(1)
    manifest = json.loads(text)
    layers = {i["layer"]: i for i in manifest["inputs"]}
    assert layers["mineral_deposits"]["features"] == len(geo.load("mineral_deposits"))
    assert layers["mineral_deposits"]["sha256"]
    assert manifest["versions"]["folium"].startswith("0.20")
    assert manifest["settings"]["tiles"] is None


def test_text_from_data_cannot_break_out(tmp_path):
    user = gpd.GeoDataFrame({"name": [EVIL], "note": [EVIL]}, geometry=[Point(70, 41)], crs=4326)
    html = to_html(build_map(["campuses"], user={EVIL: user}, title=EVIL, basemap=["countries"]))
    assert "window.pwned=1</script>" not in html
    assert "<img src=x" not in html
    data = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data)["title"] == EVIL  # the text survives, escaped only for where it lands


def test_exported_data_is_not_altered_by_map_escaping(tmp_path):
    user = gpd.GeoDataFrame({"id": ["a"], "name": [EVIL]}, geometry=[Point(70, 41)], crs=4326)
    build_map(["campuses"], user={"evil": user}, basemap=["countries"])
    report = geo.export(user, tmp_path / "u.geojson", name="u")
    assert geo.read_exported(report.path)["u"]["name"].tolist() == [EVIL]


def test_save_map_is_atomic_and_refuses_to_overwrite(tmp_path):
    m = build_map(["campuses"], basemap=["countries"])
    path = save_map(m, tmp_path / "m.html")
    with pytest.raises(geo.ExportError, match="already exists"):
        save_map(m, path)
    with pytest.raises(geo.ExportError, match=r"\.html"):
        save_map(m, tmp_path / "m.png")


@pytest.mark.parametrize("recipe", sorted((ROOT / "maps").glob("*.toml")), ids=lambda p: p.stem)
def test_every_recipe_renders_offline(recipe, dem):
    html = to_html(render_recipe(recipe, dem=dem))
    assert loaded_urls(html) == []


def test_minerals_recipe_splits_uranium(tmp_path):
    m = render_recipe(ROOT / "maps" / "minerals.toml")
    html = to_html(m)
    data = json.loads(re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1))
    titles = {o["title"]: o["count"] for o in data["overlays"]}
    deposits = geo.load("mineral_deposits")
    uranium = deposits["commodities"].map(lambda c: "uranium" in c).sum()
    assert titles["Uranium (ISR mines and deposits)"] == uranium
    assert titles["Other minerals and plants"] == len(deposits) - uranium


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("layers = []", "'layers' is empty"),
        ('layers = [{ layer = "mines" }]', "not a registered layer"),
        ('choropleth = ["unobtainium"]\nlayers = [{ layer = "campuses" }]', "No production figures for 'unobtainium'"),
        ('rasters = ["elevation"]\nlayers = [{ layer = "campuses" }]', "fetch it first"),
        ('layers = [{ layer = "campuses", filter = { colour = "red" } }]', "no field 'colour'"),
        ('titel = "x"\nlayers = [{ layer = "campuses" }]', "unknown key"),
    ],
)
def test_bad_recipes_are_named(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(geo.RecipeError, match=message):
        render_recipe(path)


def test_large_point_layers_use_a_compact_encoding():
    n = 50_000
    pts = seeded_points(n)
    bare = len(to_html(build_map([], basemap=[])))
    html = to_html(build_map([], user={"pts": pts}, basemap=[]))
    assert (len(html) - bare) / n < 15


def test_missing_values_in_user_layers_stay_valid_json():
    deposits = geo.load("mineral_deposits")
    html = to_html(build_map([], user={"deposits as a user layer": deposits}, basemap=[]))
    data = re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1)
    assert "NaN" not in data
    rows = json.loads(data)["overlays"][0]["fc"]["features"][0]["properties"]["_items"][0]["rows"]
    assert all(isinstance(value, str) for _, value in rows)


def test_jupyter_display_is_offline():
    shown = build_map(["campuses"], basemap=["countries"])._repr_html_()
    assert shown.startswith("<div")
    assert "srcdoc=" in shown
    assert "cdn.jsdelivr" not in shown
    assert "cdnjs" not in shown


def test_supply_choropleth_shades_countries_by_world_share():
    from geo.mapping.overlays import choropleth_layer

    layer = choropleth_layer("uranium")
    shares = layer.gdf.set_index("name")["share_pct"]
    assert shares["Kazakhstan"] == pytest.approx(38.6, abs=0.1)
    assert shares["Uzbekistan"] == pytest.approx(6.6, abs=0.1)
    assert len(layer.extra["fills"]) == len(layer.gdf)
    with pytest.raises(geo.RecipeError, match="No production figures"):
        choropleth_layer("unobtainium")


def test_climate_recipe_embeds_the_elevation_as_an_image(tmp_path, dem):
    html = to_html(render_recipe(ROOT / "maps" / "climate.toml", dem=dem))
    data = json.loads(re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1))
    image = data["images"][0]
    assert image["url"].startswith("data:image/png;base64,")
    assert image["bounds"][0][0] == pytest.approx(36.32, abs=0.01)
    assert loaded_urls(html) == []


def test_unknown_raster_in_a_recipe(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('rasters = ["rainfall"]\nlayers = [{ layer = "campuses" }]')
    with pytest.raises(geo.RecipeError, match="unknown raster 'rainfall'"):
        render_recipe(path)


def test_unknown_tiles_are_a_one_line_error_not_folium_traceback():
    with pytest.raises(geo.RecipeError, match="Unknown tiles 'google'"):
        build_map(["campuses"], basemap=[], tiles="google")
