"""Which curated layer a user's frame was cut from, so a subset keeps its precision drawing.

``geo.map(user={"Uranium": deposits[deposits.commodities.map(...)]})`` passes rows of the curated
``mineral_deposits`` as a user layer. Drawn as a user layer, a deposit known only to its region would be
a solid-filled region; drawn as what it is, it keeps the hatched "somewhere inside" envelope, the
uncertainty ring and the popups of its layer. A frame is recognised when its ids are all ids of one
curated layer and it keeps every column of that layer; anything else stays a user layer.
"""

from __future__ import annotations

import logging

import geopandas as gpd

from geo import registry
from geo.catalog import load

__all__ = ["curated_identity"]

logger = logging.getLogger(__name__)


def curated_identity(gdf: gpd.GeoDataFrame) -> str | None:
    """Return the curated layer whose rows (by ``id``) and columns `gdf` holds, or ``None``."""
    if "id" not in gdf.columns or "location_precision" not in gdf.columns or gdf.empty:
        return None
    ids = set(gdf["id"].dropna().astype(str))
    if len(ids) < len(gdf):  # a missing or repeated id: not rows of a curated layer
        return None
    for name in registry.curated():
        shipped = load(name)
        if ids <= set(shipped["id"].astype(str)) and set(shipped.columns) <= set(gdf.columns):
            logger.info("Drawing a subset of %s (%d of %d features) with its precision", name, len(ids), len(shipped))
            return name
    return None
