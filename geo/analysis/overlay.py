"""Overlaps and per-unit summaries, with areas in hectares from an equal-area CRS."""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from geo.catalog import default
from geo.crs import EQUAL_AREA, reproject, require_crs

__all__ = ["overlaps", "summarize"]

logger = logging.getLogger(__name__)
_M2_PER_HA = 10_000.0


def _suffixed(gdf: gpd.GeoDataFrame, suffix: str) -> gpd.GeoDataFrame:
    names = {c: f"{c}{suffix}" for c in gdf.columns if c != gdf.geometry.name}
    return gdf.rename(columns=names).reset_index(drop=True)


def overlaps(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    names: tuple[str, str] = ("a", "b"),
    suffixes: tuple[str, str] = ("_a", "_b"),
) -> gpd.GeoDataFrame:
    """Intersections of `a` and `b` with their area in hectares (``area_ha``, computed in ``EQUAL_AREA``).

    Returns one row per overlapping pair with both layers' columns, the intersection geometry in
    `a`'s CRS, ``area_ha``, and each side's share of its own area (``share_a``, ``share_b``).
    """
    require_crs(a, name=names[0])
    require_crs(b, name=names[1])
    ea = _suffixed(reproject(a, EQUAL_AREA, name=names[0]), suffixes[0])
    eb = _suffixed(reproject(b, EQUAL_AREA, name=names[1]), suffixes[1])
    ea["_ia"], eb["_ib"] = ea.index, eb.index
    polygons = ("Polygon", "MultiPolygon")
    pieces = gpd.overlay(
        ea[ea.geom_type.isin(polygons)], eb[eb.geom_type.isin(polygons)], how="intersection", keep_geom_type=True
    )
    pieces = pieces[~pieces.geometry.is_empty]
    area = pieces.geometry.area
    out = pieces.copy()
    out["area_ha"] = area.to_numpy() / _M2_PER_HA
    out["share_a"] = area.to_numpy() / ea.geometry.area.to_numpy()[pieces["_ia"]]
    out["share_b"] = area.to_numpy() / eb.geometry.area.to_numpy()[pieces["_ib"]]
    out = out.drop(columns=["_ia", "_ib"])
    logger.info("%s x %s: %d overlaps", names[0], names[1], len(out))
    return reproject(out, a.crs, name="overlaps")


def summarize(
    layer: gpd.GeoDataFrame, *, by: str = "country", name: str = "layer", units: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Count features and hectares per country or region.

    A feature is counted in the unit holding its representative point; its hectares are
    those of its own geometry inside that unit (0 for points). ``by="region"`` uses the Natural
    Earth regions (Kazakhstan's pre-2018 layout).
    """
    if by not in ("country", "region"):
        msg = f"by must be 'country' or 'region', got {by!r}."
        raise ValueError(msg)
    require_crs(layer, name=name)
    units = default(units, "countries" if by == "country" else "regions")
    units = units[units["central_asia"]] if by == "country" and "central_asia" in units else units
    key = "iso_a3" if by == "country" else "id"
    ea_units = reproject(units[[key, "name", "geometry"]], EQUAL_AREA, name=by).reset_index(drop=True)
    ea = reproject(layer, EQUAL_AREA, name=name)
    ea = ea[ea.geometry.notna() & ~ea.geometry.is_empty]
    points = gpd.GeoDataFrame(geometry=ea.geometry.representative_point(), crs=EQUAL_AREA)
    hit = gpd.sjoin(points, ea_units, how="left", predicate="within")
    hit = hit[~hit.index.duplicated()]
    counts = hit.groupby(key).size().rename("features")
    polys = ea[ea.geom_type.isin(["Polygon", "MultiPolygon"])][[ea.geometry.name]].reset_index(drop=True)
    area = gpd.overlay(polys, ea_units, how="intersection", keep_geom_type=True) if len(polys) else None
    hectares = (
        area.assign(ha=area.area / _M2_PER_HA).groupby(key)["ha"].sum()
        if area is not None and len(area)
        else pd.Series(dtype="float64")
    )
    table = ea_units.drop(columns="geometry").set_index(key)
    table["features"] = counts.reindex(table.index).fillna(0).astype(int)
    table["area_ha"] = hectares.reindex(table.index).fillna(0.0).round(0)
    outside = int(hit[key].isna().sum())
    if outside:
        logger.info("%s: %d feature(s) outside every %s", name, outside, by)
    return table.reset_index().sort_values(["features", "area_ha"], ascending=False).reset_index(drop=True)
