"""Non-spatial tables that travel with an export (e.g. the agreements table), where the format can hold them.

A GeoPackage (and the GeoPackage of a QGIS project) holds them as attribute tables, which QGIS lists like
layers; a Shapefile zip and a folder of per-layer files get ``<name>.table.csv`` (lists as JSON text). A
single-layer file has nowhere to put them: the export says so once.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyogrio

from geo.exporter.json_fields import jsonable
from geo.exporter.losses import Losses
from geo.formats import GPKG_SUFFIX

if TYPE_CHECKING:
    from geo.formats import Format

__all__ = ["TABLE_SUFFIX", "flatten", "write_tables"]

#: File name ending of a table in a folder or zip export.
TABLE_SUFFIX = ".table.csv"


def flatten(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `table` with lists and records as JSON text (what CSV and GeoPackage fields hold)."""
    out = table.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, list | tuple | dict)).any():
            out[col] = out[col].map(lambda v: None if v is None else json.dumps(jsonable(v), ensure_ascii=False))
    return out


def write_tables(
    tables: Mapping[str, pd.DataFrame], out: Path, *, spec: Format, as_folder: bool, losses: Losses
) -> dict[str, int]:
    """Write `tables` into the export at `out` (in its temporary place); return the rows written per table.

    Where they go is the format's ``tables`` capability: the GeoPackage (``out``, or the one beside a
    project), members of the zip, or ``<name>.table.csv`` files in a folder export.
    """
    if not tables:
        return {}
    written: dict[str, int] = {}
    for name, table in tables.items():
        flat = flatten(table)
        if spec.tables == "gpkg" and not as_folder:
            gpkg = out if out.suffix.lower() == ".gpkg" else out.with_suffix(GPKG_SUFFIX)  # or a project's
            pyogrio.write_dataframe(flat, gpkg, layer=name, driver="GPKG", append=True)
        elif spec.tables == "zip" and not as_folder and out.suffix.lower() == ".zip":  # a .shp holds no table
            with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(f"{name}{TABLE_SUFFIX}", flat.to_csv(index=False))
        elif as_folder:
            flat.to_csv(out / f"{name}{TABLE_SUFFIX}", index=False, encoding="utf-8")
        else:
            losses.add(
                "tables not carried by a one-layer file (export to .gpkg, a .zip or a folder to keep them)", name
            )
            continue
        written[name] = len(table)
    return written
