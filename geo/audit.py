"""Freshness and honesty checks of the curated data (``geo data audit``).

For every curated feature: the date of its newest source, and these checks. *Faults* are mechanical and fail
the test suite; *notes* need a person.

Faults:

    - a source with no URL and no ``offline`` reason (a print or offline document);
    - a coordinate (``lon``/``lat``) without a cited source, or without the source's own text (``stated``);
    - a coordinate that does not match its ``stated`` text, or has more decimals than that text warrants
      (arc-seconds: 4; arc-minutes: 3; a decimal source: its own);
    - an ``uncertainty_m`` finer than the source's resolution (an arc-minute is about 1.85 km);
    - a figure or event (owners, capacity, production, reserves, events) citing a URL that is not among the
      feature's sources.

Notes for a person:

    - a status older than a year (``as_of``), and the date of the newest source.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from geo import registry
from geo.paths import LAYERS_DIR

__all__ = ["Finding", "audit", "parse_stated"]

_M_PER_DEG = 111_320.0
_STALE_DAYS = 365
_DMS = re.compile(
    r"(?P<d>\d{1,3})\s*°\s*(?:(?P<m>\d{1,2})\s*['′’]\s*)?(?:(?P<s>\d{1,2}(?:[.,]\d+)?)\s*[\"″”]\s*)?"
    r"(?P<h>[NSEWO]|s\.\s*sh\.|s\.\s*Sch\.|\u0441\.\s*\u0448\.|\u0432\.\s*\u0434\.)?",  # also the Russian marks
)
_DECIMAL_PAIR = re.compile(r"(-?\d{1,3}\.(\d+))\s*°?\s*[NSEW]?\s*[,;\s]\s*(-?\d{1,3}\.(\d+))")
_FIGURES = ("owners", "capacity", "production", "reserves", "events")


@dataclass(frozen=True)
class Finding:
    """One audit finding."""

    layer: str
    id: str
    severity: str  # "fault" or "note"
    check: str
    detail: str


@dataclass(frozen=True)
class Stated:
    """A coordinate as a source states it: the values (in the source's order) and their resolution in degrees."""

    values: tuple[float, float]
    resolution: float
    decimals: int


def parse_stated(text: str) -> Stated | None:
    """Parse a source's own coordinate text: degrees-minutes-seconds (any common marks) or a decimal pair.

    >>> parse_stated("43°32′22″N 78°58′31″E").values
    (43.539444444444445, 78.97527777777778)
    >>> parse_stated("Geographic location 74.2897, 51.8462").decimals
    4
    """
    dms = [m for m in _DMS.finditer(text) if m.group("m") or m.group("s")]
    if len(dms) >= 2:  # noqa: PLR2004  (a pair)
        values, resolution = [], 1.0
        for m in dms[:2]:
            minutes = float(m.group("m") or 0)
            seconds = float((m.group("s") or "0").replace(",", "."))
            values.append(float(m.group("d")) + minutes / 60 + seconds / 3600)
            if m.group("s"):
                fraction = m.group("s").replace(",", ".").partition(".")[2]
                resolution = min(resolution, 10 ** -len(fraction) / 3600)
            else:
                resolution = min(resolution, 1 / 60)
        # an arc-minute source warrants 3 decimals (41°52′ = 41.867); finer ones as many as their resolution
        decimals = 3 if resolution >= 1 / 60 else math.ceil(-math.log10(resolution))
        return Stated((values[0], values[1]), resolution, decimals)
    if pair := _DECIMAL_PAIR.search(text):
        decimals = min(len(pair.group(2)), len(pair.group(4)))
        return Stated((float(pair.group(1)), float(pair.group(3))), 10**-decimals, decimals)
    return None


def _decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.partition(".")[2].rstrip("0")) if "." in text and "e" not in text else 0


def _coordinate_findings(layer: str, fid: str, loc: dict[str, Any]) -> list[Finding]:
    if "lon" not in loc and "lat" not in loc:
        return []
    found: list[Finding] = []

    def fault(check: str, detail: str) -> None:
        found.append(Finding(layer, fid, "fault", check, detail))

    source = loc.get("source") or {}
    if not isinstance(source, dict) or not str(source.get("url") or "").startswith("http"):
        fault("coordinate without a cited source", "give location.source = { title, url }")
    stated = parse_stated(str(loc.get("stated") or ""))
    if stated is None:
        fault("coordinate without the source's text", "copy the coordinate as the source states it into `stated`")
        return found
    lon, lat = float(loc["lon"]), float(loc["lat"])
    a, b = stated.values
    off = min(max(abs(lat - a), abs(lon - b)), max(abs(lat - b), abs(lon - a)))
    rounding = 0.5 * 10 ** -max(_decimals(lon), _decimals(lat))  # a coarser copy may round the source
    if off > max(stated.resolution, rounding) + 1e-9:
        fault("coordinate differs from its stated text", f"{lat}, {lon} vs {loc.get('stated')!r}")
    if max(_decimals(lon), _decimals(lat)) > stated.decimals:
        fault("decimals beyond the source", f"{lat}, {lon}: the source warrants {stated.decimals} decimals")
    floor = stated.resolution * _M_PER_DEG / 2
    if float(loc.get("uncertainty_m") or 0) < floor:
        fault(
            "uncertainty finer than the source",
            f"uncertainty_m {loc.get('uncertainty_m')} < {floor:,.0f} m (half the source's resolution)",
        )
    return found


def _figure_findings(layer: str, fid: str, feat: dict[str, Any], urls: set[str]) -> list[Finding]:
    found = []
    for key in _FIGURES:
        value = feat.get(key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for item in items:
            src = str(item.get("source") or "")
            if src.startswith("http") and src not in urls:
                found.append(Finding(layer, fid, "fault", f"{key} source not among the sources", src))
    return found


def _feature_findings(layer: str, feat: dict[str, Any], today: date) -> list[Finding]:
    fid = str(feat.get("id"))
    sources = feat.get("sources") or []
    found = [
        Finding(layer, fid, "fault", "source without a URL", str(s.get("title")))
        for s in sources
        if not str(s.get("url") or "").strip() and not str(s.get("offline") or "").strip()
    ]
    found += _coordinate_findings(layer, fid, feat.get("location") or {})
    found += _figure_findings(layer, fid, feat, {str(s.get("url")) for s in sources})
    dates = sorted(str(s.get("date")) for s in sources if s.get("date"))
    newest = dates[-1] if dates else "none dated"
    found.append(Finding(layer, fid, "note", "newest source", newest))
    as_of = str(feat.get("as_of") or "")
    parts = [int(p) for p in as_of.split("-") if p.isdigit()]
    if parts:
        stamp = date(parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 28)  # noqa: PLR2004
        if (today - stamp).days > _STALE_DAYS:
            found.append(
                Finding(layer, fid, "note", "status older than a year", f"status {feat.get('status')!r} as of {as_of}")
            )
    return found


def audit(*, layers_dir: Path | None = None, today: date | None = None) -> list[Finding]:
    """Audit every curated layer's TOML and return the findings (faults first)."""
    today = today or date.today()
    findings: list[Finding] = []
    for name in registry.curated():
        spec = registry.get(name)
        doc = tomllib.loads(spec.path(layers_dir or LAYERS_DIR).read_text(encoding="utf-8"))
        for feat in doc.get("features") or []:
            findings += _feature_findings(name, feat, today)
    return sorted(findings, key=lambda f: (f.severity != "fault", f.layer, f.id, f.check))
