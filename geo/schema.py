"""The curated-layer schema: vocabularies, columns and a pandera check of every feature.

All four curated layers share the common columns; each adds its own. Validation collects
every problem before raising, and names the layer, the feature ids and the fields at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from geo.errors import LayerSchemaError

__all__ = [
    "COMMON_COLUMNS",
    "CONFIDENCE",
    "LAYER_COLUMNS",
    "LAYER_KINDS",
    "LIST_COLUMNS",
    "PRECISIONS",
    "STATUSES",
    "validate_curated",
]

STATUSES = ("operating", "construction", "planned", "announced", "agreement", "pilot", "closed", "unknown")
CONFIDENCE = {"H": "high", "M": "medium", "L": "low"}
#: Location precision, finest first, with the words a reader sees.
PRECISIONS = {
    "site": "exact site stated by a source",
    "town": "town or settlement only",
    "district": "district only (drawn at its seat with a district-sized radius)",
    "region": "region (oblast) only: the whole region is drawn",
    "country": "country only: the whole country is drawn",
    "unknown": "location unknown: not on the map",
}
LAYER_KINDS = {
    "mineral_deposits": ("mine", "in_situ_recovery", "deposit", "plant"),
    "campuses": ("branch_campus", "university", "research_centre", "school"),
    "carbon_sites": ("pasture_carbon", "forest_carbon", "agroforestry", "geological_storage", "programme"),
    "afforestation_areas": ("planting_project", "programme"),
}
APPROACHES = ("geological", "forest", "pasture")
COUNTRIES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")

#: Columns every curated layer has, in order.
COMMON_COLUMNS = (
    "id",
    "name",
    "name_local",
    "layer",
    "kind",
    "country",
    "region",
    "status",
    "confidence",
    "sources",
    "as_of",
    "notes",
    "disputed",
    "readings",
    "location_precision",
    "uncertainty_m",
    "location_basis",
    "location_source",
)
#: Layer-specific columns, in order.
LAYER_COLUMNS = {
    "mineral_deposits": (
        "commodities",
        "operator",
        "production_value",
        "production_unit",
        "production_year",
        "production_source",
    ),
    "campuses": ("institution", "opened", "students"),
    "carbon_sites": ("approach", "area_ha", "target_area_ha", "programme", "funding"),
    "afforestation_areas": ("area_ha", "target_area_ha", "funding", "species"),
}
#: Columns holding lists (of strings or of records).
LIST_COLUMNS = ("sources", "readings", "commodities")

_SHOWN = 5  # feature ids named per problem
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_DATE = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"
_SOURCE_KEYS = {"title", "publisher", "url", "date"}


def _sources_ok(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    for src in value:
        if not isinstance(src, dict) or not _SOURCE_KEYS <= set(src) or not str(src.get("title", "")).strip():
            return False
        url, date = str(src.get("url") or ""), str(src.get("date") or "")
        if url and not re.match(r"^https?://", url):
            return False
        if date and not re.match(_DATE, date):
            return False
    return True


def _readings_ok(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict) and r.get("claim") and r.get("confidence") in CONFIDENCE and r.get("source") for r in value
    )


def _str_list_ok(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def _schema(layer: str) -> pa.DataFrameSchema:
    text = {"nullable": True, "coerce": False}
    columns: dict[str, pa.Column] = {
        "id": pa.Column(str, pa.Check.str_matches(_SLUG), unique=True),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "name_local": pa.Column(str, **text),
        "layer": pa.Column(str, pa.Check.eq(layer)),
        "kind": pa.Column(str, pa.Check.isin(LAYER_KINDS[layer])),
        "country": pa.Column(str, pa.Check.isin(COUNTRIES)),
        "region": pa.Column(str, **text),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
        "confidence": pa.Column(str, pa.Check.isin(tuple(CONFIDENCE))),
        "sources": pa.Column(
            object,
            pa.Check(
                _sources_ok,
                element_wise=True,
                error="one or more sources, each "
                "with title, publisher, url (http(s) or empty) and date (YYYY[-MM[-DD]] or empty)",
            ),
        ),
        "as_of": pa.Column(str, pa.Check.str_matches(_DATE)),
        "notes": pa.Column(str, **text),
        "disputed": pa.Column(bool),
        "readings": pa.Column(
            object,
            pa.Check(_readings_ok, element_wise=True, error="readings need claim, confidence H/M/L and source"),
        ),
        "location_precision": pa.Column(str, pa.Check.isin(tuple(PRECISIONS))),
        "uncertainty_m": pa.Column(float, pa.Check.ge(0), nullable=True),
        "location_basis": pa.Column(str, **text),
        "location_source": pa.Column(str, **text),
    }
    if layer == "mineral_deposits":
        columns |= {
            "commodities": pa.Column(
                object, pa.Check(_str_list_ok, element_wise=True, error="a non-empty list of commodity names")
            ),
            "operator": pa.Column(str, **text),
            "production_value": pa.Column(float, pa.Check.ge(0), nullable=True),
            "production_unit": pa.Column(str, **text),
            "production_year": pa.Column("Int64", pa.Check.in_range(1900, 2100), nullable=True),
            "production_source": pa.Column(str, **text),
        }
    elif layer == "campuses":
        columns |= {
            "institution": pa.Column(str),
            "opened": pa.Column(str, **text),
            "students": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        }
    else:
        columns |= {
            "area_ha": pa.Column(float, pa.Check.ge(0), nullable=True),
            "target_area_ha": pa.Column(float, pa.Check.ge(0), nullable=True),
            "funding": pa.Column(str, **text),
        }
        if layer == "carbon_sites":
            columns |= {
                "approach": pa.Column(str, pa.Check.isin(APPROACHES)),
                "programme": pa.Column(str, **text),
            }
        else:
            columns |= {"species": pa.Column(str, **text)}
    return pa.DataFrameSchema(columns, strict=False, name=layer)


def _describe(errors: SchemaErrors, ids: pd.Series) -> Iterable[str]:
    cases = errors.failure_cases
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
        rows = [int(i) for i in group["index"].dropna().unique()]
        who = ", ".join(repr(ids.iloc[i]) for i in rows[:_SHOWN] if i < len(ids)) or "the layer"
        more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
        yield f"field {column!r} fails {check} for {who}{more}"


def validate_curated(gdf: gpd.GeoDataFrame, *, layer: str, path: str) -> gpd.GeoDataFrame:
    """Validate a curated layer against its schema; raise one error listing every problem.

    Parameters
    ----------
    gdf
        The resolved layer.
    layer
        Its name (one of ``LAYER_KINDS``).
    path
        The source file, named in the message.

    Returns
    -------
    gpd.GeoDataFrame
        `gdf`, unchanged.

    Raises
    ------
    LayerSchemaError
        Listing the fields and feature ids at fault.
    """
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    try:
        _schema(layer).validate(frame, lazy=True)
    except SchemaErrors as err:
        problems = list(_describe(err, frame["id"] if "id" in frame else pd.Series(dtype=str)))
        msg = f"Curated layer {layer!r} ({path}) failed validation: " + "; ".join(problems) + "."
        raise LayerSchemaError(msg) from None
    return gdf
