"""What changed in the curated layers between two git revisions (or since a date).

Compares ``layers/curated/*.toml`` as committed at a revision with the files as they are now (or at a
second revision): features added and removed, status changes, and changed figures (owners, capacity,
production, reserves) and other headline fields, each with the source the newer record gives for it.
Reads the files straight from git (``git show REV:path``), so nothing in the work tree is touched.
"""

from __future__ import annotations

import logging
import subprocess
import tomllib
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from geo.errors import InputFileError, LayerSchemaError
from geo.paths import LAYERS_DIR

__all__ = ["FIGURES", "Change", "curated_at", "curated_now", "diff", "diff_since", "events_since", "revision_before"]

logger = logging.getLogger(__name__)

#: Dated figures compared field by field; each carries its own ``source``.
FIGURES = ("owners", "capacity", "production", "reserves")
#: Headline fields whose change is reported (the source is the record's newest source).
_FIELDS = ("status", "kind", "name", "country", "operator", "confidence")

Features = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class Change:
    """One change to one feature.

    Attributes
    ----------
    layer, id
        The curated layer and the feature.
    change
        ``added``, ``removed``, ``status``, or ``changed`` (any other field).
    field
        The field that changed (empty for ``added``/``removed``).
    old, new
        The values before and after, as text (empty where there was none).
    source
        The URL the newer record cites for the value (the removed record's, for ``removed``).
    """

    layer: str
    id: str
    change: str
    field: str
    old: str
    new: str
    source: str

    def as_dict(self) -> dict[str, str]:
        """Return the change as a plain dict (for JSON)."""
        return asdict(self)


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        msg = "git is not installed; `geo data diff` reads the curated files' history from git."
        raise InputFileError(msg) from None
    if done.returncode != 0:
        msg = f"git {' '.join(args)} failed in {repo}: {done.stderr.strip() or done.stdout.strip()}"
        raise InputFileError(msg)
    return done.stdout


def _parse(text: str, where: str) -> dict[str, dict[str, Any]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{where} is not valid TOML: {exc}"
        raise LayerSchemaError(msg) from None
    return {str(f["id"]): f for f in doc.get("features", []) if "id" in f}


def curated_now(layers_dir: Path | None = None) -> Features:
    """Return the curated features in the work tree: layer -> id -> record."""
    folder = (layers_dir or LAYERS_DIR) / "curated"
    return {p.stem: _parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(folder.glob("*.toml"))}


def curated_at(revision: str, *, layers_dir: Path | None = None) -> Features:
    """Return the curated features as committed at git `revision`: layer -> id -> record.

    A layer file that did not exist at `revision` gives an empty layer (all its features are new).
    """
    folder = (layers_dir or LAYERS_DIR) / "curated"
    top = Path(_git(folder, "rev-parse", "--show-toplevel").strip())
    commit = _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    prefix = folder.resolve().relative_to(top.resolve()).as_posix()
    names = _git(top, "ls-tree", "--name-only", commit, f"{prefix}/").split()
    out: Features = {p.stem: {} for p in folder.glob("*.toml")}
    for name in names:
        if name.endswith(".toml"):
            out[Path(name).stem] = _parse(_git(top, "show", f"{commit}:{name}"), f"{name} at {revision}")
    return out


def revision_before(when: date, *, layers_dir: Path | None = None) -> str:
    """Return the last commit (on the checked-out branch) made before `when` (midnight UTC that day)."""
    folder = (layers_dir or LAYERS_DIR) / "curated"
    rev = _git(folder, "rev-list", "-1", f"--before={when.isoformat()}T00:00:00Z", "HEAD").strip()
    if not rev:
        msg = (
            f"No commit before {when.isoformat()}: the history starts later. Use --from REV with a revision, "
            "or --events for the features' own dated events since then."
        )
        raise InputFileError(msg)
    return rev


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if k != "source")
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _newest_source(rec: dict[str, Any]) -> str:
    events = [e for e in rec.get("events", []) if e.get("source")]
    if events:
        return str(max(events, key=lambda e: str(e.get("date", "")))["source"])
    sources = [s for s in rec.get("sources", []) if s.get("url")]
    return str(max(sources, key=lambda s: str(s.get("date", "")))["url"]) if sources else ""


def _figure_source(value: Any, rec: dict[str, Any]) -> str:
    if isinstance(value, dict) and value.get("source"):
        return str(value["source"])
    if isinstance(value, list):
        found = [str(v["source"]) for v in value if isinstance(v, dict) and v.get("source")]
        return " ".join(dict.fromkeys(found))
    return _newest_source(rec)


def _compare(layer: str, fid: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in (*_FIELDS, *FIGURES):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind = "status" if key == "status" else "changed"
        source = _figure_source(after, new) if key in FIGURES else _newest_source(new)
        changes.append(Change(layer, fid, kind, key, _text(before), _text(after), source))
    return changes


def diff(old: Features, new: Features) -> list[Change]:
    """Return the changes from `old` to `new` (each layer -> id -> record), by layer and id."""
    changes: list[Change] = []
    for layer in sorted(set(old) | set(new)):
        before, after = old.get(layer, {}), new.get(layer, {})
        for fid in sorted(set(before) | set(after)):
            if fid not in before:
                rec = after[fid]
                changes.append(Change(layer, fid, "added", "", "", _text(rec.get("name")), _newest_source(rec)))
            elif fid not in after:
                rec = before[fid]
                changes.append(Change(layer, fid, "removed", "", _text(rec.get("name")), "", _newest_source(rec)))
            else:
                changes.extend(_compare(layer, fid, before[fid], after[fid]))
    return changes


def diff_since(
    *, since: date | None = None, revision: str | None = None, to: str | None = None, layers_dir: Path | None = None
) -> tuple[str, list[Change]]:
    """Return the base revision and the changes from it to `to` (default: the work tree).

    Give exactly one of `since` (the last commit before that date is the base) or `revision`.

    Raises
    ------
    InputFileError
        If both or neither of `since` and `revision` are given, git fails, or the revision is unknown.
    """
    if (since is None) == (revision is None):
        msg = "Give exactly one of --since DATE or --from REV."
        raise InputFileError(msg)
    base = revision_before(since, layers_dir=layers_dir) if since is not None else str(revision)
    old = curated_at(base, layers_dir=layers_dir)
    new = curated_at(to, layers_dir=layers_dir) if to else curated_now(layers_dir)
    changes = diff(old, new)
    logger.info("%d change(s) in the curated layers since %s", len(changes), base)
    return base, changes


def events_since(when: date, *, features: Features | None = None) -> list[dict[str, str]]:
    """Return the dated events of the curated features on or after `when`, oldest first.

    These are changes in the world (a mine opened, a licence granted, a plant suspended) as the features'
    own ``events`` histories record them, each with its source; :func:`diff_since` is the other question,
    what changed in the data. An event dated only by year or month counts if its period can fall on or
    after `when` (``2026`` and ``2026-02`` both count for 2026-02-01).
    """
    features = curated_now() if features is None else features
    start = when.isoformat()
    rows = []
    for layer, records in sorted(features.items()):
        for fid, rec in sorted(records.items()):
            for event in rec.get("events", []):
                day = str(event.get("date", ""))
                if day and day >= start[: len(day)]:
                    rows.append(
                        {
                            "date": day,
                            "layer": layer,
                            "id": fid,
                            "name": _text(rec.get("name")),
                            "status": str(event.get("status", "")),
                            "note": str(event.get("note", "")),
                            "source": str(event.get("source", "")),
                        }
                    )
    return sorted(rows, key=lambda r: (r["date"], r["layer"], r["id"]))
