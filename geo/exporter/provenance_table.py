"""The provenance table of an export: one row per layer written, from the registry and the manifest.

It says where each layer comes from (packages and versions, or the curated research), under which
licence, the checksum of the shipped file it was loaded from, which half of a split it is and what its
precision levels mean, so a table in a database still says what it is once separated from geo.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import precision, registry
from geo._version import __version__
from geo.errors import UnknownLayerError
from geo.exporter.split import part_of
from geo.provenance import read_manifest

__all__ = ["PROVENANCE_COLUMNS", "provenance_table"]

PROVENANCE_COLUMNS = (
    "layer",
    "source_layer",
    "part",
    "title",
    "kind",
    "features",
    "precision",
    "sources",
    "licence",
    "source_file",
    "source_sha256",
    "geo_version",
)

_PART_WORDS = {
    "points": "point-level features ({levels}); features with no location are listed here without a geometry",
    "areas": "somewhere-inside features ({levels}): the polygon is where the feature lies, not its area",
    "whole": "the whole layer",
}


def _sources(record: Mapping[str, Any]) -> str:
    parts = []
    for src in record.get("sources", []):
        if "package" in src:
            parts.append(f"{src['package']} {src['version']} ({src['registry']}; {src.get('data', '')})")
        else:
            parts.append(str(src.get("basis", "")))
    return "; ".join(parts)


def _licence(record: Mapping[str, Any]) -> str:
    if record.get("licence"):
        return str(record["licence"])
    return "; ".join(f"{s['licence']} / data: {s.get('data', '')}" for s in record.get("sources", []) if "licence" in s)


def provenance_table(frames: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """One row per layer of an export (see :data:`PROVENANCE_COLUMNS`); a user's layer says so."""
    files = read_manifest()["files"]
    rows = []
    for name, gdf in frames.items():
        source, part = part_of(name, gdf)
        try:
            spec: registry.LayerSpec | None = registry.get(source)
        except UnknownLayerError:
            spec = None
        record = files.get(source, {}) if spec is not None and spec.layers_dir is None else {}
        levels = sorted(set(gdf["location_precision"].dropna())) if "location_precision" in gdf else []
        words = {k: precision.get(k).words for k in levels if k in precision.LEVELS}
        rows.append(
            {
                "layer": name,
                "source_layer": source,
                "part": _PART_WORDS[part].format(levels=", ".join(levels) or "none"),
                "title": spec.title if spec is not None else name,
                "kind": spec.kind if spec is not None else "user",
                "features": len(gdf),
                "precision": json.dumps(words, ensure_ascii=False) if words else None,
                "sources": _sources(record) or ("sources per feature, in its sources field" if words else None),
                "licence": _licence(record) or None,
                "source_file": record.get("file"),
                "source_sha256": record.get("sha256"),
                "geo_version": __version__,
            }
        )
    return pd.DataFrame(rows, columns=list(PROVENANCE_COLUMNS))
