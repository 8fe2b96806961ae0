"""Freshness and honesty checks of the curated data (``geo data audit``).

For every curated feature: the date of its newest source, and these checks. *Faults* are mechanical and fail
the test suite; *notes* need a person.

Faults:

    - a source with no URL and no ``offline`` reason (a print or offline document);
    - a coordinate (``lon``/``lat``) without a cited source, or without the source's own text (``stated``);
    - a coordinate that does not match its ``stated`` text, or has more decimals than that text warrants
      (arc-seconds: 4; arc-minutes: 3; a decimal source: its own);
    - an ``uncertainty_m`` finer than the source's resolution (an arc-minute is about 1.85 km);
    - a figure, event or UK link (owners, capacity, production, reserves, events, uk_link) citing a URL that is
      not among the feature's sources;
    - a source without a ``type`` from :data:`geo.registry.SOURCE_TYPES`, or one on a known mirror's domain
      (a copy of Wikipedia elsewhere) typed as anything but ``mirror``;
    - a figure (owners, capacity, production, reserves) resting on a mirror or an aggregator alone;
    - a status date (``as_of``) more than 90 days behind the feature's newest source (a mirror's date, when it
      copied the page, does not count);
    - a ``checked`` date with no source dated within the year before it and no ``searched`` note, or one
      after today or before ``as_of``.

Notes for a person:

    - a status older than a year (``as_of``), and the date of the newest source;
    - a feature not checked within the last year (no ``checked``, or an older one);
    - a source on a bare IP address or a search page (find the original).

:func:`summary` adds the share of features checked within a year and the sources counted by type.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from geo import registry
from geo.paths import LAYERS_DIR

__all__ = ["MIRROR_DOMAINS", "Finding", "Summary", "audit", "parse_stated", "summary"]

_M_PER_DEG = 111_320.0
_STALE_DAYS = 365
_LAG_DAYS = 90
#: Domains that copy Wikipedia or other publications: a source there is a ``mirror`` whatever it calls itself.
MIRROR_DOMAINS = (
    "wikiwand.com",
    "kiwix",
    "wikiup.org",
    "franco.wiki",
    "frwiki.wiki",
    "dewiki.de",
    "teknopedia",
    "docslib.org",
    "owiki.org",
    "findatwiki.com",
    "wiki-org.ru",
    "nina.az",
    "enzyklopadie.de",
    "iiab.me",
    "profilpelajar.com",
    "wikibrief",
    "wiki2.org",
    "perceptio",
    "thefullwiki",
    "piglix",
)
_BARE_IP = re.compile(r"^https?://\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?/")
_SEARCH_PAGE = re.compile(r"(?:^|[/.])search[/.?]|[?&](?:q|query|search|s)=", re.IGNORECASE)
_DMS = re.compile(
    r"(?P<d>\d{1,3})\s*°\s*(?:(?P<m>\d{1,2})\s*['′’]\s*)?(?:(?P<s>\d{1,2}(?:[.,]\d+)?)\s*[\"″”]\s*)?"
    r"(?P<h>[NSEWO]|s\.\s*sh\.|s\.\s*Sch\.|\u0441\.\s*\u0448\.|\u0432\.\s*\u0434\.)?",  # also the Russian marks
)
_DECIMAL_PAIR = re.compile(r"(-?\d{1,3}\.(\d+))\s*°?\s*[NSEW]?\s*[,;\s]\s*(-?\d{1,3}\.(\d+))")
_FIGURES = ("owners", "capacity", "production", "reserves", "events", "uk_link")
_AMOUNTS = ("owners", "capacity", "production", "reserves")


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


def _day(text: Any, *, end: bool) -> date | None:
    """Return a ``YYYY[-MM[-DD]]`` date as a day: the first day of its period, or the last with `end`."""
    parts = [int(p) for p in str(text or "").split("-") if p.isdigit()]
    if not parts:
        return None
    try:
        if len(parts) >= 3:  # noqa: PLR2004
            return date(parts[0], parts[1], parts[2])
        if len(parts) == 2:  # noqa: PLR2004
            first = date(parts[0], parts[1], 1)
            return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1) if end else first
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    except ValueError:
        return None


def _domain(url: str) -> str:
    return re.sub(r"^https?://", "", url).split("/")[0].lower()


def _source_findings(layer: str, fid: str, sources: list[Any]) -> list[Finding]:
    found = []
    for s in sources:
        url, kind = str(s.get("url") or "").strip(), s.get("type")
        if not url and not str(s.get("offline") or "").strip():
            found.append(Finding(layer, fid, "fault", "source without a URL", str(s.get("title"))))
        if kind not in registry.SOURCE_TYPES:
            what = f"{kind!r}: {url or s.get('title')}"
            found.append(Finding(layer, fid, "fault", "source without a known type", what))
        elif kind != "mirror" and any(m in _domain(url) for m in MIRROR_DOMAINS):
            found.append(Finding(layer, fid, "fault", "mirror typed as something else", f"{kind!r}: {url}"))
        if _BARE_IP.match(url) or _SEARCH_PAGE.search(url.split("//", 1)[-1]):
            found.append(Finding(layer, fid, "note", "bare IP or search page", url))
    return found


def _weak_figures(layer: str, fid: str, feat: dict[str, Any], types: dict[str, str]) -> list[Finding]:
    found = []
    for key in _AMOUNTS:
        value = feat.get(key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for item in items:
            src = str(item.get("source") or "")
            if types.get(src) in registry.WEAK_SOURCE_TYPES:
                what = f"{types[src]}: {src}"
                found.append(Finding(layer, fid, "fault", f"{key} rests on a mirror or aggregator", what))
    return found


def _date_findings(layer: str, fid: str, feat: dict[str, Any], today: date) -> list[Finding]:
    found = []
    sources = feat.get("sources") or []
    dates = sorted(str(s.get("date")) for s in sources if s.get("date"))
    newest = dates[-1] if dates else "none dated"
    found.append(Finding(layer, fid, "note", "newest source", newest))
    # a mirror's date is when it copied the page, not news of the status
    reports = sorted(str(s.get("date")) for s in sources if s.get("date") and s.get("type") != "mirror")
    newest = reports[-1] if reports else newest
    as_of = str(feat.get("as_of") or "")
    as_of_end, newest_start = _day(as_of, end=True), _day(newest, end=False)
    if as_of_end is not None:
        if (today - as_of_end).days > _STALE_DAYS:
            found.append(
                Finding(layer, fid, "note", "status older than a year", f"status {feat.get('status')!r} as of {as_of}")
            )
        if newest_start is not None and (newest_start - as_of_end).days > _LAG_DAYS:
            what = f"as_of {as_of}, newest source {newest}: bring the status up to it (or date the source right)"
            found.append(Finding(layer, fid, "fault", "status lags its newest source", what))
    checked = _day(feat.get("checked"), end=False)
    if checked is None:
        found.append(Finding(layer, fid, "note", "not checked within a year", "never checked"))
        return found
    if checked > today:
        found.append(Finding(layer, fid, "fault", "checked in the future", str(feat.get("checked"))))
    if (as_of_start := _day(as_of, end=False)) is not None and checked < as_of_start:
        what = f"checked {feat.get('checked')}, as_of {as_of}"
        found.append(Finding(layer, fid, "fault", "checked before as_of", what))
    backed = any(
        (d := _day(s.get("date"), end=False)) is not None and checked - timedelta(days=_STALE_DAYS) <= d <= checked
        for s in sources
    )
    if not backed and not str(feat.get("searched") or "").strip():
        what = (
            f"checked {feat.get('checked')}: cite a source dated within the year before it, "
            "or say in `searched` what was searched"
        )
        found.append(Finding(layer, fid, "fault", "checked without backing", what))
    if (today - checked).days > _STALE_DAYS:
        found.append(Finding(layer, fid, "note", "not checked within a year", f"checked {feat.get('checked')}"))
    return found


def _feature_findings(layer: str, feat: dict[str, Any], today: date) -> list[Finding]:
    fid = str(feat.get("id"))
    sources = [s for s in feat.get("sources") or [] if isinstance(s, dict)]
    found = _source_findings(layer, fid, sources)
    found += _coordinate_findings(layer, fid, feat.get("location") or {})
    found += _figure_findings(layer, fid, feat, {str(s.get("url")) for s in sources})
    found += _weak_figures(layer, fid, feat, {str(s.get("url")): str(s.get("type")) for s in sources})
    found += _date_findings(layer, fid, feat, today)
    return found


@dataclass(frozen=True)
class Summary:
    """What ``geo data audit`` reports besides the findings.

    Attributes
    ----------
    features
        How many curated features there are.
    checked
        How many were checked within the last year (a ``checked`` date no older than 365 days).
    backed
        Of those, how many rest on a source dated within the year before ``checked`` (the rest rest on a
        ``searched`` note: what was searched and not found).
    sources
        The sources of every feature counted by ``type`` (an untyped source counts as ``"untyped"``).
    """

    features: int
    checked: int
    backed: int = 0
    sources: dict[str, int] = field(default_factory=dict)

    @property
    def share_checked(self) -> float:
        """The share of features checked within a year (0 to 1)."""
        return self.checked / self.features if self.features else 0.0


def _features(layers_dir: Path | None) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name in registry.curated():
        spec = registry.get(name)
        doc = tomllib.loads(spec.path(layers_dir or LAYERS_DIR).read_text(encoding="utf-8"))
        out += [(name, feat) for feat in doc.get("features") or []]
    return out


def audit(*, layers_dir: Path | None = None, today: date | None = None) -> list[Finding]:
    """Audit every curated layer's TOML and return the findings (faults first)."""
    today = today or date.today()
    findings: list[Finding] = []
    for name, feat in _features(layers_dir):
        findings += _feature_findings(name, feat, today)
    return sorted(findings, key=lambda f: (f.severity != "fault", f.layer, f.id, f.check))


def summary(*, layers_dir: Path | None = None, today: date | None = None) -> Summary:
    """Count the curated features checked within a year and the sources by type."""
    today = today or date.today()
    features = _features(layers_dir)
    recent = backed = 0
    types: Counter[str] = Counter()
    for _, feat in features:
        checked = _day(feat.get("checked"), end=False)
        if checked is not None and 0 <= (today - checked).days <= _STALE_DAYS:
            recent += 1
            backed += any(
                (d := _day(s.get("date"), end=False)) is not None
                and checked - timedelta(days=_STALE_DAYS) <= d <= checked
                for s in feat.get("sources") or []
                if isinstance(s, dict)
            )
        types.update(str(s.get("type") or "untyped") for s in feat.get("sources") or [] if isinstance(s, dict))
    order = {t: i for i, t in enumerate(registry.SOURCE_TYPES)}
    counts = dict(sorted(types.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    return Summary(len(features), recent, backed, counts)
