"""Where the shipped layers live, and small file helpers shared by the data and export code."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import ExportError

if TYPE_CHECKING:
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "CACHE_ENV",
    "LAYERS_DIR",
    "MANIFEST",
    "MAPS_DIR",
    "TMP_MARK",
    "atomic_path",
    "cache_dir",
    "check_writable",
    "sha256_file",
    "temporaries",
    "without_m",
    "write_error",
    "write_geojson",
    "write_lock",
]

logger = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
#: The layers folder: inside the wheel as ``geo/_layers``; in a checkout, the repository's ``layers/``.
LAYERS_DIR = _HERE / "_layers" if (_HERE / "_layers").is_dir() else _HERE.parent / "layers"
#: The map recipes: inside the wheel as ``geo/_maps``; in a checkout, the repository's ``maps/``.
MAPS_DIR = _HERE / "_maps" if (_HERE / "_maps").is_dir() else _HERE.parent / "maps"
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


#: Temporary outputs are named ``.{target name}{TMP_MARK}{random}{suffix}`` beside the target.
TMP_MARK = ".tmp-"
_LOCK_TRIES = 3


def _lock_name(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


def temporaries(path: Path) -> list[Path]:
    """Return the temporary files and folders of writes to `path` (finished or not) lying beside it."""
    prefix = f".{path.name}{TMP_MARK}"
    try:
        return sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix))
    except FileNotFoundError:
        return []


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_error(path: Path, err: OSError) -> ExportError:
    """Turn an OSError met while writing `path` into a one-line `ExportError` saying what to do."""
    if isinstance(err, PermissionError) or err.errno == errno.EROFS:
        msg = f"Cannot write {path}: the folder {path.parent} is read-only for you. Choose another output path."
    elif err.errno == errno.ENOSPC:
        msg = f"Cannot write {path}: the disk is full. Free some space or choose another output path."
    else:
        msg = f"Cannot write {path}: {err.strerror or err}. Choose another output path."
    return ExportError(msg)


def _acquire(lock: Path, path: Path) -> int:
    """Open and lock `lock` without waiting; return its descriptor."""
    for _ in range(_LOCK_TRIES):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise write_error(path, err) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            msg = (
                f"Cannot write {path}: another process is writing it right now (it holds {lock.name}). "
                "Wait for it to finish, or write to another path."
            )
            raise ExportError(msg) from None
        try:  # a writer that just finished removes the lock file: make sure ours is still the one in place
            current = os.stat(lock).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            return fd
        os.close(fd)
    msg = f"Cannot write {path}: its lock {lock.name} keeps changing; another process is writing it. Try again."
    raise ExportError(msg)


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Hold an advisory lock on `path` for the block, so concurrent writers give one success and one error.

    The lock is ``.{name}.lock`` beside `path` (``flock``, released by the kernel if the process dies).
    While it is held, any temporary left beside `path` by an earlier write that was killed is stale
    and is removed.

    Raises
    ------
    ExportError
        Another process holds the lock, or the folder cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_name(path)
    fd = _acquire(lock, path)
    try:
        for stale in temporaries(path):
            logger.info("Removing %s, left by an earlier write to %s that did not finish", stale, path)
            _remove(stale)
        yield
    finally:
        lock.unlink(missing_ok=True)  # removed while still held, then released
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.

    A failed or killed write never leaves a half-written `path` behind: the temporary is removed when
    the block fails (and on SIGTERM/SIGINT in the CLI), or by the next write to `path` if the process
    was killed. The write holds :func:`write_lock`, so a concurrent write to the same path fails with
    a clear `ExportError` instead of silently replacing this one. With ``overwrite=False`` an existing
    `path` (e.g. written meanwhile by another process) is an error, checked under the lock.

    Raises
    ------
    ExportError
        Another process is writing `path`, the folder is read-only or full, or `path` exists and
        `overwrite` is false.
    """
    with write_lock(path):
        if path.exists() and not overwrite:
            msg = f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
            raise ExportError(msg)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", suffix=path.suffix, dir=path.parent)
        except OSError as err:
            raise write_error(path, err) from None
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # drivers want to create the file themselves
        try:
            yield tmp
            tmp.replace(path)
        except PermissionError as err:
            raise write_error(path, err) from None
        finally:
            if tmp.exists():
                _remove(tmp)


def without_m(geom: BaseGeometry) -> BaseGeometry:
    """Return `geom` without M (measure) values, keeping Z; `geom` itself if it has none."""
    import shapely

    if not shapely.has_m(geom):
        return geom
    has_z = bool(shapely.has_z(geom))
    flat = shapely.force_2d(geom)
    return shapely.set_coordinates(
        shapely.force_3d(flat) if has_z else flat, shapely.get_coordinates(geom, include_z=has_z)
    )


def _rounded(geom: BaseGeometry | None, decimals: int) -> BaseGeometry | None:
    """Round coordinates, keeping Z (RFC 7946: an optional third position) and dropping M (no place in GeoJSON)."""
    import numpy as np
    import shapely

    if geom is None:
        return None
    geom = without_m(geom)
    out = shapely.transform(geom, lambda xy: np.round(xy, decimals), include_z=None)
    if out.geom_type in ("Polygon", "MultiPolygon"):
        out = shapely.orient_polygons(out)  # RFC 7946 §3.1.6: exterior rings counterclockwise
    if out.is_valid:
        return out
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom  # a line part collapsed by rounding: keep the exact coordinates
    return shapely.make_valid(out, method="structure", keep_collapsed=False)


def _plain(value: object) -> object:
    """Turn numpy and pandas scalars and arrays into JSON-ready Python values (NaN and NA become None)."""
    import numpy as np
    import pandas as pd

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
    import shapely.geometry

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
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path.cwd())
    if not folder.is_dir():
        msg = f"Cannot write {path}: {folder} is a file, not a folder. Choose another output path."
        raise ExportError(msg)
    if not os.access(folder, os.W_OK):
        msg = f"Cannot write {path}: the folder {folder} is read-only. Choose another output path."
        raise ExportError(msg)
