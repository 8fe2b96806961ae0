"""The agreements file as written: ``layers/tables/agreements.toml``, read without validating it.

Two things need it below the layer catalogue: each curated feature's ``agreements`` column (filled in by
:func:`geo.catalog.load` from :func:`feature_links`) and the map's labels (:func:`titles`). The validated
table, checked against the curated layers, is :func:`geo.agreement_table.agreements`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from geo.errors import LayerSchemaError
from geo.paths import LAYERS_DIR

__all__ = ["AGREEMENTS_FILE", "feature_links", "read_records", "titles"]

#: The agreements table, relative to the layers folder.
AGREEMENTS_FILE = "tables/agreements.toml"


def read_records(layers_dir: Path) -> list[dict[str, Any]]:
    """Return the records of the agreements file in `layers_dir` as written (none if there is no file)."""
    path = layers_dir / AGREEMENTS_FILE
    if not path.exists():
        return []
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        msg = f"{path} is not valid UTF-8 TOML: {err}. Fix the syntax at the position shown."
        raise LayerSchemaError(msg) from None
    return list(doc.get("agreements") or [])


def feature_links(*, layers_dir: Path | None = None) -> dict[str, list[str]]:
    """Return curated feature id -> the ids of the agreements that name it (read as written, not validated)."""
    links: dict[str, list[str]] = {}
    for record in read_records(layers_dir or LAYERS_DIR):
        for fid in record.get("features") or []:
            links.setdefault(str(fid), []).append(str(record.get("id")))
    return links


def titles(*, layers_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """Return agreement id -> ``{"title", "date"}`` as the table file states them, without validating it.

    For labels (the map's popups and filters): reading the file is cheap, while :func:`agreements` loads every
    curated layer to check the feature ids it names. ``geo data audit`` and the tests validate the file.
    """
    return {
        str(r.get("id")): {"title": str(r.get("title") or r.get("id")), "date": str(r.get("date") or "")}
        for r in read_records(layers_dir or LAYERS_DIR)
    }
