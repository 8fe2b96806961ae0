"""Export layers to the formats GIS software reads: GeoPackage, GeoJSON, FlatGeobuf, Shapefile, GeoParquet, KML, CSV.

Every export is written to a temporary file (or folder) beside the target and renamed into
place only when complete, never overwrites without ``overwrite=True``, and reports each loss
the format forces (list fields as JSON text, shortened Shapefile field names, truncated DBF
text, a CRS that CSV cannot carry ...) when it is written. ``read_exported`` reads any export
back with the list fields decoded, so that round trips can be checked.
"""

from __future__ import annotations

import html
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.crs import WGS84, reproject, require_crs
from geo.errors import ExportError
from geo.paths import write_geojson
from geo.qgis_styles import add_qgis_styles

__all__ = ["FORMATS", "ExportReport", "Format", "export", "read_exported"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Format:
    """An export format."""

    key: str
    suffix: str
    driver: str | None
    multi_layer: bool
    description: str


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("gpkg", ".gpkg", "GPKG", True, "GeoPackage: many layers in one file (QGIS, ArcGIS)"),
        Format("geojson", ".geojson", None, False, "GeoJSON (RFC 7946, WGS84)"),
        Format("fgb", ".fgb", "FlatGeobuf", False, "FlatGeobuf: fast streaming binary"),
        Format("shp", ".zip", "ESRI Shapefile", True, "zipped Shapefile(s) with a field-name map"),
        Format("parquet", ".parquet", None, False, "GeoParquet 1.1 (pandas, DuckDB, QGIS 3.30+)"),
        Format("kml", ".kml", "KML", False, "KML for Google Earth: name and a readable description"),
        Format("csv", ".csv", None, False, "CSV with a WKT geometry column (WGS84)"),
    )
}
_SUFFIXES = {f.suffix: f.key for f in FORMATS.values()} | {
    ".json": "geojson",
    ".shp": "shp",
    ".geoparquet": "parquet",
}
_DBF_TEXT_BYTES = 254
_KML_ID = "feature_id"
_DBF_NAME_CHARS = 10


@dataclass
class ExportReport:
    """What an export wrote, and what the format could not keep."""

    path: Path
    format: str
    features: dict[str, int]
    losses: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.features.items())
        lines = [f"Wrote {self.path} ({self.format}; {counts})"]
        lines += [f"  note: {loss}" for loss in self.losses]
        return "\n".join(lines)


def _is_list_column(series: pd.Series) -> bool:
    values = series.dropna()
    return (
        series.dtype == object
        and bool(len(values))
        and values.map(lambda v: isinstance(v, list | tuple | dict | np.ndarray)).all()
    )


def _jsonable(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def _lists_to_json(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name and _is_list_column(gdf[c])]
    if not cols:
        return gdf, []
    out = gdf.copy()
    for col in cols:
        out[col] = out[col].map(lambda v: None if v is None else json.dumps(_jsonable(v), ensure_ascii=False))
    return out, cols


def _description(row: pd.Series) -> str:
    """Return a readable, HTML-escaped KML description: the attributes, then the sources as links."""
    parts = []
    for key, value in row.items():
        if key in ("name", "sources", "description") or value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        value = _jsonable(value)
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


def _short_names(columns: Sequence[str]) -> dict[str, str]:
    """Map column names to unique DBF names of at most 10 characters."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        short = col[:_DBF_NAME_CHARS]
        n = 1
        while short.lower() in used:
            short = f"{col[: _DBF_NAME_CHARS - len(str(n)) - 1]}_{n}"
            n += 1
        used.add(short.lower())
        mapping[col] = short
    return mapping


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", errors="ignore")


_FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


def _write_shapefiles(frames: Mapping[str, gpd.GeoDataFrame], zip_path: Path, losses: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        field_rows, long_rows = [], []
        for name, gdf in frames.items():
            flat, list_cols = _lists_to_json(gdf)
            families = flat.geometry.geom_type.map(_FAMILIES)
            if flat.geometry.isna().any():
                fallback = families.dropna().mode().iloc[0] if families.notna().any() else "point"
                families = families.fillna(fallback)
            mapping = _short_names([c for c in flat.columns if c != flat.geometry.name])
            ids = flat["id"] if "id" in flat else pd.Series(flat.index.astype(str), index=flat.index)
            for col, short in mapping.items():
                if flat[col].dtype == bool:
                    flat[col] = flat[col].astype("int32")
                field_rows.append(
                    {
                        "layer": name,
                        "field": short,
                        "original_name": col,
                        "encoding": "json" if col in list_cols else "",
                    }
                )
                if flat[col].dtype == object or str(flat[col].dtype).startswith(("str", "string")):
                    text = flat[col].astype(object)
                    too_long = text.map(lambda v: isinstance(v, str) and len(v.encode("utf-8")) > _DBF_TEXT_BYTES)
                    for idx in flat.index[too_long]:
                        long_rows.append({"layer": name, "id": ids[idx], "field": col, "value": text[idx]})
                    flat[col] = text.map(lambda v: _truncate_utf8(v, _DBF_TEXT_BYTES) if isinstance(v, str) else v)
            flat = flat.rename(columns=mapping)
            for family in sorted(families.unique()):
                part = flat[families == family]
                stem = name if families.nunique() == 1 else f"{name}_{family}"
                pyogrio.write_dataframe(part, tmp / f"{stem}.shp", driver="ESRI Shapefile", encoding="UTF-8")
            counts[name] = len(gdf)
        pd.DataFrame(field_rows).to_csv(tmp / "fields.csv", index=False)
        if long_rows:
            pd.DataFrame(long_rows).to_csv(tmp / "long_values.csv", index=False)
            fields = sorted({f"{r['layer']}.{r['field']}" for r in long_rows})
            losses.append(
                f"{len(long_rows)} text value(s) longer than {_DBF_TEXT_BYTES} bytes were cut in the .dbf "
                f"({', '.join(fields)}); the full text is in long_values.csv inside the zip"
            )
        if any(len(v) > _DBF_NAME_CHARS for r in field_rows for v in [r["original_name"]]):
            losses.append("field names over 10 characters were shortened; fields.csv in the zip maps them back")
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(tmp.iterdir()):
                zf.write(file, file.name)
    return counts


def _write_one(gdf: gpd.GeoDataFrame, path: Path, fmt: Format, name: str, losses: list[str]) -> None:
    if fmt.key == "geojson":
        write_geojson(reproject(gdf, WGS84, name=name), path, decimals=7, atomic=False)
    elif fmt.key == "parquet":
        gdf.to_parquet(path, schema_version="1.1.0", write_covering_bbox=False)
    elif fmt.key == "csv":
        flat, cols = _lists_to_json(reproject(gdf, WGS84, name=name))
        table = pd.DataFrame(flat.drop(columns=flat.geometry.name))
        table["wkt"] = shapely.to_wkt(flat.geometry.to_numpy(), rounding_precision=-1)
        table.to_csv(path, index=False, encoding="utf-8")
        losses.append(f"{name}: CSV keeps no CRS: the wkt column is WGS84 longitude/latitude (EPSG:4326)")
        if cols:
            losses.append(f"{name}: list fields {cols} are JSON text in CSV")
    elif fmt.key == "kml":
        flat, cols = _lists_to_json(reproject(gdf, WGS84, name=name))
        flat = flat.rename(columns={"id": _KML_ID})  # KML reserves 'id' for the Placemark's own id
        flat["description"] = [_description(row) for _, row in gdf.drop(columns=gdf.geometry.name).iterrows()]
        pyogrio.write_dataframe(
            flat,
            path,
            layer=name,
            driver="KML",
            dataset_options={"NameField": "name", "DescriptionField": "description"},
        )
        losses.append(
            f"{name}: KML keeps no CRS (WGS84 by definition) and no styling; attributes are ExtendedData text "
            "(numbers and true/false read back as text, lists as JSON); the feature id is 'feature_id'"
        )
    else:  # fgb
        flat, cols = _lists_to_json(gdf)
        options = {"SPATIAL_INDEX": "NO"} if flat.geometry.isna().any() else {}
        if options:
            losses.append(f"{name}: written without a spatial index, because some features have no location")
        pyogrio.write_dataframe(flat, path, layer=name, driver=fmt.driver, layer_options=options)
        if cols:
            losses.append(f"{name}: list fields {cols} are JSON text")


def _write_gpkg(frames: Mapping[str, gpd.GeoDataFrame], path: Path, losses: list[str]) -> None:
    for name, gdf in frames.items():
        flat, cols = _lists_to_json(gdf)
        pyogrio.write_dataframe(
            flat,
            path,
            layer=name,
            driver="GPKG",
            append=path.exists(),
            dataset_options=None if path.exists() else {"VERSION": "1.2"},
        )
        if cols:
            losses.append(f"{name}: list fields {cols} are JSON text")


def _resolve_frames(
    layers: Mapping[str, gpd.GeoDataFrame] | Sequence[str] | gpd.GeoDataFrame, name: str | None
) -> dict[str, gpd.GeoDataFrame]:
    if isinstance(layers, gpd.GeoDataFrame):
        return {name or "layer": layers}
    if isinstance(layers, Mapping):
        return dict(layers)
    from geo.catalog import load

    return {n: load(n) for n in layers}


def _format_of(path: Path, fmt: str | None) -> Format:
    key = fmt or _SUFFIXES.get(path.suffix.lower())
    if key not in FORMATS:
        msg = f"Unknown export format {fmt or path.suffix!r} for {path.name!r}: use one of {', '.join(FORMATS)}."
        raise ExportError(msg)
    return FORMATS[key]


def _write_and_count(
    frames: Mapping[str, gpd.GeoDataFrame], out: Path, spec: Format, *, as_folder: bool, losses: list[str]
) -> dict[str, int]:
    """Write `frames` to `out` and return the feature count of each layer as read back from it."""
    if as_folder:
        out.mkdir()
        for layer_name, gdf in frames.items():
            _write_one(gdf, out / f"{layer_name}{spec.suffix}", spec, layer_name, losses)
        return {n: len(read_exported(out / f"{n}{spec.suffix}", fmt=spec.key)[n]) for n in frames}
    if spec.key == "gpkg":
        _write_gpkg(frames, out, losses)
        add_qgis_styles(out, frames)
    elif spec.key == "shp":
        _write_shapefiles(frames, out, losses)
    else:
        ((layer_name, gdf),) = frames.items()
        _write_one(gdf, out, spec, layer_name, losses)
    back = read_exported(out, fmt=spec.key)
    if spec.multi_layer:
        return {n: len(back[n]) for n in frames if n in back}
    return {next(iter(frames)): sum(len(g) for g in back.values())}


def _target(path: Path, fmt: Format, n_layers: int) -> tuple[Path, bool]:
    """Return the final path and whether it is a folder of per-layer files."""
    if n_layers > 1 and not fmt.multi_layer:
        return path, True
    if path.suffix.lower() != fmt.suffix:
        msg = f"{path.name}: a {fmt.key} export needs the suffix {fmt.suffix!r} (e.g. {path.stem}{fmt.suffix})."
        raise ExportError(msg)
    return path, False


def export(
    layers: Mapping[str, gpd.GeoDataFrame] | Sequence[str] | gpd.GeoDataFrame,
    path: str | Path,
    *,
    fmt: str | None = None,
    overwrite: bool = False,
    root: str | Path | None = None,
    name: str | None = None,
) -> ExportReport:
    """Export one or more layers.

    Parameters
    ----------
    layers
        Layer names from the catalogue, a mapping of names to GeoDataFrames, or one GeoDataFrame.
    path
        The output. For several layers in a single-layer format (GeoJSON, FlatGeobuf, GeoParquet,
        KML, CSV) it is a folder with one file per layer; GeoPackage and the Shapefile zip hold all.
    fmt
        One of ``FORMATS``; by default taken from the suffix of `path`.
    overwrite
        Replace `path` if it exists (it is only replaced once the new output is complete).
    root
        If given, `path` must resolve inside this folder (the CLI passes the working directory).
    name
        The layer name when `layers` is a single GeoDataFrame.

    Returns
    -------
    ExportReport
        The path, the feature count per layer as read back from the output, and the losses.

    Raises
    ------
    ExportError
        Unknown format, wrong suffix, existing output, a path outside `root`, or a count that
        differs after writing.
    """
    path = Path(path)
    spec = _format_of(path, fmt)
    if root is not None and not path.resolve().is_relative_to(Path(root).resolve()):
        msg = f"{path} is outside the target folder {Path(root).resolve()}; write inside it (or pass --root)."
        raise ExportError(msg)
    frames = _resolve_frames(layers, name)
    if not frames:
        msg = "Nothing to export: give at least one layer."
        raise ExportError(msg)
    for layer_name, gdf in frames.items():
        require_crs(gdf, name=layer_name)
    target, as_folder = _target(path, spec, len(frames))
    if target.exists() and not overwrite:
        msg = f"{target} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    target.parent.mkdir(parents=True, exist_ok=True)
    losses: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        out = tmp / ("out" if as_folder else target.name)
        counts = _write_and_count(frames, out, spec, as_folder=as_folder, losses=losses)
        expected = {n: len(g) for n, g in frames.items()}
        if counts != expected:
            msg = f"Export to {target} read back {counts} features, expected {expected}; nothing was written."
            raise ExportError(msg)
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        out.replace(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = ExportReport(target, spec.key, counts, losses)
    for loss in losses:
        logger.warning("%s: %s", target.name, loss)
    logger.info("%s", report)
    return report


def _drop_struct_padding(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Parquet stores a list of records as structs with every key; drop the keys a record did not have."""
    for col in gdf.columns:
        if col != gdf.geometry.name and _is_list_column(gdf[col]):
            gdf[col] = gdf[col].map(
                lambda v: (
                    [{k: x for k, x in r.items() if x is not None} if isinstance(r, dict) else r for r in _jsonable(v)]
                    if v is not None
                    else v
                )
            )
    return gdf


def _decode(gdf: gpd.GeoDataFrame, json_cols: Sequence[str]) -> gpd.GeoDataFrame:
    for col in json_cols:
        if col in gdf:
            gdf[col] = gdf[col].map(lambda v: json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v)
    return gdf


def _json_columns(gdf: gpd.GeoDataFrame) -> list[str]:
    cols = []
    for col in gdf.columns:
        if col == gdf.geometry.name or gdf[col].dtype not in (object, "str", "string"):
            continue
        values = gdf[col].dropna().astype(str)
        if len(values) and values.str.match(r"^\s*[\[{]").all():
            cols.append(col)
    return cols


def read_exported(path: str | Path, *, fmt: str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read an export back: ``{layer name: GeoDataFrame}`` with list fields decoded and names restored.

    Shapefile zips are read through their ``fields.csv`` (original names) and ``long_values.csv``
    (untruncated text); JSON-text fields in GeoPackage, FlatGeobuf, KML and CSV are parsed.
    """
    path = Path(path)
    if path.is_dir():
        out: dict[str, gpd.GeoDataFrame] = {}
        for file in sorted(path.iterdir()):
            out |= read_exported(file, fmt=fmt)
        return out
    key = fmt or _SUFFIXES.get(path.suffix.lower())
    if key == "parquet":
        return {path.stem: _drop_struct_padding(gpd.read_parquet(path))}
    if key == "csv":
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
        geom = gpd.GeoSeries(shapely.from_wkt(table.pop("wkt").fillna("").replace("", None).to_numpy()), crs=WGS84)
        gdf = gpd.GeoDataFrame(table, geometry=geom, crs=WGS84)
        return {path.stem: _decode(gdf, _json_columns(gdf))}
    if key == "shp":
        return _read_shapefile_zip(path)
    names = [str(n) for n in pyogrio.list_layers(path)[:, 0] if n != "layer_styles"] if key == "gpkg" else [None]
    out = {}
    options = {"DATE_AS_STRING": "YES"} if key == "geojson" else {}  # keep '2024-08' text as written
    for layer in names:
        gdf = gpd.read_file(path, layer=layer, **options)
        if key == "kml":
            gdf = gdf.drop(columns=["id"], errors="ignore").rename(columns={_KML_ID: "id", "Name": "name"})
        out[layer or path.stem] = _decode(gdf, _json_columns(gdf))
    return out


def _read_shapefile_zip(path: Path) -> dict[str, gpd.GeoDataFrame]:
    with zipfile.ZipFile(path) as zf:
        fields = pd.read_csv(zf.open("fields.csv"), keep_default_na=False)
        longs = (
            pd.read_csv(zf.open("long_values.csv"), keep_default_na=False)
            if "long_values.csv" in zf.namelist()
            else pd.DataFrame(columns=["layer", "id", "field", "value"])
        )
        shps = sorted(n for n in zf.namelist() if n.endswith(".shp"))
    out = {}
    for layer, fmap in fields.groupby("layer", sort=False):
        parts = [s for s in shps if s == f"{layer}.shp" or s.startswith(f"{layer}_")]
        frames = [gpd.read_file(f"/vsizip/{path}/{s}") for s in parts]
        gdf = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        gdf = gdf.rename(columns=dict(zip(fmap["field"], fmap["original_name"], strict=True)))
        for row in longs[longs["layer"] == layer].itertuples():
            gdf.loc[gdf["id"].astype(str) == str(row.id), row.field] = row.value
        out[str(layer)] = _decode(gdf, list(fmap.loc[fmap["encoding"] == "json", "original_name"]))
    return out
