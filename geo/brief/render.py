"""Write a brief: select the layers, answer the questions, draw the map, and render HTML or a PDF.

The PDF is Chromium's print of the same HTML (the headless Chromium that ``geo map --png`` drives, network
blocked), A4, with its fonts embedded; the HTML is one offline file with the map as an embedded PNG.
Same inputs, same text: nothing in a brief depends on the clock but the date it is written on, which the
caller may fix (``today=``).
"""

from __future__ import annotations

import base64
import logging
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.brief.notes import Notes
from geo.brief.questions import QUESTIONS, Context, Section
from geo.brief.recipe import BriefRecipe, load_brief
from geo.errors import RecipeError
from geo.i18n import Words, words

__all__ = ["Brief", "build_brief", "write_brief"]

logger = logging.getLogger(__name__)
_TEMPLATES = Path(__file__).parent / "templates"
_MAP_SIZE = (1000, 720)  # CSS pixels of the map view, drawn at 3x: about 400 dpi across A4
_PRINT_CSS = """
.atlas-panel, .atlas-search, .leaflet-control-zoom, .leaflet-control-measure, .leaflet-control-fullscreen,
.leaflet-control-minimap, .atlas-hover, .atlas-titlebar { display: none !important; }
"""


#: Fit the view to the brief's extent at a fractional zoom (the atlas snaps to whole zooms), then wait until drawn.
_FIT = """(bounds) => new Promise((done) => {
  const map = window.atlas.map;
  map.options.zoomSnap = 0.1;
  map.invalidateSize(false);
  map.once("moveend", () => requestAnimationFrame(() => requestAnimationFrame(done)));
  map.fitBounds(bounds, {padding: [6, 6], animate: false});
})"""


@dataclass(frozen=True, kw_only=True)
class Brief:
    """A brief ready to render: its recipe, language, sections, notes and the layers it shows."""

    recipe: BriefRecipe
    w: Words
    sections: list[Section]
    notes: Notes
    layers: Mapping[str, gpd.GeoDataFrame]
    today: date

    @property
    def title(self) -> str:
        """The brief's title in its language."""
        return self.recipe.text(self.recipe.title, self.w.lang)

    @property
    def data_as_of(self) -> str:
        """The newest status date among the features shown (the data's as-of)."""
        dates = [str(d) for g in self.layers.values() for d in g["as_of"].dropna() if str(d)]
        return max(dates) if dates else ""


def _select(recipe: BriefRecipe) -> dict[str, gpd.GeoDataFrame]:
    from geo import symbology
    from geo.analysis.select import where
    from geo.catalog import load

    chosen: dict[str, gpd.GeoDataFrame] = {}
    for choice in recipe.layers:
        gdf = load(choice.layer)
        if choice.where:
            try:
                gdf = where(gdf, choice.where, name=choice.layer)
            except ValueError as exc:
                msg = f"Brief {recipe.name!r}, layer {choice.layer}: {exc}"
                raise RecipeError(msg) from None
        if choice.critical:
            keep = gdf["commodities"].map(lambda c: bool(symbology.UK_CRITICAL & set(c if c is not None else [])))
            gdf = gdf[keep.astype(bool)]
        if choice.in_agreements:
            gdf = gdf[gdf["agreements"].map(lambda a: a is not None and len(a) > 0).astype(bool)]
        chosen[choice.layer] = gdf
    return chosen


def build_brief(name: str | Path | BriefRecipe, *, lang: str = "en", today: date | None = None) -> Brief:
    """Answer a brief's questions: the sections and numbered notes, in `lang`, without rendering.

    Parameters
    ----------
    name
        A shipped brief (``"education"``), a recipe file, or a loaded :class:`BriefRecipe`.
    lang
        The language of the brief's text (``en``, ``ru``; see :data:`geo.i18n.LANGUAGES`).
    today
        The date printed on the brief (default: today).
    """
    recipe = name if isinstance(name, BriefRecipe) else load_brief(name)
    w = words(lang)
    layers = _select(recipe)
    ctx = Context(layers=layers, w=w, notes=Notes())
    sections = [QUESTIONS[q.kind](q.options, ctx) for q in recipe.questions]
    if not any(q.kind == "features" for q in recipe.questions):
        sections.append(QUESTIONS["features"]({}, ctx))
    return Brief(recipe=recipe, w=w, sections=sections, notes=ctx.notes, layers=layers, today=today or date.today())


def _bounds(brief: Brief) -> list[list[float]]:
    if brief.recipe.bounds is not None:
        (s, w_), (n, e) = brief.recipe.bounds
        return [[s, w_], [n, e]]
    frames = [g.to_crs(4326) for g in brief.layers.values() if len(g)]
    if not frames:
        return [[35.0, 46.0], [56.0, 88.0]]
    minx, miny, maxx, maxy = pd.concat(frames).total_bounds
    pad_x, pad_y = max(0.5, (maxx - minx) * 0.03), max(0.5, (maxy - miny) * 0.03)
    return [[miny - pad_y, minx - pad_x], [maxy + pad_y, maxx + pad_x]]


def _legend(brief: Brief) -> list[dict[str, Any]]:
    """Return the map's legend from the registries: each layer's categories and colours, and the precision symbols."""
    from geo import precision, registry, symbology

    w = brief.w
    entries: list[dict[str, Any]] = []
    for name, gdf in brief.layers.items():
        spec = registry.get(name)
        if spec.scheme is None or spec.category is None or not len(gdf):
            continue
        sch = symbology.scheme(spec.scheme)
        shown = {symbology.category_of(v, spec.scheme) for v in gdf[spec.category]}
        entries.append(
            {
                "title": w(spec.title),
                "marker": spec.marker,
                "rows": [(sch.colours[c], w(c)) for c in sch.colours if c in shown],
            }
        )
    levels = {str(p) for g in brief.layers.values() for p in g["location_precision"].dropna()}
    entries.append(
        {
            "title": w("Location precision"),
            "marker": "circle",
            "rows": [(None, w(precision.LEVELS[k].legend)) for k in precision.LEVELS if k in levels],
        }
    )
    return entries


def _map_png(brief: Brief, page: Any, workdir: Path) -> bytes:
    """Render the brief's layers in the atlas (its symbology and precision drawing) and return a PNG."""
    from geo.mapping.builder import build_map, registered_layer, save_map

    layers = [registered_layer(name, gdf) for name, gdf in brief.layers.items()]
    m = build_map(layers, bounds=_bounds(brief), title=brief.title, lang=brief.w.lang)
    html = save_map(m, workdir / "map.html", overwrite=True)
    page.set_viewport_size({"width": _MAP_SIZE[0], "height": _MAP_SIZE[1]})
    page.goto(html.resolve().as_uri())
    page.wait_for_function("window.atlas !== undefined", timeout=60_000)
    page.add_style_tag(content=_PRINT_CSS)
    page.evaluate(_FIT, _bounds(brief))
    png: bytes = page.screenshot(type="png")
    return png


def _html(brief: Brief, map_png: bytes | None) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    template = env.get_template("brief.html.j2")
    return template.render(
        _=brief.w,
        w=brief.w,
        brief=brief,
        lang=brief.w.lang,
        title=brief.title,
        summary=brief.recipe.text(brief.recipe.summary, brief.w.lang) if brief.recipe.summary else "",
        today=brief.w.date(brief.today),
        data_as_of=brief.w.date(brief.data_as_of),
        sections=brief.sections,
        notes=list(brief.notes),
        legend=_legend(brief),
        map_src="data:image/png;base64," + base64.b64encode(map_png).decode("ascii") if map_png else "",
        css=(_TEMPLATES / "brief.css").read_text(encoding="utf-8"),
    )


def write_brief(
    name: str | Path | BriefRecipe,
    path: str | Path,
    *,
    lang: str = "en",
    overwrite: bool = False,
    today: date | None = None,
) -> Path:
    """Write a brief to `path`: a PDF (``.pdf``, A4, fonts embedded) or one offline HTML file (``.html``).

    Raises
    ------
    RecipeError
        An unknown brief, layer or question; a bad ``where`` condition.
    geo.UnknownNameError
        An unknown language.
    GeoToolkitError
        Chromium or Playwright is missing (the message says what to install).
    """
    from geo.errors import ExportError
    from geo.mapping.snapshot import CHROMIUM_ARGS, chromium_path
    from geo.outputs import atomic_path

    target = Path(path).expanduser()
    if target.suffix.lower() not in (".pdf", ".html"):
        msg = f"{target.name}: a brief is written as .pdf or .html (e.g. {target.stem}.pdf)."
        raise ExportError(msg)
    if target.exists() and not overwrite:
        msg = f"{target} already exists; pass --overwrite to replace it."
        raise ExportError(msg)
    brief = build_brief(name, lang=lang, today=today)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        from geo.errors import GeoToolkitError

        msg = "Briefs need Playwright to drive Chromium: pip install 'centralasia-geo[png]'."
        raise GeoToolkitError(msg) from None
    with tempfile.TemporaryDirectory(prefix="geo-brief-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(device_scale_factor=3)
            context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
            page = context.new_page()
            html = _html(brief, _map_png(brief, page, Path(tmp)))
            with atomic_path(target, overwrite=overwrite) as part:
                if target.suffix == ".html":
                    part.write_text(html, encoding="utf-8")
                else:
                    doc = Path(tmp) / "brief.html"
                    doc.write_text(html, encoding="utf-8")
                    page.goto(doc.resolve().as_uri())
                    page.emulate_media(media="print")
                    page.pdf(path=str(part), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    logger.info("Wrote %s (%d sections, %d notes)", target, len(brief.sections), len(brief.notes))
    return target
