"""The maps in a real browser: Debian's Chromium through Playwright, every non-file request blocked."""

import datetime
import json
import re
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import geo
from geo.agreement_file import titles
from geo.mapping.builder import build_map, save_map
from geo.mapping.payload import timeline
from geo.mapping.recipes import render_recipe
from geo.mapping.snapshot import CHROMIUM_ARGS
from tests.conftest import ROOT, require_tool, seeded_points
from tests.test_map import EVIL

AGREEMENTS = titles()  # the dates the atlas's time control reads, as it reads them

pytestmark = pytest.mark.browser

SIZES = [(1400, 900), (1024, 640), (390, 844)]


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    def __init__(self, browser, path, size=(1400, 900)):
        self.blocked, self.errors, self.failed = [], [], []
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.context.route(re.compile(r"^(https?|wss?)://"), self._block)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.atlas !== undefined", timeout=30_000)
        self.page.evaluate("() => window.atlas.ready")

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def js(self, expr):
        return self.page.evaluate(expr)

    def view(self, lat, lng, zoom):
        self.js(f"void window.atlas.map.setView([{lat}, {lng}], {zoom}, {{animate: false}})")

    def xy(self, lat, lng):
        """Page coordinates of a place on the map (the title bar sits above the map)."""
        return self.js(f"""(() => {{ const m = window.atlas.map, p = m.latLngToContainerPoint([{lat}, {lng}]);
            const r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }})()""")

    def click(self, lat, lng):
        self.js("void window.atlas.map.closePopup()")
        self.page.wait_for_function("!document.querySelector('.leaflet-popup')")  # gone, not only fading
        self.page.mouse.click(*self.xy(lat, lng))

    def popup(self):
        popup = self.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        return popup

    def section(self, name):
        """Open the panel and one of its sections; return the section."""
        if self.js("document.querySelector('.atlas-panel').classList.contains('atlas-collapsed')"):
            self.page.locator(".atlas-panel-toggle").click()
        section = self.page.locator(f"details.atlas-{name}")
        if not section.evaluate("d => d.open"):
            section.locator("summary").first.click()
        return section

    def clean(self):
        assert self.blocked == []
        assert self.failed == []
        assert self.errors == []


@pytest.fixture(scope="module")
def atlas_path(tmp_path_factory):
    return save_map(build_map(), tmp_path_factory.mktemp("atlas") / "atlas.html")


@pytest.fixture
def atlas(browser, atlas_path):
    page = Page(browser, atlas_path)
    yield page
    page.context.close()


def _located(name):
    gdf = geo.load(name)
    return gdf[gdf.geometry.notna()]


def _curated():
    return pd.concat([geo.load(n).assign(_layer=n) for n in geo.CURATED], ignore_index=True)


def test_atlas_loads_leaflet_offline_without_errors(atlas):
    assert atlas.js("typeof L") == "object"
    assert atlas.js("L.version") == "1.9.3"
    atlas.clean()


def test_every_layer_draws_its_features(atlas):
    counts = atlas.js("window.atlas.counts()")
    for name in geo.CURATED:
        located = _located(name)
        areas = located["location_precision"].isin(["region", "country"])
        assert counts[name] == (~areas).sum() + located[areas].geometry.map(lambda g: g.wkb).nunique(), name
    assert counts["cities"] == len(geo.load("cities"))
    assert counts["countries"] == len(geo.load("countries"))
    assert atlas.js("window.atlas.shown()") == {n: len(_located(n)) for n in geo.CURATED}


def test_a_click_on_a_point_opens_its_popup_with_sources(atlas):
    atlas.view(41.306944, 69.283333, 9)
    atlas.click(41.306944, 69.283333)
    text = atlas.popup().inner_text()
    assert "Westminster International University in Tashkent" in text
    assert "Sources" in text
    assert atlas.popup().locator("a[href^='https://']").count() >= 1
    atlas.clean()


def test_a_click_on_stacked_features_lists_them_and_each_opens_its_own_popup(atlas):
    curated = _curated()
    points = curated[curated.geom_type.eq("Point")]
    stacks = points.groupby(points.geometry.map(lambda g: g.wkb))
    stack = max((group for _, group in stacks), key=len)
    assert len(stack) >= 3  # Cardiff, Coventry and the AI centre share Astana's point
    where = stack.geometry.iloc[0]
    atlas.view(where.y, where.x, 9)
    atlas.click(where.y, where.x)
    buttons = atlas.page.locator(".atlas-list li button").all_inner_texts()
    assert len(buttons) == len(stack)
    assert all(any(b.startswith(name) for b in buttons) for name in stack["name"])
    assert f"{len(stack)} features here" in atlas.popup().inner_text()
    for name in stack["name"]:
        atlas.page.locator(".atlas-list li button", has_text=name).first.click()
        assert atlas.page.locator(".atlas-popup h4").first.inner_text() == name
        atlas.page.locator(".atlas-back").click()
    atlas.clean()


def _free_spot(geom, avoid, *, margin):
    """A point inside `geom` at least `margin` degrees from every geometry in `avoid`."""
    west, south, east, north = geom.bounds
    for y in np.linspace(south, north, 25)[1:-1]:
        for x in np.linspace(west, east, 25)[1:-1]:
            p = Point(x, y)
            if geom.buffer(-margin).contains(p) and all(p.distance(g) > margin for g in avoid):
                return p
    msg = "no free spot"
    raise AssertionError(msg)


def test_a_click_on_an_area_only_feature_opens_it(atlas):
    curated = _curated()
    valor = curated[curated["id"].str.contains("valor")].iloc[0]
    others = curated[curated.geometry.notna() & (curated["location_precision"] != valor["location_precision"])]
    spot = _free_spot(
        valor.geometry, [g.boundary if g.geom_type != "Point" else g for g in others.geometry], margin=0.15
    )
    atlas.view(spot.y, spot.x, 7)
    atlas.page.mouse.move(*atlas.xy(spot.y, spot.x))
    atlas.page.wait_for_timeout(200)
    assert atlas.page.locator(".atlas-hover").is_visible()
    atlas.click(spot.y, spot.x)
    popup = atlas.popup()
    if popup.locator(".atlas-list").count():
        popup.locator("button", has_text="Valor Carbon").click()
    assert "Valor Carbon" in atlas.page.locator(".atlas-popup h4").first.inner_text()
    assert "region only: somewhere inside" in atlas.popup().inner_text()
    atlas.clean()


def test_an_area_label_opens_what_it_labels(atlas):
    from geo.mapping.context import without_leased_holes

    valor = _curated().set_index("id").loc["kg-valor-carbon-issyk-kul", "geometry"]
    at = without_leased_holes(valor).representative_point()
    atlas.view(at.y, at.x, 7)
    label = atlas.page.locator(f".atlas-label-click[data-at='{round(at.y, 4)},{round(at.x, 4)}']")
    label.click()
    text = atlas.popup().inner_text()
    assert "Valor Carbon" in text
    if label.inner_text().endswith("in this area"):
        assert label.inner_text().split(" ")[0] + " features here" in text
    atlas.clean()


def test_popups_stay_inside_the_part_of_the_map_left_free(atlas):
    deposits = _located("mineral_deposits")
    deposits = deposits[deposits.geom_type.eq("Point")]
    east = deposits.loc[deposits.geometry.x.idxmax()]
    atlas.view(east.geometry.y, east.geometry.x - 4, 6)  # the feature sits under the panel
    atlas.js(f"""(() => {{ const it = window.atlas.data.overlays[0].fc.features[0].properties._items[0];
        window.atlas.openItems([{{item: it, rec: null}}], L.latLng({east.geometry.y}, {east.geometry.x})); }})()""")
    atlas.page.wait_for_timeout(600)
    popup = atlas.page.locator(".leaflet-popup").bounding_box()
    frame = atlas.page.locator(".atlas-map").bounding_box()
    panel = atlas.page.locator(".atlas-panel").bounding_box()
    assert popup["x"] >= frame["x"]
    assert popup["y"] >= frame["y"]
    assert popup["x"] + popup["width"] <= panel["x"]  # left of the panel, not under it
    assert popup["y"] + popup["height"] <= frame["y"] + frame["height"]
    atlas.clean()


def _control_rects(page):
    return page.js("""(() => Array.from(document.querySelectorAll('.atlas-titlebar, .leaflet-control'))
        .filter(e => e.offsetParent !== null && !e.parentElement.closest('.leaflet-control'))
        .map(e => { const r = e.getBoundingClientRect();
                    return {name: e.className, x: r.left, y: r.top, w: r.width, h: r.height}; })
        .filter(r => r.w > 0 && r.h > 0))()""")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_controls_do_not_overlap_and_leave_the_map_most_of_the_screen(browser, atlas_path, size):
    page = Page(browser, atlas_path, size)
    try:
        rects = _control_rects(page)
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
                overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)
        covered = np.zeros((size[1], size[0]), dtype=bool)
        for r in rects:
            covered[max(int(r["y"]), 0) : int(r["y"] + r["h"]), max(int(r["x"]), 0) : int(r["x"] + r["w"])] = True
        assert 1 - covered.mean() >= 0.60, f"the map keeps {1 - covered.mean():.0%}"
        placeholder_fits = page.js("""(() => { const i = document.querySelector('.atlas-search input');
            const cs = getComputedStyle(i), c = document.createElement('canvas').getContext('2d'); c.font = cs.font;
            const room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
            return i.placeholder.length > 0 && c.measureText(i.placeholder).width <= room; })()""")
        assert placeholder_fits
        page.clean()
    finally:
        page.context.close()


def test_phone_layout_opens_the_panel_on_demand(browser, atlas_path):
    page = Page(browser, atlas_path, (390, 844))
    try:
        assert page.js("document.querySelector('.atlas-panel').classList.contains('atlas-collapsed')")
        legend = page.section("legend")
        assert legend.is_visible()
        assert page.page.locator(".atlas-panel").bounding_box()["x"] >= 0
        page.view(51.1694, 71.4491, 9)
        page.js("""(() => { const it = window.atlas.data.overlays[1].fc.features[0].properties._items[0];
            window.atlas.openItems([{item: it, rec: null}], L.latLng(51.1694, 71.4491)); })()""")
        assert page.popup().is_visible()  # a popup closes the panel on a small screen
        assert page.js("document.querySelector('.atlas-panel').classList.contains('atlas-collapsed')")
        page.js("void window.atlas.map.closePopup()")
        page.click(51.1694, 71.4491)
        assert "features here" in page.popup().inner_text()
        box = page.page.locator(".leaflet-popup").bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        page.clean()
    finally:
        page.context.close()


def test_layer_toggles_off_and_on_and_the_legend_follows(atlas):
    layers = atlas.section("layers")
    legend = atlas.section("legend")
    assert legend.locator("[data-layer='campuses']").count() == 1
    box = layers.locator(".atlas-layer-row", has_text="University campuses").locator("input")
    box.uncheck()
    assert not atlas.js("window.atlas.map.hasLayer(window.atlas.layers.campuses)")
    assert legend.locator("[data-layer='campuses']").count() == 0
    box.check()
    assert atlas.js("window.atlas.map.hasLayer(window.atlas.layers.campuses)")
    assert legend.locator("[data-layer='campuses']").count() == 1
    atlas.clean()


def _shown_in_legend(atlas, layer):
    rows = atlas.page.locator(f".atlas-legend [data-layer='{layer}'] .atlas-legend-row")
    counts = [re.search(r"\((\d+)\)$", t) for t in rows.all_inner_texts()]
    return sum(
        int(c.group(1))
        for c, t in zip(counts, rows.all_inner_texts(), strict=True)
        if c and "outline" not in t and "(UK critical mineral)" not in t  # categories only, not the marks
    )


def test_filter_by_status_and_the_counts_and_legend_follow(atlas):
    section = atlas.section("filter")
    facet = section.locator("details.atlas-facet[data-facet='status']")
    facet.locator("summary").click()
    facet.locator("button", has_text="none").click()
    facet.locator(".atlas-facet-row", has_text="operating").locator("input").check()
    expected = {n: int((_located(n)["status"] == "operating").sum()) for n in geo.CURATED}
    assert atlas.js("window.atlas.shown()") == expected
    assert f"On the map: {sum(expected.values())} of" in section.locator(".atlas-filter-summary").inner_text()
    assert _shown_in_legend(atlas, "mineral_deposits") == expected["mineral_deposits"]
    section.locator(".atlas-reset").click()
    assert atlas.js("window.atlas.shown()") == {n: len(_located(n)) for n in geo.CURATED}
    atlas.clean()


def _records_in(row, start, end):
    for date, status, _ in timeline(row, AGREEMENTS):
        lo = date + "-01-01"[len(date) - 4 :] if len(date) < 10 else date
        hi = date + "-12-31"[len(date) - 4 :] if len(date) < 10 else date
        if lo <= end and hi >= start:
            yield status or row["status"]


def test_filter_by_date_what_was_announced_in_february_2026(atlas):
    section = atlas.section("filter")
    section.locator(".atlas-when select").select_option("between")
    section.locator(".atlas-when input[type=month]").nth(1).fill("2026-02")
    section.locator(".atlas-when input[type=month]").nth(2).fill("2026-02")
    section.locator(".atlas-when input[type=month]").nth(2).dispatch_event("change")
    facet = section.locator("details.atlas-facet[data-facet='status']")
    facet.locator("summary").click()
    facet.locator("button", has_text="none").click()
    facet.locator(".atlas-facet-row", has_text="announced").locator("input").check()
    expected = {
        n: sum("announced" in set(_records_in(r, "2026-02-01", "2026-02-31")) for _, r in _located(n).iterrows())
        for n in geo.CURATED
    }
    assert sum(expected.values()) > 0
    assert atlas.js("window.atlas.shown()") == expected
    atlas.clean()


def test_filter_what_operates_this_month(atlas):
    today = datetime.date.today().strftime("%Y-%m")
    atlas.js(f'window.atlas.setFilter({{status: ["operating"]}}, {{mode: "on", on: "{today}"}})')

    def operating(row):
        status = None
        for date, s, _ in timeline(row, AGREEMENTS):
            if s and date[:7] <= today:
                status = s
        return status == "operating"

    expected = {n: int(sum(operating(r) for _, r in _located(n).iterrows())) for n in geo.CURATED}
    assert atlas.js("window.atlas.shown()") == expected
    assert "Each feature's status at the end of" in atlas.section("filter").inner_text()
    atlas.clean()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Oskemen", ["Ust-Kamenogorsk"]),
        ("Алматы", ["Almaty"]),
        ("kumtor", ["Kumtor gold mine"]),
        ("Abay Region", ["East Kazakhstan"]),
        ("Иссык-Куль", ["Issyk-Kul", "Valor Carbon"]),
    ],
)
def test_search_finds_latin_cyrillic_and_aliases(atlas, query, expected):
    atlas.page.locator(".atlas-search input").fill(query)
    results = atlas.page.locator(".atlas-search-hit").all_inner_texts()
    for name in expected:
        assert any(name in t for t in results), results


def test_search_lists_everything_once_under_the_right_group(atlas):
    box = atlas.page.locator(".atlas-search input")
    box.fill("uranium")
    hits = atlas.page.locator(".atlas-search-hit").all_inner_texts()
    located = _curated()[_curated().geometry.notna()]  # the search finds what the map draws
    uranium = located["commodities"].map(lambda c: isinstance(c, list | np.ndarray) and "uranium" in list(c)).sum()
    assert len(hits) >= uranium
    assert f"{len(hits)} matches" in atlas.page.locator(".atlas-search-count").inner_text()
    box.fill("Tashkent")
    results = atlas.page.locator(".atlas-search-results")
    groups = results.locator(".atlas-search-group").all_inner_texts()
    assert {"TOWN IN UZBEKISTAN", "REGION OF UZBEKISTAN", "CITY OF UZBEKISTAN"} <= {g.upper() for g in groups}
    assert not any("PRE-2018" in g.upper() for g in groups)
    hits = results.locator(".atlas-search-hit").all_inner_texts()
    assert hits.count("Tashkent") == 3  # the town, the city region and the province: each once
    box.fill("a")
    box.fill("an")  # many matches: a hint, not a silent cap
    if atlas.page.locator(".atlas-search-hit").count() >= 60:
        assert "more matches: type more letters" in results.inner_text()
    box.fill("")


def test_precision_and_critical_minerals_are_drawn_as_the_legend_says(atlas):
    halos = atlas.js("""(() => { let n = 0; Object.values(window.atlas.layers).forEach(g => g && g.eachLayer &&
        g.eachLayer(l => { if (l instanceof L.Circle && l.options.dashArray) n++; })); return n; })()""")
    with_radius = sum(
        int(
            (
                _located(n)["location_precision"].isin(["site", "town", "district"])
                & (_located(n)["uncertainty_m"] > 0)
            ).sum()
        )
        for n in geo.CURATED
    )
    assert halos == with_radius
    shapes = atlas.js("""(() => { const out = {};
        Object.entries(window.atlas.layers).forEach(([k, g]) => g && g.eachLayer && g.eachLayer(l => {
            if (l.options.shape) { (out[k] = out[k] || {})[l.options.shape] = 1; } }));
        return out; })()""")
    for name in geo.CURATED:
        if _located(name).geom_type.eq("Point").any():
            assert set(shapes[name]) == {geo.registry.get(name).marker}, name
    thick = atlas.js("""(() => { let n = 0; window.atlas.layers.mineral_deposits.eachLayer(l => {
        if (l.options.shape && l.options.color === '#000' && l.options.weight === 2.5) n++; }); return n; })()""")
    deposits = _located("mineral_deposits")
    points = deposits[deposits.geom_type.eq("Point")]
    assert thick == points["commodities"].map(lambda c: bool(geo.symbology.UK_CRITICAL & set(c))).sum()
    legend = atlas.section("legend").inner_text()
    assert "Location precision" in legend
    for level in deposits["location_precision"].unique():
        assert geo.precision.get(level).legend in legend


def test_a_new_marker_shape_is_drawn_from_its_registry_entry_and_a_missing_drawing_fails(
    browser, tmp_path, monkeypatch
):
    pentagon = geo.symbology.MarkerShape(
        "pentagon", "polygon", ((0, -1), (0.95, -0.31), (0.59, 0.81), (-0.59, 0.81), (-0.95, -0.31))
    )
    monkeypatch.setitem(geo.symbology.MARKER_SHAPES, "pentagon", pentagon)
    m = build_map([], user={"Sites": geo.mapping.UserLayer(seeded_points(30), marker="pentagon")}, basemap=False)
    path = save_map(m, tmp_path / "pentagon.html")
    page = Page(browser, path)
    shapes = page.js("(() => window.atlas.layers['user-0'].getLayers().map(l => l.options.shape))()")
    assert set(shapes) == {"pentagon"}
    assert len(shapes) == 30
    assert page.page.locator(".atlas-legend svg path").count() >= 1
    page.clean()
    page.context.close()
    # the same page with data that lacks the shape's drawing: the page throws, naming it; nothing is drawn
    html = path.read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(
        html.replace('"pentagon":{"kind":"polygon"', '"pentagon-gone":{"kind":"polygon"', 1), encoding="utf-8"
    )
    context = browser.new_context()
    errors = []
    tab = context.new_page()
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(broken.resolve().as_uri())
    tab.wait_for_timeout(500)
    assert any('no marker shape "pentagon"' in e for e in errors), errors
    assert tab.evaluate("window.atlas === undefined")
    context.close()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_every_word_of_the_page_comes_from_the_words_table(browser, tmp_path, monkeypatch):
    """Pseudo-translate the table: every interface text on screen must then be marked, or be data."""
    from geo.mapping import words

    for key, text in dict(words.WORDS).items():
        wrapped = f"⟦{text}⟧" if isinstance(text, str) else {k: f"⟦{v}⟧" for k, v in text.items()}
        monkeypatch.setitem(words._TABLE, key, wrapped)
    user = gpd.GeoDataFrame({"name": ["Somewhere unknown", "Here"]}, geometry=[None, Point(69.3, 41.3)], crs=4326)
    path = save_map(build_map(user={"Mine": user}, cache=False), tmp_path / "pseudo.html")
    data = json.loads(re.search(r'id="atlas-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S).group(1))
    del data["words"]
    known = {t for t in _strings(data) if "⟦" not in t}
    page = Page(browser, path)
    page.js("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.js('void window.atlas.setFilter({status: ["operating"]}, {mode: "on", on: "2024-06"})')
    page.js("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.page.locator(".atlas-unknown button", has_text="Somewhere unknown").click()
    page.view(41.306944, 69.283333, 9)
    page.js('void window.atlas.setFilter({}, {mode: "any"})')
    page.click(41.306944, 69.283333)
    page.popup()
    collect = """(sel) => { const out = []; document.querySelectorAll(sel).forEach(root => {
        const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); let n;
        while ((n = w.nextNode())) { if (n.textContent.trim()) { out.push(n.textContent); } } });
        document.querySelectorAll(sel + ' [aria-label], ' + sel + ' [placeholder], ' + sel + ' option').forEach(e => {
          for (const a of ['aria-label', 'placeholder']) { if (e.getAttribute(a)) { out.push(e.getAttribute(a)); } } });
        return out; }"""
    texts = page.page.evaluate(collect, ".atlas-panel, .atlas-titlebar, .leaflet-popup-content")
    assert len(texts) > 100
    assert sum("⟦" in t for t in texts) > 40
    for text in texts:
        if "⟦" in text or text in known:
            continue
        rest = text
        for piece in sorted((k for k in known if k and k in text), key=len, reverse=True):
            rest = rest.replace(piece, "")
        assert re.fullmatch(r"[\s\d.,:;()\[\]\-–—%±]*", rest), f"{text!r} is neither a word from the table nor data"
    page.clean()
    page.context.close()


def test_a_choropleth_unit_opens_its_popup(browser, tmp_path):
    path = save_map(render_recipe(ROOT / "maps" / "supply.toml"), tmp_path / "supply.html")
    page = Page(browser, path)
    try:
        countries = geo.load("countries").set_index("name")
        curated = _curated()
        curated = curated[curated.geometry.notna()]
        # a click inside a country-level feature's country does not pick it (its outline does); the rest do
        avoid = [
            g.boundary if p == "country" else g
            for g, p in zip(curated.geometry, curated["location_precision"], strict=True)
        ]
        spot = _free_spot(countries.loc["Turkmenistan", "geometry"], avoid, margin=0.3)
        page.view(spot.y, spot.x, 6)
        page.click(spot.y, spot.x)
        text = page.popup().inner_text()
        assert "Turkmenistan" in text
        assert "no figure in the production table" in text
        spot = _free_spot(countries.loc["Kazakhstan", "geometry"], avoid, margin=0.5)
        page.view(spot.y, spot.x, 6)
        page.click(spot.y, spot.x)
        assert "38.6" in page.popup().inner_text()
        page.clean()
    finally:
        page.context.close()


def test_escaped_text_stays_text_in_the_browser(browser, tmp_path):
    user = gpd.GeoDataFrame({"name": [EVIL], "note": [EVIL]}, geometry=[Point(69.28, 41.31)], crs=4326)
    path = save_map(build_map(["campuses"], user={EVIL: user}, title=EVIL, basemap=["countries"]), tmp_path / "e.html")
    page = Page(browser, path)
    try:
        assert page.js("window.pwned") is None
        assert page.js("document.querySelectorAll('img[src=x]').length") == 0
        assert EVIL in page.page.locator(".atlas-title").inner_text()
        assert page.section("layers").inner_text().count("window.pwned=1") == 1
        page.view(41.31, 69.28, 12)
        page.click(41.31, 69.28)
        assert EVIL in page.popup().inner_text()
        page.page.locator(".atlas-search input").fill("pwned")
        assert page.js("window.pwned") is None
        page.clean()
    finally:
        page.context.close()


def test_a_million_points_each_identifiable_with_every_attribute(browser, tmp_path):
    n = 1_000_000
    pts = seeded_points(n).assign(name=[f"pt_{i}" for i in range(n)])
    path = save_map(build_map([], user={"points": pts}, basemap=["countries"]), tmp_path / "big.html")
    page = Page(browser, path)
    try:
        key = page.js("Object.keys(window.atlas.layers).find(k => k.startsWith('user'))")
        assert page.js(f"window.atlas.layers['{key}']._n") == n
        painted = page.js("""(() => { const c = document.querySelector('canvas.atlas-points');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let k = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i]) k++; return k; })()""")
        assert painted > 100_000
        target = pts.iloc[123_456]
        page.view(target.geometry.y, target.geometry.x, 17)
        page.click(target.geometry.y, target.geometry.x)
        page.page.locator(".leaflet-popup-content", has_text="pt_").wait_for(timeout=5000)
        text = page.popup().inner_text()
        assert "pt_123456" in text
        assert f"value\t{float(target['value'])!r}" in text  # every attribute, exact
        assert f"category\t{target['category']}" in text
        shown = re.search(r"Position\t([\d.]+), ([\d.]+)", text)
        east = (float(shown.group(2)) - target.geometry.x) * 111_320 * np.cos(np.radians(target.geometry.y))
        assert np.hypot(east, (float(shown.group(1)) - target.geometry.y) * 111_320) <= 5.0
        page.view(48, 67, 4)  # zoomed out: a list of the nearest, never a silent pick
        page.click(48, 67)
        page.page.locator(".leaflet-popup-content", has_text="points here; the nearest").wait_for(timeout=5000)
        page.clean()
    finally:
        page.context.close()


def test_geo_map_writes_html_and_png(tmp_path):
    """End to end through the CLI, in its own process (Playwright's sync API allows one loop per thread)."""
    require_tool("chromium")
    (tmp_path / "mine.csv").write_text("id,name,kind,lon,lat\nm1,My site,well,69.3,41.3\nm2,Pit,pit,70,42\n")
    args = [
        sys.executable,
        "-m",
        "geo",
        "map",
        str(ROOT / "maps" / "education.toml"),
        "-o",
        "out/edu.html",
        "--layer",
        "mine.csv:title=My wells:color-by=kind",
        "--png",
        "out/edu.png",
    ]
    result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    png = tmp_path / "out" / "edu.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000
    html = (tmp_path / "out" / "edu.html").read_text(encoding="utf-8")
    assert "My site" in html
    assert "My wells" in html


def test_features_without_a_location_are_listed_not_pinned(browser, tmp_path):
    user = gpd.GeoDataFrame(
        {"name": ["Somewhere unknown", "Tashkent office"]}, geometry=[None, Point(69.28, 41.31)], crs=4326
    )
    path = save_map(build_map([], user={"Mine": user}, basemap=["countries"]), tmp_path / "u.html")
    page = Page(browser, path)
    try:
        panel = page.section("unknown")
        assert "Somewhere unknown" in panel.inner_text()
        key = page.js("Object.keys(window.atlas.layers).find(k => k.startsWith('user'))")
        assert page.js(f"window.atlas.counts()['{key}']") == 1
        panel.locator("button", has_text="Somewhere unknown").click()
        assert "Somewhere unknown" in panel.locator(".atlas-unknown-detail").inner_text()
        page.clean()
    finally:
        page.context.close()


def test_every_recipe_opens_cleanly(browser, tmp_path, dem):
    for recipe in sorted((ROOT / "maps").glob("*.toml")):
        path = save_map(render_recipe(recipe, dem=dem), tmp_path / f"{recipe.stem}.html")
        page = Page(browser, path, (1024, 640))
        try:
            assert page.js("window.atlas.map.getSize().x") > 0
            page.clean()
        finally:
            page.context.close()


def test_the_atlas_in_russian_shows_its_controls_in_russian(browser, tmp_path):
    """`geo map --lang ru`: panel, legend, filters, time control, popups and search in Russian, offline and clean."""
    path = save_map(build_map(lang="ru"), tmp_path / "atlas-ru.html")
    page = Page(browser, path)
    try:
        filters = page.section("filter")
        legend = page.section("legend")
        texts = [
            page.page.locator(".atlas-panel").inner_text(),
            filters.inner_text(),
            legend.inner_text(),
            page.page.locator(".atlas-title").inner_text(),
            page.page.locator(".atlas-search input, input.atlas-search").first.get_attribute("placeholder") or "",
        ]
        cyrillic = re.compile(r"[\u0400-\u04ff]")
        for text in texts:
            assert cyrillic.search(text), text[:200]
        panel = texts[0]
        for english in ("Layers", "Legend", "Filter and time", "Hide panel", "Status", "operating", "uranium"):
            assert english not in panel, english
        for russian in ("Слои", "Легенда", "Фильтр и время", "действует", "уран"):
            assert russian in panel, russian
        page.view(41.87, 78.2, 9)  # Kumtor: a site's popup
        page.click(41.87, 78.2)
        popup = page.popup().inner_text()
        assert "Статус" in popup or "Здесь" in popup, popup[:300]
        page.clean()
    finally:
        page.context.close()


# Issue 19: the atlas read as a person does, at every size: areas reachable by a click, popups clear of the
# controls, region hatching receding when zoomed in on a site.

SITES = ["kz-aktogay", "kz-bozshakol", "uz-muruntau", "kg-kumtor", "tj-talco"]


def _spread_inside(geom, n):
    """`n` points spread over `geom` (a jittered grid, seeded), clear of its outline by a little."""
    rng = np.random.default_rng(19)
    west, south, east, north = geom.bounds
    inner = geom.buffer(-0.03)
    points = []
    while len(points) < n:
        p = Point(rng.uniform(west, east), rng.uniform(south, north))
        if inner.contains(p):
            points.append(p)
    return points


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_clicks_spread_inside_an_area_only_feature_reach_it(browser, atlas_path, size):
    from geo.mapping.context import without_leased_holes

    valor = without_leased_holes(_curated().set_index("id").loc["kg-valor-carbon-issyk-kul", "geometry"])
    page = Page(browser, atlas_path, size)
    try:
        at = valor.representative_point()
        page.view(at.y, at.x, 7)
        frame = page.page.locator(".atlas-map").bounding_box()
        reached, tried = 0, 0
        for p in _spread_inside(valor, 40):
            page.js("void window.atlas.map.closePopup()")
            page.page.wait_for_function("!document.querySelector('.leaflet-popup')")
            page.page.wait_for_timeout(30)  # the view a popup moved comes back first
            page.view(at.y, at.x, 7)
            x, y = page.xy(p.y, p.x)
            inside_x = frame["x"] + 60 < x < frame["x"] + frame["width"] - 20
            if not (inside_x and frame["y"] + 50 < y < frame["y"] + frame["height"] - 40):
                continue  # outside the map's free part: a person clicks what they see
            hit = page.js(f"document.elementFromPoint({x}, {y}).closest('.leaflet-control, .atlas-label') === null")
            if not hit:
                continue  # under a control or a label (which opens what it names)
            tried += 1
            page.page.mouse.click(x, y)
            page.page.wait_for_timeout(80)
            if page.page.locator(".leaflet-popup-content").count() and "Valor Carbon" in page.popup().inner_text():
                reached += 1
        assert tried >= 25, tried
        assert reached / tried >= 0.95, f"{reached} of {tried} clicks reached the area"
        page.clean()
    finally:
        page.context.close()


def _settled(page):
    """Wait for a popup's pan into view to end."""
    page.page.wait_for_timeout(300)
    page.page.wait_for_function("!(window.atlas.map._panAnim && window.atlas.map._panAnim._inProgress)")
    page.page.wait_for_timeout(100)


def _intersections(page):
    """The controls a popup overlaps (shown ones, in page px), and whether its close button is the one on top."""
    return page.js("""(() => {
        const pop = document.querySelector('.leaflet-popup'), r = pop.getBoundingClientRect();
        const hits = Array.from(document.querySelectorAll('.leaflet-control, .atlas-titlebar'))
            .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden')
            .filter(e => { const c = e.getBoundingClientRect();
                return c.width > 0 && Math.min(r.right, c.right) - Math.max(r.left, c.left) > 0.5
                    && Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top) > 0.5; })
            .map(e => e.className);
        const x = pop.querySelector('.leaflet-popup-close-button').getBoundingClientRect();
        const top = document.elementFromPoint(x.left + x.width / 2, x.top + x.height / 2);
        return {hits: hits, close: Boolean(top && top.closest('.leaflet-popup-close-button')),
                dialog: pop.getAttribute('role')}; })()""")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_popups_of_sited_features_lie_under_no_control_and_closing_returns_the_view(browser, atlas_path, size):
    sites = _curated().set_index("id").loc[SITES]
    page = Page(browser, atlas_path, size)
    try:
        frame = page.page.locator(".atlas-map").bounding_box()
        for sid, site in sites.iterrows():
            for fx, fy in [(0.25, 0.3), (0.5, 0.5), (0.7, 0.8), (0.65, 0.25)]:
                page.js("void window.atlas.map.closePopup()")
                page.page.wait_for_function("!document.querySelector('.leaflet-popup')")
                page.page.wait_for_timeout(30)
                page.view(site.geometry.y, site.geometry.x, 7)
                # move the map so the site stands at (fx, fy) of the frame
                page.js(f"""(() => {{ const m = window.atlas.map, s = m.getSize();
                    const p = m.latLngToContainerPoint([{site.geometry.y}, {site.geometry.x}]);
                    m.panBy([p.x - s.x * {fx}, p.y - s.y * {fy}], {{animate: false}}); }})()""")
                before = page.js("window.atlas.map.getCenter()")
                page.page.mouse.click(*page.xy(site.geometry.y, site.geometry.x))
                page.popup()
                _settled(page)  # panned into view
                text = page.page.locator(".leaflet-popup-content").inner_text()
                assert site["name"] in text, (sid, fx, fy, text[:80])
                found = _intersections(page)
                assert found["hits"] == [], (sid, fx, fy, found)
                assert found["close"], (sid, fx, fy)
                assert found["dialog"] == "dialog"
                box = page.page.locator(".leaflet-popup").bounding_box()
                assert box["y"] >= frame["y"]
                assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 1
                page.page.locator(".leaflet-popup-close-button").click()
                page.page.wait_for_function("!document.querySelector('.leaflet-popup')")
                page.page.wait_for_timeout(60)
                after = page.js("window.atlas.map.getCenter()")
                assert after == pytest.approx(before, abs=1e-6), (sid, fx, fy)
                assert page.page.locator(".leaflet-control-zoom").is_visible()  # the controls are back
        page.clean()
    finally:
        page.context.close()


def _strong_share(page, hide_js, show_js):
    """The share of the map's pixels that drawing something changes strongly (one channel by more than 48)."""
    from io import BytesIO

    from PIL import Image

    clip = page.page.locator(".atlas-map").bounding_box()
    page.js(hide_js)
    page.page.wait_for_timeout(100)
    without = np.asarray(Image.open(BytesIO(page.page.screenshot(clip=clip))).convert("RGB"), dtype=int)
    page.js(show_js)
    page.page.wait_for_timeout(100)
    drawn = np.asarray(Image.open(BytesIO(page.page.screenshot(clip=clip))).convert("RGB"), dtype=int)
    return float((np.abs(drawn - without).max(axis=2) > 48).mean())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_at_zoom_10_on_a_site_region_hatching_recedes_and_the_site_is_named(browser, atlas_path, size):
    page = Page(browser, atlas_path, size)
    try:
        for sid in ["kg-kumtor", "kz-aktogay", "uz-muruntau"]:
            site = _curated().set_index("id").loc[sid]
            page.view(site.geometry.y, site.geometry.x, 10)
            page.page.mouse.move(1, 1)
            pane = "window.atlas.state.renderers.svgAreas._container.style.visibility"
            share = _strong_share(page, f"void ({pane} = 'hidden')", f"void ({pane} = '')")
            assert share <= 0.08, f"{sid}: area drawing covers {share:.1%} of the map"
            labels = page.page.locator(".atlas-label-site").all_inner_texts()
            assert any(t.startswith(site["name"]) for t in labels), (sid, labels)
        # the hatching comes back on hover: the legend's promise
        receded = page.js("document.querySelectorAll('path[data-receded=\"1\"]').length")
        assert receded >= 1
        page.clean()
    finally:
        page.context.close()


def test_critical_minerals_the_strategy_names_have_their_own_glyph_on_the_map_and_in_the_legend(atlas):
    deposits = _located("mineral_deposits")
    points = deposits[deposits.geom_type.eq("Point")]
    expected = {g.commodity for g in points["commodities"].map(geo.symbology.critical_glyph) if g is not None}
    drawn = atlas.js("""(() => { const out = {}; window.atlas.layers.mineral_deposits.eachLayer(l => {
        if (l.options.glyph) { out[l.options.glyph] = (out[l.options.glyph] || 0) + 1; } }); return out; })()""")
    assert set(drawn) == expected
    assert len(expected) >= 5
    legend = atlas.section("legend").inner_text()
    for commodity in expected:
        assert f"{geo.symbology.CRITICAL_GLYPHS[commodity].text}: {commodity}" in legend
    assert "from zoom 9" in legend  # how a region-wide area is drawn closer in
    atlas.clean()


def test_a_user_layer_is_the_subject_labelled_by_its_column_and_the_map_opens_on_it(browser, tmp_path):
    depots = gpd.GeoDataFrame(
        {"name": ["Depot North", "Depot South", "Depot East"], "kind": ["a", "b", "a"]},
        geometry=[Point(76.90, 43.30), Point(76.95, 43.18), Point(77.10, 43.25)],
        crs=4326,
    )
    m = build_map([], user={"Depots": geo.mapping.UserLayer(depots, label="name")})
    page = Page(browser, save_map(m, tmp_path / "depots.html"))
    try:
        view = page.js("window.atlas.map.getBounds().toBBoxString()").split(",")
        west, south, east, north = map(float, view)
        assert (west, south) < (76.90, 43.18)
        assert east > 77.10
        assert north > 43.30
        assert south < 43.18
        assert east - west < 3  # on the layer, not on Central Asia
        labels = page.page.locator(".atlas-label-site").all_inner_texts()
        assert sorted(labels) == ["Depot East", "Depot North", "Depot South"]
        radii = page.js("window.atlas.layers['user-0'].getLayers().map(l => l.options.radius)")
        assert min(radii) >= 7
        page.clean()
    finally:
        page.context.close()
    with pytest.raises(geo.errors.RecipeError, match="no column 'title' to label by"):
        build_map([], user={"Depots": geo.mapping.UserLayer(depots, label="title")})
