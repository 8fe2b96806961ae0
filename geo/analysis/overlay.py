"""Areas that stay honest: stated hectares apart from envelopes, features in the unit their sources name.

Two quantities are never mixed:

- **stated hectares**: the area a feature's sources state (``area_ha``: planted, licensed, covered;
  or, where no such area is stated, ``target_area_ha``). Only these are summed as "hectares of the
  thing";
- **envelope hectares**: the area a region- or country-level feature is known to lie *somewhere
  inside* (:func:`geo.precision.is_envelope`). Reported apart and labelled, never added to stated
  hectares: Kazakhstan's two-billion-trees programme is not 273 million hectares of trees.

A feature is attributed to the unit its sources name (its ``country`` field; for regions its
``region`` field, matched by name or alias), not split by polygon overlap. A feature whose fields
name no known unit falls back to its geometry: the unit holding its point, or the units its polygon
overlaps by more than a sliver; several units make one shared row (its hectares are not split).

**Slivers**: the reference boundaries (world-atlas countries, Natural Earth admin-1 regions) disagree
by up to about 180 m along shared borders (a test measures it), so an overlap part narrower than
``2 x SLIVER_M`` (its largest inscribed circle has a radius under ``SLIVER_M`` = 250 m) is a
boundary artefact and is dropped.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import precision
from geo.analysis.scale import in_memory, is_lazy, map_with
from geo.analysis.scale import summarize as lazy_summarize
from geo.catalog import default, region_aliases
from geo.crs import EQUAL_AREA, reproject, require_crs

__all__ = ["SLIVER_M", "attribute", "drop_slivers", "overlaps", "stated_ha", "summarize"]

logger = logging.getLogger(__name__)

#: Overlap parts whose largest inscribed circle is smaller than this radius are boundary slivers.
SLIVER_M = 250.0
_M2_PER_HA = 10_000.0
_POLYGON_ID = 3
_POLYGONS = ("Polygon", "MultiPolygon")
_SUFFIX = re.compile(r"\b(region|oblast|oblysy|province|viloyati|viloyat|respublikasi)\b", re.IGNORECASE)
SUMMARY_COLUMNS = {
    "features": "features attributed to the unit (by the country/region their sources name)",
    "stated_ha": "hectares the features' sources state: area_ha, or target_area_ha where no area is stated",
    "stated_features": "how many of the features state an area or a target",
    "stated_area_ha": "the part of stated_ha that is an area the sources say exists (planted, licensed, covered)",
    "stated_target_ha": "the part of stated_ha that is only a target; programmes can nest, so targets may overlap",
    "envelope_ha": "area of the union of the region/country envelopes the features lie somewhere inside: "
    "where they are, not what they cover; never part of stated_ha",
    "mapped_ha": "area of polygons that are the features' own extent (not envelopes)",
}


def stated_ha(layer: pd.DataFrame) -> pd.Series:
    """Each feature's stated hectares: ``area_ha`` where stated, else ``target_area_ha`` (NaN where neither)."""
    out = pd.Series(np.nan, index=layer.index, dtype="float64")
    for col in ("target_area_ha", "area_ha"):  # area_ha wins
        if col in layer:
            values = pd.to_numeric(layer[col], errors="coerce").astype("float64")
            out = values.where(values.notna(), out)
    return out


def _envelope(layer: pd.DataFrame) -> np.ndarray:
    return precision.somewhere_inside(layer)


def drop_slivers(geoms: np.ndarray, *, tolerance_m: float = SLIVER_M) -> np.ndarray:
    """Remove the parts of (equal-area or metric) polygons narrower than ``2 x tolerance_m``; empty if all are.

    A part can only be a sliver if its area is at most its perimeter times the tolerance (every
    point of a sliver lies within the tolerance of its edge), so only those are measured.
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    polygon = shapely.get_type_id(parts) == _POLYGON_ID  # intersections can also hold touching lines and points
    parts, owner = parts[polygon], owner[polygon]
    maybe = shapely.area(parts) <= shapely.length(parts) * tolerance_m
    thin = np.zeros(len(parts), dtype=bool)
    for i in np.flatnonzero(maybe):
        circle = shapely.maximum_inscribed_circle(parts[i], tolerance_m / 10)
        thin[i] = shapely.length(circle) < tolerance_m
    out = np.full(len(geoms), shapely.Polygon(), dtype=object)
    keep = ~thin
    if keep.any():
        kept, owners = parts[keep], owner[keep]
        for i in np.unique(owners):
            out[i] = shapely.union_all(kept[owners == i])
    return out


# --- attribution -------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = re.sub(r"\(.*?\)", " ", text)
    text = _SUFFIX.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _region_index(units: pd.DataFrame) -> dict[str, list[str]]:
    """Normalised names, alternative names, ids and today's aliases -> region ids."""
    index: dict[str, list[str]] = {}

    def add(name: object, key: str) -> None:
        if isinstance(name, str) and name.strip():
            index.setdefault(_norm(name), [])
            if key not in index[_norm(name)]:
                index[_norm(name)].append(key)

    for _, row in units.iterrows():
        key = str(row["id"])
        for col in ("id", "name", "name_en_ne", "name_ne"):
            add(row.get(col), key)
        alt = row.get("name_alt")
        for name in alt if isinstance(alt, list | tuple | np.ndarray) else []:
            add(name, key)
    for alias, key in zip(region_aliases()["alias"], region_aliases()["region_id"], strict=True):
        if key in set(units["id"]):
            add(alias, str(key))
    return index


def _named_regions(text: object, index: dict[str, list[str]]) -> tuple[str, ...] | None:
    """Return the regions a ``region`` field names ("A, B and C" names three); None if any piece is unknown."""
    if not isinstance(text, str) or not text.strip():
        return None
    city = "city" in text.lower()
    keys = []
    for piece in re.split(r",|\band\b|\bor\b", text):
        if not _norm(piece):
            continue
        found = index.get(_norm(piece))
        if not found:
            return None
        plain = [k for k in found if k.endswith("-city") == city] or found
        keys.append(plain[0])
    return tuple(dict.fromkeys(keys)) or None


def attribute(
    layer: gpd.GeoDataFrame, units: gpd.GeoDataFrame, *, key: str, field: str | None, name: str = "layer"
) -> pd.Series:
    """Return the unit(s) each feature belongs to, as a tuple of unit keys (empty: none).

    The feature's own `field` (``country`` or ``region``) decides where it names a known unit;
    otherwise its geometry: the unit holding its point, or every unit its polygon overlaps by
    more than a sliver.
    """
    known = set(units[key].astype(str))
    out = pd.Series([()] * len(layer), index=layer.index, dtype=object)
    if field == "country" and "country" in layer:
        named = layer["country"].map(lambda c: (str(c),) if isinstance(c, str) and c in known else None)
    elif field == "region" and "region" in layer:
        index = _region_index(units)
        named = layer["region"].map(lambda t: _named_regions(t, index))
    else:
        named = pd.Series([None] * len(layer), index=layer.index, dtype=object)
    fallback = named.isna() & layer.geometry.notna() & ~layer.geometry.is_empty
    if field == "region" and "location_precision" in layer:
        fallback &= layer["location_precision"] != "country"  # a country-only feature names no region
    out[named.notna()] = named[named.notna()]
    if fallback.any():
        ea = reproject(layer.loc[fallback, [layer.geometry.name]], EQUAL_AREA, name=name)
        ea_units = reproject(units[[key, units.geometry.name]], EQUAL_AREA, name="units").reset_index(drop=True)
        found = _by_geometry(ea, ea_units, key)
        out[found.index] = found
    return out


def _by_geometry(ea: gpd.GeoDataFrame, units: gpd.GeoDataFrame, key: str) -> pd.Series:
    geoms = ea.geometry.to_numpy()
    probe = np.where(shapely.get_type_id(geoms) == 0, geoms, shapely.buffer(geoms, -SLIVER_M))
    probe = np.where(shapely.is_empty(probe), shapely.point_on_surface(geoms), probe)
    tree = shapely.STRtree(units.geometry.to_numpy())
    left, right = tree.query(probe, predicate="intersects")
    names = units[key].astype(str).to_numpy()
    found: list[tuple[str, ...]] = [() for _ in range(len(ea))]
    for i in np.unique(left):
        found[i] = tuple(sorted(set(names[right[left == i]])))
    return pd.Series(found, index=ea.index, dtype=object)


# --- overlaps -----------------------------------------------------------------------------------------


def overlaps(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    names: tuple[str, str] = ("a", "b"),
    suffixes: tuple[str, str] = ("_a", "_b"),
    sliver_m: float = SLIVER_M,
) -> gpd.GeoDataFrame:
    """Intersections of the polygons of `a` and `b`, in hectares from ``EQUAL_AREA``, slivers dropped.

    Returns
    -------
    gpd.GeoDataFrame
        One row per overlapping pair with both layers' columns, the intersection in `a`'s CRS and:
        ``overlap_ha`` (area of the intersection where both are real areas, else NaN);
        ``envelope_ha`` (the same where either side is a region/country envelope: where a feature
        could be, not area it covers); ``share_a``/``share_b`` (of each side's own area);
        ``stated_ha`` (the `a` feature's stated hectares, on its row only when the whole feature
        lies in one feature of `b`: stated hectares are never split by overlap).
    """
    if is_lazy(a):
        return map_with(overlaps, a, b, name=names[1], names=names, suffixes=suffixes, sliver_m=sliver_m)
    b = in_memory(b, name=names[1])
    require_crs(a, name=names[0])
    require_crs(b, name=names[1])
    ea = reproject(a, EQUAL_AREA, name=names[0]).reset_index(drop=True)
    eb = reproject(b, EQUAL_AREA, name=names[1]).reset_index(drop=True)
    ea, eb = ea[ea.geom_type.isin(_POLYGONS)], eb[eb.geom_type.isin(_POLYGONS)]
    left, right = shapely.STRtree(eb.geometry.to_numpy()).query(ea.geometry.to_numpy(), predicate="intersects")
    ia, ib = ea.index.to_numpy()[left], eb.index.to_numpy()[right]
    pieces = shapely.intersection(ea.geometry.to_numpy()[left], eb.geometry.to_numpy()[right])
    pieces = drop_slivers(pieces, tolerance_m=sliver_m)
    real = ~shapely.is_empty(pieces)
    ia, ib, pieces = ia[real], ib[real], pieces[real]
    area = shapely.area(pieces)
    cols_a = ea.drop(columns=ea.geometry.name).loc[ia].reset_index(drop=True).add_suffix(suffixes[0])
    cols_b = eb.drop(columns=eb.geometry.name).loc[ib].reset_index(drop=True).add_suffix(suffixes[1])
    out = gpd.GeoDataFrame(pd.concat([cols_a, cols_b], axis=1), geometry=list(pieces), crs=EQUAL_AREA)
    envelope = _envelope(ea.loc[ia]) | _envelope(eb.loc[ib])
    out["overlap_ha"] = np.where(envelope, np.nan, area / _M2_PER_HA)
    out["envelope_ha"] = np.where(envelope, area / _M2_PER_HA, np.nan)
    out["share_a"] = area / shapely.area(ea.geometry.loc[ia].to_numpy())
    out["share_b"] = area / shapely.area(eb.geometry.loc[ib].to_numpy())
    alone = pd.Series(ia).map(pd.Series(ia).value_counts()).to_numpy() == 1
    out["stated_ha"] = np.where(alone, stated_ha(ea).loc[ia].to_numpy(), np.nan)
    logger.info("%s x %s: %d overlaps (slivers under %.0f m dropped)", names[0], names[1], len(out), sliver_m)
    return reproject(out, a.crs, name="overlaps")


# --- summaries -------------------------------------------------------------------------------------


def _units(by: str, units: gpd.GeoDataFrame | None) -> tuple[gpd.GeoDataFrame, str]:
    units = default(units, "countries" if by == "country" else "regions")
    if by == "country" and "central_asia" in units:
        units = units[units["central_asia"]]
    key = "iso_a3" if by == "country" else "id"
    return units, key


def _row_name(keys: tuple[str, ...], names: dict[str, str], kind: str) -> str:
    if kind == "country only":
        return f"{names.get(keys[0], keys[0])} (country only, no region named)"
    if len(keys) > 1:
        return ", ".join(names.get(k, k) for k in keys) + " (together: not split)"
    return names.get(keys[0], keys[0]) if keys else "(in no unit)"


def summarize(
    layer: gpd.GeoDataFrame,
    *,
    by: Literal["country", "region"] = "country",
    name: str = "layer",
    units: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Features and hectares per country or region: stated hectares apart from envelope hectares.

    Parameters
    ----------
    layer
        A layer with a CRS (or a dask-geopandas frame: the result is then a lazy dask frame with
        the same columns); its ``country``/``region`` fields, where present, decide the unit.
    by
        ``"country"`` (the Central Asian countries) or ``"region"`` (Natural Earth admin-1:
        Kazakhstan's pre-2018 layout; today's names are matched through ``geo.region_aliases()``).
    name
        The layer's name for messages.
    units
        Other unit polygons (with ``iso_a3`` for countries, ``id`` for regions).

    Returns
    -------
    pd.DataFrame
        One row per unit (``iso_a3`` or ``id``, ``name``, ``kind``) with the columns described in
        ``table.attrs["columns"]`` (``SUMMARY_COLUMNS``): ``features``, ``stated_ha`` (split into
        ``stated_area_ha``, what the sources say exists, and ``stated_target_ha``, what is only a target),
        ``stated_features``, ``envelope_ha``, ``mapped_ha``. Extra rows hold features named to
        several units together (``kind`` = ``together``: their hectares are not split) and, by
        region, features known only to their country (``kind`` = ``country only``).
    """
    if by not in ("country", "region"):
        msg = f"by must be 'country' or 'region', got {by!r}."
        raise ValueError(msg)
    require_crs(layer, name=name)
    units, key = _units(by, units)
    partial = functools.partial(_partial, units=units, key=key, by=by, name=name)
    finish = functools.partial(_finish, units=units, key=key, by=by)
    if is_lazy(layer):
        return lazy_summarize(layer, partial, finish)
    return finish(partial(layer))


def _country_names() -> tuple[list[str], list[str]]:
    countries = default(None, "countries")
    return [str(k) for k in countries["iso_a3"]], [str(n) for n in countries["name"]]


_PARTIAL = [
    "keys",
    "kind",
    "features",
    "stated_ha",
    "stated_features",
    "stated_area_ha",
    "stated_target_ha",
    "mapped_ha",
    "envelope",
]


def _partial(layer: gpd.GeoDataFrame, *, units: gpd.GeoDataFrame, key: str, by: str, name: str) -> pd.DataFrame:
    """Per (unit keys, kind) of one partition: counts, stated and mapped hectares, the union of envelopes."""
    if layer.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64" if "ha" in c else object) for c in _PARTIAL})
    keys = attribute(layer, units, key=key, field=by, name=name)
    kinds = pd.Series(np.where(keys.map(len) > 1, "together", by), index=layer.index, dtype=object)
    if by == "region" and "location_precision" in layer and "country" in layer:
        only = (layer["location_precision"] == "country") & (keys.map(len) == 0) & layer["country"].notna()
        keys[only] = layer.loc[only, "country"].map(lambda c: (str(c),))
        kinds[only] = "country only"
    if (outside := int((keys.map(len) == 0).sum())) > 0:
        logger.info("%s: %d feature(s) in no %s", name, outside, by)
    ea = reproject(layer, EQUAL_AREA, name=name)
    envelope = _envelope(ea)
    polygons = ea.geom_type.isin(_POLYGONS).to_numpy()
    stated = stated_ha(ea)
    area = pd.to_numeric(ea["area_ha"], errors="coerce") if "area_ha" in ea else pd.Series(np.nan, index=ea.index)
    frame = pd.DataFrame(
        {
            "keys": keys.map("+".join).to_numpy(),
            "kind": kinds.to_numpy(),
            "features": 1,
            "stated_ha": stated.fillna(0.0).to_numpy(),
            "stated_features": stated.notna().astype(int).to_numpy(),
            "stated_area_ha": area.fillna(0.0).to_numpy(dtype="float64"),
            "stated_target_ha": stated.where(area.isna(), 0.0).fillna(0.0).to_numpy(dtype="float64"),
            "mapped_ha": np.where(polygons & ~envelope, shapely.area(ea.geometry.to_numpy()) / _M2_PER_HA, 0.0),
            "envelope": np.where(polygons & envelope, ea.geometry.to_numpy(), None),
        }
    )
    return _combine(frame[frame["keys"] != ""], union=False)


def _union(geoms: pd.Series) -> object:
    return shapely.union_all(geoms.dropna().to_numpy()) if geoms.notna().any() else None


def _combine(frame: pd.DataFrame, *, union: bool) -> pd.DataFrame:
    """Sum the counts and hectares per (keys, kind); union the envelopes (and measure them if `union`)."""
    grouped = frame.groupby(["keys", "kind"], sort=False)
    sums = ["features", "stated_ha", "stated_features", "stated_area_ha", "stated_target_ha", "mapped_ha"]
    table = grouped[sums].sum()
    envelopes = grouped["envelope"].agg(_union)
    if union:
        table["envelope_ha"] = [0.0 if g is None else shapely.area(g) / _M2_PER_HA for g in envelopes]
    else:
        table["envelope"] = envelopes
    return table.reset_index()


def _finish(partial: pd.DataFrame, *, units: gpd.GeoDataFrame, key: str, by: str) -> pd.DataFrame:
    """Return the summary table from the partial tables of every partition."""
    table = _combine(partial, union=True)
    names = dict(zip(units[key].astype(str), units["name"].astype(str), strict=True))
    if by == "region":
        names |= dict(zip(*_country_names(), strict=True))
    unit_rows = pd.DataFrame({"keys": list(units[key].astype(str)), "kind": by})
    table = unit_rows.merge(table.astype({"keys": object, "kind": object}), on=["keys", "kind"], how="outer")
    table["name"] = [
        _row_name(tuple(str(k).split("+")), names, kind) for k, kind in zip(table["keys"], table["kind"], strict=True)
    ]
    table[key] = table["keys"]
    for col in ("features", "stated_features"):
        table[col] = table[col].fillna(0).astype(int)
    for col in ("stated_ha", "stated_area_ha", "stated_target_ha", "mapped_ha", "envelope_ha"):
        table[col] = table[col].astype("float64").fillna(0.0).round(0)
    table = table[[key, "name", "kind", *SUMMARY_COLUMNS]]
    table = table.sort_values(["features", "stated_ha", "envelope_ha"], ascending=False).reset_index(drop=True)
    table.attrs["columns"] = dict(SUMMARY_COLUMNS)
    return table
