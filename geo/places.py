"""Finding reference areas by name: a region (by name, id or today's alias) or a country (ISO alpha-3)."""

from __future__ import annotations

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
        If nothing matches; the message lists names to try.
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
            names = ", ".join(sorted(regions["name"])[:_SHOWN])
            msg = f"No region named {region!r}; try one of: {names} …"
            raise LayerSchemaError(msg)
        return match.iloc[[0]]
    if country:
        countries = default(countries, "countries")
        match = countries[countries["id"] == country.strip().upper()]
        if match.empty:
            msg = f"No country {country!r}; use an ISO alpha-3 code such as KGZ or TJK."
            raise LayerSchemaError(msg)
        return match
    return None
