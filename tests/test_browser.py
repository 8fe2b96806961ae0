"""The maps in a real browser: Debian's Chromium through Playwright, every non-file request blocked."""

import re
import subprocess
import sys

import geopandas as gpd
import pytest
from shapely.geometry import Point

import geo
from geo.mapping.builder import build_map, save_map
from geo.mapping.snapshot import CHROMIUM_ARGS
from tests.conftest import ROOT, require_tool, seeded_points
from tests.test_map import EVIL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    def __init__(self, browser, path):
        self.blocked, self.errors, self.failed = [], [], []
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.route(re.compile(r"^(https?|wss?)://"), self._block)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.atlas !== undefined", timeout=30_000)

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort()

    def js(self, expr):
        return self.page.evaluate(expr)

    def clean(self):
        assert self.blocked == []
        assert self.failed == []
        assert self.errors == []


@pytest.fixture(scope="module")
def atlas(browser, tmp_path_factory):
    path = save_map(build_map(), tmp_path_factory.mktemp("atlas") / "atlas.html")
    page = Page(browser, path)
    yield page
    page.context.close()


def test_atlas_loads_leaflet_offline_without_errors(atlas):
    assert atlas.js("typeof L") == "object"
    assert atlas.js("L.version") == "1.9.3"
    atlas.clean()


def test_every_layer_draws_its_features(atlas):
    counts = atlas.js("window.atlas.counts()")
    for name in geo.CURATED:
        gdf = geo.load(name)
        located = gdf[gdf.geometry.notna()]
        distinct = (
            located[located["location_precision"].isin(["region", "country"])].geometry.map(lambda g: g.wkb).nunique()
        )
        points = (~located["location_precision"].isin(["region", "country"])).sum()
        assert counts[name] == points + distinct, name
    assert counts["cities"] == len(geo.load("cities"))
    assert counts["countries"] == len(geo.load("countries"))


def test_a_click_opens_a_popup_with_sources(atlas):
    x, y = atlas.js("""(() => { const p = window.atlas.map.latLngToContainerPoint([41.306944, 69.283333]);
                       return [p.x, p.y]; })()""")
    atlas.js("void window.atlas.map.setView([41.306944, 69.283333], 9, {animate: false})")
    x, y = atlas.js("""(() => { const p = window.atlas.map.latLngToContainerPoint([41.306944, 69.283333]);
                       return [p.x, p.y]; })()""")
    atlas.page.mouse.click(x, y)
    popup = atlas.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert "Westminster International University in Tashkent" in text
    assert "Sources" in text
    assert "Wikipedia" in text
    assert popup.locator("a[href^='https://']").count() >= 1
    atlas.js(
        "window.atlas.map.closePopup(); void window.atlas.map.fitBounds(window.atlas.data.bounds, {animate: false})"
    )
    atlas.clean()


def test_layer_toggles_off_and_on_and_the_legend_follows(atlas):
    legend = atlas.page.locator(".atlas-legend")
    assert legend.is_visible()
    assert legend.locator("[data-layer='campuses']").count() == 1
    box = atlas.page.locator(".leaflet-control-layers-overlays label", has_text="University campuses")
    box.locator("input").uncheck()
    assert not atlas.js("window.atlas.map.hasLayer(window.atlas.layers.campuses)")
    assert legend.locator("[data-layer='campuses']").count() == 0
    box.locator("input").check()
    assert atlas.js("window.atlas.map.hasLayer(window.atlas.layers.campuses)")
    assert legend.locator("[data-layer='campuses']").count() == 1
    atlas.clean()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Oskemen", "Ust-Kamenogorsk"),
        ("Алматы", "Almaty"),
        ("kumtor", "Kumtor gold mine"),
        ("Abay Region", "East Kazakhstan"),
    ],
)
def test_search_finds_latin_cyrillic_and_aliases(atlas, query, expected):
    box = atlas.page.locator(".atlas-search input")
    box.fill(query)
    results = atlas.page.locator(".atlas-search-results li")
    assert any(expected in t for t in results.all_inner_texts()), results.all_inner_texts()
    box.fill("")


def test_precision_is_drawn_as_the_legend_says(atlas):
    labels = atlas.page.locator(".atlas-area-label").all_text_contents()  # placed, even if decluttered away
    valor = atlas.js("""(() => { for (const o of window.atlas.data.overlays) {
        for (const f of (o.fc || {}).features || []) { const items = f.properties._items || [];
        if (items.some(i => i.id === "kg-valor-carbon-issyk-kul")) { return f.properties; } } } return null; })()""")
    assert valor["_lbl"]  # a region-only area is labelled where it lies
    assert valor["_t"] in labels
    halos = atlas.js("""(() => { let n = 0; Object.values(window.atlas.layers).forEach(g => g && g.eachLayer &&
        g.eachLayer(l => { if (l instanceof L.Circle && l.options.dashArray) n++; })); return n; })()""")
    with_radius = 0  # every point with a stated radius shows it, a cited site included
    for name in geo.CURATED:
        gdf = geo.load(name)
        with_radius += int(
            (gdf["location_precision"].isin(["site", "town", "district"]) & (gdf["uncertainty_m"] > 0)).sum()
        )
    assert halos == with_radius
    assert "Location precision" in atlas.page.locator(".atlas-legend").inner_text()


def test_escaped_text_stays_text_in_the_browser(browser, tmp_path):
    user = gpd.GeoDataFrame({"name": [EVIL], "note": [EVIL]}, geometry=[Point(69.28, 41.31)], crs=4326)
    path = save_map(build_map(["campuses"], user={EVIL: user}, title=EVIL, basemap=["countries"]), tmp_path / "e.html")
    page = Page(browser, path)
    try:
        assert page.js("window.pwned") is None
        assert page.js("document.querySelectorAll('img[src=x]').length") == 0
        assert EVIL in page.page.locator(".atlas-title").inner_text()
        assert page.page.locator(".leaflet-control-layers-overlays").inner_text().count("window.pwned=1") == 1
        page.js("void window.atlas.map.setView([41.31, 69.28], 9, {animate: false})")
        x, y = page.js(
            "(() => { const p = window.atlas.map.latLngToContainerPoint([41.31, 69.28]); return [p.x, p.y]; })()"
        )
        page.page.mouse.click(x, y)
        assert EVIL in page.page.locator(".leaflet-popup-content").inner_text()
        assert page.js("window.pwned") is None
        page.clean()
    finally:
        page.context.close()


def test_a_large_point_layer_renders_on_one_canvas(browser, tmp_path):
    n = 100_000
    pts = seeded_points(n)
    path = save_map(build_map([], user={"points": pts}, basemap=["countries"]), tmp_path / "big.html")
    page = Page(browser, path)
    try:
        key = page.js("Object.keys(window.atlas.layers).find(k => k.startsWith('user'))")
        assert page.js(f"window.atlas.layers['{key}']._n") == n
        painted = page.js("""(() => { const c = document.querySelector('canvas.atlas-points');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let k = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i]) k++; return k; })()""")
        assert painted > 50_000
        page.clean()
    finally:
        page.context.close()


def test_geo_map_writes_html_and_png(tmp_path):
    """End to end through the CLI, in its own process (Playwright's sync API allows one loop per thread)."""
    require_tool("chromium")
    (tmp_path / "mine.csv").write_text("id,name,lon,lat\nm1,My site,69.3,41.3\n")
    args = [
        sys.executable,
        "-m",
        "geo",
        "map",
        str(ROOT / "maps" / "education.toml"),
        "-o",
        "out/edu.html",
        "--layer",
        "mine.csv",
        "--png",
        "out/edu.png",
    ]
    result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    png = tmp_path / "out" / "edu.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000
    assert "My site" in (tmp_path / "out" / "edu.html").read_text(encoding="utf-8")


def test_features_without_a_location_are_listed_not_pinned(browser, tmp_path):
    user = gpd.GeoDataFrame(
        {"name": ["Somewhere unknown", "Tashkent office"]}, geometry=[None, Point(69.28, 41.31)], crs=4326
    )
    path = save_map(build_map([], user={"Mine": user}, basemap=["countries"]), tmp_path / "u.html")
    page = Page(browser, path)
    try:
        panel = page.page.locator(".atlas-unknown")
        assert "Somewhere unknown" in panel.inner_text()
        key = page.js("Object.keys(window.atlas.layers).find(k => k.startsWith('user'))")
        assert page.js(f"window.atlas.counts()['{key}']") == 1
        panel.locator("a", has_text="Somewhere unknown").click()
        assert "Somewhere unknown" in panel.locator(".atlas-unknown-detail").inner_text()
        page.clean()
    finally:
        page.context.close()
