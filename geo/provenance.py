"""The provenance manifest: one record per data file in ``layers/`` (source, licence, version, date, sha256)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from geo.paths import LAYERS_DIR, MANIFEST, sha256_file

__all__ = ["CURATED_LICENCE", "read_manifest", "refresh_curated", "write_manifest"]

CURATED_LICENCE = "CC BY 4.0 (this curation); facts and coordinates from the sources cited per feature"
_CURATED_BASIS = (
    "Checked research in shared/reference (facts.md, coordinates.md, open-questions.md); "
    "coordinates from cited sources or GeoNames places"
)


def read_manifest(layers_dir: Path | None = None) -> dict[str, Any]:
    """Return the manifest (``{"files": {layer: record}}``); empty if there is none yet."""
    path = (layers_dir or LAYERS_DIR) / MANIFEST
    if not path.exists():
        return {"files": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(manifest: dict[str, Any], layers_dir: Path | None = None) -> Path:
    """Write the manifest with its records sorted, so that rebuilds diff cleanly."""
    path = (layers_dir or LAYERS_DIR) / MANIFEST
    manifest["files"] = dict(sorted(manifest["files"].items()))
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def refresh_curated(layers_dir: Path | None = None) -> list[str]:
    """Update the records of the curated TOML files (checksum, date, feature count); no network.

    Returns
    -------
    list of str
        The layers whose record changed.
    """
    layers_dir = layers_dir or LAYERS_DIR
    manifest = read_manifest(layers_dir)
    changed = []
    for path in sorted((layers_dir / "curated").glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        record = {
            "file": path.relative_to(layers_dir).as_posix(),
            "layer": doc["layer"],
            "kind": "curated",
            "description": doc.get("title", doc["layer"]),
            "features": len(doc.get("features", [])),
            "sha256": sha256_file(path),
            "built": str(doc.get("as_of", "")),
            "licence": CURATED_LICENCE,
            "sources": [{"basis": _CURATED_BASIS}],
        }
        if manifest["files"].get(doc["layer"]) != record:
            manifest["files"][doc["layer"]] = record
            changed.append(doc["layer"])
    write_manifest(manifest, layers_dir)
    return changed
