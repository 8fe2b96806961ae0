"""Writers and readers of the single-file formats: GeoPackage, GeoJSON, FlatGeobuf, GeoParquet, KML, CSV.

Each writer takes ``{layer name: GeoDataFrame}`` (one layer for single-layer formats), a path and the
export's :class:`~geo.exporter.losses.Losses`; each reader returns ``{layer name: GeoDataFrame}`` with
list fields decoded. The format registry (:mod:`geo.formats`) pairs them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from lxml import etree

from geo.crs import WGS84, reproject
from geo.exporter.json_fields import decode, is_list_column, json_columns, jsonable, lists_to_json
from geo.exporter.losses import Losses
from geo.exporter.split import PART_ATTR, declared_geometry_type
from geo.geojson import write_geojson
from geo.safety import check_vector, open_vector

__all__ = [
    "KML_ID",
    "gpkg_fid_column",
    "read_csv",
    "read_gdal",
    "read_gml",
    "read_parquet",
    "write_csv",
    "write_fgb",
    "write_geojson_file",
    "write_gml",
    "write_gpkg",
    "write_kml",
    "write_parquet",
]

#: KML reserves ``id`` for the Placemark's own id; a feature's id is written as this field.
KML_ID = "feature_id"
_STYLE_TABLE = "layer_styles"
Frames = Mapping[str, gpd.GeoDataFrame]


def _only(frames: Frames) -> tuple[str, gpd.GeoDataFrame]:
    ((name, gdf),) = frames.items()
    return name, gdf


def gpkg_fid_column(gdf: pd.DataFrame) -> str:
    """Name of a GeoPackage's feature id column: ``fid``, unless a data column of that name cannot be the id.

    GDAL makes a data column called ``fid`` (any case) the feature id when its values are unique,
    non-null integers; otherwise the id column is named ``fid_1`` (or the next free name), so the data
    column is written as it is.
    """
    clash = [c for c in gdf.columns if str(c).lower() == "fid"]
    if not clash:
        return "fid"
    values = gdf[clash[0]]
    if pd.api.types.is_integer_dtype(values.dtype) and values.notna().all() and values.is_unique:
        return str(clash[0])
    taken = {str(c).lower() for c in gdf.columns}
    n = 1
    while f"fid_{n}" in taken:
        n += 1
    return f"fid_{n}"


def write_gpkg(frames: Frames, path: Path, losses: Losses) -> None:
    """All layers in one GeoPackage 1.2, list fields as JSON text, with default QGIS styles."""
    from geo.exporter.qgis import add_qgis_styles

    for name, gdf in frames.items():
        flat, cols = lists_to_json(gdf)
        pyogrio.write_dataframe(
            flat,
            path,
            layer=name,
            driver="GPKG",
            append=path.exists(),
            dataset_options=None if path.exists() else {"VERSION": "1.2"},
            geometry_type=declared_geometry_type(name, gdf),
            layer_options={"FID": gpkg_fid_column(flat)},  # a text 'fid' column stays data
        )
        if cols:
            losses.add("list fields are JSON text", name, ", ".join(cols))
    add_qgis_styles(path, frames)


def write_geojson_file(frames: Frames, path: Path, losses: Losses) -> None:
    """RFC 7946 GeoJSON (WGS84, right-hand rule), lists as native arrays."""
    name, gdf = _only(frames)
    write_geojson(reproject(gdf, WGS84, name=name), path, decimals=7, atomic=False)
    if gdf.empty:
        losses.add("an empty layer keeps no columns (GeoJSON has no schema)", name)


def write_fgb(frames: Frames, path: Path, losses: Losses) -> None:
    """FlatGeobuf, list fields as JSON text; no spatial index when a feature has no location."""
    name, gdf = _only(frames)
    flat, cols = lists_to_json(gdf)
    options = {"SPATIAL_INDEX": "NO"} if flat.geometry.isna().any() else {}
    if options:
        losses.add("no spatial index, because some features have no location", name)
    pyogrio.write_dataframe(
        flat,
        path,
        layer=name,
        driver="FlatGeobuf",
        layer_options=options,
        geometry_type=declared_geometry_type(name, gdf),
    )
    if cols:
        losses.add("list fields are JSON text", name, ", ".join(cols))


def write_gml(frames: Frames, path: Path, losses: Losses) -> None:
    """GML 3.2 (GDAL's simple features profile) with its ``.xsd`` schema beside it; lists as JSON text."""
    name, gdf = _only(frames)
    flat, cols = lists_to_json(gdf)
    pyogrio.write_dataframe(flat, path, layer=name, driver="GML", geometry_type=declared_geometry_type(name, gdf))
    if cols:
        losses.add("list fields are JSON text", name, ", ".join(cols))


def read_gml(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """Read a GML export (types from its ``.xsd``), without the ``gml_id`` GDAL adds."""
    return {n: g.drop(columns=["gml_id"], errors="ignore") for n, g in read_gdal(path, drivers).items()}


def write_parquet(frames: Frames, path: Path, losses: Losses) -> None:
    """GeoParquet 1.1, lists and records nested."""
    _, gdf = _only(frames)
    plain = gdf.copy(deep=False)
    plain.attrs = {k: v for k, v in gdf.attrs.items() if k != PART_ATTR}  # geopandas writes attrs as JSON metadata
    plain.to_parquet(path, schema_version="1.1.0", write_covering_bbox=False)


def _csvt(table: pd.DataFrame) -> str:
    """GDAL's ``.csvt`` line: the type of each column, so text such as '004' stays text."""
    types = []
    for col in table.columns:
        dtype = table[col].dtype
        if col == "wkt":
            types.append("WKT")
        elif pd.api.types.is_bool_dtype(dtype):
            types.append("Integer(Boolean)")
        elif pd.api.types.is_integer_dtype(dtype):
            types.append("Integer64")
        elif pd.api.types.is_float_dtype(dtype):
            types.append("Real")
        else:
            types.append("String")
    return ",".join(f'"{t}"' for t in types) + "\n"


_CSVT_DTYPES = {"Integer64": "Int64", "Integer": "Int64", "Real": "float64", "Integer(Boolean)": "boolean"}


def write_csv(frames: Frames, path: Path, losses: Losses) -> None:
    """CSV with a WKT column in WGS84 longitude/latitude, lists as JSON text, and a ``.csvt`` of column types."""
    name, gdf = _only(frames)
    flat, cols = lists_to_json(reproject(gdf, WGS84, name=name))
    table = pd.DataFrame(flat.drop(columns=flat.geometry.name))
    table["wkt"] = shapely.to_wkt(flat.geometry.to_numpy(), rounding_precision=-1)
    table.to_csv(path, index=False, encoding="utf-8")
    path.with_suffix(".csvt").write_text(_csvt(table), encoding="utf-8")
    losses.add("CSV keeps no CRS: the wkt column is WGS84 longitude/latitude (EPSG:4326)", name)
    if cols:
        losses.add("list fields are JSON text", name, ", ".join(cols))


def _description(row: pd.Series) -> str:
    """Return a readable, HTML-escaped KML description: the attributes, then the sources as links."""
    parts = []
    for key, value in row.items():
        if key in ("name", "sources", "description") or value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        value = jsonable(value)
        if isinstance(value, list):
            value = "; ".join(
                " ".join(f"{v}" for v in item.values()) if isinstance(item, dict) else str(item) for item in value
            )
        parts.append(f"<b>{html.escape(str(key))}</b>: {html.escape(str(value))}")
    for src in row.get("sources") or []:
        title = html.escape(str(src.get("title", "")))
        url = str(src.get("url") or "")
        link = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url.startswith("http") else title
        publisher = html.escape(str(src.get("publisher") or ""))
        parts.append(f"Source: {link} ({publisher}, {html.escape(str(src.get('date') or 'n.d.'))})")
    return "<br/>".join(parts)


def write_kml(frames: Frames, path: Path, losses: Losses) -> None:
    """KML with a name and a readable, escaped description per placemark."""
    name, gdf = _only(frames)
    flat, _ = lists_to_json(reproject(gdf, WGS84, name=name))
    flat = flat.rename(columns={"id": KML_ID})
    flat["description"] = [_description(row) for _, row in gdf.drop(columns=gdf.geometry.name).iterrows()]
    pyogrio.write_dataframe(
        flat,
        path,
        layer=name,
        driver="KML",
        dataset_options={"NameField": "name", "DescriptionField": "description"},
        geometry_type=declared_geometry_type(name, gdf),
    )
    _declare_types(path, _kml_types(flat))
    losses.add(
        f"KML keeps no CRS (WGS84 by definition) and no styling; lists are JSON text; the feature id is {KML_ID!r}",
        name,
    )


_INT32 = 2**31


def _kml_types(flat: pd.DataFrame) -> dict[str, str]:
    """KML types GDAL does not declare: booleans (it writes ``int``), 64-bit integers that fit 32 bits (``string``)."""
    types = {}
    for col in flat.columns:
        dtype = flat[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            types[col] = "bool"
        elif pd.api.types.is_integer_dtype(dtype) and flat[col].dropna().abs().lt(_INT32).all():
            types[col] = "int"
    return types


def _declare_types(path: Path, types: Mapping[str, str]) -> None:
    """Set the ``SimpleField`` types of the KML schema, so booleans and whole numbers read back as such."""
    if not types:
        return
    tree = etree.parse(str(path))
    for simple_field in tree.iter("{http://www.opengis.net/kml/2.2}SimpleField"):
        if simple_field.get("name") in types:
            simple_field.set("type", types[str(simple_field.get("name"))])
    tree.write(str(path), xml_declaration=True, encoding="utf-8")


def _drop_struct_padding(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Parquet stores a list of records as structs with every key; drop the keys a record did not have."""
    for col in gdf.columns:
        if col != gdf.geometry.name and is_list_column(gdf[col]):
            gdf[col] = gdf[col].map(
                lambda v: (
                    [{k: x for k, x in r.items() if x is not None} if isinstance(r, dict) else r for r in list(v)]
                    if v is not None
                    else v
                )
            )
    return gdf


def read_parquet(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """Read a GeoParquet export (with pyarrow; refused unless it is Parquet, as `drivers` say)."""
    check_vector(path, drivers=drivers)
    return {path.stem: _drop_struct_padding(gpd.read_parquet(path))}


def read_csv(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """Read a CSV export (WKT column, WGS84), with the column types of its ``.csvt`` where present.

    Read with pandas; refused unless GDAL too would read it as CSV (`drivers`), e.g. a VRT given as CSV.
    """
    check_vector(path, drivers=drivers)
    header = pd.read_csv(path, nrows=0).columns
    types_file = path.with_suffix(".csvt")
    types = types_file.read_text(encoding="utf-8").strip().replace('"', "").split(",") if types_file.exists() else []
    dtype = {c: _CSVT_DTYPES.get(t, str) for c, t in zip(header, types, strict=False) if c != "wkt"}
    dtype["wkt"] = str  # text even when no feature has a location (an all-empty column)
    table = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=dtype)
    wkt = np.array([v if isinstance(v, str) and v else None for v in table.pop("wkt")], dtype=object)
    geom = gpd.GeoSeries(shapely.from_wkt(wkt), crs=WGS84)
    gdf = gpd.GeoDataFrame(table, geometry=geom, crs=WGS84)
    return {path.stem: decode(gdf, json_columns(gdf))}


def read_gdal(
    path: Path, drivers: tuple[str, ...], *, kml: bool = False, dates_as_text: bool = False
) -> dict[str, gpd.GeoDataFrame]:
    """Read every data layer of a GDAL-readable export (the QGIS style table and attribute tables are not layers).

    The file is opened only with `drivers` (:func:`geo.safety.open_vector`), whatever its name.
    """
    out = {}
    options = {"DATE_AS_STRING": "YES"} if dates_as_text else {}  # keep '2024-08' text as written
    with open_vector(path, drivers=drivers) as source:
        gpkg = "GPKG" in drivers
        listed = pyogrio.list_layers(source)
        names = [str(n) for n, kind in listed if n != _STYLE_TABLE and not (gpkg and kind is None)]
        multi = len(names) > 1 or gpkg
        for layer in names:
            gdf = gpd.read_file(source, layer=layer, **options)
            if kml:
                gdf = gdf.drop(columns=["id"], errors="ignore").rename(columns={KML_ID: "id", "Name": "name"})
            out[layer if multi else path.stem] = decode(gdf, json_columns(gdf))
    return out
