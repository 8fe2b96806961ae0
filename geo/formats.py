"""The format registry: one :class:`Format` per export format, and the lookup the CLI and API share.

A format is found by its key (``gpkg``), by the suffix of the output (``.geojson``, ``.json``), or by
GDAL's driver name as ``ogr2ogr`` users type it (``-f GeoJSON``, ``-f "ESRI Shapefile"``). An unknown
name is an error that lists the formats. **Adding a format** takes a writer, a reader and one entry in
:data:`FORMATS`, whose capability fields say what it keeps; the export, its checks, the readers' safety
checks, the CLI's help and the tests read them and need no change.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from geo.errors import UnknownFormatError

if TYPE_CHECKING:
    import geopandas as gpd

#: The suffix of a project's elevation grid written beside it (:mod:`geo.exporter.qgz` writes it).
ELEVATION_SUFFIX = ".elevation.tif"
#: A QGIS project's GeoPackage beside it: ``<stem>.qgis.gpkg`` (a plain ``<stem>.gpkg`` export may be there already).
GPKG_SUFFIX = ".qgis.gpkg"
#: A Shapefile's field-name map and its long text values, beside the ``.shp`` (:mod:`geo.exporter.shapefile`).
FIELDS_SUFFIX = ".fields.csv"
LONG_VALUES_SUFFIX = ".long_values.csv"


def is_database_url(target: object) -> bool:
    """Whether an export target is a PostgreSQL URL (``postgresql://`` or ``postgres://``)."""
    return isinstance(target, str) and target.strip().lower().startswith(("postgresql://", "postgres://"))


def _lazy(ref: str, **bound: Any) -> Callable[..., Any]:
    """Return a function that imports ``module:function`` when first called (the writers load GDAL and pandas).

    The registry stays light: the command line lists formats, and :mod:`geo.safety` reads their drivers,
    without importing the code that writes them.
    """
    module, _, name = ref.partition(":")

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **bound, **kwargs)

    call.__qualname__ = call.__name__ = ref
    return call


__all__ = [
    "ELEVATION_SUFFIX",
    "FIELDS_SUFFIX",
    "FORMATS",
    "GPKG_SUFFIX",
    "LONG_VALUES_SUFFIX",
    "SHAPEFILE_TYPES",
    "Format",
    "Reader",
    "Writer",
    "format_help",
    "resolve",
]

#: Write ``{layer: frame}`` to a path, noting what the format cannot keep in the export's ``Losses``
#: (:mod:`geo.exporter.losses`, above this module: typed loosely here).
Writer = Callable[[Mapping[str, "gpd.GeoDataFrame"], Path, Any], None]
#: Read an export back; the second argument is the GDAL drivers its files may be opened with.
Reader = Callable[[Path, tuple[str, ...]], dict[str, "gpd.GeoDataFrame"]]


@dataclass(frozen=True, kw_only=True)
class Format:
    """An export format: how it is written and read, and what it can hold.

    Every field is named (``Format(key="gpkg", ...)``). The capability fields are the only place geo
    says what a format keeps: the export's checks (:mod:`geo.exporter.preflight`), the tables beside
    the layers (:mod:`geo.exporter.extra_tables`), the CLI's help, the tests and the readers
    (:mod:`geo.safety`) read them, never the format's name.

    Attributes
    ----------
    key
        Short name (``-f gpkg``).
    suffixes
        File suffixes; the first is the one written.
    driver
        GDAL's driver name, also accepted as ``-f``; ``None`` when geo writes it without GDAL.
    description
        One line for the CLI's help.
    writer, reader
        Write ``{layer: GeoDataFrame}`` to a path; read an export back to ``{layer: GeoDataFrame}``,
        opening files only with the drivers of :attr:`read_drivers` (through :func:`geo.safety.open_vector`).
    read_drivers
        Suffix of a file the reader opens -> the GDAL drivers it may be opened with (a zip's ``.shp``
        members, the GeoPackage beside a project). A file read back as this format is refused when it
        is anything else, whatever its name; :func:`geo.safety.vector_drivers` gives ``geo.read`` the same.
    multi_layer
        Several layers in one file (otherwise several layers go to a folder, one file per layer).
    tables
        Where non-spatial tables go: ``gpkg`` (attribute tables of the GeoPackage, or of the project's
        GeoPackage), ``zip`` (``<name>.table.csv`` members), ``database``; ``None``: a one-layer file
        cannot hold them (a folder export writes ``<name>.table.csv`` files).
    lists
        How list and record fields are kept: ``native`` or ``json`` (JSON text).
    long_names
        Field names longer than 10 characters survive (otherwise a field-name map is written).
    mixed_geometries
        Points and MultiPoints (any geometry types of :attr:`geometry_types`) in one layer; if not,
        points beside MultiPoints are written as one-part MultiPoints and the export says so.
    geometry_types
        The geometry types a layer may hold (``None``: any); others are refused, naming the features.
    mixed_dimensions
        2D and 3D features in one layer: ``kept``, ``zero_z`` (the 2D ones get z = 0, reported) or
        ``refused``.
    z, m
        Z (height) and M (measure) values survive; M values a format cannot keep are dropped, reported.
    keeps_crs
        The file records its CRS (GeoJSON, KML and CSV are WGS84 by definition).
    sidecars
        Suffixes of files written beside the main one (e.g. CSV's ``.csvt`` of column types, a
        project's GeoPackage); an optional one may be missing.
    url
        The target is a database URL, not a path (PostGIS); :mod:`geo.exporter.postgis` writes it.
    """

    key: str
    suffixes: tuple[str, ...]
    driver: str | None
    description: str
    writer: Writer
    reader: Reader
    read_drivers: Mapping[str, tuple[str, ...]]
    multi_layer: bool
    tables: Literal["gpkg", "zip", "database"] | None
    lists: Literal["native", "json"]
    long_names: bool
    mixed_geometries: bool
    mixed_dimensions: Literal["kept", "zero_z", "refused"]
    z: bool = True
    m: bool
    keeps_crs: bool
    geometry_types: frozenset[str] | None = None
    sidecars: tuple[str, ...] = ()
    url: bool = False

    @property
    def suffix(self) -> str:
        """The suffix written (none for a database)."""
        return self.suffixes[0] if self.suffixes else ""

    @property
    def drivers(self) -> tuple[str, ...]:
        """Every GDAL driver this format's files may be opened with (whatever their names)."""
        return tuple(dict.fromkeys(d for drivers in self.read_drivers.values() for d in drivers))

    def read(self, path: Path) -> dict[str, gpd.GeoDataFrame]:
        """Read an export of this format back, opening its files only with :attr:`drivers`."""
        return self.reader(path, self.drivers)


def _unused_writer(frames: Mapping[str, gpd.GeoDataFrame], path: Path, losses: Any) -> None:
    msg = "PostGIS is written to a database URL by geo.exporter.postgis, not to a path."
    raise UnknownFormatError(msg)


def _unused_reader(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    msg = "PostGIS is read from a database URL by geo.exporter.postgis.read_postgis, not from a path."
    raise UnknownFormatError(msg)


#: The geometry types a Shapefile holds (no GeometryCollection, one family per layer).
SHAPEFILE_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"})

FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            key="gpkg",
            suffixes=(".gpkg",),
            driver="GPKG",
            description="GeoPackage: many layers in one file, with default QGIS styles (QGIS, ArcGIS)",
            writer=_lazy("geo.exporter.writers:write_gpkg"),
            reader=_lazy("geo.exporter.writers:read_gdal"),
            read_drivers={".gpkg": ("GPKG",)},
            multi_layer=True,
            tables="gpkg",
            lists="json",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=False,
            keeps_crs=True,
        ),
        Format(
            key="geojson",
            suffixes=(".geojson", ".json"),
            driver="GeoJSON",
            description="GeoJSON (RFC 7946, WGS84)",
            writer=_lazy("geo.exporter.writers:write_geojson_file"),
            reader=_lazy("geo.exporter.writers:read_gdal", dates_as_text=True),
            read_drivers={".geojson": ("GeoJSON",), ".json": ("GeoJSON",)},
            multi_layer=False,
            tables=None,
            lists="native",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=False,
            keeps_crs=False,
        ),
        Format(
            key="fgb",
            suffixes=(".fgb",),
            driver="FlatGeobuf",
            description="FlatGeobuf: fast streaming binary",
            writer=_lazy("geo.exporter.writers:write_fgb"),
            reader=_lazy("geo.exporter.writers:read_gdal"),
            read_drivers={".fgb": ("FlatGeobuf",)},
            multi_layer=False,
            tables=None,
            lists="json",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="refused",
            m=False,
            keeps_crs=True,
        ),
        Format(
            key="shp",
            suffixes=(".shp", ".zip"),  # a .shp holds one layer (several go to a folder); a .zip holds them all
            driver="ESRI Shapefile",
            description=(
                "Shapefile as ogr2ogr writes it (.shp, .shx, .dbf, .prj, .cpg) with a field-name map; or a .zip of all"
            ),
            writer=_lazy("geo.exporter.shapefile:write_shapefile"),
            reader=_lazy("geo.exporter.shapefile:read_shapefile"),
            read_drivers={".shp": ("ESRI Shapefile",)},
            sidecars=(".shx", ".dbf", ".prj", ".cpg", FIELDS_SUFFIX, LONG_VALUES_SUFFIX),
            multi_layer=False,
            tables="zip",
            lists="json",
            long_names=False,
            mixed_geometries=False,
            geometry_types=SHAPEFILE_TYPES,
            mixed_dimensions="zero_z",
            m=False,
            keeps_crs=True,
        ),
        Format(
            key="parquet",
            suffixes=(".parquet", ".geoparquet"),
            driver="Parquet",
            description="GeoParquet 1.1 (pandas, DuckDB, QGIS 3.30+)",
            writer=_lazy("geo.exporter.writers:write_parquet"),
            reader=_lazy("geo.exporter.writers:read_parquet"),
            read_drivers={".parquet": ("Parquet",), ".geoparquet": ("Parquet",)},
            multi_layer=False,
            tables=None,
            lists="native",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=True,
            keeps_crs=True,
        ),
        Format(
            key="kml",
            suffixes=(".kml",),
            driver="KML",
            description="KML for Google Earth: name and a readable description",
            writer=_lazy("geo.exporter.writers:write_kml"),
            reader=_lazy("geo.exporter.writers:read_gdal", kml=True),
            read_drivers={".kml": ("LIBKML", "KML")},
            multi_layer=False,
            tables=None,
            lists="json",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=False,
            keeps_crs=False,
        ),
        Format(
            key="csv",
            suffixes=(".csv",),
            driver="CSV",
            description="CSV with a WKT geometry column (WGS84) and a .csvt of column types",
            writer=_lazy("geo.exporter.writers:write_csv"),
            reader=_lazy("geo.exporter.writers:read_csv"),
            read_drivers={".csv": ("CSV",)},
            multi_layer=False,
            tables=None,
            lists="json",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=True,
            keeps_crs=False,
            sidecars=(".csvt",),
        ),
        Format(
            key="gml",
            suffixes=(".gml",),
            driver="GML",
            description="GML 3.2 with its .xsd schema (OGC services, INSPIRE-minded tools)",
            writer=_lazy("geo.exporter.writers:write_gml"),
            reader=_lazy("geo.exporter.writers:read_gml"),
            read_drivers={".gml": ("GML",)},
            multi_layer=False,
            tables=None,
            lists="json",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=False,
            keeps_crs=True,
            sidecars=(".xsd",),
        ),
        Format(
            key="qgz",
            suffixes=(".qgz",),
            driver=None,
            description="QGIS project: groups, order, styles, with the GeoPackage (and the elevation COG) beside it",
            writer=_lazy("geo.exporter.qgz:write_qgz"),
            reader=_lazy("geo.exporter.qgz:read_qgz"),
            read_drivers={".gpkg": ("GPKG",)},
            multi_layer=True,
            tables="gpkg",
            lists="json",
            long_names=True,
            mixed_geometries=True,
            mixed_dimensions="kept",
            m=False,
            keeps_crs=True,
            sidecars=(GPKG_SUFFIX, ELEVATION_SUFFIX),
        ),
        Format(
            key="postgis",
            suffixes=(),
            driver="PostgreSQL",
            description="PostGIS: tables, their provenance and QGIS styles, in one transaction (postgresql://…)",
            writer=_unused_writer,
            reader=_unused_reader,
            read_drivers={},
            multi_layer=True,
            tables="database",
            lists="native",
            long_names=True,
            mixed_geometries=False,
            mixed_dimensions="kept",
            m=False,
            keeps_crs=True,
            url=True,
        ),
    )
}


def format_help() -> str:
    """Return the ``-f`` choices for the CLI's help, from the registry: each key and what it keeps beyond the basics."""
    parts = []
    for f in FORMATS.values():
        kept = [
            *(["many layers"] if f.multi_layer else []),
            *(["lists"] if f.lists == "native" else []),
            *(["M values"] if f.m else []),
            *(["no CRS: WGS84"] if not f.keeps_crs else []),
            *(["10-character field names"] if not f.long_names else []),
        ]
        parts.append(f"{f.key} ({', '.join(kept)})" if kept else f.key)
    return "; ".join(parts)


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
