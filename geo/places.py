"""Finding reference areas by name: a region (by name, id or today's alias) or a country (ISO alpha-3)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from geo.catalog import default, region_aliases
from geo.errors import LayerSchemaError

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["search_area"]

_SHOWN = 12


def search_area(
    *,
    region: str | None = None,
    country: str | None = None,
    regions: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    aliases: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame | None:
    """Return the polygon of a region or a country to search in, or ``None`` if neither is given.

    Parameters
    ----------
    region
        A region's name (``"Issyk-Kul"``), id (``"kg-issyk-kul"``) or an alias of today's name
        (``"Abay Region"``); matched without regard to case.
    country
        An ISO 3166-1 alpha-3 code such as ``"KGZ"``.
    regions, countries, aliases
        The reference layers and alias table (default: the shipped ones).

    Raises
    ------
    LayerSchemaError
        If nothing matches (the message suggests the closest names) or a name matches several regions
        (Almaty the region and Almaty the city: the message lists their ids).
    """
    if region:
        regions = default(regions, "regions")
        table = region_aliases() if aliases is None else aliases
        by_alias = {str(a).lower(): str(r) for a, r in zip(table["alias"], table["region_id"], strict=True)}
        wanted = region.strip().lower()
        match = regions[
            (regions["name"].str.lower() == wanted)
            | (regions["id"].str.lower() == wanted)
            | (regions["id"] == by_alias.get(wanted, ""))
        ]
        if match.empty:
            msg = f"No region named {region!r}; try {_suggest(regions, wanted)}."
            raise LayerSchemaError(msg)
        if len(match) > 1:  # Almaty the region and Almaty the city: never pick one silently
            choices = ", ".join(f"{row.id} ({_kind(row)})" for row in match.itertuples())
            msg = f"Region name {region!r} matches {len(match)} regions: {choices}. Give the id instead."
            raise LayerSchemaError(msg)
        return match
    if country:
        countries = default(countries, "countries")
        match = countries[countries["id"] == country.strip().upper()]
        if match.empty:
            msg = f"No country {country!r}; use an ISO alpha-3 code such as KGZ or TJK."
            raise LayerSchemaError(msg)
        return match
    return None


def _kind(row: object) -> str:
    """Return a region's kind in words ("region", "city"), from its ``type_en`` field."""
    kind = getattr(row, "type_en", None)
    return kind.lower() if isinstance(kind, str) and kind else "region"


def _suggest(regions: gpd.GeoDataFrame, wanted: str) -> str:
    """Return the closest region names (with ids where a name is shared), else the first few alphabetically."""
    labels: dict[str, list[str]] = {}
    shared = set(regions["name"][regions["name"].duplicated(keep=False)])
    for row in regions.itertuples():
        name = str(row.name)
        label = f"{name} ({row.id}, {_kind(row)})" if name in shared else name
        labels.setdefault(name.lower(), []).append(label)
    close = difflib.get_close_matches(wanted, list(labels), n=5, cutoff=0.6)
    if close:
        return "one of: " + ", ".join(label for c in close for label in labels[c])
    names = sorted(label for group in labels.values() for label in group)
    return "one of: " + ", ".join(names[:_SHOWN]) + f" … ({len(names)} in all; `geo show regions` lists them)"
