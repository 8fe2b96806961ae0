"""A compact, lossless-enough encoding of a large point layer: every point identifiable at any scale.

Positions are quantised to a grid of :data:`STEP_DEG` degrees (4.4 m north-south, less east-west: under
2.3 m from the true point), sorted west to east and stored as deltas; every attribute column travels in
a columnar block (dictionary codes for repeated text, UTF-8 for unique text, float64 for numbers, a
null mask where needed). Both blocks are byte-shuffled, deflated and base64-encoded. The page inflates
the positions at load (the browser's own ``DecompressionStream``, no library) and the attributes only
on the first click, so a click at any zoom shows the point's name and every attribute it carries.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo import symbology

__all__ = ["STEP_DEG", "colour_classes", "pack_points"]

#: The position grid in degrees: 4.4 m of latitude, under 3.4 m of longitude north of 40°.
STEP_DEG = 4e-5
_METRES_PER_DEGREE = 111_320.0
_LEVEL = 1  # deflate level (with Z_RLE the level hardly matters)
_MAX_CATEGORIES = len(symbology.USER_COLOURS)
_SAMPLE = 10_000


def _b64(data: bytes) -> str:
    """Deflate (zlib format, any inflater reads it) and base64-encode.

    Run-length matching only (``Z_RLE``): the byte planes are runs of similar bytes, so it is both
    faster (0.7x the time at 1M points) and smaller than level-1 string matching.
    """
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, 9, zlib.Z_RLE)
    return base64.b64encode(packer.compress(data) + packer.flush()).decode("ascii")


def _shuffled(values: np.ndarray) -> bytes:
    """Byte planes (all first bytes, then all second bytes...): similar bytes sit together and deflate well."""
    raw = np.ascontiguousarray(values).view("u1").reshape(-1, values.dtype.itemsize)
    return raw.T.tobytes()


def _codes(codes: np.ndarray, count: int) -> tuple[str, np.ndarray]:
    dtype = "<u1" if count < 2**8 else "<u2" if count < 2**16 else "<u4"
    return dtype, codes.astype(dtype)


def _strings(arr: pa.StringArray) -> tuple[np.ndarray, bytes]:
    """Return the UTF-8 lengths and bytes of a string array (Arrow keeps them that way: no Python loop)."""
    offsets = np.frombuffer(arr.buffers()[1], dtype="<i4")[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    body = b"" if data is None else data.to_pybytes()[int(offsets[0]) : int(offsets[-1])]
    return np.diff(offsets).astype("<u4"), body


def _column(values: pd.Series) -> tuple[dict[str, Any], list[bytes]]:
    """Encode one attribute column; return its header and the byte segments it adds to the block."""
    header: dict[str, Any] = {"name": str(values.name)}
    missing = values.isna().to_numpy()
    segments: list[bytes] = []
    if missing.any():
        header["nulls"] = True
        segments.append(np.packbits(missing, bitorder="little").tobytes())
    if pd.api.types.is_bool_dtype(values):
        header["type"] = "bool"
        segments.append(values.fillna(False).to_numpy(dtype="u1").tobytes())
    elif pd.api.types.is_numeric_dtype(values):
        header["type"] = "int" if pd.api.types.is_integer_dtype(values) else "float"
        segments.append(_shuffled(values.to_numpy(dtype="<f8", na_value=np.nan)))
    else:
        arr = pa.array(values.astype("string"), type=pa.string())
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        sample = arr.slice(0, _SAMPLE)  # unique text (names) is not worth a dictionary: judge from a sample first
        repeated = pc.count_distinct(sample).as_py() <= len(sample) // 2
        codes = pc.dictionary_encode(arr) if repeated else None
        if codes is not None and len(codes.dictionary) <= len(values) // 2:  # a dictionary and one code per point
            dtype, packed = _codes(codes.indices.fill_null(0).to_numpy(zero_copy_only=False), len(codes.dictionary))
            lengths, body = _strings(codes.dictionary)
            header |= {"type": "dict", "codes": dtype, "size": len(codes.dictionary)}
            segments += [lengths.tobytes(), body, _shuffled(packed)]
        else:
            lengths, body = _strings(arr)
            header["type"] = "text"
            segments += [_shuffled(lengths), body]
    header["sizes"] = [len(s) for s in segments]
    return header, segments


def colour_classes(values: pd.Series) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Class codes (0 = the first legend entry) and legend entries for colouring by `values`."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype="f8", na_value=np.nan)
        finite = numbers[np.isfinite(numbers)]
        edges: np.ndarray | list[float] = (
            np.unique(np.quantile(finite, np.linspace(0, 1, len(symbology.SEQUENTIAL) + 1))) if len(finite) else []
        )
        classes = max(len(edges) - 1, 1)
        codes = np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, classes - 1)
        legend = [
            {"label": f"{edges[i]:,.4g} to {edges[i + 1]:,.4g}" if len(edges) > 1 else "all", "color": c}
            for i, c in enumerate(symbology.SEQUENTIAL[:classes])
        ]
        missing = ~np.isfinite(numbers)
    else:
        text = values.astype("string")
        counts = text.value_counts()
        top = sorted(counts.index[:_MAX_CATEGORIES] if len(counts) > _MAX_CATEGORIES else counts.index)
        if len(counts) > _MAX_CATEGORIES:
            top = top[: _MAX_CATEGORIES - 1]
        codes = pd.Categorical(text, categories=top).codes.astype("i8")  # -1: another value, or none
        codes[codes < 0] = len(top)
        legend = [{"label": str(v), "color": symbology.USER_COLOURS[i]} for i, v in enumerate(top)]
        if len(counts) > len(top):
            legend.append({"label": "other values", "color": symbology.NO_DATA})
        missing = text.isna().to_numpy()
    if missing.any():
        codes = np.where(missing, len(legend), codes)
        legend.append({"label": "no value", "color": symbology.NO_DATA})
    return codes.astype("u1"), legend


def pack_points(
    gdf: gpd.GeoDataFrame, *, name_column: str | None, color_by: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Encode a WGS84 point layer; return the payload the page decodes and the layer's colour legend (if any).

    Parameters
    ----------
    gdf
        Points in WGS84 (no missing geometries).
    name_column
        The column a popup uses as its title (``None``: the row number).
    color_by
        A column whose values colour the points (categories, or five classes of a number).
    """
    xy = shapely.get_coordinates(gdf.geometry.to_numpy())
    lon, lat = xy[:, 0], xy[:, 1]
    west, south = float(np.floor(lon.min() / STEP_DEG) * STEP_DEG), float(np.floor(lat.min() / STEP_DEG) * STEP_DEG)
    qx = np.round((lon - west) / STEP_DEG).astype("i8")
    qy = np.round((lat - south) / STEP_DEG).astype("i8")
    # West to east (the x deltas are small), then south to north: one integer key, one sort.
    order = np.argsort(qx * (int(qy.max()) + 1) + qy, kind="stable")
    qx, qy = qx[order], qy[order]
    dx = np.diff(qx, prepend=0).astype("<u4")
    out: dict[str, Any] = {
        "n": len(gdf),
        "origin": [west, south],
        "step": STEP_DEG,
        "step_m": round(STEP_DEG * _METRES_PER_DEGREE, 1),
        "xy": _b64(_shuffled(dx) + _shuffled(qy.astype("<u4"))),
        "title": name_column,
    }
    legend: list[dict[str, Any]] = []
    if color_by is not None:
        codes, legend = colour_classes(gdf[color_by].iloc[order].reset_index(drop=True))
        out |= {"ci": _b64(codes.tobytes()), "colors": [e["color"] for e in legend], "color_by": color_by}
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    if not isinstance(gdf.index, pd.RangeIndex):  # an index the user set is an attribute too
        frame.insert(0, str(gdf.index.name or "index"), gdf.index.to_numpy())
    columns, segments = [], []
    for col in frame.columns:
        header, parts = _column(frame[col].iloc[order].reset_index(drop=True))
        columns.append(header)
        segments += parts
    out["columns"] = columns
    out["attrs"] = _b64(b"".join(segments))
    return out, legend
