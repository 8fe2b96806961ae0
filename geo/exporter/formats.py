"""The format registry: one :class:`Format` per export format, and the lookup the CLI and API share.

A format is found by its key (``gpkg``), by the suffix of the output (``.geojson``, ``.json``), or by
GDAL's driver name as ``ogr2ogr`` users type it (``-f GeoJSON``, ``-f "ESRI Shapefile"``). An unknown
name is an error that lists the formats. **Adding a format** takes a writer, a reader and one entry in
:data:`FORMATS`; ``geo.exporter.export`` needs no change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

import geopandas as gpd

from geo.errors import UnknownFormatError
from geo.exporter.losses import Losses
from geo.exporter.postgis import is_database_url
from geo.exporter.qgz import ELEVATION_SUFFIX, GPKG_SUFFIX, read_qgz, write_qgz
from geo.exporter.shapefile import FIELDS_SUFFIX, LONG_VALUES_SUFFIX, read_shapefile, write_shapefile
from geo.exporter.writers import (
    read_csv,
    read_gdal,
    read_parquet,
    write_csv,
    write_fgb,
    write_geojson_file,
    write_gpkg,
    write_kml,
    write_parquet,
)

__all__ = ["FORMATS", "Format", "resolve"]

Writer = Callable[[Mapping[str, gpd.GeoDataFrame], Path, Losses], None]
Reader = Callable[[Path], dict[str, gpd.GeoDataFrame]]


@dataclass(frozen=True)
class Format:
    """An export format and what it can hold.

    Attributes
    ----------
    key
        Short name (``-f gpkg``).
    suffixes
        File suffixes; the first is the one written.
    driver
        GDAL's driver name, also accepted as ``-f``; ``None`` when geo writes it without GDAL.
    multi_layer
        Many layers in one file (otherwise several layers go to a folder, one file per layer).
    lists
        How list and record fields are kept: ``native`` or ``json`` (JSON text).
    long_names
        Field names longer than 10 characters survive.
    mixed_geometries
        Points and polygons in one layer.
    keeps_crs
        The file records its CRS (GeoJSON, KML and CSV are WGS84 by definition).
    writer, reader
        Write ``{layer: GeoDataFrame}`` to a path; read an export back to ``{layer: GeoDataFrame}``.
    sidecars
        Suffixes of files written beside the main one (e.g. CSV's ``.csvt`` of column types, a
        project's GeoPackage); an optional one may be missing.
    url
        The target is a database URL, not a path (PostGIS); :mod:`geo.exporter.postgis` writes it.
    """

    key: str
    suffixes: tuple[str, ...]
    driver: str | None
    multi_layer: bool
    lists: Literal["native", "json"]
    long_names: bool
    mixed_geometries: bool
    keeps_crs: bool
    writer: Writer
    reader: Reader
    description: str
    sidecars: tuple[str, ...] = ()
    url: bool = False

    @property
    def suffix(self) -> str:
        """The suffix written (none for a database)."""
        return self.suffixes[0] if self.suffixes else ""


def _unused_writer(frames: Mapping[str, gpd.GeoDataFrame], path: Path, losses: Losses) -> None:
    msg = "PostGIS is written to a database URL by geo.exporter.postgis, not to a path."
    raise UnknownFormatError(msg)


def _unused_reader(path: Path) -> dict[str, gpd.GeoDataFrame]:
    msg = "PostGIS is read from a database URL by geo.exporter.postgis.read_postgis, not from a path."
    raise UnknownFormatError(msg)


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "gpkg",
            (".gpkg",),
            "GPKG",
            True,
            "json",
            True,
            True,
            True,
            write_gpkg,
            read_gdal,
            "GeoPackage: many layers in one file, with default QGIS styles (QGIS, ArcGIS)",
        ),
        Format(
            "geojson",
            (".geojson", ".json"),
            "GeoJSON",
            False,
            "native",
            True,
            True,
            False,
            write_geojson_file,
            partial(read_gdal, dates_as_text=True),
            "GeoJSON (RFC 7946, WGS84)",
        ),
        Format(
            "fgb",
            (".fgb",),
            "FlatGeobuf",
            False,
            "json",
            True,
            True,
            True,
            write_fgb,
            read_gdal,
            "FlatGeobuf: fast streaming binary",
        ),
        Format(
            "shp",
            (".shp", ".zip"),  # a .shp holds one layer (several go to a folder); a .zip holds them all
            "ESRI Shapefile",
            False,
            "json",
            False,
            False,
            True,
            write_shapefile,
            read_shapefile,
            "Shapefile as ogr2ogr writes it (.shp, .shx, .dbf, .prj, .cpg) with a field-name map; or a .zip of all",
            (".shx", ".dbf", ".prj", ".cpg", FIELDS_SUFFIX, LONG_VALUES_SUFFIX),
        ),
        Format(
            "parquet",
            (".parquet", ".geoparquet"),
            "Parquet",
            False,
            "native",
            True,
            True,
            True,
            write_parquet,
            read_parquet,
            "GeoParquet 1.1 (pandas, DuckDB, QGIS 3.30+)",
        ),
        Format(
            "kml",
            (".kml",),
            "KML",
            False,
            "json",
            True,
            True,
            False,
            write_kml,
            partial(read_gdal, kml=True),
            "KML for Google Earth: name and a readable description",
        ),
        Format(
            "csv",
            (".csv",),
            "CSV",
            False,
            "json",
            True,
            True,
            False,
            write_csv,
            read_csv,
            "CSV with a WKT geometry column (WGS84) and a .csvt of column types",
            (".csvt",),
        ),
        Format(
            "qgz",
            (".qgz",),
            None,
            True,
            "json",
            True,
            False,
            True,
            write_qgz,
            read_qgz,
            "QGIS project: groups, order, styles, with the GeoPackage (and the elevation COG) beside it",
            (GPKG_SUFFIX, ELEVATION_SUFFIX),
        ),
        Format(
            "postgis",
            (),
            "PostgreSQL",
            True,
            "native",
            True,
            False,
            True,
            _unused_writer,
            _unused_reader,
            "PostGIS: tables, their provenance and QGIS styles, in one transaction (postgresql://…)",
            url=True,
        ),
    )
}


def _by_name(name: str) -> Format | None:
    wanted = name.strip().lower()
    for f in FORMATS.values():
        if wanted == f.key or (f.driver and wanted == f.driver.lower()) or wanted in f.suffixes:
            return f
    return None


def resolve(fmt: str | None, path: Path | str) -> Format:
    """Return the format named `fmt` (key or GDAL driver name), or the one the suffix of `path` implies.

    A ``postgresql://`` URL is PostGIS whatever its suffix.

    Raises
    ------
    UnknownFormatError
        If `fmt` names no format, or `fmt` is ``None`` and the suffix is not one of any format.
    """
    if fmt is not None:
        found = _by_name(fmt)
        if found is None:
            msg = (
                f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)} "
                f"(or GDAL's names: {', '.join(f.driver for f in FORMATS.values() if f.driver)})."
            )
            raise UnknownFormatError(msg)
        return found
    if is_database_url(path):
        return FORMATS["postgis"]
    path = Path(path)
    found = _by_name(path.suffix) if path.suffix else None
    if found is None:
        suffixes = ", ".join(s for f in FORMATS.values() for s in f.suffixes)
        msg = (
            f"Cannot tell the format of {path.name!r} from its suffix: use one of {suffixes} "
            "(geo export also takes -f, geo.export fmt=)."
        )
        raise UnknownFormatError(msg)
    return found
