"""QGIS default styles inside a GeoPackage: a ``layer_styles`` table that QGIS reads on opening.

Each exported layer gets a categorised style by meaning (commodity, campus status, carbon approach,
afforestation kind; location precision for curated areas), or a single symbol for anything else,
written as QML, the format QGIS itself stores there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import geopandas as gpd

from geo.mapping.styles import (
    AFFORESTATION_COLOURS,
    APPROACH_COLOURS,
    COMMODITY_COLOURS,
    REFERENCE_STYLES,
    STATUS_COLOURS,
)

__all__ = ["add_qgis_styles"]

_BY_LAYER: dict[str, tuple[str, Mapping[str, str]]] = {
    "campuses": ("status", STATUS_COLOURS),
    "carbon_sites": ("approach", APPROACH_COLOURS),
    "afforestation_areas": ("kind", AFFORESTATION_COLOURS),
}
_TABLE = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""


def _rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    if len(colour) != 6:  # noqa: PLR2004  (#rrggbb)
        return f"128,128,128,{alpha}"
    return f"{int(colour[0:2], 16)},{int(colour[2:4], 16)},{int(colour[4:6], 16)},{alpha}"


def _symbol(kind: str, colour: str, name: str) -> str:
    if kind == "marker":
        layer = (
            f'<layer class="SimpleMarker" enabled="1" pass="0" locked="0"><Option type="Map">'
            f'<Option type="QString" name="color" value="{_rgba(colour)}"/>'
            '<Option type="QString" name="outline_color" value="255,255,255,255"/>'
            '<Option type="QString" name="size" value="3"/></Option></layer>'
        )
    elif kind == "line":
        layer = (
            f'<layer class="SimpleLine" enabled="1" pass="0" locked="0"><Option type="Map">'
            f'<Option type="QString" name="line_color" value="{_rgba(colour)}"/>'
            '<Option type="QString" name="line_width" value="0.4"/></Option></layer>'
        )
    else:
        layer = (
            f'<layer class="SimpleFill" enabled="1" pass="0" locked="0"><Option type="Map">'
            f'<Option type="QString" name="color" value="{_rgba(colour, 70)}"/>'
            f'<Option type="QString" name="outline_color" value="{_rgba(colour)}"/>'
            '<Option type="QString" name="outline_style" value="dash"/></Option></layer>'
        )
    return f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">{layer}</symbol>'


def _kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        return "marker"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "fill"


def _qml(name: str, gdf: gpd.GeoDataFrame) -> str:
    kind = _kind(gdf)
    field, colours = _BY_LAYER.get(name, ("", {}))
    if name == "mineral_deposits":
        field, colours = "commodities", COMMODITY_COLOURS
    if field and field in gdf:
        values = sorted(colours) if field == "commodities" else sorted(set(gdf[field].dropna()))
        expression = f'regexp_substr("{field}", \'"([a-z ]+)"\')' if field == "commodities" else f'"{field}"'
        cats = "".join(
            f'<category render="true" symbol="{i}" value={quoteattr(v)} label={quoteattr(v)}/>'
            for i, v in enumerate(values)
        )
        symbols = "".join(_symbol(kind, colours.get(v, "#999999"), str(i)) for i, v in enumerate(values))
        renderer = (
            f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(expression)} symbollevels="0" '
            f'enableorderby="0" forceraster="0"><categories>{cats}</categories>'
            f"<symbols>{symbols}</symbols></renderer-v2>"
        )
    else:
        colour = REFERENCE_STYLES.get(name, {}).get("c", "#3182bd")
        renderer = (
            f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
            f"<symbols>{_symbol(kind, colour, '0')}</symbols></renderer-v2>"
        )
    label = ""
    if "name" in gdf:
        label = (
            '<labeling type="simple"><settings calloutType="simple"><text-style fieldName="name" '
            'fontSize="8" textColor="40,40,40,255"/></settings></labeling>'
        )
    return (
        f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'><qgis version=\"3.22.0\" "
        f'styleCategories="Symbology|Labeling">{renderer}{label}</qgis>'
    )


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
                    _qml(name, gdf),
                    escape(f"Default style for {name}, written by centralasia-geo"),
                ),
            )
