"""Build an offline atlas map: a ``folium.Map`` whose layers, legend, search and panels are drawn by one script.

``build_map`` returns an :class:`AtlasMap` (a ``folium.Map``) that shows inline in Jupyter and can be
extended with any folium element; :func:`to_html` renders it to one self-contained, deterministic HTML
page and :func:`save_map` writes that page atomically.
"""

from __future__ import annotations

import html
import importlib.metadata
import logging
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure, MacroElement

from geo import registry, symbology
from geo.catalog import load, region_aliases
from geo.crs import WGS84, reproject
from geo.errors import ExportError, RecipeError
from geo.mapping.bundle import assemble
from geo.mapping.cache import cached
from geo.mapping.identity import curated_identity
from geo.mapping.offline import inline_assets
from geo.mapping.payload import (
    MapLayer,
    UserLayer,
    facet_definitions,
    layer_payload,
    layer_title,
    style_problem,
    symbols,
    to_json,
)
from geo.mapping.words import current_language, language, page_words
from geo.outputs import atomic_path
from geo.provenance import read_manifest

__all__ = ["TILES", "AtlasMap", "UserLayer", "build_map", "registered_layer", "save_map", "to_html"]

logger = logging.getLogger(__name__)

_LEAFLET_JS = ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
_LEAFLET_CSS = ("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")
#: Online tile providers a map may add (then it needs a network): name -> folium's provider name.
TILES = {"osm": "OpenStreetMap", "openstreetmap": "OpenStreetMap", "cartodb": "CartoDB positron"}
CENTRAL_ASIA_BOUNDS = [[35.1, 46.4], [55.5, 87.4]]


class AtlasMap(folium.Map):
    """A ``folium.Map`` that loads only Leaflet (no jQuery, Bootstrap or icon fonts) and shows offline in Jupyter."""

    default_js = [_LEAFLET_JS]  # noqa: RUF012  (folium's class-level asset lists)
    default_css = [_LEAFLET_CSS]  # noqa: RUF012

    def save(self, outfile: str | bytes | Path | BinaryIO, close_file: bool = True, **kwargs: Any) -> None:
        """Write the offline page (folium's ``Map.save``, through :func:`to_html`)."""
        page = to_html(self).encode("utf-8")
        if isinstance(outfile, str | bytes | Path):
            Path(outfile.decode() if isinstance(outfile, bytes) else outfile).write_bytes(page)
        else:
            outfile.write(page)
            if close_file:
                outfile.close()

    def _repr_html_(self, **kwargs: Any) -> str:
        page = html.escape(to_html(self), quote=True)
        return (
            '<div style="width:100%;height:600px"><iframe style="width:100%;height:100%;border:none" '
            f'srcdoc="{page}" sandbox="allow-scripts allow-popups"></iframe></div>'
        )


class _MiniMapAssets(folium.elements.JSCSSMixin, MacroElement):
    """Registers leaflet-minimap's assets (drawn by the atlas script with the country outlines)."""

    default_js = [  # noqa: RUF012  (folium's class-level asset lists)
        ("Control_MiniMap_js", "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.js")
    ]
    default_css = [  # noqa: RUF012
        ("Control_MiniMap_css", "https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/Control.MiniMap.css")
    ]


class _Text(Element):
    """Text placed in the page as it is.

    branca's ``Element(text)`` compiles its text as a Jinja template, which for a large payload costs seconds.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _AtlasLayers(MacroElement):
    """The atlas script, its stylesheet and the data it draws, embedded as escaped JSON."""

    def __init__(self, payload: dict[str, Any], manifest: dict[str, Any]) -> None:
        super().__init__()
        self._name = "AtlasLayers"
        static = resources.files("geo.mapping") / "static"
        self.js = assemble()  # the ES modules of static/src, in one scope (geo.mapping.bundle)
        self.css = (static / "atlas.css").read_text(encoding="utf-8")
        self.payload = to_json(payload)
        self.manifest = to_json(manifest)
        #: The data goes in after the page is checked for network requests (:func:`to_html`): it is JSON
        #: with every ``<`` escaped, so it cannot hold a tag, and scanning megabytes of it costs time.
        self.placeholder = f"@@atlas-data-{id(self)}@@"

    def render(self, **kwargs: Any) -> str:
        """Add the stylesheet, the data and the script to the page (no template: the data can be large)."""
        figure = self.get_root()
        if not isinstance(figure, Figure) or self._parent is None:
            msg = "The atlas layers must be part of a map in a Figure."
            raise TypeError(msg)
        name = self.get_name()
        figure.header.add_child(_Text(f"<style>{self.css}</style>"), name=name)
        data = f'<script type="application/json" id="atlas-data">{self.placeholder}</script>'
        manifest = f'<script type="application/json" id="atlas-manifest">{self.manifest}</script>'
        figure.html.add_child(_Text(data + "\n" + manifest), name=name)
        call = 'geoAtlas({m}, JSON.parse(document.getElementById("atlas-data").textContent));'
        figure.script.add_child(_Text(f"{self.js}\n{call.format(m=self._parent.get_name())}"), name=name)
        return ""


def registered_layer(name: str, gdf: gpd.GeoDataFrame | None = None, *, title: str | None = None) -> MapLayer:
    """Return the map layer of a registered layer (optionally a filtered copy of its data).

    Without `gdf` the whole shipped layer is drawn, from the payload cache when it is there.
    """
    spec = registry.get(name)
    return MapLayer(name=name, title=title or spec.title, gdf=gdf, spec=spec)


def _basemap(names: Sequence[str | Mapping[str, Any]]) -> list[MapLayer]:
    layers = []
    for entry in names:
        name, visible = (entry, None) if isinstance(entry, str) else (str(entry.get("layer")), entry.get("visible"))
        spec = registry.get(name)
        shown = spec.visible if visible is None else bool(visible)
        layers.append(MapLayer(name=name, title=spec.title, gdf=None, spec=spec, group="basemap", visible=shown))
    return layers


def _user_layer(title: str, value: gpd.GeoDataFrame | UserLayer, index: int) -> MapLayer:
    if isinstance(value, gpd.GeoDataFrame) and (source := curated_identity(value)) is not None:
        # rows of a curated layer: drawn as that layer (precision, envelopes, popups) under the user's title
        return MapLayer(name=f"user-{index}", title=title, gdf=value, spec=registry.get(source))
    layer = value if isinstance(value, UserLayer) else UserLayer(value) if isinstance(value, gpd.GeoDataFrame) else None
    if layer is None or not isinstance(layer.gdf, gpd.GeoDataFrame):
        msg = (
            f"User layer {title!r} must be a GeoDataFrame or a UserLayer, got {type(value).__name__}; "
            "read files with geo.read()."
        )
        raise RecipeError(msg)
    if problem := style_problem(layer.color, layer.marker):
        msg = f"User layer {title!r}: {problem}."
        raise RecipeError(msg)
    if layer.color_by is not None and layer.color_by not in layer.gdf.columns:
        columns = [c for c in layer.gdf.columns if c != layer.gdf.geometry.name]
        msg = f"User layer {title!r}: no column {layer.color_by!r} to colour by; columns: {columns}."
        raise RecipeError(msg)
    if layer.label is not None and layer.label not in layer.gdf.columns:
        columns = [c for c in layer.gdf.columns if c != layer.gdf.geometry.name]
        msg = f"User layer {title!r}: no column {layer.label!r} to label by; columns: {columns}."
        raise RecipeError(msg)
    return MapLayer(
        name=f"user-{index}",
        title=title,
        gdf=layer.gdf,
        visible=layer.visible,
        color=layer.color or symbology.USER_COLOURS[index % len(symbology.USER_COLOURS)],
        color_by=layer.color_by,
        marker=layer.marker,
        label=layer.label,
    )


def _user_extent(layers: Sequence[str | MapLayer] | None, overlays: Sequence[MapLayer]) -> list[list[float]] | None:
    """Return the extent of the user's layers when they are the point of the map (no shipped layer), padded."""
    mine = [o for o in overlays if o.style == "user" and o.gdf is not None]
    if layers is None or len(layers) or not mine:
        return None
    boxes = np.array([reproject(o.gdf, WGS84, name=o.title).total_bounds for o in mine])
    if not np.isfinite(boxes).all():
        return None
    west, south = boxes[:, 0].min(), boxes[:, 1].min()
    east, north = boxes[:, 2].max(), boxes[:, 3].max()
    pad_x, pad_y = max((east - west) * 0.08, 0.05), max((north - south) * 0.08, 0.05)
    return [[float(south - pad_y), float(west - pad_x)], [float(north + pad_y), float(east + pad_x)]]


def _as_layers(
    layers: Sequence[str | MapLayer] | None, user: Mapping[str, gpd.GeoDataFrame | UserLayer] | None
) -> list[MapLayer]:
    out: list[MapLayer] = [
        item if isinstance(item, MapLayer) else registered_layer(item)
        for item in (registry.curated() if layers is None else layers)
    ]
    out += [_user_layer(title, value, i) for i, (title, value) in enumerate((user or {}).items())]
    return out


def _agreement_records(table: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """Agreement id -> ``{"title", "date"}`` from an agreements table (columns ``id``, ``title``, ``date``)."""
    if table is None:
        from geo.agreement_file import titles

        return titles()  # the shipped table, as written (validated by `geo data audit` and the tests)
    records = {}
    for row in table.to_dict("records"):
        title = row.get("title") or row.get("name") or row.get("id")
        date = row.get("date") or row.get("signed")
        records[str(row["id"])] = {"title": str(title), "date": "" if pd.isna(date) else str(date)}
    return records


class _Lookups:
    """Labels the payload shows instead of codes, computed only when a payload is not cached."""

    def __init__(self, agreements: pd.DataFrame | None) -> None:
        self._agreements = agreements
        self._value: dict[str, Any] | None = None

    def get(self) -> dict[str, Any]:
        if self._value is None:
            countries = load("countries")
            aliases: dict[str, list[str]] = {}
            for row in region_aliases().itertuples():
                aliases.setdefault(str(row.region_id), []).append(str(row.alias))
            self._value = {
                "country": dict(zip(countries["id"], countries["name"], strict=True)),
                "aliases": aliases,
                "agreements": _agreement_records(self._agreements),
            }
        return self._value


def _payload(layer: MapLayer, lookups: _Lookups, *, cache: bool) -> dict[str, Any]:
    if layer.gdf is not None or layer.spec is None or layer.spec.layers_dir is not None:
        return layer_payload(layer, lookups=lookups.get())  # only shipped files are in the cache's fingerprint
    key = {
        "layer": layer.name,
        "spec": layer.spec.name,
        "title": layer.title,
        "group": layer.group,
        "visible": layer.visible,
        "agreements": None if lookups._agreements is None else to_json(lookups.get()["agreements"]),
    }
    return cached(key, lambda: layer_payload(layer, lookups=lookups.get()), use_cache=cache)


def _manifest(
    layers: Sequence[MapLayer], basemap: Sequence[MapLayer], counts: Mapping[str, int], settings: dict[str, Any]
) -> dict[str, Any]:
    records = read_manifest()["files"]
    inputs = [
        {
            "layer": ml.name,
            "title": ml.title,
            "features": counts[ml.name],
            "sha256": records.get(ml.spec.name, {}).get("sha256") if ml.spec is not None else None,
        }
        for ml in [*basemap, *layers]
    ]
    return {
        "generator": f"centralasia-geo {importlib.metadata.version('centralasia-geo')}",
        "versions": {p: importlib.metadata.version(p) for p in ("folium", "geopandas", "shapely")},
        "inputs": inputs,
        "settings": settings,
    }


def build_map(
    layers: Sequence[str | MapLayer] | None = None,
    *,
    user: Mapping[str, gpd.GeoDataFrame | UserLayer] | None = None,
    basemap: Sequence[str | Mapping[str, Any]] | bool = True,
    title: str = "UK–Central Asia: minerals, campuses, carbon and forests",
    tiles: str | None = None,
    bounds: Sequence[Sequence[float]] | None = None,
    settings: Mapping[str, Any] | None = None,
    images: Sequence[Mapping[str, Any]] = (),
    relief: str | Path | None = None,
    agreements: pd.DataFrame | None = None,
    cache: bool = True,
    lang: str = "en",
) -> AtlasMap:
    """Return an offline-ready atlas map.

    Parameters
    ----------
    layers
        Shipped layer names or `MapLayer` objects; the four curated layers by default.
    user
        The user's own layers by title: GeoDataFrames (any CRS), or :class:`UserLayer` to choose a
        colour, a column to colour by, or a marker shape. A frame of rows of a curated layer (a
        selection of ``geo.load("mineral_deposits")``) is drawn as that layer, with its precision.
        Large point layers are drawn on one canvas from a compact encoding that keeps every attribute.
    basemap
        Reference layers drawn underneath (``True``: countries, regions, the Aralkum, lakes, rivers,
        cities); an entry may be ``{"layer": name, "visible": bool}`` to switch a layer on or off.
    title
        Shown above the map (as text, never as HTML).
    tiles
        ``None`` (default, no network) or an online tile provider such as ``"osm"``; tiles need a network.
    bounds
        ``[[south, west], [north, east]]`` to open on; Central Asia by default.
    settings
        Extra settings recorded in the embedded manifest (e.g. the recipe).
    images
        Image overlays (e.g. :func:`geo.mapping.overlays.elevation_image`), embedded as data URIs.
    relief
        The elevation grid (:func:`geo.raster.fetch_dem`): adds a light hillshade to the basemap where it
        covers (about 0.2 MB). Without it the map is the same, minus the relief.
    agreements
        A table of agreements (``id``, ``title``, ``date``) that features' ``agreements`` refer to; the
        shipped one by default, where the data has one.
    cache
        Draw the shipped layers from the payload cache (:mod:`geo.mapping.cache`); the output is the same.
    lang
        The language of the page's words and of the data's vocabulary (statuses, commodities, layer titles,
        field labels): ``en`` or ``ru`` (:data:`geo.i18n.LANGUAGES`); feature names stay as the data has them.
    """
    with language(lang):
        return _build(
            layers, user=user, basemap=basemap, title=title, tiles=tiles, bounds=bounds, settings=settings,
            images=images, relief=relief, agreements=agreements, cache=cache,
        )  # fmt: skip


def _build(
    layers: Sequence[str | MapLayer] | None,
    *,
    user: Mapping[str, gpd.GeoDataFrame | UserLayer] | None,
    basemap: Sequence[str | Mapping[str, Any]] | bool,
    title: str,
    tiles: str | None,
    bounds: Sequence[Sequence[float]] | None,
    settings: Mapping[str, Any] | None,
    images: Sequence[Mapping[str, Any]],
    relief: str | Path | None,
    agreements: pd.DataFrame | None,
    cache: bool,
) -> AtlasMap:
    if tiles is not None and tiles.lower() not in TILES:
        msg = f"Unknown tiles {tiles!r}: use one of {', '.join(TILES)} (they need a network), or leave tiles out."
        raise RecipeError(msg)
    base = _basemap(registry.basemap() if basemap is True else (basemap or ()))
    overlays = _as_layers(layers, user)
    m = AtlasMap(
        location=None,
        tiles=None,
        zoom_start=4,
        control_scale=True,
        prefer_canvas=False,
        maxZoom=18,
        minZoom=2,
        zoom_control=True,
    )
    if tiles:
        folium.TileLayer(TILES[tiles.lower()], name="Online tiles", control=False).add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="hectares",
    ).add_to(m)
    _MiniMapAssets().add_to(m)
    lookups = _Lookups(agreements)
    basemaps = [_payload(b, lookups, cache=cache) for b in base]
    drawn = [_payload(o, lookups, cache=cache) for o in overlays]
    countries = next((p["fc"] for p in basemaps if p["id"] == "countries"), None)
    extra_images = []
    if relief is not None:
        from geo.mapping.overlays import relief_image

        extra_images.append(relief_image(relief))
    payload = {
        "title": layer_title(title),
        "bounds": [list(b) for b in (bounds or _user_extent(layers, overlays) or CENTRAL_ASIA_BOUNDS)],
        "basemap": basemaps,
        "overlays": drawn,
        "symbols": symbols(),
        "words": page_words(),
        "lang": current_language(),
        "facets": _facets(overlays, drawn, lookups),
        "minimap": countries,
        "images": [{**image, "title": layer_title(str(image.get("title", "")))} for image in [*extra_images, *images]],
        "tiles": bool(tiles),
    }
    counts = {p["id"]: p["count"] for p in [*basemaps, *drawn]}
    manifest = _manifest(
        overlays,
        base,
        counts,
        {
            "title": title,
            "tiles": tiles,
            "relief": str(relief) if relief else None,
            "lang": current_language(),
            **(settings or {}),
        },
    )
    _AtlasLayers(payload, manifest).add_to(m)
    logger.info("Built map with %d overlays and %d basemap layers", len(overlays), len(base))
    return m


def _facets(layers: Sequence[MapLayer], drawn: Sequence[dict[str, Any]], lookups: _Lookups) -> list[dict[str, Any]]:
    """Return the filter panel's fields, from the curated layers' items (already in the payloads)."""
    frames = {}
    for layer, payload in zip(layers, drawn, strict=True):
        if layer.style != "curated":
            continue
        items = [it for f in payload["fc"]["features"] for it in f["properties"]["_items"]]
        items += [u["item"] for u in payload.get("unknown", [])]
        frames[layer.name] = pd.DataFrame([it["f"] for it in items])
    if not frames:
        return []
    return facet_definitions(frames, lookups.get())


def _stable_ids(root: Element) -> None:
    """Replace folium's random element ids with sequential ones, so equal inputs give equal HTML."""
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        element._id = f"{counter:04d}"
        counter += 1
        for child in element._children.values():
            visit(child)

    visit(root)


def to_html(m: folium.Map) -> str:
    """Render `m` to one self-contained HTML page with every asset inlined (no network needed)."""
    root = m.get_root()
    if not isinstance(root, Figure):
        root = Figure()
        root.add_child(m)
    _stable_ids(root)
    page = inline_assets(root.render())
    for child in m._children.values():
        if isinstance(child, _AtlasLayers):
            page = page.replace(child.placeholder, child.payload, 1)
    return page


def save_map(m: folium.Map, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write `m` as one offline HTML file, atomically; refuse to overwrite unless asked."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        msg = f"{path.name}: a map is written as .html (e.g. {path.stem}.html)."
        raise ExportError(msg)
    if path.exists() and not overwrite:
        msg = f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    page = to_html(m)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    logger.info("Wrote %s (%.1f MB)", path, len(page.encode()) / 1e6)
    return path
