"""Which of the UK's listed minerals each Central Asian country produces, with the evidence.

The claim under test: Kazakhstan's foreign minister wrote (op-ed quoted by Politico via kt.kz,
February 2026) that Kazakhstan "produces 22 of the 36 minerals identified in the UK's Critical Minerals
Strategy". The lists come from :mod:`geo.mineral_lists`; the evidence that a country produces a
mineral comes from two places, strongest first:

1. the production table (``layers/tables/production.csv``): a sourced figure for the country, with its
   world share where the table gives a world total or a share;
2. a curated feature in that country with status ``operating`` that names the mineral among its
   commodities (the feature's own sources).

Nothing else counts. Where neither says so, the answer is ``NOT FOUND``, never "no": absence from
stored sources is not proof that a country produces none. A list member that no source names is a
``NOT FOUND`` row of its own, so the count can say how many members it could not test.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.analysis.supply import CENTRAL_ASIA
from geo.mineral_lists import NOT_FOUND, ListMember, read_lists
from geo.symbology import COMMODITIES

__all__ = [
    "CLAIM",
    "ClaimCount",
    "claim_counts",
    "listed_producers",
]

#: The claim under test: (produced, listed, who, source URL).
CLAIM = (
    22,
    36,
    "Kazakhstan's foreign minister Yermek Kosherbayev, op-ed quoted by Politico (via kt.kz), Feb 2026",
    "https://www.kt.kz/eng/economy/uk_strikes_critical_minerals_deal_with_kazakhstan_1377988477.html",
)
#: The lists of the November 2025 strategy: its critical minerals (the 2024 assessment) and growth minerals.
STRATEGY_LISTS = ("critical_2024", "growth_2025")
YES_TABLE = "yes (production figure)"
YES_FEATURE = "yes (operating feature)"
_SHOWN = 4  # feature ids named in an evidence cell


def _production_evidence(table: pd.DataFrame, mineral: str, country: str) -> dict[str, object] | None:
    rows = table[(table["mineral"] == mineral) & (table["country"] == country) & table["value"].notna()]
    if rows.empty:
        return None
    row = rows.sort_values("year").iloc[-1]
    world = table[(table["mineral"] == mineral) & (table["year"] == row["year"]) & (table["country"] == "World")]
    share: float | None = None
    if pd.notna(row["share_pct"]):
        share = float(row["share_pct"])
    elif len(world) and pd.notna(world["value"].iloc[0]) and float(world["value"].iloc[0]) > 0:
        share = round(100 * float(row["value"]) / float(world["value"].iloc[0]), 1)
    return {
        "produces": YES_TABLE,
        "evidence": f"{row['value']:g} {row['unit']} ({row['stage']}, {int(row['year'])})",
        "world_share_pct": share,
        "source": str(row["source"]),
        "source_url": str(row["source_url"]).split(" ; ")[0],
    }


def _feature_evidence(deposits: pd.DataFrame, mineral: str, country: str) -> dict[str, object] | None:
    hits = deposits[
        (deposits["country"] == country)
        & (deposits["status"] == "operating")
        & deposits["commodities"].map(lambda c: mineral in list(c if c is not None else []))
    ]
    if hits.empty:
        return None
    ids = sorted(hits["id"])
    first = hits.sort_values("id").iloc[0]
    sources = list(first["sources"]) if first.get("sources") is not None else []
    return {
        "produces": YES_FEATURE,
        "evidence": f"{len(ids)} operating feature(s): {', '.join(ids[:_SHOWN])}{' …' if len(ids) > _SHOWN else ''}",
        "world_share_pct": None,
        "source": f"curated feature {first['id']}",
        "source_url": str(sources[0]["url"]) if sources else "",
    }


def listed_producers(
    *,
    members: tuple[ListMember, ...] | None = None,
    table: pd.DataFrame | None = None,
    deposits: pd.DataFrame | None = None,
    countries: tuple[str, ...] = CENTRAL_ASIA,
) -> pd.DataFrame:
    """Return one row per listed mineral (or ``NOT FOUND`` list slot) and country: does it produce it.

    Parameters
    ----------
    members
        Rows of the lists table (default: the shipped ``layers/tables/uk_minerals.csv``).
    table
        A production table shaped like :func:`geo.analysis.supply.production` (default: the shipped one).
    deposits
        Curated features with ``id, country, status, commodities, sources`` (default: the shipped
        ``mineral_deposits`` layer).
    countries
        ISO3 codes (default: the five Central Asian countries).

    Returns
    -------
    pd.DataFrame
        Columns ``member`` (the mineral, or ``unnamed member i of n (list)``), ``mineral`` (``None`` for
        a slot no source names), ``lists`` (comma-separated),
        ``list_source_url``, ``country``, ``produces`` (``"yes (production figure)"``,
        ``"yes (operating feature)"`` or ``"NOT FOUND"``), ``evidence``, ``world_share_pct`` (where
        the production table gives it), ``source``, ``source_url``.
    """
    from geo.analysis.supply import production
    from geo.catalog import default

    members = members or read_lists(commodities=COMMODITIES)
    table = production() if table is None else table
    deposits = default(deposits, "mineral_deposits") if deposits is None else deposits
    named: dict[str, list[ListMember]] = {}
    for m in members:
        if m.mineral:
            named.setdefault(m.mineral, []).append(m)
    rows: list[dict[str, object]] = []
    for mineral in sorted(named):
        lists = ", ".join(dict.fromkeys(m.list for m in named[mineral]))
        for country in countries:
            found = _production_evidence(table, mineral, country) or _feature_evidence(deposits, mineral, country)
            none: dict[str, object] = {
                "produces": NOT_FOUND,
                "evidence": "",
                "world_share_pct": None,
                "source": "",
                "source_url": "",
            }
            head: dict[str, object] = {
                "member": mineral,
                "mineral": mineral,
                "lists": lists,
                "list_source_url": named[mineral][0].url,
                "country": country,
            }
            rows.append(head | (found or none))
    slots = [m for m in members if m.mineral is None]
    for index, slot in enumerate(slots):
        number = sum(s.list == slot.list for s in slots[: index + 1])
        total = sum(s.list == slot.list for s in slots)
        for country in countries:
            rows.append(
                {
                    "member": f"unnamed member {number} of {total} ({slot.list})",
                    "mineral": None,
                    "lists": slot.list,
                    "list_source_url": slot.url,
                    "country": country,
                    "produces": NOT_FOUND,
                    "evidence": slot.note,
                    "world_share_pct": None,
                    "source": "",
                    "source_url": "",
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ClaimCount:
    """A country's count of the strategy's listed minerals it produces, against the claim.

    Attributes
    ----------
    country
        ISO3 code.
    produced
        Named members of the strategy's lists with evidence of production.
    named
        Named members of the strategy's lists (critical 2024 and growth 2025).
    unnamed
        List slots no stored source names (their production cannot be tested).
    verdict
        How the count comes out against the claim's 22 of 36, in words.
    """

    country: str
    produced: int
    named: int
    unnamed: int
    verdict: str


def claim_counts(producers: pd.DataFrame) -> list[ClaimCount]:
    """Count, per country, the strategy's listed minerals it produces, and set it against "22 of 36"."""
    claimed, listed, *_ = CLAIM
    strategy = producers[producers["lists"].map(lambda s: any(name in str(s) for name in STRATEGY_LISTS))]
    out: list[ClaimCount] = []
    for country, rows in strategy.groupby("country", sort=False):
        named = rows[rows["mineral"].notna()]
        produced = int((named["produces"] != NOT_FOUND).sum())
        unnamed = int(rows["mineral"].isna().sum())
        if produced >= claimed:
            verdict = f"consistent with {claimed} of {listed}: {produced} evidenced"
        elif produced + unnamed >= claimed:
            verdict = (
                f"{claimed} of {listed} not confirmed: {produced} of {len(named)} named members evidenced; "
                f"{claimed} needs {claimed - produced} more among the {unnamed} members no source names, "
                "or production not found"
            )
        else:
            verdict = (
                f"{claimed} of {listed} not reached by the evidence: {produced} evidenced, and even all {unnamed} "
                f"unnamed members would give {produced + unnamed} < {claimed}"
            )
        out.append(ClaimCount(str(country), produced, len(named), unnamed, verdict))
    return out
