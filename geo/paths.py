"""Where the shipped layers live, and small file helpers shared by the data and export code."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "CACHE_ENV",
    "LAYERS_DIR",
    "MANIFEST",
    "atomic_path",
    "cache_dir",
    "check_writable",
    "sha256_file",
    "write_geojson",
]

_HERE = Path(__file__).resolve().parent
#: The layers folder: inside the wheel as ``geo/_layers``; in a checkout, the repository's ``layers/``.
LAYERS_DIR = _HERE / "_layers" if (_HERE / "_layers").is_dir() else _HERE.parent / "layers"
#: The provenance file, one record per data file.
MANIFEST = "manifest.json"
_DECIMALS = 5  # 1.1 m at the equator: finer than any source geometry here


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    A failed write never leaves a half-written `path` behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # drivers want to create the file themselves
    try:
        yield tmp
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _rounded(geom: BaseGeometry | None, decimals: int) -> BaseGeometry | None:
    if geom is None:
        return None
    out = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    if out.geom_type in ("Polygon", "MultiPolygon"):
        out = shapely.orient_polygons(out)  # RFC 7946 §3.1.6: exterior rings counterclockwise
    if out.is_valid:
        return out
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom  # a line part collapsed by rounding: keep the exact coordinates
    return shapely.make_valid(out, method="structure", keep_collapsed=False)


def _plain(value: object) -> object:
    """Turn numpy and pandas scalars and arrays into JSON-ready Python values (NaN and NA become None)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else value  # type: ignore[call-overload]


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, *, decimals: int = _DECIMALS, atomic: bool = True) -> Path:
    """Write `gdf` (EPSG:4326) as deterministic, RFC 7946 GeoJSON with native lists.

    Coordinates are rounded to `decimals` (5: about 1 m); properties keep their column order.
    With `atomic`, the file appears only once complete.
    """
    features = []
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    for row, geom in zip(gdf[props].itertuples(index=False, name=None), gdf.geometry, strict=True):
        g = _rounded(geom, decimals)
        features.append(
            {
                "type": "Feature",
                "properties": {k: _plain(v) for k, v in zip(props, row, strict=True)},
                "geometry": None if g is None else shapely.geometry.mapping(g),
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    if not atomic:
        path.write_text(text + "\n", encoding="utf-8")
        return path
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    return path


#: Environment variable naming the cache folder (default: the per-user cache of platformdirs).
CACHE_ENV = "CENTRALASIA_GEO_CACHE"


def cache_dir() -> Path:
    """Return the per-user cache folder for fetched data (downloads and the elevation grid).

    ``$CENTRALASIA_GEO_CACHE`` if set, else the platform's user cache folder
    (``~/.cache/centralasia-geo`` on Linux). The same folder whatever the working directory.
    """
    import platformdirs

    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("centralasia-geo")).expanduser()


def check_writable(path: Path) -> None:
    """Raise `ExportError` unless `path` could be created: its nearest existing folder must be a writable folder."""
    from geo.errors import ExportError

    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path.cwd())
    if not folder.is_dir():
        msg = f"Cannot write {path}: {folder} is a file, not a folder. Choose another output path."
        raise ExportError(msg)
    if not os.access(folder, os.W_OK):
        msg = f"Cannot write {path}: the folder {folder} is read-only. Choose another output path."
        raise ExportError(msg)
