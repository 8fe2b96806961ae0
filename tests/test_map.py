"""Map building without a browser: offline assets, escaping, determinism, recipes."""

import base64
import json
import re
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import geo
from geo.mapping import UserLayer
from geo.mapping.builder import build_map, save_map, to_html
from geo.mapping.offline import OfflineError, inline_assets, loaded_urls
from geo.mapping.recipes import needs_dem, render_recipe
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


@pytest.mark.parametrize(
    "recipe",
    [pytest.param(p, marks=pytest.mark.network) if needs_dem(p) else p for p in sorted((ROOT / "maps").glob("*.toml"))],
    ids=lambda p: p.stem,
)
def test_every_recipe_renders_offline(recipe, request):
    dem = request.getfixturevalue("dem") if needs_dem(recipe) else None  # only a recipe that draws the grid needs it
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
    html = to_html(build_map([], user={"deposits as a user layer": UserLayer(deposits)}, basemap=[]))
    data = re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1)
    assert "NaN" not in data
    rows = json.loads(data)["overlays"][0]["fc"]["features"][0]["properties"]["_items"][0]["rows"]
    assert all(isinstance(value, str) for _, value in rows)


def test_a_curated_subset_passed_as_a_user_layer_keeps_its_precision_drawing():
    deposits = geo.load("mineral_deposits")
    uranium = deposits[deposits["commodities"].map(lambda c: "uranium" in c)]
    data = _data(to_html(build_map([], user={"Uranium (my selection)": uranium}, basemap=[])))
    (overlay,) = data["overlays"]
    assert (overlay["title"], overlay["style"], overlay["count"]) == ("Uranium (my selection)", "curated", len(uranium))
    styles = [f["properties"]["_s"] for f in overlay["fc"]["features"] if f["geometry"]["type"] != "Point"]
    regional = (uranium["location_precision"] == "region").sum()
    assert regional > 0
    assert sum(bool(s.get("h")) for s in styles) >= 1  # "somewhere inside": hatched, not a solid fill
    assert all(s.get("h") or s.get("a") for s in styles)
    edited = uranium.drop(columns=["sources"])  # no longer the curated layer's rows: a user layer
    assert _data(to_html(build_map([], user={"mine": edited}, basemap=[])))["overlays"][0]["style"] == "user"


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


# --- the payload the page draws ------------------------------------------------------------------


def _data(html):
    return json.loads(re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1))


def _unshuffle(raw: bytes, n: int, width: int) -> np.ndarray:
    return np.frombuffer(raw[: n * width], dtype="u1").reshape(width, n).T.copy().view(f"<u{width}").ravel()


def _texts(lengths: np.ndarray, body: bytes) -> list[str]:
    ends = np.cumsum(lengths.astype("i8")).tolist()
    return [body[end - int(k) : end].decode() for k, end in zip(lengths, ends, strict=True)]


def _decode_packed(packed):
    """Decode the compact encoding as the page does (geo/mapping/static/points.js), in numpy."""
    n = packed["n"]
    xy = zlib.decompress(base64.b64decode(packed["xy"]))
    qx = np.cumsum(_unshuffle(xy, n, 4).astype("i8"))
    qy = _unshuffle(xy[4 * n :], n, 4).astype("i8")
    lon = packed["origin"][0] + qx * packed["step"]
    lat = packed["origin"][1] + qy * packed["step"]
    block, offset, columns = zlib.decompress(base64.b64decode(packed["attrs"])), 0, {}
    for col in packed["columns"]:
        parts = []
        for size in col["sizes"]:
            parts.append(block[offset : offset + size])
            offset += size
        nulls = np.unpackbits(np.frombuffer(parts.pop(0), "u1"), bitorder="little")[:n] if col.get("nulls") else None
        if col["type"] in ("int", "float"):
            values = list(_unshuffle(parts[0], n, 8).view("<f8"))
        elif col["type"] == "dict":
            words = _texts(np.frombuffer(parts[0], "<u4"), parts[1])
            width = int(col["codes"][-1])
            values = [words[c] for c in _unshuffle(parts[2], n, width)]
        else:
            values = _texts(_unshuffle(parts[0], n, 4), parts[1])
        columns[col["name"]] = [None if nulls is not None and nulls[i] else v for i, v in enumerate(values)]
    return lon, lat, columns


def test_large_point_layers_keep_every_attribute_and_positions_within_5_m():
    n = 20_000
    pts = seeded_points(n).assign(name=[f"site <{i}>" for i in range(n)], code=np.arange(n) % 7)
    pts.loc[3, "category"] = None
    packed = _data(to_html(build_map([], user={"pts": pts}, basemap=[])))["overlays"][0]["packed"]
    lon, lat, columns = _decode_packed(packed)
    decoded = pd.DataFrame(columns).assign(lon=lon, lat=lat).sort_values("name").reset_index(drop=True)
    original = pts.assign(lon=pts.geometry.x, lat=pts.geometry.y).sort_values("name").reset_index(drop=True)
    assert decoded["name"].tolist() == original["name"].tolist()
    assert [None if pd.isna(c) else c for c in decoded["category"]] == [
        None if pd.isna(c) else c for c in original["category"]
    ]
    assert decoded["category"].isna().sum() == 1
    assert decoded["value"].tolist() == original["value"].tolist()  # exact float64
    assert decoded["code"].tolist() == original["code"].astype(float).tolist()
    east_m = (decoded["lon"] - original["lon"]).abs() * 111_320 * np.cos(np.radians(original["lat"]))
    north_m = (decoded["lat"] - original["lat"]).abs() * 111_320
    assert float(np.hypot(east_m, north_m).max()) <= 5.0
    assert packed["step_m"] <= 5.0


def test_large_point_layers_cost_under_15_bytes_per_point_plus_their_attributes():
    n = 50_000
    pts = seeded_points(n)
    bare = len(to_html(build_map([], basemap=[])))
    html = to_html(build_map([], user={"pts": pts}, basemap=[]))
    attributes = len(_data(html)["overlays"][0]["packed"]["attrs"])
    assert (len(html) - bare - attributes) / n < 15  # positions, colours and structure
    assert (len(html) - bare) / n < 15 + 10  # and the two attribute columns (a category and a float64)


def test_user_layers_take_a_colour_or_colour_by_a_column():
    from geo.mapping import UserLayer

    sites = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"], "status": ["open", "planned", "open"], "score": [1.0, 5.0, 9.0]},
        geometry=[Point(70, 41), Point(71, 42), Point(72, 43)],
        crs=4326,
    )
    data = _data(
        to_html(
            build_map(
                [],
                user={
                    "One colour": UserLayer(sites, color="#117733", marker="square"),
                    "By status": UserLayer(sites, color_by="status"),
                    "By score": UserLayer(sites, color_by="score"),
                    "Default": sites,
                },
                basemap=[],
            )
        )
    )
    one, by_status, by_score, default = data["overlays"]
    assert {f["properties"]["_s"]["c"] for f in one["fc"]["features"]} == {"#117733"}
    assert one["legend"] == [{"label": "One colour", "color": "#117733", "shape": "square"}]
    assert [e["label"] for e in by_status["legend"]] == ["open", "planned"]
    colours = [f["properties"]["_s"]["c"] for f in by_status["fc"]["features"]]
    assert colours[0] == colours[2] != colours[1]
    assert len({f["properties"]["_s"]["c"] for f in by_score["fc"]["features"]}) == 3
    assert default["legend"][0]["color"] not in {c for s in geo.registry.curated() for c in _scheme_colours(s)}


def _scheme_colours(layer):
    from geo import registry, symbology

    return symbology.scheme(registry.get(layer).scheme).colours.values()


@pytest.mark.parametrize(
    ("style", "message"),
    [
        ({"color": "blue-ish"}, "not #rgb or #rrggbb"),
        ({"color_by": "colour"}, "no column 'colour' to colour by"),
        ({"marker": "star"}, "marker 'star' is not one of"),
    ],
)
def test_bad_user_layer_styles_are_named(style, message):
    from geo.mapping import UserLayer

    sites = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(70, 41)], crs=4326)
    with pytest.raises(geo.RecipeError, match=message):
        build_map([], user={"Mine": UserLayer(sites, **style)}, basemap=[])


def test_layer_option_of_the_cli_is_parsed_and_checked():
    from geo.cli.map_command import parse_layer

    assert parse_layer("my.csv") == (Path("my.csv"), {})
    assert parse_layer("d/my.csv:title=Sites: 2026:color-by=status:marker=square") == (
        Path("d/my.csv"),
        {"title": "Sites: 2026", "color_by": "status", "marker": "square"},
    )
    assert parse_layer("my.csv:label=name:marker=square") == (Path("my.csv"), {"label": "name", "marker": "square"})
    with pytest.raises(geo.RecipeError, match="unknown option 'size'"):
        parse_layer("my.csv:size=3")
    with pytest.raises(geo.RecipeError, match="given twice"):
        parse_layer("my.csv:color=#fff:colour=#000")
    # a bad style fails before the file is read (the file here does not even exist)
    with pytest.raises(geo.RecipeError, match="marker 'star' is not one of circle"):
        parse_layer("missing.csv:marker=star")
    with pytest.raises(geo.RecipeError, match="colour 'red' is not #rgb"):
        parse_layer("missing.csv:color=red")
    with pytest.raises(geo.InputFileError, match="a connection string"):
        parse_layer("PG:host=127.0.0.1 dbname=gis")


def test_cli_map_with_a_styled_layer_and_plain_words_about_the_network(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from geo.cli.main import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.csv").write_text("id,name,kind,lon,lat\nm1,My site,well,69.3,41.3\nm2,Other,pit,70,42\n")
    runner = CliRunner(env={"COLUMNS": "250"})
    args = ["map", "-o", "m.html", "--layer", "mine.csv:title=My wells:color-by=kind", "--no-relief"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "works offline" in result.output
    data = _data((tmp_path / "m.html").read_text(encoding="utf-8"))
    mine = next(o for o in data["overlays"] if o["title"] == "My wells")
    assert [e["label"] for e in mine["legend"]] == ["pit", "well"]
    result = runner.invoke(app, ["map", "-o", "t.html", "--tiles", "osm", "--no-relief"])
    assert result.exit_code == 0, result.output
    assert "needs a network" in result.output
    assert "works offline" not in result.output


# --- filters, time, agreements -----------------------------------------------------------------------


def test_filter_fields_come_from_the_data_and_agreements_need_only_data():
    deposits = geo.load("mineral_deposits")
    first, second = deposits["id"].iloc[0], deposits["id"].iloc[1]
    deposits = deposits.assign(
        agreements=[["uk-kz-mou"] if i in (first, second) else [] for i in deposits["id"]],
        events=[
            [{"date": "2026-02-26", "status": "announced", "note": "signed at CA5+UK", "source": "x"}]
            if i == first
            else None
            for i in deposits["id"]
        ],
    )
    table = pd.DataFrame({"id": ["uk-kz-mou"], "title": ["UK–Kazakhstan minerals memorandum"], "date": ["2026-02"]})
    layer = geo.mapping.builder.registered_layer("mineral_deposits", deposits)
    data = _data(to_html(build_map([layer], basemap=["countries"], agreements=table)))
    facets = {f["key"]: f for f in data["facets"]}
    assert {"status", "country", "commodities", "confidence", "location_precision", "agreements"} <= set(facets)
    assert facets["agreements"]["values"] == [["uk-kz-mou", "UK–Kazakhstan minerals memorandum"]]
    assert [v for v, _ in facets["country"]["values"]] == sorted(
        set(deposits["country"]), key=geo.registry.COUNTRIES.index
    )
    items = {it["id"]: it for f in data["overlays"][0]["fc"]["features"] for it in f["properties"]["_items"]}
    rows = dict(items[first]["rows"])
    assert rows["Part of"] == "UK–Kazakhstan minerals memorandum"
    assert ["2026-02", None, "agreement: UK–Kazakhstan minerals memorandum"] in items[first]["t"]
    assert ["2026-02-26", "announced", "signed at CA5+UK"] in items[first]["t"]
    assert items[first]["t"] == sorted(items[first]["t"], key=lambda r: r[0])
    assert items[first]["f"]["agreements"] == ["uk-kz-mou"]


def test_popups_show_when_a_status_was_checked_and_the_uk_link_filters():
    deposits = geo.load("mineral_deposits")
    first = deposits["id"].iloc[0]
    link = {"kind": "uk_finance", "note": "UKEF cover", "source": "https://example.org"}
    deposits = deposits.assign(
        checked=["2026-12-01" if i == first else None for i in deposits["id"]],
        uk_link=[[link] if i == first else [] for i in deposits["id"]],
    )
    layer = geo.mapping.builder.registered_layer("mineral_deposits", deposits)
    data = _data(to_html(build_map([layer], basemap=["countries"])))
    facets = {f["key"]: f for f in data["facets"]}
    assert facets["uk_link"]["values"] == [["uk_finance", "uk finance"]]
    items = {it["id"]: it for f in data["overlays"][0]["fc"]["features"] for it in f["properties"]["_items"]}
    rows = dict(items[first]["rows"])
    assert rows["Checked"] == "2026-12-01"
    assert rows["UK link"] == "uk finance: UKEF cover"
    assert items[first]["f"]["uk_link"] == ["uk_finance"]


def test_timeline_reads_events_dated_fields_and_status_as_of():
    from geo.mapping.payload import timeline

    row = pd.Series(
        {
            "status": "operating",
            "as_of": "2026-02",
            "opened": "2024",
            "events": [{"date": "2023-05-01", "status": "construction", "note": "licensed"}],
        }
    )
    assert timeline(row, {}) == [
        ["2023-05-01", "construction", "licensed"],
        ["2024", "operating", "opened"],
        ["2026-02", "operating", "status as of"],
    ]
    assert timeline(pd.Series({"status": "unknown", "as_of": "2026-11-25", "opened": "2021 or 2022"}), {}) == [
        ["2026-11-25", "unknown", "status as of"]
    ]


# --- honest symbols and context ----------------------------------------------------------------------------


def test_marker_shapes_and_the_critical_outline_follow_the_registry(atlas_html):
    data = _data(atlas_html)
    for overlay in data["overlays"]:
        spec = geo.registry.get(overlay["id"])
        assert overlay["marker"] == spec.marker
        styles = [f["properties"]["_s"] for f in overlay["fc"]["features"]]
        assert {s["m"] for s in styles} == {spec.marker}
        if spec.critical_outline:
            critical = [s for s in styles if s.get("x")]
            assert critical
            assert any(e.get("outline") and e["shape"] == spec.marker for e in overlay["legend"])


def test_precision_words_in_the_legend_state_the_radii_drawn(atlas_html):
    data = _data(atlas_html)
    deposits = geo.load("mineral_deposits")
    sites = deposits.loc[deposits["location_precision"] == "site", "uncertainty_m"]
    label = data["overlays"][0]["precision_labels"]["site"]
    assert f"{sites.max() / 1000:,.0f} km" in label
    assert label.startswith(geo.precision.get("site").legend)


def test_baikonur_is_part_of_kazakhstan_with_a_label(atlas_html):
    from shapely.geometry import shape

    data = _data(atlas_html)
    countries = next(b for b in data["basemap"] if b["id"] == "countries")
    baikonur = Point(63.32, 45.62)
    kazakhstan = next(f for f in countries["fc"]["features"] if f["properties"].get("_ln") == "Kazakhstan")
    assert shape(kazakhstan["geometry"]).contains(baikonur)
    labels = [f["properties"]["_ln"] for f in countries["fc"]["features"] if f["geometry"] is None]
    assert any("Baikonur" in t and "leased to Russia" in t for t in labels)
    regions = next(b for b in data["basemap"] if b["id"] == "regions")
    kyzylorda = next(f for f in regions["fc"]["features"] if f["properties"].get("_ln") == "Kyzylorda")
    assert shape(kyzylorda["geometry"]).contains(baikonur)
    assert not shape(
        next(f for f in regions["fc"]["features"] if f["properties"].get("_ln") == "Chuy")["geometry"]
    ).contains(Point(74.59, 42.87))  # Bishkek stays a hole in Chuy: the Bishkek region fills it


def test_context_labels_and_search_groups(atlas_html):
    data = _data(atlas_html)
    by_id = {b["id"]: b for b in data["basemap"]}
    classes = {f["properties"].get("_lc") for b in data["basemap"] for f in b["fc"]["features"]}
    assert {"country", "neighbour", "water", "region", "lease"} <= classes
    lakes = [f["properties"]["_ln"] for f in by_id["lakes"]["fc"]["features"] if "_ln" in f["properties"]]
    assert "Aral Sea" in lakes  # without the source's note
    groups = {f["properties"]["_g"] for f in by_id["regions"]["fc"]["features"]}
    assert "Region of Kyrgyzstan" in groups
    assert "City of Uzbekistan" in groups
    assert all("_p" in f["properties"] for f in by_id["cities"]["fc"]["features"])


def test_supply_choropleth_shades_only_whole_countries_and_says_no_data():
    from geo import symbology
    from geo.mapping.overlays import choropleth_layer

    layer = choropleth_layer("uranium")
    assert set(layer.gdf["name"]) == {"Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"}
    fills = dict(zip(layer.gdf["name"], layer.extra["fills"], strict=True))
    assert fills["Kyrgyzstan"] == symbology.NO_DATA != fills["Kazakhstan"]
    assert layer.extra["legend"][-1] == {
        "label": "no figure in the production table",
        "color": symbology.NO_DATA,
        "shape": "square",
    }
    assert "Russia" in layer.extra["note"]
    assert "China" in layer.extra["note"]
    item = _data(to_html(build_map([layer], basemap=[])))["overlays"][0]["fc"]["features"][0]["properties"]["_items"][0]
    assert ["year", str(layer.gdf["year"].iloc[0])] in item["rows"]  # 2024, never 2,024


def test_climate_recipe_shows_the_old_shore_and_a_legend_with_visible_swatches(dem):
    data = _data(to_html(render_recipe(ROOT / "maps" / "climate.toml", dem=dem)))
    historic = next(b for b in data["basemap"] if b["id"] == "aral_sea_historic")
    assert historic["visible"]
    legend = data["images"][0]["legend"]
    assert all(e["shape"] == "square" for e in legend)
    greens = [e for e in legend if int(e["color"][3:5], 16) > int(e["color"][1:3], 16) + 20]
    assert greens == []  # no green tint for green forest markers to vanish on


def test_bad_basemap_entries_in_recipes_are_named(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text('basemap = ["countries", { layer = "oceans" }]\nlayers = [{ layer = "campuses" }]')
    with pytest.raises(geo.RecipeError, match=r"basemap\[1\].*not a reference layer"):
        render_recipe(path)


def test_relief_adds_a_light_hillshade(dem):
    data = _data(to_html(build_map(["campuses"], basemap=["countries"], relief=dem)))
    relief = data["images"][0]
    assert relief["url"].startswith("data:image/jpeg;base64,")
    assert relief["blend"] == "multiply"
    assert len(relief["url"]) < 500_000


# --- the payload cache ----------------------------------------------------------------------------------------


def test_the_payload_cache_gives_the_same_map(tmp_path, monkeypatch):
    from geo.mapping import cache

    monkeypatch.setenv("CENTRALASIA_GEO_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "_MEMORY", {})
    cold = to_html(build_map(["campuses"], basemap=["countries", "lakes"]))
    files = list((tmp_path / "map-payloads").glob("*.json"))
    assert len(files) == 3
    monkeypatch.setattr(cache, "_MEMORY", {})
    monkeypatch.setattr("geo.catalog.load", _no_load)
    assert to_html(build_map(["campuses"], basemap=["countries", "lakes"])) == cold  # from disk, no loading
    monkeypatch.undo()
    assert to_html(build_map(["campuses"], basemap=["countries", "lakes"], cache=False)) == cold


def _no_load(*args, **kwargs):
    msg = "loaded although cached"
    raise AssertionError(msg)


def test_folium_save_writes_the_offline_page(tmp_path):
    m = build_map(["campuses"], basemap=["countries"])
    m.save(tmp_path / "m.html")
    assert (tmp_path / "m.html").read_text(encoding="utf-8") == to_html(m)
