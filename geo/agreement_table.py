"""Agreements as data: the accords behind the February 2026 news item, and the earlier ones they build on.

``layers/tables/agreements.toml`` holds one record per agreement (memorandum, roadmap, strategy, contract,
decree ...): its parties, date, value, status, sources and the curated features it concerns (many to many;
an agreement may name no place, and then says so in ``location_note``). Each curated feature carries the ids
of the agreements that name it in its ``agreements`` column (filled in by :func:`geo.catalog.load`).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import registry
from geo.agreement_file import AGREEMENTS_FILE, read_records
from geo.catalog import load
from geo.errors import LayerSchemaError, UnknownNameError
from geo.paths import LAYERS_DIR
from geo.registry import CONFIDENCE
from geo.schema import DATE_PATTERN, sources_problem

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["KINDS", "STATUSES", "agreements", "features_of"]

KINDS = (
    "memorandum",
    "roadmap",
    "strategy",
    "agreement",
    "contract",
    "decree",
    "programme",
    "joint statement",
)
STATUSES = ("signed", "announced", "published", "in force", "completed", "unknown")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = {
    "id",
    "title",
    "kind",
    "parties",
    "signatories",
    "date",
    "date_note",
    "place",
    "value",
    "status",
    "confidence",
    "summary",
    "builds_on",
    "features",
    "location_note",
    "sources",
}
_REQUIRED = ("id", "title", "kind", "parties", "date", "status", "confidence", "summary", "sources")


def _problems(record: dict[str, Any], ids: set[str]) -> list[str]:
    aid = str(record.get("id", "?"))
    out = [f"agreement {aid!r}: missing {key!r}" for key in _REQUIRED if key not in record]
    if extra := sorted(set(record) - _KEYS):
        out.append(f"agreement {aid!r}: unknown key(s) {extra}; use {sorted(_KEYS)}")
    checks = [
        (bool(_SLUG.match(aid)), "id must be a lowercase slug"),
        (record.get("kind") in KINDS, f"kind must be one of {list(KINDS)}"),
        (record.get("status") in STATUSES, f"status must be one of {list(STATUSES)}"),
        (record.get("confidence") in CONFIDENCE, "confidence must be H, M or L"),
        (
            re.match(DATE_PATTERN, str(record.get("date") or "")) is not None or bool(record.get("date_note")),
            "date must be YYYY[-MM[-DD]] (or empty with a date_note)",
        ),
    ]
    out += [f"agreement {aid!r}: {what}" for ok, what in checks if not ok]
    if problem := sources_problem(record.get("sources")):
        out.append(f"agreement {aid!r}: {problem}")
    if unknown := sorted(set(record.get("builds_on") or []) - ids):
        out.append(f"agreement {aid!r}: builds_on names unknown agreement(s) {unknown}")
    return out


def agreements(*, layers_dir: Path | None = None) -> pd.DataFrame:
    """Return the agreements table, validated: one row per agreement.

    Columns: ``id, title, kind, parties, signatories, date, date_note, place, value_amount, value_currency,
    value_note, status, confidence, summary, builds_on, features, location_note, sources``. ``features``
    lists curated feature ids (possibly none: then ``location_note`` says why).

    Raises
    ------
    LayerSchemaError
        Listing every problem: missing keys, bad vocabularies or dates, sources without URLs, and
        feature ids or ``builds_on`` ids that do not exist.
    """
    import pandas as pd

    base = layers_dir or LAYERS_DIR
    records = read_records(base)
    ids = {str(r.get("id")) for r in records}
    known = {fid for name in registry.curated() for fid in load(name, layers_dir=layers_dir)["id"]}
    problems = [p for r in records for p in _problems(r, ids)]
    if len(ids) != len(records):
        problems.append("agreement ids are not unique")
    for r in records:
        if missing := sorted(set(r.get("features") or []) - known):
            problems.append(f"agreement {r.get('id')!r}: no curated feature(s) {missing}")
    if problems:
        msg = f"{base / AGREEMENTS_FILE} has {len(problems)} problem(s): " + "; ".join(problems) + "."
        raise LayerSchemaError(msg)
    rows = []
    for r in records:
        value = r.get("value") or {}
        rows.append(
            {
                "id": r["id"],
                "title": r["title"],
                "kind": r["kind"],
                "parties": list(r.get("parties") or []),
                "signatories": list(r.get("signatories") or []),
                "date": str(r.get("date") or "") or None,
                "date_note": r.get("date_note"),
                "place": r.get("place"),
                "value_amount": value.get("amount"),
                "value_currency": value.get("currency"),
                "value_note": value.get("note"),
                "status": r["status"],
                "confidence": r["confidence"],
                "summary": r["summary"],
                "builds_on": list(r.get("builds_on") or []),
                "features": list(r.get("features") or []),
                "location_note": r.get("location_note"),
                "sources": [{k: str(v) for k, v in s.items()} for s in r.get("sources") or []],
            }
        )
    table = pd.DataFrame(rows)
    table["value_amount"] = table["value_amount"].astype("float64")
    return table


def features_of(agreement_id: str, *, layers_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Return the curated features an agreement names, from every layer, with a ``layer`` column.

    An agreement that names no place gives an empty frame; its ``location_note`` says why.

    Raises
    ------
    UnknownNameError
        If there is no agreement `agreement_id`; the message lists some that exist.
    """
    import geopandas as gpd
    import pandas as pd

    table = agreements(layers_dir=layers_dir)
    if agreement_id not in set(table["id"]):
        close = difflib.get_close_matches(str(agreement_id), list(table["id"]), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(close)}?" if close else f"e.g. {', '.join(table['id'].head(5))}"
        msg = f"No agreement {agreement_id!r}; {hint} (see geo.agreements())."
        raise UnknownNameError(msg)
    frames = [load(name, layers_dir=layers_dir) for name in registry.curated()]
    hits = [f[f["agreements"].map(lambda ids: agreement_id in ids)] for f in frames]
    columns = ["id", "name", "layer", "kind", "country", "status", "location_precision", "geometry"]
    found = pd.concat([h[columns] for h in hits], ignore_index=True)
    return gpd.GeoDataFrame(found, geometry="geometry", crs="EPSG:4326")
