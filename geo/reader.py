"""Read a user's layer: GeoPackage, GeoJSON, FlatGeobuf, Shapefile (plain or zipped), KML, KMZ, GPX, GeoParquet or CSV.

Files come from anyone, so ``read`` opens only local files, each only as the format its suffix names,
with GDAL's network access off (:mod:`geo.safety`), and checks what goes wrong most often, saying how to
fix it (:mod:`geo.read_checks`): a missing file, a refused or unknown format, a zip or KMZ bomb, a Shapefile
without its ``.dbf`` or ``.shx`` or without a ``.cpg`` (UTF-8 and Cyrillic text are recognised), no CRS,
an obsolete GeoJSON ``crs``, swapped or out-of-range coordinates, NaN coordinates, unclosed or collapsed
rings, an empty or wholly unlocated layer, repeated column names, a text column called ``geometry``,
text that is not UTF-8, duplicate ids and missing fields. Files are read as their tools write them: a
byte-order mark, a CSV's delimiter and decimal commas, a Cyrillic code page in a CSV or GeoJSON, every
folder of a KML and every kind of GPX feature. Repairs and assumptions (closing a ring, ``make_valid``,
renaming a column, reading Cyrillic, a ``;`` delimiter) are announced with a `GeoToolkitWarning` naming
what changed.
"""

from __future__ import annotations

import csv
import logging
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
import shapely.errors
from pyogrio.errors import DataLayerError, DataSourceError

from geo.crs import WGS84, check_lonlat, parse_crs, require_crs
from geo.errors import CRSError, GeoToolkitWarning, InputFileError, LayerSchemaError
from geo.read_checks import (
    DELIMITERS,
    check_all_located,
    check_coordinates,
    check_decimal,
    check_delimiter,
    check_encoding,
    check_legacy_crs,
    decimal_commas,
    delimiter_name,
    detect_cyrillic,
    free_name,
    geojson_geometry_property,
    geojson_legacy_crs,
    located,
    one_line,
    raise_unreadable,
    repair_geometries,
    shown,
    sniff_delimiter,
    text_encoding,
    text_values,
    unique_names,
    warn,
)
from geo.safety import check_kmz, check_source, check_vector, check_zip, vector_env

__all__ = ["read", "read_dataset", "repair_geometries"]

logger = logging.getLogger(__name__)

_LON_NAMES = ("lon", "lng", "long", "longitude")
_LAT_NAMES = ("lat", "latitude")
_XY_NAMES = (("x",), ("y",))
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
_GEOMETRY = "geometry"  # the geometry column of every layer geo returns
#: A window around Central Asia used only to spot swapped latitude/longitude.
_REGION = (30.0, 25.0, 100.0, 60.0)
_SWAPPED_SHARE = 0.9  # share of features that must fall inside the window once swapped
_LATIN1 = ("ISO-8859-1", "LATIN1", "CP1252")  # what GDAL assumes for a .dbf that declares nothing
_JSON = (".geojson", ".json", ".topojson", ".geojsonl", ".geojsons")
_PARTS = (".dbf", ".shx", ".cpg")  # a Shapefile's sidecars that geo checks for
_MANY_LAYERS = (".kml", ".kmz", ".gpx")  # formats whose layers are parts of one dataset (folders; GPX kinds)
_GPX_LAYERS = ("waypoints", "routes", "tracks")  # route_points and track_points repeat routes and tracks
_GDAL_HANDLED = ("Non closed ring detected", "Invalid WKB")  # GDAL/pyogrio warnings geo words itself


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def _bad_encoding(path: Path, encoding: str, err: UnicodeDecodeError) -> InputFileError:
    msg = (
        f"{path} is not valid {encoding} text (byte {err.start}: {err.object[err.start : err.start + 4]!r}). "
        "Re-save it as UTF-8, or pass the encoding it uses, e.g. encoding='cp1251' (CLI: --encoding)."
    )
    return InputFileError(msg)


def _too_many_fields(path: Path, dialect: _Dialect, width: int) -> InputFileError:
    with path.open(encoding=dialect.encoding, newline="") as fh:
        header = fh.readline()
        fh.seek(0)
        reader = csv.reader(fh, delimiter=dialect.delimiter)
        for row in reader:
            if len(row) > width:
                line = reader.line_num
                break
        else:
            line = 0
    d = dialect.delimiter
    if width == 1 and (other := next((c for c in DELIMITERS if c != d and c in header), None)):
        msg = (
            f"{path}, line 1: the header holds no {delimiter_name(d)}, so it is one column, but it holds {other!r}: "
            f"pass delimiter={other!r} (CLI: --delimiter), or leave it out to have it recognised."
        )
        return InputFileError(msg)
    example = f'"Almaty{d} Kazakhstan"' if d != "\t" else '"Almaty<tab>Kazakhstan"'
    msg = (
        f"{path}, line {line}: more values than the header has columns ({width}). A value that holds the "
        f"delimiter, a {delimiter_name(d)}, must be in double quotes, e.g. {example}; if the file is separated by "
        "another character, pass delimiter='…' (CLI: --delimiter)."
    )
    return InputFileError(msg)


@dataclass(frozen=True)
class _Dialect:
    """How a CSV is written: its text encoding, delimiter and decimal separator (``None``: recognise it)."""

    encoding: str
    delimiter: str
    decimal: str | None


def _dialect(path: Path, *, encoding: str | None, delimiter: str | None, decimal: str | None) -> _Dialect:
    """Work out a CSV's encoding (a BOM, UTF-8 or Cyrillic) and delimiter unless given, warning what was assumed."""
    codec = text_encoding(path, encoding)
    if delimiter is None:
        expected = "\t" if path.suffix.lower() == ".tsv" else ","
        delimiter = sniff_delimiter(path, codec, expected=expected, name=path.name)
    return _Dialect(codec, delimiter, decimal)


def _csv_frame(path: Path, dialect: _Dialect) -> pd.DataFrame:
    """Read a CSV as text, its repeated column names renamed with a warning (pandas would add '.1')."""
    try:
        with path.open(encoding=dialect.encoding, newline="") as fh:
            header = next(csv.reader(fh, delimiter=dialect.delimiter), [])
        names = unique_names(header, where=str(path))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            df = pd.read_csv(
                path,
                sep=dialect.delimiter,
                encoding=dialect.encoding,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                header=0,
                names=names or None,
                index_col=False,  # never take the first column as the index when a row has one value more
            )
    except UnicodeDecodeError as err:
        raise _bad_encoding(path, dialect.encoding, err) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, UnicodeError) as err:
        msg = f"{path} is not a readable CSV: {one_line(str(err))}"
        raise InputFileError(msg) from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        raise _too_many_fields(path, dialect, len(names))
    return df


def _coordinates(df: pd.DataFrame, columns: tuple[str, str], *, decimal: str | None, name: str) -> pd.DataFrame:
    """Read decimal commas in the coordinate columns as points (``69,2797`` -> ``69.2797``), warning if recognised."""
    changed = []
    df = df.copy()
    for column in columns:
        df[column], did = decimal_commas(df[column], decimal)
        if did:
            changed.append(column)
    if changed and decimal is None:
        first = df[changed[0]].dropna().iloc[0]
        warn(
            f"{name}: columns {', '.join(changed)} have decimal commas (e.g. {first.replace('.', ',')!r}); read as "
            f"{first}. If that is wrong, pass decimal='.' (CLI: --decimal .); decimal=',' says so."
        )
    return df


def _lonlat_points(df: pd.DataFrame, lon: str, lat: str, *, path: Path) -> list[shapely.Point | None]:
    x = pd.to_numeric(df[lon], errors="coerce")
    y = pd.to_numeric(df[lat], errors="coerce")
    bad = df.index[(x.isna() & df[lon].notna()) | (y.isna() & df[lat].notna())]
    if len(bad):
        row = int(bad[0]) + 2  # header is line 1
        msg = (
            f"{path}, line {row}: {lon}={df.at[bad[0], lon]!r}, {lat}={df.at[bad[0], lat]!r} is not a number "
            f"({len(bad)} such row(s)). Use decimal degrees, e.g. 69.2833 (decimal commas: pass decimal=',', "
            "CLI: --decimal ,)."
        )
        raise InputFileError(msg)
    half = df.index[df[lon].isna() != df[lat].isna()]
    if len(half):
        i = half[0]
        given, missing = (lat, lon) if bool(df[lon].isna().loc[i]) else (lon, lat)
        msg = (
            f"{path}, line {int(i) + 2}: {given}={df.at[i, given]!r} but {missing} is blank ({len(half)} such "
            "row(s)). Give both coordinates, or leave both blank for a feature with no location."
        )
        raise InputFileError(msg)
    blank = df.index[df[lon].isna()]
    if 0 < len(blank) < len(df):
        lines = shown((int(i) + 2 for i in blank), len(blank))
        rows = "1 row has" if len(blank) == 1 else f"{len(blank)} rows have"
        where = "line" if len(blank) == 1 else "lines"
        warn(f"{path}: {rows} blank coordinates ({where} {lines}); they are read as features with no location.")
    return [None if np.isnan(a) or np.isnan(b) else shapely.Point(a, b) for a, b in zip(x, y, strict=True)]


def _read_csv(path: Path, *, dialect: _Dialect, crs: str | None) -> gpd.GeoDataFrame:
    df = _csv_frame(path, dialect)
    cols = list(df.columns)
    lon, lat = _find(cols, _LON_NAMES), _find(cols, _LAT_NAMES)
    declared = crs
    if lon is None or lat is None:
        lon, lat = _find(cols, _XY_NAMES[0]), _find(cols, _XY_NAMES[1])
    elif crs is None:
        declared = WGS84  # columns named lon/lat declare degrees on WGS84
        logger.info("%s: columns %r/%r read as WGS84 longitude/latitude", path, lon, lat)
    if lon is not None and lat is not None:
        df = _coordinates(df, (lon, lat), decimal=dialect.decimal, name=path.name)
        geometry = _lonlat_points(df, lon, lat, path=path)
        df = df.drop(columns=[lon, lat])
    elif (wkt := _find(cols, _WKT_NAMES)) is not None:
        texts = np.array([v if isinstance(v, str) and v.strip() else None for v in df[wkt]], dtype=object)
        with np.errstate(all="ignore"):  # '1e400' overflows while parsing; it is then not WKT
            geoms = shapely.from_wkt(texts, on_invalid="ignore")
        bad = df.index[pd.isna(geoms) & df[wkt].notna()]
        if len(bad):
            msg = f"{path}, line {int(bad[0]) + 2}: column {wkt!r} is not valid WKT: {str(df.at[bad[0], wkt])[:60]!r}."
            raise InputFileError(msg)
        geometry = list(geoms)
        df = df.drop(columns=[wkt])
    else:
        msg = (
            f"{path} has no geometry columns: name them lon/lat (or longitude/latitude), x/y with crs=..., "
            f"or give a WKT column named one of {list(_WKT_NAMES)}. Columns found: {cols}."
        )
        raise InputFileError(msg)
    if declared is None:
        msg = f"{path} gives x/y or WKT coordinates but no CRS. Pass crs='EPSG:…' (CLI: --crs); geo never guesses."
        raise CRSError(msg)
    df = _keep_text_geometry(df, where=str(path))
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geometry), crs=declared)


def _keep_text_geometry(df: pd.DataFrame, *, where: str) -> pd.DataFrame:
    """Rename a data column called ``geometry`` (the shapes' column) so it is kept, with a warning."""
    if _GEOMETRY not in df.columns:
        return df
    new = free_name(_GEOMETRY, df.columns)
    warn(f"{where}: its field 'geometry' is data, not the shapes; it is read as {new!r}, so it is kept.")
    return df.rename(columns={_GEOMETRY: new})


def _shapefile_parts(names: set[str], shp: str, *, where: str) -> bool:
    """Check that a Shapefile's ``.shx`` and ``.dbf`` are there (`names` lower-cased); return whether a ``.cpg`` is."""
    stem = shp[:-4]
    if f"{stem}.dbf".lower() not in names:
        msg = (
            f"{where}: {Path(shp).name} comes without {Path(stem).name}.dbf, which holds its attributes (names, "
            "ids ...); geo does not read a Shapefile without them. Add the .dbf beside it (or to the zip)."
        )
        raise InputFileError(msg)
    if f"{stem}.shx".lower() not in names:
        msg = (
            f"{where}: {Path(shp).name} comes without {Path(stem).name}.shx, its index. Add the .shx (or, on a copy, "
            "rebuild it: ogrinfo --config SHAPE_RESTORE_SHX YES file.shp)."
        )
        raise InputFileError(msg)
    return f"{stem}.cpg".lower() in names


def _zip_member(path: Path, *, layer: str | int | None, trusted: bool) -> tuple[str, bool]:
    """Check a zip and pick its Shapefile; return the GDAL source and whether it has a ``.cpg``."""
    members = [m for m in check_zip(path, trusted=trusted) if not m.is_dir()]
    names = [m.filename for m in members]
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        msg = (
            f"{path}: the zip holds no Shapefile (.shp); members: {shown(names, len(names))}. geo opens zipped "
            "Shapefiles; unzip anything else and give the file itself."
        )
        raise InputFileError(msg)
    if isinstance(layer, str):
        shps = [n for n in shps if Path(n).stem == layer] or shps
    elif isinstance(layer, int) and 0 <= layer < len(shps):
        shps = [shps[layer]]
    if len(shps) > 1:
        stems = ", ".join(Path(n).stem for n in shps)
        msg = f"{path} holds {len(shps)} Shapefiles: {stems}. Pass layer='…' (CLI: name one)."
        raise InputFileError(msg)
    shp = shps[0]
    has_cpg = _shapefile_parts({n.lower() for n in names}, shp, where=str(path))
    cpg = f"{shp[:-4]}.cpg".lower()
    has_cpg = has_cpg and any(m.filename.lower() == cpg and m.file_size > 0 for m in members)  # GDAL may write it empty
    with zipfile.ZipFile(path) as zf, zf.open(shp) as fh:
        head = fh.read(4096)
    source = f"/vsizip/{path.resolve()}/{shp}"
    check_vector(path / shp, head=head, source=source, trusted=trusted)
    return source, has_cpg


@contextmanager
def _gdal_warnings(name: str) -> Iterator[list[warnings.WarningMessage]]:
    """Collect GDAL's warnings during a read; pass them on as `GeoToolkitWarning` naming the file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    for w in caught:
        text = str(w.message)
        if issubclass(w.category, GeoToolkitWarning):
            warnings.warn(text, GeoToolkitWarning, stacklevel=4)
        elif not text.startswith(_GDAL_HANDLED):
            warn(f"{name}: GDAL: {one_line(text)}")


def _collapses(geom: shapely.Geometry | None) -> bool:
    """Tell whether a closed-up geometry still has no area (or cannot even be checked: NaN coordinates)."""
    if geom is None:
        return True
    try:
        return bool(shapely.is_empty(shapely.make_valid(geom, method="structure", keep_collapsed=False)))
    except shapely.errors.GEOSException:
        return True


def _close_rings(gdf: gpd.GeoDataFrame, source: str | bytes, *, layer: str | int | None, name: str) -> gpd.GeoDataFrame:
    """Close polygon rings GDAL returned unclosed (from the raw WKB), warning; refuse what cannot be read."""
    wkb = np.asarray(pyogrio.raw.read(source, layer=layer, columns=[])[2], dtype=object)
    present = np.array([w is not None for w in wkb])
    parsed = shapely.from_wkb(wkb, on_invalid="ignore")
    bad = np.flatnonzero(present & pd.isna(parsed))
    fixed = shapely.from_wkb(wkb[bad], on_invalid="fix")
    # closing a ring of fewer than three positions still leaves no area: that is not a repair
    collapsed = np.array([_collapses(g) for g in fixed], dtype=bool)
    unfixable = bad[pd.isna(fixed) | collapsed]
    if len(unfixable):
        reason = "GEOS cannot build it"
        first = fixed[list(bad).index(unfixable[0])]
        try:
            shapely.from_wkb(wkb[unfixable[0]])
        except shapely.errors.GEOSException as err:
            reason = str(err).split(": ", 1)[-1]
        if first is not None and not shapely.is_valid(first):
            reason = str(shapely.is_valid_reason(first))
        raise_unreadable(name, [int(i) for i in unfixable], reason)
    warn(
        f"{name}: closed {len(bad)} polygon ring(s) that did not end where they began (rows {shown(bad)}), as "
        "GeoJSON and the OGC require. Check them."
    )
    out = gdf.copy()
    out.loc[out.index[bad], out.geometry.name] = fixed
    return out


def _frame(source: str | bytes, *, name: str, **kwargs: object) -> gpd.GeoDataFrame:
    """``pyogrio.read_dataframe``; through Arrow when the default path cannot hold a field (e.g. a list of booleans)."""
    try:
        return pyogrio.read_dataframe(source, **kwargs)
    except (ValueError, TypeError) as first:
        try:
            return pyogrio.read_dataframe(source, use_arrow=True, **kwargs)
        except (ValueError, TypeError, OSError):
            msg = f"{name}: GDAL reads it, but its fields cannot be turned into a table ({one_line(str(first))})."
            raise InputFileError(msg) from None


def _gdal_read(
    source: str | bytes, *, layer: str | int | None, encoding: str | None, name: str, geometry_field: bool | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a layer with pyogrio under geo's GDAL options; return it and the text encoding GDAL used.

    `geometry_field` says whether the layer has a data field called ``geometry``; ``None``: ask GDAL
    (cheap for formats with a header; a JSON file would be parsed twice, so its callers scan it instead).
    """
    used = ""
    with _gdal_warnings(name) as caught:
        if geometry_field is None:
            info = pyogrio.read_info(source, layer=layer, encoding=encoding)
            geometry_field, used = _GEOMETRY in list(info["fields"]), str(info.get("encoding") or "")
        if geometry_field:  # pyogrio would overwrite that field with the shapes
            attrs = _frame(source, name=name, layer=layer, encoding=encoding, read_geometry=False)
            shapes = _frame(source, name=name, layer=layer, encoding=encoding, columns=[], on_invalid="warn")
            attrs = _keep_text_geometry(attrs, where=name)
            gdf = gpd.GeoDataFrame(attrs, geometry=shapes.geometry.to_numpy(), crs=shapes.crs)
        else:
            gdf = _frame(source, name=name, layer=layer, encoding=encoding, on_invalid="warn")
        if any(str(w.message).startswith("Invalid WKB") for w in caught):
            gdf = _close_rings(gdf, source, layer=layer, name=name)
    return gdf, used


def _pick_gpkg_layer(path: Path, layer: str | int | None) -> str | int | None:
    if layer is not None or path.suffix.lower() != ".gpkg":
        return layer
    data_layers = [str(n) for n in pyogrio.list_layers(str(path))[:, 0] if n != "layer_styles"]  # QGIS styles
    if len(data_layers) > 1:
        msg = f"{path} holds {len(data_layers)} layers: {', '.join(data_layers)}. Pass layer='…' (CLI: name one)."
        raise InputFileError(msg)
    return data_layers[0] if data_layers else None


def _full_layers(source: str | bytes, suffix: str, layer: str | int | None) -> list[str]:
    """Return the layers of a KML/KMZ (its folders) or GPX (waypoints, routes, tracks) that hold features.

    GDAL makes a layer of each KML folder and of each kind of GPX feature, and would read only the
    first, even when it is empty. ``[]`` for other formats, or when `layer` names one.
    """
    if layer is not None or suffix not in _MANY_LAYERS:
        return []
    names = [str(n) for n in pyogrio.list_layers(source)[:, 0]]
    if suffix == ".gpx":
        names = [n for n in names if n in _GPX_LAYERS]
    return [n for n in names if pyogrio.read_info(source, layer=n)["features"] != 0]


def _read_layers(
    source: str | bytes, layers: list[str], *, encoding: str | None, name: str
) -> tuple[gpd.GeoDataFrame, str]:
    """Read several layers of one file into one frame, each feature's layer named in a column ``layer``."""
    frames = []
    used = ""
    for layer in layers:
        gdf, used = _gdal_read(source, layer=layer, encoding=encoding, name=f"{name}:{layer}")
        frames.append(gdf)
    column = "layer" if all("layer" not in f.columns for f in frames) else free_name("layer", frames[0].columns)
    frames = [f.assign(**{column: layer}) for f, layer in zip(frames, layers, strict=True)]
    crs = frames[0].crs
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry=_GEOMETRY, crs=crs)
    logger.info("%s: read its layers %s as one, named in column %r", name, ", ".join(layers), column)
    return out, used


def _transcoded(path: Path, codec: str) -> bytes:
    """Return a text file re-encoded as UTF-8 (GDAL reads JSON as UTF-8 only)."""
    try:
        return path.read_bytes().decode(codec).encode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad_encoding(path, codec, err) from None


def _read_vector(
    path: Path, *, layer: str | int | None, encoding: str | None, trusted: bool
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read a GDAL vector file; return it and the CRS its obsolete GeoJSON ``crs`` member names, if any."""
    suffix = path.suffix.lower()
    has_cpg = True
    declared = None
    geometry_field = None
    source: str | bytes
    if suffix == ".zip":
        source, has_cpg = _zip_member(path, layer=layer, trusted=trusted)
        layer = None
    elif suffix == ".kmz":
        source = f"/vsizip/{path.resolve()}/{check_kmz(path, trusted=trusted)}"
    else:
        check_vector(path, trusted=trusted)
        source = str(path)
        if suffix == ".shp":
            parts = {str(p).lower() for ext in _PARTS for p in (path.with_suffix(ext), path.with_suffix(ext.upper()))}
            has_cpg = _shapefile_parts({p for p in parts if Path(p).exists()}, str(path), where=str(path))
            cpg = next((p for p in (path.with_suffix(".cpg"), path.with_suffix(".CPG")) if p.exists()), None)
            has_cpg = has_cpg and cpg is not None and cpg.stat().st_size > 0  # GDAL writes it empty (ENCODING="")
        if suffix in _JSON:
            declared = geojson_legacy_crs(path)
            geometry_field = geojson_geometry_property(path)
            codec = text_encoding(path, encoding)
            if codec != "utf-8":  # GDAL reads JSON as UTF-8 only: give it the text re-encoded
                source = _transcoded(path, codec)
            encoding = None
    name = path.name if layer is None else f"{path.name}:{layer}"
    with vector_env():
        try:
            layer = _pick_gpkg_layer(path, layer)
            full = _full_layers(source, suffix, layer)
            if len(full) > 1:
                gdf, used = _read_layers(source, full, encoding=encoding, name=name)
            else:
                layer = full[0] if full else layer
                gdf, used = _gdal_read(source, layer=layer, encoding=encoding, name=name, geometry_field=geometry_field)
            if not has_cpg and encoding is None and used.upper() in _LATIN1:
                gdf = _cyrillic(gdf, source, layer=layer, name=name)
        except DataLayerError as err:
            layers = ", ".join(str(n) for n in pyogrio.list_layers(source)[:, 0])
            msg = f"{path}: no layer {layer!r} ({err}). Layers in the file: {layers}."
            raise InputFileError(msg) from None
        except (DataSourceError, UnicodeDecodeError) as err:
            raise _unreadable(path, err) from None
    return gdf, declared


def _utf8(texts: Sequence[str]) -> bool:
    """Tell whether texts GDAL decoded as ISO-8859-1 are all UTF-8 (as GDAL writes a .dbf with ENCODING="")."""
    try:
        for text in texts:
            text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


def _cyrillic(gdf: gpd.GeoDataFrame, source: str | bytes, *, layer: str | int | None, name: str) -> gpd.GeoDataFrame:
    """Read a Shapefile without ``.cpg`` as UTF-8 or Cyrillic if its text says so; else warn how GDAL read it."""
    texts = text_values(gdf)
    if not texts:
        return gdf
    found = "UTF-8" if _utf8(texts) else detect_cyrillic(texts)
    if found is None:
        warn(
            f"{name} has no .cpg file naming its text encoding, so its text was read as ISO-8859-1 (e.g. "
            f"{texts[0][:40]!r}). If letters look wrong, pass the right one, e.g. encoding='cp1251' "
            "(CLI: --encoding cp1251)."
        )
        return gdf
    again, _ = _gdal_read(source, layer=layer, encoding=found, name=name)
    sample = next(iter(text_values(again, limit=1)), "")
    warn(
        f"{name} has no .cpg file naming its text encoding; its text reads as "
        f"{found if found == 'UTF-8' else f'Cyrillic in {found}'} (e.g. "
        f"{sample[:40]!r}), so it was read that way. If that is wrong, pass encoding='…' (CLI: --encoding)."
    )
    return again


def _unreadable(path: Path, err: Exception) -> InputFileError:
    text = one_line(str(err))
    if "not recognized" in text or "No such file" in text or "not a supported" in text.lower():
        msg = (
            f"{path}: not a format GDAL can read. Use GeoPackage, GeoJSON, FlatGeobuf, a zipped Shapefile, "
            "KML or KMZ, GPX, GeoParquet (.parquet) or a CSV with lon/lat or WKT columns."
        )
    elif isinstance(err, UnicodeDecodeError) or "utf" in text.lower() or "encoding" in text.lower():
        msg = f"{path}: text is not valid UTF-8 ({text[:120]}). Pass encoding='…' (CLI: --encoding)."
    else:
        msg = f"{path}: could not be read: {text[:300]}"
    return InputFileError(msg)


def _check_swapped(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    where = located(gdf)
    if gdf.crs is None or not gdf.crs.is_geographic or not where.any():
        return
    pts = gdf.geometry[where].representative_point()
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    west, south, east, north = _REGION
    inside = (x >= west) & (x <= east) & (y >= south) & (y <= north)
    swapped_inside = (y >= west) & (y <= east) & (x >= south) & (x <= north)
    if not inside.any() and swapped_inside.mean() > _SWAPPED_SHARE:
        msg = (
            f"Layer {name!r}: every feature lies outside Central Asia, but would fall inside it with x and y "
            "swapped. Latitude and longitude look swapped: give longitude as x and latitude as y."
        )
        raise CRSError(msg)


def _apply_crs(gdf: gpd.GeoDataFrame, crs: str | None, *, name: str) -> gpd.GeoDataFrame:
    if gdf.crs is None and crs is not None:
        return gdf.set_crs(crs)
    if crs is not None and not gdf.crs.equals(crs):
        msg = (
            f"{name} declares {gdf.crs.to_string()} but crs={crs!r} was given. geo does not relabel a CRS; "
            "leave crs out, and reproject with geo.crs.reproject if you need another one."
        )
        raise CRSError(msg)
    return gdf


def _check_fields(gdf: gpd.GeoDataFrame, *, name: str, id_column: str | None, required: Sequence[str]) -> None:
    if missing := [c for c in required if c not in gdf.columns]:
        msg = f"{name} lacks required field(s) {missing}. Fields present: {[c for c in gdf.columns if c != _GEOMETRY]}."
        raise LayerSchemaError(msg)
    if id_column is not None:
        if id_column not in gdf:
            msg = f"{name} has no id column {id_column!r}."
            raise LayerSchemaError(msg)
        if dups := sorted(gdf.loc[gdf[id_column].duplicated(), id_column].astype(str).unique()):
            msg = f"{name}: duplicate {id_column!r} values {dups[:10]}. Ids must be unique; fix or drop the duplicates."
            raise LayerSchemaError(msg)


def read(
    path: str | Path,
    *,
    layer: str | int | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    id_column: str | None = None,
    required: Sequence[str] = (),
    trusted: bool = False,
    lazy: bool = False,
) -> gpd.GeoDataFrame:
    """Read and validate a user's layer.

    Parameters
    ----------
    path
        A local file: GeoPackage, GeoJSON (``.geojson``/``.json``), FlatGeobuf, Shapefile (``.shp`` with
        its ``.dbf`` and ``.shx``, or all in a ``.zip``), KML, GPX, GeoParquet (``.parquet``), or a CSV
        with ``lon``/``lat`` (read as WGS84), ``x``/``y`` or a WKT column (both need `crs`).
    layer
        The layer to read from a multi-layer file (or the Shapefile in a zip of several).
    crs
        The CRS of a file that has none (a CSV with x/y or WKT, a Shapefile without ``.prj``).
        Refused if the file declares a different one: reproject instead.
    encoding
        Text encoding of the file's attributes when it is not UTF-8 (e.g. ``"cp1251"``). A byte-order
        mark (UTF-8 or UTF-16, as Excel writes) is honoured. A Shapefile without ``.cpg``, a CSV or a
        GeoJSON whose text is not UTF-8 but reads as Cyrillic (Windows-1251, DOS 866, KOI8-R) is read
        as such, with a warning; other text is an error naming the encoding to pass.
    delimiter
        A CSV's delimiter (``","``, ``";"``, ``"|"`` or ``"tab"``). By default the one that
        splits its header and first rows evenly, with a warning when it is not a comma (tab for ``.tsv``).
    decimal
        A CSV's decimal separator in its coordinate columns: ``","`` for ``69,2797``. By default
        coordinates written wholly with decimal commas are recognised, with a warning.
    id_column
        A column whose values must be unique, named in warnings and errors.
    required
        Columns that must be present.
    trusted
        The file is yours: let GDAL open it with any driver, including formats that read other files
        (a VRT). Network access stays off and virtual paths stay refused.
    lazy
        Return a dask-geopandas frame instead (GeoParquet only: a file or a partitioned dataset
        folder), for the analysis functions to run partition by partition; see `read_dataset`.

    Returns
    -------
    gpd.GeoDataFrame
        The layer in its own CRS (see `geo.crs.reproject`), invalid geometries repaired.

    Raises
    ------
    InputFileError
        An unknown `encoding`; a missing file, a virtual path/URL/connection string, a refused or unknown
        format, a zip over the archive limits, a Shapefile without its parts, unreadable or badly encoded text.
    CRSError
        An unknown `crs`; no CRS, coordinates out of range or not numbers, a GeoJSON ``crs`` the coordinates contradict,
        or latitude and longitude swapped.
    LayerSchemaError
        An empty or wholly unlocated layer, geometries that cannot be repaired, missing fields or
        duplicate ids.
    """
    if crs is not None:
        parse_crs(crs)  # an unknown CRS fails before the file is opened
    if encoding is not None:
        check_encoding(encoding)
    if delimiter is not None:
        delimiter = check_delimiter(delimiter)
    if decimal is not None:
        check_decimal(decimal)
    if Path(path).is_dir():  # only a partitioned GeoParquet folder is read from a folder
        path = Path(path)
    else:
        path = check_source(path)
    if lazy:
        return read_dataset(path, crs=crs)
    suffix = path.suffix.lower()
    declared = None
    if suffix in (".csv", ".txt", ".tsv"):
        dialect = _dialect(path, encoding=encoding, delimiter=delimiter, decimal=decimal)
        gdf = _read_csv(path, dialect=dialect, crs=crs)
    elif path.is_dir() or suffix in (".parquet", ".geoparquet"):
        gdf = _read_parquet(path)
    else:
        gdf, declared = _read_vector(path, layer=layer, encoding=encoding, trusted=trusted)
    name = path.name if layer is None else f"{path.name}:{layer}"
    if len(set(gdf.columns)) != len(gdf.columns):  # e.g. a .dbf naming a field twice
        gdf.columns = unique_names([str(c) for c in gdf.columns], where=name)
    gdf = _apply_crs(gdf, crs, name=name)
    require_crs(gdf, name=name)
    if gdf.empty:
        msg = f"{name} has no features. Check the file, or the layer name if it has several."
        raise LayerSchemaError(msg)
    _check_fields(gdf, name=name, id_column=id_column, required=required)
    check_all_located(gdf, name=name)
    check_coordinates(gdf, name=name)
    with np.errstate(all="ignore"):  # huge coordinates overflow in GEOS's arithmetic; the checks judge the results
        check_legacy_crs(gdf, declared, name=name)
        check_lonlat(gdf, name=name)
        _check_swapped(gdf, name=name)
        gdf = repair_geometries(gdf, name=name, id_column=id_column)
    logger.info("Read %d features from %s (%s)", len(gdf), name, gdf.crs.to_string())
    return gdf


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet file, or every part of a partitioned GeoParquet folder, into one frame."""
    parts = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not parts:
        msg = (
            f"{path}: a folder, not a file, and not a partitioned GeoParquet dataset (no .parquet files in it). "
            "Give the file itself (a Shapefile's .shp, or a .zip of it)."
        )
        raise InputFileError(msg)
    for part in parts:
        with part.open("rb") as fh:
            head = fh.read(4)
        if head != b"PAR1":
            msg = f"{part}: not a Parquet file (it does not start with PAR1). Rename it after its real format."
            raise InputFileError(msg)
    try:
        return gpd.read_parquet(path)
    except (ValueError, OSError) as err:
        kind = "partitioned GeoParquet dataset" if path.is_dir() else "GeoParquet file"
        msg = f"{path}: not a readable {kind} ({one_line(str(err), 200)})."
        raise InputFileError(msg) from None


def read_dataset(path: str | Path, *, crs: str | None = None) -> Any:
    """Read GeoParquet lazily (a file, or a partitioned dataset folder) as a dask-geopandas frame.

    One partition per file (row group splitting is dask-geopandas' default). Needs
    ``pip install 'centralasia-geo[dask]'``. The CRS is checked on the dataset's metadata; the
    geometries are read only when the result is computed.

    Raises
    ------
    InputFileError
        Not GeoParquet, or unreadable.
    CRSError
        The dataset declares no CRS and none is given.
    """
    from geo.analysis.scale import require_dask

    require_dask()
    import dask_geopandas

    path = Path(path)
    if not (path.is_dir() or path.suffix.lower() in (".parquet", ".geoparquet")):
        msg = f"{path}: lazy reading takes GeoParquet (a .parquet file or a folder of them); convert with geo export."
        raise InputFileError(msg)
    if path.is_dir() and not any(path.glob("*.parquet")):
        msg = f"{path}: a folder, not a file, and no .parquet files in it: give a partitioned GeoParquet folder."
        raise InputFileError(msg)
    try:
        lazy = dask_geopandas.read_parquet(str(path))
    except (ValueError, OSError) as err:
        msg = f"{path}: not a readable GeoParquet dataset ({str(err)[:200]})."
        raise InputFileError(msg) from None
    if lazy.crs is None and crs is not None:
        lazy = lazy.set_crs(crs)
    elif crs is not None and not lazy.crs.equals(crs):
        msg = f"{path.name} declares {lazy.crs.to_string()} but crs={crs!r} was given; geo does not relabel a CRS."
        raise CRSError(msg)
    require_crs(lazy, name=path.name)
    logger.info("Reading %s lazily: %d partition(s)", path, lazy.npartitions)
    return lazy
