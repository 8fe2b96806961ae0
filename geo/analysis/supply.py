"""Supply concentration against the UK's 60%-per-country line (Vision 2035).

World production by country and mineral comes from ``layers/tables/production.csv`` (from
facts.md §2, with its units, years, sources, confidence marks and caveats). The UK target caps the
share of UK *imports* of a critical mineral from any one country at 60% by 2035; world production
shares are only a proxy for it, and every result says so.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from geo.errors import LayerSchemaError
from geo.paths import LAYERS_DIR

__all__ = ["CAP_PCT", "CAVEAT", "CENTRAL_ASIA", "NO_URL", "UNKNOWN", "concentration", "curated_minerals", "production"]

logger = logging.getLogger(__name__)

#: The UK Vision 2035 line: no more than 60% from any single country.
CAP_PCT = 60.0
CENTRAL_ASIA = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
CAVEAT = (
    "The UK cap concerns UK imports (wording differs between summaries: per mineral or aggregate demand); "
    "world production shares are only a proxy. Mine and refinery stages differ."
)
_COLUMNS = [
    "mineral",
    "stage",
    "year",
    "unit",
    "country",
    "value",
    "share_pct",
    "world_basis",
    "source",
    "source_url",
    "confidence",
    "note",
]
#: A row's ``source_url``: its sources' URLs separated by spaces, then `` ; no URL: why`` for a source that
#: has none (or only the reason).
NO_URL = "no URL:"


def _cites(text: str) -> bool:
    """Whether a ``source_url`` cell gives URLs, the reason there is none, or URLs and then a reason."""
    first, *rest = [part.strip() for part in text.split(" ; ")]
    urls = bool(first) and all(w.startswith(("https://", "http://")) for w in first.split())
    return (urls or first.startswith(NO_URL)) and all(part.startswith(NO_URL) for part in rest)


_RANK = {"H": 3, "M": 2, "L": 1}
#: The status of a mineral with a curated feature but no sourced production figures.
UNKNOWN = "unknown: no sourced production figures"


def production(path: str | Path | None = None) -> pd.DataFrame:
    """Return the production table: one row per mineral, year and country (``World`` for the total).

    Raises
    ------
    LayerSchemaError
        If the table lacks columns or has values that are not numbers.
    """
    path = Path(path) if path else LAYERS_DIR / "tables" / "production.csv"
    table = pd.read_csv(path, dtype={"country": "string", "source": "string", "note": "string"})
    if missing := [c for c in _COLUMNS if c not in table.columns]:
        msg = f"{path} lacks columns {missing}."
        raise LayerSchemaError(msg)
    for col in ("value", "share_pct"):
        if not pd.api.types.is_numeric_dtype(table[col]):
            msg = f"{path}: column {col!r} must hold numbers (or be empty)."
            raise LayerSchemaError(msg)
    cited = table["source"].notna()
    ok = table["source_url"].fillna("").astype(str).map(_cites)
    if bad := [int(i) + 2 for i in table.index[cited & ~ok]]:
        msg = (
            f"{path}: line(s) {bad[:10]} cite a source without a URL; give its URL in source_url, "
            f"or say why there is none ({NO_URL} …)."
        )
        raise LayerSchemaError(msg)
    return table[_COLUMNS]


def _summarise(rows: pd.DataFrame) -> dict[str, object]:
    first = rows.iloc[0]
    countries = rows[rows["country"].notna() & (rows["country"] != "World")]
    world = rows.loc[rows["country"] == "World", "value"]
    total = float(world.iloc[0]) if len(world) else None
    out: dict[str, object] = {
        "mineral": first["mineral"],
        "stage": first["stage"],
        "year": int(first["year"]),
        "unit": first["unit"],
        "world_total": total,
        "world_basis": first["world_basis"],
        "confidence": min(rows["confidence"], key=lambda c: _RANK.get(c, 0)),
        "sources": "; ".join(dict.fromkeys(p.strip() for s in rows["source"].dropna() for p in s.split(";"))),
        "source_urls": " ".join(
            dict.fromkeys(u for s in rows["source_url"].dropna() for u in str(s).split() if u.startswith("http"))
        ),
    }
    if countries.empty:
        return out | {
            "top_country": None,
            "top_share_pct": None,
            "central_asia_share_pct": None,
            "exceeds_cap": None,
            "status": "NOT FOUND",
        }
    if countries["share_pct"].notna().any():  # only a share is known
        top = countries.sort_values("share_pct", ascending=False).iloc[0]
        share = float(top["share_pct"])
        ca = countries.loc[countries["country"].isin(CENTRAL_ASIA), "share_pct"].sum()
        return out | {
            "top_country": top["country"],
            "top_share_pct": share,
            "central_asia_share_pct": float(ca) if ca else None,
            "exceeds_cap": share > CAP_PCT,
            "status": "share only",
        }
    top = countries.sort_values("value", ascending=False).iloc[0]
    ca_value = countries.loc[countries["country"].isin(CENTRAL_ASIA), "value"].sum()
    if total is None:  # no world total: shares of the world are unknown
        return out | {
            "top_country": top["country"],
            "top_share_pct": None,
            "central_asia_share_pct": None,
            "exceeds_cap": None,
            "status": "no world total: shares unknown",
        }
    share = 100 * float(top["value"]) / total
    listed = countries["country"].isin(CENTRAL_ASIA).any()  # not listed means unknown, not zero
    return out | {
        "top_country": top["country"],
        "top_share_pct": round(share, 1),
        "central_asia_share_pct": round(100 * float(ca_value) / total, 1) if listed else None,
        "exceeds_cap": share > CAP_PCT,
        "status": f"world total {first['world_basis']}",
    }


def curated_minerals(deposits: pd.DataFrame) -> pd.Series:
    """Return how many curated features name each commodity (``commodities`` lists), by mineral."""
    if "commodities" not in deposits:
        return pd.Series(dtype="int64")
    names = [str(c).strip().lower() for items in deposits["commodities"].dropna() for c in items]
    return pd.Series(names, dtype="object").value_counts().sort_index().rename("curated_features")


def concentration(
    table: pd.DataFrame | None = None, *, latest: bool = True, deposits: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per mineral: the top producer and its world share, the Central Asian share, and the 60% test.

    Every mineral with a curated feature (a commodity of `deposits`) gets a row: where the
    production table has no sourced figures for it, its shares stay unknown (``None``) with
    ``status`` = ``"unknown: no sourced production figures"``, never "no".

    Parameters
    ----------
    table
        A production table shaped like :func:`production` (default: the shipped one).
    latest
        Keep only the latest year per mineral (default), or one row per mineral and year.
    deposits
        The curated features whose commodities must appear (default: the shipped
        ``mineral_deposits``; pass an empty frame to list only the production table).

    Returns
    -------
    pd.DataFrame
        Columns ``mineral, stage, year, unit, top_country, top_share_pct, central_asia_share_pct,
        exceeds_cap`` (``None`` where the data cannot say), ``world_total, world_basis, status,
        confidence, sources, source_urls`` (the URLs of those sources that have one; the production table
        says why the others have none), ``curated_features`` (how many curated features name the mineral)
        and ``caveat``, sorted by top share.
    """
    from geo.catalog import default

    table = production() if table is None else table
    if latest:
        table = table[table["year"] == table.groupby("mineral")["year"].transform("max")]
    rows = [_summarise(group) for _, group in table.groupby(["mineral", "year"], sort=True)]
    curated = curated_minerals(default(deposits, "mineral_deposits") if deposits is None else deposits)
    listed = {str(r["mineral"]) for r in rows}
    rows += [
        {"mineral": m, "status": UNKNOWN, "confidence": None, "sources": "", "source_urls": ""}
        for m in curated.index
        if m not in listed
    ]
    result = pd.DataFrame(rows)
    result["year"] = result["year"].astype("Int64")
    result["curated_features"] = result["mineral"].map(curated).fillna(0).astype(int)
    result["caveat"] = CAVEAT
    result["exceeds_cap"] = result["exceeds_cap"].astype("boolean")
    order = result["top_share_pct"].fillna(-1)
    return result.iloc[order.argsort(kind="stable")[::-1]].reset_index(drop=True)
