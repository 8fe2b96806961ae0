"""The provenance manifest: one record per data file in ``layers/`` (source, licence, version, date, sha256)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from geo.paths import LAYERS_DIR, MANIFEST, sha256_file

__all__ = [
    "CURATED_LICENCE",
    "curated_records",
    "manifest_markdown",
    "read_manifest",
    "refresh_curated",
    "stale_records",
    "write_manifest",
]

CURATED_LICENCE = "CC BY 4.0 (this curation); facts and coordinates from the sources cited per feature"
_CURATED_BASIS = (
    "Checked research in layers/research-notes/reference (facts.md, coordinates.md, open-questions.md, "
    "audit-2026-12.md) and its follow-up; sources per feature; coordinates from cited sources or GeoNames places"
)


#: Tables: key -> (file, description, basis, date of the research behind it).
_TABLES = {
    "production": (
        "tables/production.csv",
        "World production by mineral and country (rows: figures)",
        "facts.md §2 (WNA, USGS via Argus, nai500, Visual Capitalist/White & Case, …), one source per row",
        "2026-11-25",
    ),
    "agreements": (
        "tables/agreements.toml",
        "Agreements behind the February 2026 news and earlier UK-Central Asia accords (rows: agreements)",
        "Research with sources per agreement (issue 11); links to curated features by id",
        "2026-12-01",
    ),
    "uk_minerals": (
        "tables/uk_minerals.csv",
        "The UK's mineral lists (critical 2021, critical 2024, growth 2025) with a source per member "
        "(rows: members, NOT FOUND rows for members no source names)",
        "IEA policy database (2021 list); mining-technology.com, miningwatch.news, metalswire.net (2024 "
        "assessment, BGS OR/24/047); cpbml.org.uk (Vision 2035 growth minerals)",
        "2026-12-08",
    ),
    "region_aliases": (
        "reference/region_aliases.csv",
        "Today's region names -> the Natural Earth polygon holding them",
        "Hand-written from the 2018 and 2022 reforms (open-questions.md §4; Natural Earth names)",
        "2026-11-25",
    ),
}


def _rows(path: Path) -> int:
    """Rows of a table file: CSV lines after the header, or TOML records."""
    if path.suffix == ".toml":
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        return sum(len(v) for v in doc.values() if isinstance(v, list))
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


def read_manifest(layers_dir: Path | None = None) -> dict[str, Any]:
    """Return the manifest (``{"files": {layer: record}}``); empty if there is none yet."""
    path = (layers_dir or LAYERS_DIR) / MANIFEST
    if not path.exists():
        return {"files": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(manifest: dict[str, Any], layers_dir: Path | None = None) -> Path:
    """Write the manifest with its records sorted, and the human-readable ``README.md`` beside it."""
    layers_dir = layers_dir or LAYERS_DIR
    path = layers_dir / MANIFEST
    manifest["files"] = dict(sorted(manifest["files"].items()))
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (layers_dir / "README.md").write_text(manifest_markdown(manifest), encoding="utf-8")
    return path


_CONTRIBUTING = """
## Adding or correcting a curated feature

1. Find a public source that states what you add, and keep its URL (a print or offline document gets
   `url = ""` and `offline = "why"`). Facts come from sources, never from memory.
2. Add a `[[features]]` block to the layer's file in `curated/`, copying a neighbour: `id` (a lowercase slug with
   the country prefix), `name`, `kind`, `country`, `status`, `confidence` (H/M/L), `as_of` (the date the status is
   known to be true: no more than 90 days behind the newest source), `sources`, and the layer's own fields
   (`geo/registry.py` lists them; an unknown field is an error). Each source has a `type`: `official`, `regulator`,
   `exchange_filing`, `company` (the operator's or owner's own publication), `news`, `research`, `encyclopedia`,
   `mirror` (a copy on another domain: a Wikipedia copy is a mirror whatever it calls itself) or `aggregator`
   (compiles or rounds others' figures). Cite the original, not a mirror, wherever it is found. Figures (`owners`,
   `capacity`, `production`, `reserves`) and dated `events` carry the `source` URL they come from, which must also
   be in `sources`; no figure may rest on a mirror or an aggregator alone.
3. Record when the status was last verified: `checked = "YYYY-MM-DD"`, backed by a source dated within the year
   before it or, when nothing newer was found, by `searched` (what was searched, where, and what was not found).
   If the feature connects to the UK, add `uk_link = [{ kind, note, source }]` with a kind from `london_listed`,
   `uk_owned`, `uk_finance`, `uk_university` or `uk_agreement` and a source URL among the feature's sources.
4. Locate it honestly: `precision = "site"` only with the coordinate a source states (its text in `stated`, no more
   decimals than it warrants, an `uncertainty_m` no finer than its resolution); otherwise the GeoNames place the source
   names (`town`/`district`, with a radius that covers what the source says), or a region or country (`areas`), or
   `unknown`. Where sources disagree, set `disputed = true` and give each reading.
5. Link it to an agreement in `tables/agreements.toml` if one names it.
6. Run `geo data audit` (no faults allowed), `geo data manifest` (refreshes this page and the checksums) and
   `make test-fast`; commit the TOML, `manifest.json` and this README together.
"""


def manifest_markdown(manifest: dict[str, Any]) -> str:
    """Return the provenance of every data file as a Markdown page (generated: edit the sources, not this)."""
    lines = [
        "# layers/: provenance",
        "",
        "Generated from `manifest.json` by `geo data manifest` / `geo data rebuild`; do not edit by hand.",
        "All files are EPSG:4326 (WGS84 longitude/latitude). Curated files are TOML resolved by `geo.load`;",
        "reference files are cut from the pinned registry packages by `geo data rebuild` (sha256-checked).",
        "`tables/production.csv` holds world production figures with a source, its URL (or why it has none), year "
        "and confidence per row.",
        "",
        "| file | layer | kind | features | source (version, sha256) | licence | built | file sha256 |",
        "|---|---|---|---:|---|---|---|---|",
    ]
    for record in manifest["files"].values():
        sources = "; ".join(
            f"{s['registry']} `{s['package']}` {s['version']} (sha256 {s['sha256'][:12]}…)"
            if "package" in s
            else s.get("basis", "")
            for s in record.get("sources", [])
        )
        licence = record.get("licence") or "; ".join(
            f"{s['licence']}; data: {s['data']}" for s in record.get("sources", []) if "licence" in s
        )
        lines.append(
            f"| `{record['file']}` | {record['layer']} | {record['kind']} | {record['features']} | {sources} | "
            f"{licence} | {record['built']} | `{record['sha256'][:12]}…` |"
        )
    return "\n".join(lines) + "\n" + _CONTRIBUTING


def curated_records(layers_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Return the manifest records the shipped curated files and tables should have now (reads, never writes)."""
    from geo import registry

    layers_dir = layers_dir or LAYERS_DIR
    records: dict[str, dict[str, Any]] = {}
    for name in registry.curated():
        spec = registry.get(name)
        if spec.layers_dir is not None:  # registered from another folder: not part of the shipped manifest
            continue
        path = spec.path(layers_dir)
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        records[name] = {
            "file": spec.file,
            "layer": name,
            "kind": "curated",
            "description": doc.get("title", spec.title),
            "features": len(doc.get("features", [])),
            "sha256": sha256_file(path),
            "built": str(doc.get("as_of", "")),
            "licence": CURATED_LICENCE,
            "sources": [{"basis": _CURATED_BASIS}],
        }
    for key, (rel, description, basis, as_of) in _TABLES.items():
        path = layers_dir / rel
        records[key] = {
            "file": rel,
            "layer": key,
            "kind": "table",
            "description": description,
            "features": _rows(path),
            "sha256": sha256_file(path),
            "built": as_of,
            "licence": CURATED_LICENCE,
            "sources": [{"basis": basis}],
        }
    return records


def stale_records(layers_dir: Path | None = None) -> list[str]:
    """Return the curated files and tables whose manifest record is out of date (reads, never writes)."""
    current = read_manifest(layers_dir)["files"]
    return [k for k, rec in curated_records(layers_dir).items() if current.get(k) != rec]


def refresh_curated(layers_dir: Path | None = None) -> list[str]:
    """Update the records of the curated TOML files and tables (checksum, date, feature count); no network.

    Returns
    -------
    list of str
        The layers whose record changed.
    """
    layers_dir = layers_dir or LAYERS_DIR
    manifest = read_manifest(layers_dir)
    changed = []
    for key, record in curated_records(layers_dir).items():
        if manifest["files"].get(key) != record:
            manifest["files"][key] = record
            changed.append(key)
    write_manifest(manifest, layers_dir)
    return changed
