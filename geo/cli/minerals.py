"""``geo minerals``: the UK's mineral lists against what each Central Asian country produces.

Answers the claim that Kazakhstan "produces 22 of the 36 minerals" of the UK strategy, list member by
list member, with the source of each answer; a member no source names stays a ``NOT FOUND`` row.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from geo.cli.options import out, user_errors

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["minerals"]


def _cell(row: pd.Series) -> str:
    if row["produces"] == "NOT FOUND":
        return "NOT FOUND"
    kind = "P" if "figure" in str(row["produces"]) else "F"
    share = row["world_share_pct"]
    import pandas as pd

    return f"yes ({kind}{'' if share is None or pd.isna(share) else f', {share:.1f}% of world'})"


@user_errors
def minerals(
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO3 code(s) to show [default: the five Central Asian].")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every row with its evidence and sources as JSON.")
    ] = False,
) -> None:
    """Show which UK-listed minerals each country produces (with sources), and the count against '22 of 36'."""
    from geo.analysis.supply import CENTRAL_ASIA
    from geo.analysis.uk_lists import CLAIM, claim_counts, listed_producers
    from geo.errors import UnknownNameError
    from geo.mineral_lists import LISTS

    countries = tuple(c.upper() for c in country) if country else CENTRAL_ASIA
    if unknown := [c for c in countries if c not in CENTRAL_ASIA]:
        msg = f"Unknown country {unknown}; use ISO3 codes of {list(CENTRAL_ASIA)}."
        raise UnknownNameError(msg)
    result = listed_producers(countries=countries)
    counts = claim_counts(result)
    if as_json:
        payload = {
            "claim": {"produced": CLAIM[0], "listed": CLAIM[1], "who": CLAIM[2], "source": CLAIM[3]},
            "lists": LISTS,
            "counts": [c.__dict__ for c in counts],
            "rows": json.loads(result.to_json(orient="records")),
        }
        out().print_json(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(
        title="UK-listed minerals: produced by Central Asian countries? (P = production figure, F = operating feature)",
        caption="NOT FOUND means no stored source says so, not that the country produces none. "
        "`geo minerals --json` gives each answer's source.",
    )
    table.add_column("mineral", overflow="fold")
    table.add_column("lists", overflow="fold")
    for c in countries:
        table.add_column(c, overflow="fold")
    for (member, lists), rows in result.groupby(["member", "lists"], sort=False):
        table.add_row(str(member), str(lists), *(_cell(r) for _, r in rows.iterrows()))
    out().print(table)
    claimed, listed, who, url = CLAIM
    out().print(f"Claim: produces {claimed} of {listed} listed minerals — {who} ({url})", soft_wrap=True)
    for count in counts:
        out().print(
            f"{count.country}: {count.produced} of {count.named} named members evidenced — {count.verdict}",
            soft_wrap=True,
        )
