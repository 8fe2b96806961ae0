"""The questions a brief can answer: one function per kind, registered in :data:`QUESTIONS`.

Each takes the recipe's options and the brief's :class:`Context` (the selected layers, the words of the brief's
language, its notes) and returns a :class:`Section`: a heading, paragraphs, key figures and tables whose every
figure cites its sources in the notes. All text is the catalog's (:mod:`geo.i18n`); all figures come from
:mod:`geo.analysis`, so a brief says what the notebooks say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.brief.notes import Notes, refs
from geo.errors import RecipeError
from geo.i18n import Words

__all__ = ["QUESTIONS", "Context", "Section", "Table", "country_name"]


@dataclass(frozen=True, kw_only=True)
class Table:
    """A table of text cells; `numeric` columns are right-aligned."""

    columns: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    caption: str = ""


@dataclass(frozen=True, kw_only=True)
class Section:
    """One answered question."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Context:
    """What every question reads: the brief's selected layers by name, its words and its notes."""

    layers: Mapping[str, gpd.GeoDataFrame]
    w: Words
    notes: Notes

    def layer(self, options: Mapping[str, Any], key: str, *, question: str) -> gpd.GeoDataFrame:
        """Return the selected layer the option `key` names; the recipe must show it."""
        name = options.get(key)
        if name not in self.layers:
            msg = f"Question {question!r}: {key} = {name!r} is not among the brief's layers ({', '.join(self.layers)})."
            raise RecipeError(msg)
        return self.layers[str(name)]


def country_name(code: object, w: Words) -> str:
    """Return a country's name (ISO alpha-3 code) in the brief's language, from CLDR."""
    return w.country(code)


def _km(metres: float, w: Words) -> str:
    return w.number(metres / 1000)


def _pct(value: object, w: Words) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return w("unknown")
    return w.number(float(value), digits=1)  # type: ignore[arg-type]


def _sources(row: Any) -> list[Any]:
    value = row.get("sources") if hasattr(row, "get") else None
    return list(value) if isinstance(value, list | tuple) else []


def near(options: Mapping[str, Any], ctx: Context) -> Section:
    """Features of `right` within `distance` of each feature of `left`, as geodesic distance intervals."""
    from geo.analysis import within_distance
    from geo.analysis.units import parse_distance_m

    w = ctx.w
    left, right = ctx.layer(options, "left", question="near"), ctx.layer(options, "right", question="near")
    distance = parse_distance_m(options.get("distance", "300 km"))
    pairs = within_distance(left, right, distance)
    by_id = {str(r["id"]): r for _, r in pd.concat([left, right]).iterrows()}
    rows = []
    for pair in pairs.sort_values(["name_a", "distance_min_m"]).itertuples():
        a, b = by_id[str(pair.id_a)], by_id[str(pair.id_b)]
        rows.append(
            [
                w.name(a),
                w.name(b),
                ", ".join(w(c) for c in (b.get("commodities") or [])),
                f"{_km(pair.distance_min_m, w)}–{_km(pair.distance_max_m, w)}",
                w("yes") if pair.within_status == "yes" else w("possibly"),
                w(str(pair.location_precision_b)),
                refs(ctx.notes.cite_all(_sources(b))),
            ]
        )
    sure = pairs[pairs["within_status"] == "yes"]
    km = w.number(distance / 1000)
    figures = [
        (w("Features compared"), w.number(len(left))),
        (w("Pairs certainly within {km} km", km=km), w.number(len(sure))),
        (w("Pairs possibly within {km} km", km=km), w.number(len(pairs) - len(sure))),
        (w("Features with a site certainly within {km} km", km=km), w.number(sure["id_a"].nunique())),
    ]
    columns = [
        w("Feature"),
        w("Within reach"),
        w("Commodities"),
        w("Distance, km"),
        w("Within?"),
        w("Located to"),
        w("Notes"),
    ]
    return Section(
        title=w("What lies within {km} km", km=km),
        paragraphs=[
            w(
                "Distances are geodesic, as intervals: a feature known only to its town, district or region may lie "
                "anywhere in that area, so the distance is given from its least to its greatest possible value."
            )
        ],
        figures=figures,
        tables=[Table(columns=columns, rows=rows, numeric=frozenset({3}))],
    )


def supply(options: Mapping[str, Any], ctx: Context) -> Section:
    """Answer: the top producer's world share of each UK-critical mineral against the UK's 60% line."""
    from geo import symbology
    from geo.analysis import CAP_PCT, concentration

    w = ctx.w
    deposits = ctx.layers.get("mineral_deposits")
    result = concentration(deposits=deposits)
    if options.get("minerals", "critical") == "critical":
        result = result[result["mineral"].isin(symbology.UK_CRITICAL)]
    rows = []
    for row in result.to_dict("records"):
        urls = [u for u in str(row["source_urls"] or "").split() if u.startswith("http")]
        exceeds = row["exceeds_cap"]
        over = w("unknown") if exceeds is None or pd.isna(exceeds) else (w("yes") if exceeds else w("no"))
        year = row["year"]
        rows.append(
            [
                w(str(row["mineral"])),
                "–" if year is None or pd.isna(year) else str(year),
                country_name(row["top_country"], w),
                _pct(row["top_share_pct"], w),
                _pct(row["central_asia_share_pct"], w),
                over,
                w.number(int(row["curated_features"])),
                refs(ctx.notes.cite_all(urls)),
            ]
        )
    known = result[result["top_share_pct"].notna()]
    figures = [
        (w("UK-critical minerals listed"), w.number(len(result))),
        (w("With a sourced world share"), w.number(len(known))),
        (
            w("Top producer above {cap}%", cap=w.number(CAP_PCT)),
            w.number(int(known["exceeds_cap"].fillna(False).sum())),
        ),
        (w("Central Asian share known"), w.number(int(result["central_asia_share_pct"].notna().sum()))),
    ]
    columns = [
        w("Mineral"), w("Year"), w("Top producer"), w("Top share, %"), w("Central Asia, %"),
        w("Above 60%?"), w("Sites shown"), w("Notes"),
    ]  # fmt: skip
    return Section(
        title=w("Supply concentration against the UK's 60% line"),
        paragraphs=[
            w(
                "The UK's strategy aims that no more than 60% of any critical mineral comes from one country. World "
                "production shares stand in for the UK's imports, which no source breaks down by mineral and origin."
            )
        ],
        figures=figures,
        tables=[Table(columns=columns, rows=rows, numeric=frozenset({3, 4, 6}))],
    )


def hectares(options: Mapping[str, Any], ctx: Context) -> Section:
    """Stated hectares (what sources say) apart from envelope hectares (the area a feature is known within)."""
    from geo.analysis import summarize

    w = ctx.w
    layer = ctx.layer(options, "layer", question="hectares")
    table = summarize(layer, by="country")
    rows = [
        [
            country_name(r["iso_a3"], w),
            w.number(int(r["features"])),
            w.number(float(r["stated_area_ha"])),
            w.number(float(r["stated_target_ha"])),
            w.number(float(r["envelope_ha"])),
        ]
        for r in table.to_dict("records")
        if r["features"]
    ]
    for _, feature in layer.iterrows():
        ctx.notes.cite_all(_sources(feature))
    figures = [
        (w("Programmes shown"), w.number(len(layer))),
        (w("Stated hectares, existing"), w.number(float(table["stated_area_ha"].sum()))),
        (w("Stated hectares, targets"), w.number(float(table["stated_target_ha"].sum()))),
        (w("Envelope hectares"), w.number(float(table["envelope_ha"].sum()))),
    ]
    columns = [w("Country"), w("Programmes"), w("Stated, ha"), w("Target, ha"), w("Envelope, ha")]
    return Section(
        title=w("Hectares: stated and envelope"),
        paragraphs=[
            w(
                "Stated hectares are what the sources say is planted or targeted. Envelope hectares are the area of "
                "the region or country a programme is known to lie within: an upper bound of where, not of how much."
            )
        ],
        figures=figures,
        tables=[Table(columns=columns, rows=rows, numeric=frozenset({1, 2, 3, 4}))],
    )


def agreements(options: Mapping[str, Any], ctx: Context) -> Section:
    """Answer: the agreements dated from `since` (default 1 February 2026) and the features each concerns."""
    from geo.agreement_table import agreements as agreement_table

    w = ctx.w
    since = str(options.get("since", "2026-02-01"))
    table = agreement_table()
    table = table[table["date"].fillna("").astype(str) >= since[: len("2026-02")]]
    shown = {
        str(i): r for layer in ctx.layers.values() for i, r in zip(layer["id"], layer.to_dict("records"), strict=True)
    }
    rows = []
    for row in table.sort_values("date").to_dict("records"):
        touched = [w.name(shown[f]) for f in (row.get("features") or []) if f in shown]
        rows.append(
            [
                w.date(row.get("date")),
                str(row.get("title") or ""),
                ", ".join(str(p) for p in row.get("parties") or []),
                w(str(row.get("status") or "unknown")),
                "; ".join(touched) if touched else "–",
                refs(ctx.notes.cite_all(row.get("sources") or [])),
            ]
        )
    figures = [
        (w("Agreements since {date}", date=w.date(since)), w.number(len(rows))),
        (w("Concerning a feature shown"), w.number(sum(1 for r in rows if r[4] != "–"))),
    ]
    columns = [w("Date"), w("Agreement"), w("Parties"), w("Status"), w("Features it concerns"), w("Notes")]
    return Section(
        title=w("Agreements and what each touches"),
        figures=figures,
        tables=[Table(columns=columns, rows=rows)],
    )


def features(options: Mapping[str, Any], ctx: Context) -> Section:
    """Every feature the brief shows: status, confidence, location precision, as-of and checked dates, sources."""
    w = ctx.w
    rows = []
    for name, layer in ctx.layers.items():
        for _, row in layer.sort_values(["country", "name"]).iterrows():
            checked = row.get("checked")
            rows.append(
                [
                    w.name(row),
                    country_name(row.get("country"), w),
                    w(str(row.get("status") or "unknown")),
                    str(row.get("confidence") or "–"),
                    w(str(row.get("location_precision") or "unknown")),
                    w.date(row.get("as_of")),
                    w.date(checked) if isinstance(checked, str) and checked else "–",
                    refs(ctx.notes.cite_all(_sources(row))),
                ]
            )
        del name
    columns = [
        w("Feature"), w("Country"), w("Status"), w("Confidence"), w("Located to"), w("Status as of"),
        w("Checked"), w("Notes"),
    ]  # fmt: skip
    return Section(
        title=w("The features shown"),
        paragraphs=[
            w(
                "Confidence: H, several independent sources agree; M, one good source or sources that differ in "
                "detail; L, a single weak source. 'Located to' says how precisely the place is known."
            )
        ],
        tables=[Table(columns=columns, rows=rows)],
    )


#: Question kind -> the function that answers it.
QUESTIONS: dict[str, Callable[[Mapping[str, Any], Context], Section]] = {
    "near": near,
    "supply": supply,
    "hectares": hectares,
    "agreements": agreements,
    "features": features,
}
