"""Briefs: the sections answer from the analysis, every shown feature's and figure's source is a note, and the
PDF (Chromium's print) holds the map on page 1, every cited URL, embedded fonts, and Russian in Cyrillic."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from geo.brief import briefs, build_brief, load_brief
from geo.errors import RecipeError
from tests.conftest import require_tool

TODAY = date(2026, 12, 8)


def _squash(text: str) -> str:
    """Text without white space or hyphens: pdftotext joins a URL broken after a hyphen as a hyphenated word."""
    return re.sub(r"[\s-]+", "", text)


def test_shipped_briefs_load_and_answer():
    assert set(briefs()) >= {"education", "minerals", "afforestation", "agreements"}
    for name in briefs():
        brief = build_brief(name, today=TODAY)
        assert brief.sections, name
        assert all(s.title for s in brief.sections)


def test_every_source_of_every_feature_shown_is_a_note():
    brief = build_brief("education", today=TODAY)
    urls = set(brief.notes.urls)
    for layer in brief.layers.values():
        assert len(layer)
        for sources in layer["sources"]:
            for source in sources:
                if source.get("url"):
                    assert source["url"] in urls
    assert set(brief.layers["campuses"]["kind"]) <= {"branch_campus", "university", "research_centre"}


def test_education_pairs_are_distance_intervals():
    brief = build_brief("education", today=TODAY)
    near = brief.sections[0]
    assert near.title == "What lies within 150 km"
    rows = near.tables[0].rows
    assert rows
    for row in rows:
        low, high = (float(v.replace(",", "")) for v in row[3].split("–"))
        assert 0 <= low <= high
        assert row[4] in {"yes", "possibly"}
        assert row[6].startswith("[")


def test_minerals_brief_lists_uk_critical_minerals_with_their_sources():
    from geo import symbology

    brief = build_brief("minerals", today=TODAY)
    table = brief.sections[0].tables[0]
    assert {r[0] for r in table.rows} <= set(symbology.UK_CRITICAL)
    cited = [r for r in table.rows if r[3] != "unknown"]
    assert cited
    assert all(r[-1].startswith("[") for r in cited)


def test_same_inputs_same_text():
    one = build_brief("afforestation", lang="ru", today=TODAY)
    two = build_brief("afforestation", lang="ru", today=TODAY)
    assert [s.tables[0].rows for s in one.sections] == [s.tables[0].rows for s in two.sections]
    assert list(one.notes) == list(two.notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title = 'x'\nlayers = [{ layer = 'campus' }]\n", "campuses"),
        ("title = 'x'\nlayers = [{ layer = 'campuses' }]\ncolour = 1\n", "unknown key"),
        ("title = 'x'\nlayers = [{ layer = 'campuses' }]\n[[questions]]\nkind = 'why'\n", "unknown kind 'why'"),
        ("title = 'x'\nlayers = []\n", "at least one layer"),
        ("title = 'x\n", "not a readable TOML"),
    ],
)
def test_bad_recipes_are_one_line_errors(tmp_path, text, message):
    recipe = tmp_path / "mine.toml"
    recipe.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=message) as info:
        load_brief(recipe)
    assert "\n" not in str(info.value)


def test_unknown_brief_names_the_shipped_ones():
    with pytest.raises(RecipeError, match="shipped: afforestation, agreements, education, minerals"):
        load_brief("educaton")


def _geo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("geo")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_cli_refuses_a_wrong_language_and_suffix(tmp_path):
    result = _geo("brief", "education", "-o", "x.pdf", "--lang", "kk", cwd=tmp_path)
    assert result.returncode == 2
    assert "Unknown language 'kk'" in result.stderr
    result = _geo("brief", "education", "-o", "x.docx", cwd=tmp_path)
    assert result.returncode == 1
    assert ".pdf or .html" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
@pytest.mark.slow
def test_education_pdf(tmp_path):
    require_tool("chromium")
    pdftotext, pdffonts, pdfimages = (require_tool(t) for t in ("pdftotext", "pdffonts", "pdfimages"))
    result = _geo("brief", "education", "-o", "brief.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "brief.pdf"
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("\f") >= 3  # several pages
    brief = build_brief("education")
    squashed = _squash(text)
    assert brief.notes.urls
    missing = [u for u in brief.notes.urls if _squash(u) not in squashed]
    assert not missing, missing[:5]
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
    images = subprocess.run([pdfimages, "-list", "-f", "1", "-l", "1", str(pdf)], capture_output=True, text=True)
    widths = [int(line.split()[3]) for line in images.stdout.splitlines()[2:]]
    assert widths
    assert max(widths) >= 2000


@pytest.mark.browser
@pytest.mark.slow
def test_russian_minerals_pdf_is_cyrillic_apart_from_names_and_urls(tmp_path):
    require_tool("chromium")
    pdftotext = require_tool("pdftotext")
    result = _geo("brief", "minerals", "--lang", "ru", "-o", "brief.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = subprocess.run([pdftotext, str(tmp_path / "brief.pdf"), "-"], capture_output=True, text=True).stdout
    body = text.split("Примечания\n")[0]  # the notes cite titles as published
    brief = build_brief("minerals", lang="ru")
    names = {str(n) for g in brief.layers.values() for n in g["name"]}
    names |= (
        {str(n) for g in brief.layers.values() for n in g["operator"].dropna()} if "operator" in brief.layers else set()
    )
    for name in sorted(names, key=len, reverse=True):
        body = body.replace(name, "")
    words = re.findall(r"[A-Za-z]{3,}", body)
    latin_names = {w for n in names for w in re.findall(r"[A-Za-z]{3,}", n)}  # names wrapped across lines
    allowed = {a.lower() for a in {"centralasia", "geo", "Natural", "Earth", "GeoNames", "Leaflet"} | latin_names}
    stray = sorted({w for w in words if w.lower() not in allowed})
    assert not stray, stray[:20]
    assert "Концентрация поставок" in text
