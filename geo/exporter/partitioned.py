"""Partitioned GeoParquet: one layer as a folder of ``part-NNNNN.parquet`` files, for dask and DuckDB.

A folder of GeoParquet 1.1 files with the same schema is what ``dask_geopandas.read_parquet``,
``geopandas.read_parquet`` (through pyarrow datasets), DuckDB and GDAL read as one dataset;
``geo.read(folder)`` reads it whole and ``geo.read(folder, lazy=True)`` partition by partition.
Like every export it is written beside the target, counted, and only then put in place.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from geo.crs import require_crs
from geo.errors import ExportError

__all__ = ["write_partitioned"]

logger = logging.getLogger(__name__)


def _lazy(frame: Any) -> bool:
    return type(frame).__module__.split(".")[0] in ("dask", "dask_geopandas", "dask_expr")


def write_partitioned(
    frame: Any, folder: str | Path, *, rows_per_file: int = 1_000_000, overwrite: bool = False, name: str = "layer"
) -> dict[str, int]:
    """Write `frame` (a GeoDataFrame or a dask-geopandas frame) as a partitioned GeoParquet folder.

    Parameters
    ----------
    frame
        The layer. A dask frame is written one file per partition, without gathering it.
    folder
        The target folder; refused if it exists, unless `overwrite`.
    rows_per_file
        Rows per file for an in-memory frame.
    overwrite
        Replace the folder once the new one is complete.
    name
        The layer's name for messages.

    Returns
    -------
    dict[str, int]
        ``files`` and ``rows`` as read back from the files' metadata.

    Raises
    ------
    ExportError
        The folder exists without `overwrite`, `rows_per_file` is not positive, or the rows read
        back differ from the rows written.
    """
    folder = Path(folder).expanduser()
    if rows_per_file < 1:
        msg = f"rows_per_file must be at least 1, got {rows_per_file!r}."
        raise ExportError(msg)
    if folder.exists() and not overwrite:
        msg = f"{folder} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    require_crs(frame, name=name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        if _lazy(frame):
            frame.to_parquet(str(tmp), name_function=lambda i: f"part-{i:05d}.parquet", write_index=False)
            expected = None
        else:
            for i, start in enumerate(range(0, max(len(frame), 1), rows_per_file)):
                part = frame.iloc[start : start + rows_per_file]
                part.to_parquet(tmp / f"part-{i:05d}.parquet", schema_version="1.1.0", index=False)
            expected = len(frame)
        files = sorted(tmp.glob("*.parquet"))
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        if expected is not None and rows != expected:
            msg = f"Partitioned export of {name} read back {rows} rows, expected {expected}; nothing was written."
            raise ExportError(msg)
        if folder.exists():
            shutil.rmtree(folder)
        tmp.replace(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("Wrote %s: %d rows in %d files", folder, rows, len(files))
    return {"files": len(files), "rows": rows}
