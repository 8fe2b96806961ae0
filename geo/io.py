"""Read a user's layer from any vector format GDAL reads, a CSV with lon/lat or WKT, or a zipped Shapefile.

``read`` checks what analysts get wrong most often and says how to fix it: a missing file, an
unknown format, no CRS, swapped or out-of-range coordinates, an empty layer, invalid polygons
(repaired with ``make_valid``, with a warning naming them), text that is not UTF-8, duplicate
ids and missing fields.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo.crs import WGS84, check_lonlat, require_crs
from geo.errors import CRSError, GeoToolkitWarning, InputFileError, LayerSchemaError

__all__ = ["read", "read_dataset", "repair_geometries"]

logger = logging.getLogger(__name__)

_LON_NAMES = ("lon", "lng", "long", "longitude")
_LAT_NAMES = ("lat", "latitude")
_XY_NAMES = (("x",), ("y",))
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
#: A window around Central Asia used only to spot swapped latitude/longitude.
_REGION = (30.0, 25.0, 100.0, 60.0)
_SWAPPED_SHARE = 0.9  # share of features that must fall inside the window once swapped
_SHOWN = 10  # ids named in a message


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def _read_csv(path: Path, *, encoding: str, crs: str | None) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError as err:
        msg = (
            f"{path} is not valid {encoding} text (byte {err.start}: {err.object[err.start : err.start + 4]!r}). "
            "Re-save it as UTF-8, or pass encoding='cp1251' (CLI: --encoding) if that is what it uses."
        )
        raise InputFileError(msg) from None
    except pd.errors.ParserError as err:
        msg = f"{path} is not a readable CSV: {err}"
        raise InputFileError(msg) from None
    cols = list(df.columns)
    lon, lat = _find(cols, _LON_NAMES), _find(cols, _LAT_NAMES)
    declared = crs
    if lon is None or lat is None:
        lon, lat = _find(cols, _XY_NAMES[0]), _find(cols, _XY_NAMES[1])
    elif crs is None:
        declared = WGS84  # columns named lon/lat declare degrees on WGS84
        logger.info("%s: columns %r/%r read as WGS84 longitude/latitude", path, lon, lat)
    if lon is not None and lat is not None:
        x = pd.to_numeric(df[lon], errors="coerce")
        y = pd.to_numeric(df[lat], errors="coerce")
        bad = df.index[(x.isna() & df[lon].notna()) | (y.isna() & df[lat].notna())]
        if len(bad):
            row = int(bad[0]) + 2  # header is line 1
            msg = (
                f"{path}, line {row}: {lon}={df.at[bad[0], lon]!r}, {lat}={df.at[bad[0], lat]!r} is not a number "
                f"({len(bad)} such row(s)). Use decimal degrees with a dot, e.g. 69.2833."
            )
            raise InputFileError(msg)
        geometry = [None if np.isnan(a) or np.isnan(b) else shapely.Point(a, b) for a, b in zip(x, y, strict=True)]
        df = df.drop(columns=[lon, lat])
    elif (wkt := _find(cols, _WKT_NAMES)) is not None:
        geoms = shapely.from_wkt(df[wkt].fillna("").replace("", None).to_numpy(), on_invalid="ignore")
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
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geometry), crs=declared)


def _read_vector(path: Path, *, layer: str | int | None, encoding: str | None) -> gpd.GeoDataFrame:
    source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    if layer is None and path.suffix.lower() == ".gpkg":  # QGIS keeps styles in a non-spatial 'layer_styles' table
        data_layers = [str(n) for n in pyogrio.list_layers(source)[:, 0] if n != "layer_styles"]
        if len(data_layers) > 1:
            msg = f"{path} holds {len(data_layers)} layers: {', '.join(data_layers)}. Pass layer='…' (CLI: name one)."
            raise InputFileError(msg)
        layer = data_layers[0] if data_layers else None
    try:
        return gpd.read_file(source, layer=layer, encoding=encoding)
    except DataLayerError as err:
        layers = ", ".join(str(n) for n in pyogrio.list_layers(source)[:, 0])
        msg = f"{path}: no layer {layer!r} ({err}). Layers in the file: {layers}."
        raise InputFileError(msg) from None
    except (DataSourceError, UnicodeDecodeError) as err:
        text = str(err)
        if "not recognized" in text or "No such file" in text or "not a supported" in text.lower():
            msg = (
                f"{path}: not a format GDAL can read. Use GeoPackage, GeoJSON, FlatGeobuf, a zipped Shapefile, "
                "KML, GeoParquet (.parquet) or a CSV with lon/lat or WKT columns."
            )
        elif isinstance(err, UnicodeDecodeError) or "utf" in text.lower() or "encoding" in text.lower():
            msg = f"{path}: text is not valid UTF-8 ({text[:120]}). Pass encoding='…' (CLI: --encoding)."
        else:
            msg = f"{path}: could not be read: {text[:300]}"
        raise InputFileError(msg) from None


def repair_geometries(gdf: gpd.GeoDataFrame, *, name: str, id_column: str | None = None) -> gpd.GeoDataFrame:
    """Repair invalid geometries with ``shapely.make_valid`` and warn, naming the features repaired.

    Returns a copy when anything was repaired; `gdf` itself otherwise.
    """
    invalid = ~gdf.geometry.is_valid & gdf.geometry.notna()
    if not invalid.any():
        return gdf
    labels = gdf.loc[invalid, id_column] if id_column and id_column in gdf else gdf.index[invalid]
    shown = ", ".join(repr(v) for v in list(labels)[:_SHOWN]) + (" …" if invalid.sum() > _SHOWN else "")
    reasons = shapely.is_valid_reason(gdf.geometry[invalid].to_numpy())
    warnings.warn(
        f"{name}: repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} with "
        f"make_valid ({'id' if id_column else 'row'} {shown}; first problem: {reasons[0]}). Check them.",
        GeoToolkitWarning,
        stacklevel=3,
    )
    out = gdf.copy()
    out.loc[invalid, out.geometry.name] = shapely.make_valid(out.geometry[invalid].to_numpy())
    return out


def _check_swapped(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    if gdf.crs is None or not gdf.crs.is_geographic or gdf.geometry.isna().all():
        return
    pts = gdf.geometry.dropna().representative_point()
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


def read(
    path: str | Path,
    *,
    layer: str | int | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    id_column: str | None = None,
    required: Sequence[str] = (),
    lazy: bool = False,
) -> gpd.GeoDataFrame:
    """Read and validate a user's layer.

    Parameters
    ----------
    path
        A vector file GDAL reads (GeoPackage, GeoJSON, FlatGeobuf, KML, Shapefile ...), a zipped
        Shapefile (``.zip``), a GeoParquet file (``.parquet``), or a CSV with ``lon``/``lat``
        (read as WGS84), ``x``/``y`` or a WKT column (both need `crs`).
    layer
        The layer to read from a multi-layer file.
    crs
        The CRS of a file that has none (a CSV with x/y or WKT, a Shapefile without ``.prj``).
        Refused if the file declares a different one: reproject instead.
    encoding
        Text encoding of the file's attributes when it is not UTF-8 (e.g. ``"cp1251"``).
    id_column
        A column whose values must be unique, named in warnings and errors.
    required
        Columns that must be present.
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
        Missing file, unknown format, unreadable or badly encoded text.
    CRSError
        No CRS, coordinates out of range, or latitude and longitude swapped.
    LayerSchemaError
        An empty layer, missing fields or duplicate ids.
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file. Check the path (relative paths start from {Path.cwd()})."
        raise InputFileError(msg)
    if lazy:
        return read_dataset(path, crs=crs)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        gdf = _read_csv(path, encoding=encoding or "utf-8", crs=crs)
    elif path.is_dir() or suffix in (".parquet", ".geoparquet"):
        gdf = _read_parquet(path)
    else:
        gdf = _read_vector(path, layer=layer, encoding=encoding)
    name = path.name if layer is None else f"{path.name}:{layer}"
    if gdf.crs is None and crs is not None:
        gdf = gdf.set_crs(crs)
    elif crs is not None and not gdf.crs.equals(crs):
        msg = (
            f"{name} declares {gdf.crs.to_string()} but crs={crs!r} was given. geo does not relabel a CRS; "
            "leave crs out, and reproject with geo.crs.reproject if you need another one."
        )
        raise CRSError(msg)
    require_crs(gdf, name=name)
    if gdf.empty:
        msg = f"{name} has no features. Check the file, or the layer name if it has several."
        raise LayerSchemaError(msg)
    if missing := [c for c in required if c not in gdf.columns]:
        msg = (
            f"{name} lacks required field(s) {missing}. Fields present: {[c for c in gdf.columns if c != 'geometry']}."
        )
        raise LayerSchemaError(msg)
    if id_column is not None:
        if id_column not in gdf:
            msg = f"{name} has no id column {id_column!r}."
            raise LayerSchemaError(msg)
        if dups := sorted(gdf.loc[gdf[id_column].duplicated(), id_column].astype(str).unique()):
            msg = f"{name}: duplicate {id_column!r} values {dups[:10]}. Ids must be unique; fix or drop the duplicates."
            raise LayerSchemaError(msg)
    check_lonlat(gdf, name=name)
    _check_swapped(gdf, name=name)
    gdf = repair_geometries(gdf, name=name, id_column=id_column)
    logger.info("Read %d features from %s (%s)", len(gdf), name, gdf.crs.to_string())
    return gdf


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet file, or every part of a partitioned GeoParquet folder, into one frame."""
    if path.is_dir() and not any(path.glob("*.parquet")):
        msg = f"{path} is a folder without .parquet files: give a file, or a partitioned GeoParquet folder."
        raise InputFileError(msg)
    try:
        return gpd.read_parquet(path)
    except (ValueError, OSError) as err:
        kind = "partitioned GeoParquet dataset" if path.is_dir() else "GeoParquet file"
        msg = f"{path}: not a readable {kind} ({str(err)[:200]})."
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
        msg = f"{path} is a folder without .parquet files: give a partitioned GeoParquet folder."
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
