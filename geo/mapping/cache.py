"""A cache of the shipped layers' map drawings, so the curated layers and basemap cost little after the first map.

A shipped layer taken whole draws the same way until its data or geo's code changes, so its payload is
kept in memory and on disk (``<cache_dir>/map-payloads``, :func:`geo.paths.cache_dir`), keyed by a
fingerprint of every shipped data file, every module of geo and the page's code (``static/``: its ES
modules and stylesheet, assembled into every map) (their sha256), the versions of the
libraries that shape the output, and the layer's own settings. A changed file or version gives a new
key; older entries are removed. The cached JSON is exactly what would be computed, so a map is
byte-identical with or without the cache (a test checks it).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.outputs import atomic_path
from geo.paths import LAYERS_DIR, cache_dir

__all__ = ["cached", "fingerprint"]

logger = logging.getLogger(__name__)

_FOLDER = "map-payloads"
_MEMORY: dict[str, dict[str, Any]] = {}
_CODE = Path(__file__).resolve().parents[1]
_STATIC = Path(__file__).resolve().parent / "static"
_LOCALE = _CODE / "locale"


def _stamp(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


@functools.lru_cache(maxsize=4)
def _digest(stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        digest.update(name.encode())
        digest.update(Path(name).read_bytes())
    for package in ("centralasia-geo", "shapely", "geopandas", "pandas", "numpy"):
        digest.update(f"{package}={importlib.metadata.version(package)}".encode())
    return digest.hexdigest()


def fingerprint() -> str:
    """Return the sha256 of the shipped data files, geo's modules, the page's code and the library versions."""
    files = sorted(p for p in LAYERS_DIR.rglob("*") if p.is_file()) + sorted(_CODE.rglob("*.py"))
    files += sorted(p for p in _STATIC.rglob("*") if p.is_file())  # the page's code, assembled into every map
    files += sorted(p for p in _LOCALE.rglob("*.po*") if p.is_file())  # the words, by language
    return _digest(_stamp(files))


def cached(key: dict[str, Any], compute: Callable[[], dict[str, Any]], *, use_cache: bool = True) -> dict[str, Any]:
    """Return ``compute()``, from memory or the disk cache when `key` (plus :func:`fingerprint`) was seen before."""
    if not use_cache:
        return compute()
    from geo.mapping.words import current_language

    stamp = fingerprint()
    key = {**key, "lang": current_language()}  # the words of the payload are the map's language's
    name = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    memory_key = f"{stamp}-{name}"
    if memory_key in _MEMORY:
        return _MEMORY[memory_key]
    folder = cache_dir() / _FOLDER
    path = folder / f"{stamp[:16]}-{name}.json"
    try:
        payload: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        logger.debug("Map payload of %s from %s", key.get("layer"), path)
    except (OSError, ValueError):
        payload = compute()
        _store(folder, path, payload, stamp)
    _MEMORY[memory_key] = payload
    return payload


def _store(folder: Path, path: Path, payload: dict[str, Any], stamp: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            if not old.name.startswith(stamp[:16]):
                old.unlink(missing_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    except OSError as err:  # a read-only cache only costs time
        logger.info("Could not cache a map payload in %s: %s", folder, err)
