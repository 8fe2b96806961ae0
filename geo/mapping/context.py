"""The reference layers as map context: styles, names to read at every zoom, search keys, and lease labels.

Countries, lakes, rivers and regions get a label point; towns carry their population so the page shows
more of them, and names them, as the reader zooms in. Baikonur (Kazakh territory leased to Russia) is part
of Kazakhstan and of Kyzylorda region in the reference layers themselves (``geo.data.build`` fills the
sources' hole and records the lease in a ``lease`` field), so the map and a spatial join agree; the map
labels the leased town.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo import symbology
from geo.i18n import words
from geo.mapping.words import LANGUAGE, current_language, word

__all__ = ["LEASES", "reference_collection", "without_leased_holes"]

#: Leased territory inside a country, by the town in it, and the word of its map label (:mod:`geo.mapping.words`).
#: Baikonur: leased by Kazakhstan to Russia (1994 agreement, extended in 2004 to 2050); the country and
#: region layers hold it (their ``lease`` field), and user polygons may still leave it as a hole.
LEASES = {"Baikonur": "lease.baikonur"}
_TOLERANCE = 0.002  # degrees: display simplification, as for the curated areas
_DECIMALS = 5
_SCRIPT_OK = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u0400-\u04FF'`ʻʼ‘’.\-()]+$")
_MAX_KEYS = 40
_CITY_TYPES = ("City", "Independent City")


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom] if isinstance(geom, Polygon) else []


@functools.lru_cache(maxsize=1)
def _leased_towns() -> tuple[BaseGeometry, ...]:
    from geo.catalog import load

    towns = load("cities")
    return tuple(towns.loc[towns["name"].isin(list(LEASES)), "geometry"])


def without_leased_holes(geom: BaseGeometry) -> BaseGeometry:
    """Return `geom` with the holes that hold a leased town (Baikonur) filled.

    An envelope drawn from a country or region polygon then says "somewhere inside" for the whole territory.
    """
    parts = _polygons(geom)
    if not any(part.interiors for part in parts):
        return geom
    towns = _leased_towns()
    filled = [
        Polygon(part.exterior, [r for r in part.interiors if not any(Polygon(r).contains(t) for t in towns)])
        for part in parts
    ]
    return MultiPolygon(filled) if isinstance(geom, MultiPolygon) else filled[0]


def _geojson(geom: BaseGeometry | None, *, simplify: bool = True) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if simplify and geom.geom_type != "Point":
        geom = shapely.simplify(geom, _TOLERANCE, preserve_topology=True)
    rounded = shapely.transform(geom, lambda xy: np.round(xy, _DECIMALS))
    return json.loads(shapely.to_geojson(rounded))


def _label_point(geom: BaseGeometry) -> list[float]:
    if geom.geom_type in ("LineString", "MultiLineString"):
        longest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.length)
        point = longest.interpolate(0.5, normalized=True)
    else:
        biggest = max(_polygons(geom) or [geom], key=lambda g: g.area)
        point = biggest.representative_point()
    return [round(point.y, 4), round(point.x, 4)]


def _search_keys(row: pd.Series, aliases: Mapping[str, list[str]]) -> list[str]:
    """Names to search a reference feature by: its names in Latin and Cyrillic, and region aliases."""
    keys: list[str] = []
    for col in ("name", "name_cyrillic", "name_ru", "name_local", "name_ne"):
        if isinstance(value := row.get(col), str) and value:
            keys.append(value)
    for col in ("alt_names", "name_alt"):
        values = row.get(col)
        if isinstance(values, list | np.ndarray):
            keys += [v for v in values if isinstance(v, str) and _SCRIPT_OK.match(v)]
    keys += aliases.get(str(row.get("id")), [])
    return list(dict.fromkeys(keys))[:_MAX_KEYS]


def _short(name: str) -> str:
    """Return a name as a map label: without the source's parenthetical note ("Aral Sea (Natural Earth 50m state)")."""
    return re.sub(r"\s*\(.*\)$", "", name)


def _group(name: str, row: pd.Series, countries: Mapping[str, str]) -> str:
    """Return what a search result is: "Region of Kyrgyzstan", "Town in Uzbekistan", "Lake"... (words: ``group.*``).

    Another reference layer is called by its name ("Aralkum").
    """
    country = countries.get(str(row.get("country") or ""), "")
    if name == "regions":
        kind = "city" if row.get("type_en") in _CITY_TYPES or str(row.get("id", "")).endswith("-city") else "region"
        return word(f"group.{kind}_of", country=country) if country else word(f"group.{kind}")
    if name == "cities":
        return word("group.town_in", country=country) if country else word("group.town")
    if name in ("countries", "lakes", "rivers"):
        return word(f"group.{name}")
    return name.replace("_", " ").capitalize()


def _feature(geom: BaseGeometry | None, props: dict[str, Any], *, simplify: bool) -> dict[str, Any]:
    return {"type": "Feature", "geometry": _geojson(geom, simplify=simplify), "properties": props}


def reference_collection(
    name: str,
    gdf: gpd.GeoDataFrame,
    *,
    aliases: Mapping[str, list[str]] | None = None,
    countries: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return a reference layer as a GeoJSON FeatureCollection with its drawing, label and search properties.

    Properties: ``_s`` style, ``_t`` hover name, ``_k`` search keys, ``_g`` what the search calls it,
    ``_lbl`` a label point, ``_ln`` its text and ``_lc`` its class (``country``, ``neighbour``, ``water``, ``region``,
    ``lease``), ``_p`` a town's population. A feature with ``_lbl`` but no geometry is a label only.
    """
    aliases, countries = aliases or {}, countries or {}
    style = symbology.reference_style(name)
    neighbours = symbology.reference_style("neighbours") if name == "countries" else None
    features = []
    for _, row in gdf.iterrows():
        text = row.get("name")
        if name == "countries" and current_language() != LANGUAGE and row.get("iso_a3"):
            text = words(current_language()).country(row["iso_a3"])  # CLDR's name in the map's language
        label = _short(text) if isinstance(text, str) and text else None
        own = neighbours if neighbours is not None and not row.get("central_asia") else style
        props: dict[str, Any] = {"_s": own}
        if label:
            group = _group(name, row, countries)
            props["_t"] = (
                label if name != "regions" else word("group.hover", name=label, group=group[0].lower() + group[1:])
            )
            props["_g"] = group
        if keys := _search_keys(row, aliases):
            props["_k"] = keys
        if label and name in ("countries", "lakes", "rivers", "regions") and row.geometry is not None:
            props["_lbl"] = _label_point(row.geometry)
            props["_ln"] = label
            props["_lc"] = {"countries": "country" if own is style else "neighbour", "regions": "region"}.get(
                name, "water"
            )
        if name == "cities":
            pop = row.get("population")
            props["_p"] = int(pop) if pd.notna(pop) else 0
            if props["_p"]:
                props["_t"] = f"{label} ({props['_p']:,})"
        features.append(_feature(row.geometry, props, simplify=name != "cities"))
    if name == "countries" and "lease" in gdf.columns:
        features += _lease_labels(gdf[gdf["lease"].notna()])
    return {"type": "FeatureCollection", "features": features}


def _lease_labels(holders: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return a label for each leased town (from the shipped towns layer) inside a polygon with a lease."""
    if holders.empty:
        return []
    from geo.catalog import load

    towns = load("cities")
    towns = towns[towns["name"].isin(list(LEASES))]
    out = []
    for area in holders.geometry:
        for _, town in towns[towns.within(area)].iterrows():
            props = {"_lbl": [round(town.geometry.y, 4), round(town.geometry.x, 4)], "_lc": "lease"}
            props["_t"] = props["_ln"] = word(LEASES[town["name"]])
            out.append({"type": "Feature", "geometry": None, "properties": props})
    return out
