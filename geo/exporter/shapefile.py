"""Shapefiles, as ``ogr2ogr`` writes them or zipped, with maps that undo the format's limits.

- ``x.shp``: one layer as ``x.shp``, ``.shx``, ``.dbf``, ``.prj`` and ``.cpg`` (UTF-8), with
  ``x.fields.csv`` mapping the 10-character DBF names back to the layer's own and, where text was
  longer than the 254 bytes a DBF field holds, ``x.long_values.csv`` with the full text. A folder
  export (several layers) is one such set per layer.
- ``x.zip``: every layer in one zip, a shapefile per layer and geometry family; ``layers.csv`` lists
  which ``.shp`` holds which layer, beside ``fields.csv`` and ``long_values.csv``.

The readers use the maps, so a round trip is exact.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import ExportError
from geo.exporter.json_fields import decode, lists_to_json
from geo.exporter.losses import Losses
from geo.exporter.split import declared_geometry_type
from geo.formats import FIELDS_SUFFIX, LONG_VALUES_SUFFIX  # beside x.shp: names, long text
from geo.safety import check_zip, open_vector

__all__ = [
    "FIELDS_SUFFIX",
    "LONG_VALUES_SUFFIX",
    "read_shapefile",
    "read_shapefile_zip",
    "write_shapefile",
    "write_shapefile_zip",
]


_DBF_TEXT_BYTES = 254
_DBF_NAME_CHARS = 10
_FAMILIES = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


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


def _families(gdf: gpd.GeoDataFrame) -> pd.Series:
    families = gdf.geometry.geom_type.map(_FAMILIES)
    if gdf.geometry.isna().any():
        fallback = families.dropna().mode().iloc[0] if families.notna().any() else "point"
        families = families.fillna(fallback)
    return families


def _empty_family(name: str, gdf: gpd.GeoDataFrame) -> tuple[str, str | None]:
    """Return the family and declared geometry type of an empty layer (the point or area half of a split)."""
    declared = declared_geometry_type(name, gdf)
    return {"MultiPolygon": "polygon"}.get(declared or "", "point"), declared


def _dbf_columns(
    name: str, flat: gpd.GeoDataFrame, list_cols: list[str]
) -> tuple[gpd.GeoDataFrame, list[dict[str, str]], list[dict[str, object]]]:
    """Make `flat` fit a DBF: text cut to 254 bytes, names of at most 10 characters (booleans stay logical).

    Returns the renamed frame, the name map rows and the rows of full text that was cut.
    """
    mapping = _short_names([c for c in flat.columns if c != flat.geometry.name])
    ids = flat["id"] if "id" in flat else pd.Series(flat.index.astype(str), index=flat.index)
    field_rows, long_rows = [], []
    for col, short in mapping.items():
        encoding = "json" if col in list_cols else ""
        field_rows.append({"layer": name, "field": short, "original_name": col, "encoding": encoding})
        if flat[col].dtype == object or str(flat[col].dtype).startswith(("str", "string")):
            text = flat[col].astype(object)
            too_long = text.map(lambda v: isinstance(v, str) and len(v.encode("utf-8")) > _DBF_TEXT_BYTES)
            long_rows += [{"layer": name, "id": ids[i], "field": col, "value": text[i]} for i in flat.index[too_long]]
            flat[col] = text.map(lambda v: _truncate_utf8(v, _DBF_TEXT_BYTES) if isinstance(v, str) else v)
    return flat.rename(columns=mapping), field_rows, long_rows


def _note_losses(losses: Losses, field_rows: list[dict[str, str]], long_rows: list[dict[str, object]]) -> None:
    for layer in dict.fromkeys(str(r["layer"]) for r in long_rows):
        fields = sorted({str(r["field"]) for r in long_rows if r["layer"] == layer})
        losses.add(
            f"text longer than {_DBF_TEXT_BYTES} bytes cut in the .dbf; the full text is in long_values.csv",
            layer,
            ", ".join(fields),
        )
    for row in field_rows:
        if len(row["original_name"]) > _DBF_NAME_CHARS:
            losses.add("field names over 10 characters shortened; fields.csv maps them back", row["layer"])


def write_shapefile_zip(frames: Mapping[str, gpd.GeoDataFrame], zip_path: Path, losses: Losses) -> None:
    """Write every layer into one zip: a shapefile per layer and geometry family, plus the name maps."""
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        field_rows, long_rows, file_rows = [], [], []
        for name, gdf in frames.items():
            flat, list_cols = lists_to_json(gdf)
            families = _families(flat)
            flat, fields, longs = _dbf_columns(name, flat.copy(), list_cols)
            field_rows += fields
            long_rows += longs
            if flat.empty:  # an empty half of a split: one empty shapefile of its geometry type
                family, declared = _empty_family(name, gdf)
                pyogrio.write_dataframe(
                    flat, tmp / f"{name}.shp", driver="ESRI Shapefile", encoding="UTF-8", geometry_type=declared
                )
                file_rows.append({"layer": name, "file": f"{name}.shp", "geometry": family})
            for family in sorted(families.unique()):
                stem = name if families.nunique() == 1 else f"{name}_{family}"
                pyogrio.write_dataframe(
                    flat[families == family], tmp / f"{stem}.shp", driver="ESRI Shapefile", encoding="UTF-8"
                )
                file_rows.append({"layer": name, "file": f"{stem}.shp", "geometry": family})
                if families.nunique() > 1:
                    losses.add("one shapefile per geometry type", name, f"{stem}.shp")
            if list_cols:
                losses.add("list fields are JSON text", name, ", ".join(list_cols))
        pd.DataFrame(field_rows).to_csv(tmp / "fields.csv", index=False)
        pd.DataFrame(file_rows).to_csv(tmp / "layers.csv", index=False)
        if long_rows:
            pd.DataFrame(long_rows).to_csv(tmp / "long_values.csv", index=False)
        _note_losses(losses, field_rows, long_rows)
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(tmp.iterdir()):
                zf.write(file, file.name)


def read_shapefile_zip(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """Read a zip written by :func:`write_shapefile_zip`: names, long text and lists restored.

    The zip is checked (:func:`geo.safety.check_zip`) and each member ``layers.csv`` names is opened
    only with `drivers` (:func:`geo.safety.open_vector`).
    """
    check_zip(path)
    with zipfile.ZipFile(path) as zf:
        fields = pd.read_csv(zf.open("fields.csv"), keep_default_na=False)
        files = pd.read_csv(zf.open("layers.csv"), keep_default_na=False)
        longs = (
            pd.read_csv(zf.open("long_values.csv"), keep_default_na=False)
            if "long_values.csv" in zf.namelist()
            else pd.DataFrame(columns=["layer", "id", "field", "value"])
        )
    out = {}
    for layer, fmap in fields.groupby("layer", sort=False):
        parts = []
        for member in files.loc[files["layer"] == layer, "file"]:
            with open_vector(path, drivers=drivers, member=str(member)) as source:
                parts.append(gpd.read_file(source))
        gdf = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        gdf = gdf.rename(columns=dict(zip(fmap["field"], fmap["original_name"], strict=True)))
        for row in longs[longs["layer"] == layer].itertuples():
            gdf.loc[gdf["id"].astype(str) == str(row.id), row.field] = row.value
        out[str(layer)] = decode(gdf, list(fmap.loc[fmap["encoding"] == "json", "original_name"]))
    return out


def write_shapefile(frames: Mapping[str, gpd.GeoDataFrame], path: Path, losses: Losses) -> None:
    """Format writer: a ``.zip`` of every layer, or one layer as ``path`` (``.shp``) and its sidecars."""
    if path.suffix.lower() == ".zip":
        write_shapefile_zip(frames, path, losses)
        return
    if len(frames) != 1:
        msg = f"{path.name}: a .shp holds one layer; give a folder (one shapefile per layer) or a .zip."
        raise ExportError(msg)
    ((name, gdf),) = frames.items()
    flat, list_cols = lists_to_json(gdf)
    families = _families(flat)
    if families.nunique() > 1:
        kinds = " and ".join(f"{f}s" for f in sorted(families.unique()))
        msg = (
            f"Layer {name!r} mixes {kinds}, which one .shp cannot hold: export to a .zip "
            "(one shapefile per geometry type), or to gpkg."
        )
        raise ExportError(msg)
    flat, field_rows, long_rows = _dbf_columns(name, flat.copy(), list_cols)
    declared = _empty_family(name, gdf)[1] if flat.empty else None
    written = path.with_suffix(".shp")  # GDAL writes the lower-case suffix whatever it is given (d.SHP -> d.shp)
    pyogrio.write_dataframe(flat, written, driver="ESRI Shapefile", encoding="UTF-8", geometry_type=declared)
    if written != path:
        written.replace(path)
    pd.DataFrame(field_rows).to_csv(path.with_suffix(FIELDS_SUFFIX), index=False)
    if long_rows:
        pd.DataFrame(long_rows).to_csv(path.with_suffix(LONG_VALUES_SUFFIX), index=False)
    if list_cols:
        losses.add("list fields are JSON text", name, ", ".join(list_cols))
    _note_losses(losses, field_rows, long_rows)


def read_shapefile(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """Format reader: a zip from :func:`write_shapefile_zip`, or a ``.shp`` with its name maps beside it.

    Either is opened only with `drivers` (:func:`geo.safety.open_vector`), whatever the file is called.
    """
    if path.suffix.lower() == ".zip":
        return read_shapefile_zip(path, drivers)
    with open_vector(path, drivers=drivers) as source:
        gdf = gpd.read_file(source)
    fields_file, longs_file = path.with_suffix(FIELDS_SUFFIX), path.with_suffix(LONG_VALUES_SUFFIX)
    if not fields_file.exists():  # a Shapefile geo did not write: its own names
        return {path.stem: gdf}
    fmap = pd.read_csv(fields_file, keep_default_na=False)
    gdf = gdf.rename(columns=dict(zip(fmap["field"], fmap["original_name"], strict=True)))
    if longs_file.exists():
        for row in pd.read_csv(longs_file, keep_default_na=False).itertuples():
            gdf.loc[gdf["id"].astype(str) == str(row.id), row.field] = row.value
    return {path.stem: decode(gdf, list(fmap.loc[fmap["encoding"] == "json", "original_name"]))}
