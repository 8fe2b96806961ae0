"""QGIS default styles inside a GeoPackage: a ``layer_styles`` table that QGIS reads on opening.

Styles come from the same places as the web map's: colours from :mod:`geo.symbology` (by the layer
spec's scheme and category field), marker shapes from the layer spec. A layer that is not registered
(a user's own file) gets the plain user style; a registered layer whose scheme or style is unknown is
an error, never a silent single symbol. QML is built with lxml.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
from lxml import etree

from geo import registry, symbology
from geo.errors import UnknownLayerError

__all__ = ["add_qgis_styles", "qml"]

_USER_COLOUR = "#3182bd"
_TABLE = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def _rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    return f"{int(colour[0:2], 16)},{int(colour[2:4], 16)},{int(colour[4:6], 16)},{alpha}"


def _options(parent: etree._Element, values: Mapping[str, str]) -> None:
    option = etree.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        etree.SubElement(option, "Option", type="QString", name=key, value=value)


def _symbol(kind: str, colour: str, name: str, *, marker: str = "circle") -> etree._Element:
    symbol = etree.Element("symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if kind == "marker":
        layer = etree.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "pass": "0", "locked": "0"})
        _options(
            layer,
            {"name": marker, "color": _rgba(colour), "outline_color": "35,35,35,255", "size": "2.6"},
        )
    elif kind == "line":
        layer = etree.SubElement(symbol, "layer", {"class": "SimpleLine", "enabled": "1", "pass": "0", "locked": "0"})
        _options(layer, {"line_color": _rgba(colour), "line_width": "0.4"})
    else:
        layer = etree.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "pass": "0", "locked": "0"})
        _options(
            layer,
            {"color": _rgba(colour, 70), "outline_color": _rgba(colour), "outline_style": "dash"},
        )
    return symbol


def _kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        return "marker"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "fill"


def _renderer(name: str, gdf: gpd.GeoDataFrame) -> etree._Element:
    kind = _kind(gdf)
    try:
        spec = registry.get(name)
    except UnknownLayerError:
        spec = None
    if spec is not None and spec.scheme is not None and spec.category is not None:
        scheme = symbology.scheme(spec.scheme)
        list_field = spec.field(spec.category).type == "list"
        renderer = etree.Element(
            "renderer-v2",
            type="categorizedSymbol",
            attr=f'"{spec.category}"' if not list_field else f'regexp_substr("{spec.category}", \'"([a-z ]+)"\')',
            symbollevels="0",
            enableorderby="0",
            forceraster="0",
        )
        categories = etree.SubElement(renderer, "categories")
        symbols = etree.SubElement(renderer, "symbols")
        values = sorted(symbology.COMMODITIES) if list_field else sorted({str(v) for v in gdf[spec.category].dropna()})
        for i, value in enumerate(values):
            category = symbology.category_of([value] if list_field else value, spec.scheme)
            label = f"{value} ({category})" if list_field else scheme.label(value)
            etree.SubElement(categories, "category", render="true", symbol=str(i), value=value, label=label)
            symbols.append(_symbol(kind, scheme.colour(category), str(i), marker=spec.marker))
        return renderer
    colour = symbology.reference_style(name).get("c", _USER_COLOUR) if spec is not None else _USER_COLOUR
    renderer = etree.Element("renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0", forceraster="0")
    etree.SubElement(renderer, "symbols").append(_symbol(kind, colour, "0"))
    return renderer


def qml(name: str, gdf: gpd.GeoDataFrame) -> str:
    """Return the QML style document of layer `name` (categorised by meaning where the registry says so)."""
    root = etree.Element("qgis", version="3.22.0", styleCategories="Symbology|Labeling")
    root.append(_renderer(name, gdf))
    if "name" in gdf:
        labeling = etree.SubElement(root, "labeling", type="simple")
        settings = etree.SubElement(labeling, "settings", calloutType="simple")
        etree.SubElement(settings, "text-style", fieldName="name", fontSize="8", textColor="40,40,40,255")
    body = etree.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>{body}"


def add_qgis_styles(path: Path, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Write one default QGIS style per layer into the GeoPackage at `path`."""
    with sqlite3.connect(path) as con:
        con.execute(_TABLE)
        geometry_columns = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        for name, gdf in frames.items():
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (name,))
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) "
                "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '')",
                (
                    name,
                    geometry_columns.get(name, "geom"),
                    f"{name} (centralasia-geo)",
                    qml(name, gdf),
                    f"Default style for {name}, written by centralasia-geo",
                ),
            )
