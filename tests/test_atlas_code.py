"""The atlas page's code: ES modules assembled without node, words and symbols as data."""

import json
import re
import shutil
import subprocess

import pytest

import geo
from geo import symbology
from geo.errors import OfflineError, UnknownNameError
from geo.mapping import bundle, cache
from geo.mapping.builder import UserLayer, build_map, to_html
from geo.mapping.payload import symbols
from geo.mapping.words import WORDS, page_words, word
from tests.conftest import ROOT, require_tool, seeded_points

SRC = bundle.SRC_DIR


def _data(html):
    return json.loads(re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1))


def _write(folder, files):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return bundle.modules(folder)


def test_the_modules_form_an_acyclic_graph_and_every_import_is_exported():
    mods = bundle.modules()
    ordered = bundle.order(mods)
    assert ordered[-1] == bundle.ENTRY
    assert sorted(ordered) == sorted(mods)  # every module is reached from the entry
    position = {name: i for i, name in enumerate(ordered)}
    for name, module in mods.items():
        for target, names in module.imports.items():
            assert position[target] < position[name], (name, target)
            assert set(names) <= mods[target].exports, (name, target)
    assert {
        "state.js",
        "hittest.js",
        "popups.js",
        "panel.js",
        "filters.js",
        "time.js",
        "labels.js",
        "points.js",
    } <= set(mods)
    assert {"symbols.js", "words.js"} <= set(mods)


def test_the_assembled_script_has_no_module_syntax_and_keeps_the_entry_point():
    script = bundle.assemble()
    assert not re.search(r"^\s*(import|export)\b", script, re.M)
    assert "window.geoAtlas = geoAtlas;" in script
    assert script.index("/* ---- dom.js ---- */") < script.index("/* ---- atlas.js ---- */")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "atlas.js": 'import {a} from "./b.js";\nexport function c() {}\n',
                "b.js": 'import {c} from "./atlas.js";\nexport function a() {}\n',
            },
            "cycle: atlas.js -> b.js -> atlas.js",
        ),
        ({"atlas.js": 'import {nope} from "./b.js";\n', "b.js": "export function a() {}\n"}, r"\['nope'\] from b.js"),
        ({"atlas.js": 'import {a} from "./missing.js";\n'}, "not a module"),
        ({"atlas.js": 'import {a as b} from "./b.js";\n', "b.js": "export function a() {}\n"}, "no `as`"),
        ({"atlas.js": 'import * as b from "./b.js";\n', "b.js": "export function a() {}\n"}, "on one line"),
        ({"atlas.js": "export default 1;\n"}, "export a declaration"),
        (
            {
                "atlas.js": 'import {a} from "./b.js";\nfunction a2() {}\n',
                "b.js": "export function a() {}\n",
                "c.js": "",
            },
            r"\['c.js'\] are not imported",
        ),
        (
            {"atlas.js": 'import {a} from "./b.js";\nvar x = 1;\n', "b.js": "export function a() {}\nvar x = 2;\n"},
            "both declare 'x'",
        ),
    ],
)
def test_a_bad_module_graph_is_named(tmp_path, files, message):
    with pytest.raises(OfflineError, match=message):
        bundle.order(_write(tmp_path / "src", files))


def test_every_word_the_page_looks_up_is_in_the_one_table():
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in SRC.glob("*.js"):
        text = path.read_text()
        used |= set(re.findall(r'\bt\("([\w.]+)"', text))
        prefixes |= set(re.findall(r'\bt\("([\w.]+\.)" \+', text))
    assert used
    assert prefixes == {"time.mode.", "time.month.", "panel.group."}
    assert sorted(used - set(WORDS) - prefixes) == []
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in WORDS), prefix
    assert [WORDS[f"time.month.{i}"] for i in (1, 12)] == ["January", "December"]
    # the page has no interface text of its own: no words written into elements, text or labels
    for path in SRC.glob("*.js"):
        text = path.read_text()
        assert not re.findall(r'\bel\("\w+", [^,()]*, "[^"]*[A-Za-z]', text), path.name
        assert not re.findall(r'(textContent|placeholder|"aria-label",) =? ?"[^"]*[A-Za-z]', text), path.name


def test_words_fill_placeholders_and_unknown_words_fail():
    assert word("field.location_basis", words="site", basis="a map") == "site. Basis: a map"
    with pytest.raises(UnknownNameError, match="not a word of the atlas"):
        word("field.nope")
    with pytest.raises(UnknownNameError, match=r"needs a value for \{basis\}"):
        word("field.location_basis", words="site")
    with pytest.raises(UnknownNameError, match="plural"):
        word("popup.here")
    assert page_words()["popup.here"] == {"one": "{n} feature here", "other": "{n} features here"}


def test_the_payload_carries_the_words_and_symbols_the_page_draws():
    data = _data(to_html(build_map(["campuses"], basemap=False)))
    assert data["words"] == page_words()
    assert data["lang"] == "en"
    assert set(data["symbols"]["markers"]) == set(symbology.MARKER_SHAPES)
    assert data["symbols"]["markers"]["circle"] == {"kind": "circle"}
    assert data["symbols"]["precision"]["region"] == {"symbol": "hatch", "legend": geo.precision.get("region").legend}
    assert data["symbols"]["precision"]["site"]["r"] > data["symbols"]["precision"]["town"]["r"]
    rows = [r[0] for f in data["overlays"][0]["fc"]["features"] for it in f["properties"]["_items"] for r in it["rows"]]
    assert word("field.country") in rows


def test_a_new_marker_shape_needs_only_its_registry_entry(monkeypatch):
    sites = seeded_points(20)
    pentagon = symbology.MarkerShape(
        "pentagon", "polygon", ((0, -1), (0.95, -0.31), (0.59, 0.81), (-0.59, 0.81), (-0.95, -0.31))
    )
    with pytest.raises(geo.RecipeError, match="marker 'pentagon' is not one of"):
        build_map([], user={"Sites": UserLayer(sites, marker="pentagon")}, basemap=False)
    monkeypatch.setitem(symbology.MARKER_SHAPES, "pentagon", pentagon)
    data = _data(to_html(build_map([], user={"Sites": UserLayer(sites, marker="pentagon")}, basemap=False)))
    assert data["symbols"]["markers"]["pentagon"]["points"][0] == [0, -1]
    assert {f["properties"]["_s"]["m"] for f in data["overlays"][0]["fc"]["features"]} == {"pentagon"}


def test_a_marker_shape_without_a_drawing_fails_loudly():
    with pytest.raises(ValueError, match="'star' is a polygon with 0 points"):
        symbology.MarkerShape("star", "polygon")
    with pytest.raises(ValueError, match="kind 'sparkle'"):
        symbology.MarkerShape("star", "sparkle")  # type: ignore[arg-type]
    with pytest.raises(UnknownNameError, match="No marker shape 'star'"):
        symbology.marker_shape("star")
    assert symbols()["markers"]["triangle"]["kind"] == "polygon"


def test_the_payload_cache_key_covers_the_page_code(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "a.js").write_text("export function a() {}\n")
    monkeypatch.setattr(cache, "_STATIC", static)
    before = cache.fingerprint()
    (static / "a.js").write_text("export function a() { return 1; }\n")
    assert cache.fingerprint() != before


def test_eslint_is_clean():
    eslint = shutil.which("eslint", path=str(ROOT / "node_modules" / ".bin")) or require_tool("eslint")
    linted = subprocess.run(
        [eslint, "geo/mapping/static/src", "tests/js", "eslint.config.js"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout[-3000:]


def test_the_gettext_template_holds_every_word():
    from geo.mapping.words import CATALOG_TEMPLATE, catalog_template

    assert CATALOG_TEMPLATE.read_text(encoding="utf-8") == catalog_template(), "run `python -m geo.mapping.words`"
    text = catalog_template()
    assert text.count("\nmsgctxt ") == len(WORDS)
    assert 'msgctxt "popup.here"\nmsgid "{n} feature here"\nmsgid_plural "{n} features here"\n' in text


def test_the_assembled_script_cannot_close_its_script_element(tmp_path, monkeypatch):
    src = tmp_path / "src"
    _write(src, {"atlas.js": 'export function a() { return "</script><b>"; }\n'})
    monkeypatch.setattr(bundle, "SRC_DIR", src)
    bundle._assembled.cache_clear()
    script = bundle.assemble()
    assert "</script" not in script
    assert '"<\\/script><b>"' in script
