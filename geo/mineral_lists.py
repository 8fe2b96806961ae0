"""The UK's mineral lists as data: ``layers/tables/uk_minerals.csv``, one row per list member.

Three lists: the 2021 critical list (18 minerals, from the 2022 strategy), the 2024 criticality
assessment (34 critical minerals) and the growth minerals of *Vision 2035* (November 2025). Each row
gives its mineral, list, status, confidence and source (title, publisher, date of the list, URL). A
member that no stored source names is a ``NOT FOUND`` row with an empty mineral: the 2024 list has 34
members, the stored sources name 16 of them, so 18 rows say so, and nothing is guessed.

The file is read once (cached); every mineral must be a commodity of :mod:`geo.symbology`'s
vocabulary, so the lists and the curated layers speak the same names.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geo.errors import LayerSchemaError, UnknownNameError
from geo.paths import LAYERS_DIR

__all__ = [
    "LISTS",
    "NOT_FOUND",
    "ListMember",
    "critical_minerals",
    "list_members",
    "read_lists",
]

#: List key -> what it is. ``critical_2024`` declares 34 members; the growth list's size was not found.
LISTS: dict[str, str] = {
    "critical_2021": "UK Critical Minerals List 2021 (18 minerals; Critical Minerals Strategy, July 2022)",
    "critical_2024": "UK 2024 criticality assessment (BGS / CMIC, 34 critical minerals)",
    "growth_2025": "Vision 2035: Critical Minerals Strategy, growth minerals (November 2025)",
}
#: A row's status when no stored source names the member.
NOT_FOUND = "NOT FOUND"
_COLUMNS = ("mineral", "list", "status", "confidence", "source", "publisher", "list_date", "url", "note")
#: Members of the 2021 list that later sources say left it (so not in :func:`critical_minerals`).
_DROPPED = frozenset({"palladium"})


@dataclass(frozen=True)
class ListMember:
    """One row of the lists table: a named member, or a ``NOT FOUND`` slot (``mineral`` is ``None``)."""

    mineral: str | None
    list: str
    status: str
    confidence: str
    source: str
    publisher: str
    list_date: str
    url: str
    note: str


def read_lists(path: str | Path | None = None, *, commodities: Collection[str] | None = None) -> tuple[ListMember, ...]:
    """Return every row of the lists table, checked.

    Raises
    ------
    LayerSchemaError
        If a column is missing, a row names an unknown list or status, a named row has no mineral or
        no URL, or a ``NOT FOUND`` row names a mineral.
    UnknownNameError
        If a mineral is not one of `commodities` (the caller passes ``geo.symbology.COMMODITIES``; the
        shipped table is checked against it when :mod:`geo.symbology` loads, which reads this module).
    """
    path = Path(path) if path else LAYERS_DIR / "tables" / "uk_minerals.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if missing := [c for c in _COLUMNS if c not in (reader.fieldnames or [])]:
            msg = f"{path} lacks columns {missing}; it needs {list(_COLUMNS)}."
            raise LayerSchemaError(msg)
        rows = list(reader)
    problems: list[str] = []
    members: list[ListMember] = []
    for line, row in enumerate(rows, start=2):
        mineral = row["mineral"].strip() or None
        if row["list"] not in LISTS:
            problems.append(f"line {line}: unknown list {row['list']!r} (use one of {list(LISTS)})")
        if row["status"] not in ("named", NOT_FOUND):
            problems.append(f"line {line}: status {row['status']!r} must be 'named' or {NOT_FOUND!r}")
        if (row["status"] == NOT_FOUND) != (mineral is None):
            problems.append(f"line {line}: a named row needs a mineral; a {NOT_FOUND} row must leave it empty")
        if not row["url"].startswith("https://"):
            problems.append(f"line {line}: url {row['url']!r} must be the source's https URL")
        if mineral is not None and commodities is not None and mineral not in commodities:
            msg = f"{path} line {line}: mineral {mineral!r} is not in geo.symbology.COMMODITY_GROUPS; add it there."
            raise UnknownNameError(msg)
        members.append(ListMember(mineral, **{k: row[k].strip() for k in _COLUMNS if k != "mineral"}))
    if problems:
        msg = f"{path}: " + "; ".join(problems) + "."
        raise LayerSchemaError(msg)
    return tuple(members)


@cache
def _shipped() -> tuple[ListMember, ...]:
    return read_lists()


def list_members(name: str, *, members: tuple[ListMember, ...] | None = None) -> tuple[ListMember, ...]:
    """Return the rows of list `name` (named members and ``NOT FOUND`` slots); an unknown list is an error."""
    if name not in LISTS:
        msg = f"No UK mineral list {name!r}; use one of {list(LISTS)}."
        raise UnknownNameError(msg)
    return tuple(m for m in (members or _shipped()) if m.list == name)


def critical_minerals(members: tuple[ListMember, ...] | None = None) -> frozenset[str]:
    """Return the minerals on a UK critical list as far as the sources confirm.

    The named members of the 2024 assessment, plus the 2021 list less the minerals later sources say
    left it (palladium): the 2021 members are likely, not confirmed, to be among the 2024 list's
    unnamed members. Growth minerals (copper, uranium, beryllium) are not critical.
    """
    rows = members or _shipped()
    named = {m.mineral for m in rows if m.mineral and m.list == "critical_2024"}
    carried = {m.mineral for m in rows if m.mineral and m.list == "critical_2021"} - _DROPPED
    return frozenset(named | carried)
