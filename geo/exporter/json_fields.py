"""Turning a layer's columns into what a file format can hold, and back.

List and record fields become JSON text where a format has no lists; :func:`decode` turns them back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["decode", "is_list_column", "json_columns", "jsonable", "lists_to_json"]


def is_list_column(series: pd.Series) -> bool:
    """Whether every non-null value of `series` is a list, tuple, dict or array."""
    values = series.dropna()
    return bool(
        series.dtype == object
        and len(values)
        and values.map(lambda v: isinstance(v, list | tuple | dict | np.ndarray)).all()
    )


def jsonable(value: object) -> object:
    """Arrays and tuples as lists, for ``json.dumps``."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def lists_to_json(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return `gdf` with list columns as JSON text (a copy if any), and the names of those columns."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name and is_list_column(gdf[c])]
    if not cols:
        return gdf, []
    out = gdf.copy()
    for col in cols:
        out[col] = out[col].map(lambda v: None if v is None else json.dumps(jsonable(v), ensure_ascii=False))
    return out, cols


def decode(gdf: gpd.GeoDataFrame, json_cols: Sequence[str]) -> gpd.GeoDataFrame:
    """Parse the JSON text of `json_cols` back into lists and records."""
    for col in json_cols:
        if col in gdf:
            gdf[col] = gdf[col].map(lambda v: json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v)
    return gdf


def json_columns(gdf: gpd.GeoDataFrame) -> list[str]:
    """Text columns whose every value looks like a JSON list or table."""
    cols = []
    for col in gdf.columns:
        if col == gdf.geometry.name or gdf[col].dtype not in (object, "str", "string"):
            continue
        values = gdf[col].dropna().astype(str)
        if len(values) and values.str.match(r"^\s*[\[{]").all():
            cols.append(col)
    return cols
