"""The layer catalogue: what ships in ``layers/``, and loading any of it as a validated GeoDataFrame."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84, require_crs
from geo.curated import read_curated
from geo.errors import LayerSchemaError, UnknownLayerError
from geo.paths import LAYERS_DIR
from geo.provenance import read_manifest
from geo.schema import LIST_COLUMNS

__all__ = ["CURATED", "REFERENCE", "LayerInfo", "layer_info", "layers", "load", "region_aliases"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayerInfo:
    """A layer in the catalogue."""

    name: str
    kind: str  # "curated" or "reference"
    title: str
    path: Path


#: Curated layers, in the order maps and exports list them.
CURATED = ("mineral_deposits", "campuses", "carbon_sites", "afforestation_areas")
#: Reference layers cut from registry packages by ``geo data rebuild``.
REFERENCE = (
    "countries",
    "regions",
    "regions_kz_2022",
    "cities",
    "lakes",
    "aral_sea_historic",
    "aral_sea_current",
    "aralkum",
    "rivers",
)
_TITLES = {
    "mineral_deposits": "Mineral deposits and plants",
    "campuses": "University campuses",
    "carbon_sites": "Carbon capture and sequestration",
    "afforestation_areas": "Afforestation",
    "countries": "Countries",
    "regions": "Regions (Natural Earth, pre-2018 Kazakhstan)",
    "regions_kz_2022": "Kazakhstan regions (2022 layout)",
    "cities": "Cities and towns (GeoNames)",
    "lakes": "Lakes",
    "aral_sea_historic": "Aral Sea, pre-1960",
    "aral_sea_current": "Aral Sea, 2000s",
    "aralkum": "Aralkum (dried Aral seabed)",
    "rivers": "Rivers",
}


def layer_info(name: str, *, layers_dir: Path | None = None) -> LayerInfo:
    """Return the catalogue entry of `name`.

    Raises
    ------
    UnknownLayerError
        If `name` is not a shipped layer; the message lists those that are.
    """
    base = layers_dir or LAYERS_DIR
    if name in CURATED:
        return LayerInfo(name, "curated", _TITLES[name], base / "curated" / f"{name}.toml")
    if name in REFERENCE:
        return LayerInfo(name, "reference", _TITLES[name], base / "reference" / f"{name}.geojson")
    msg = f"No layer named {name!r}. Available: {', '.join((*CURATED, *REFERENCE))} (see `geo layers`)."
    raise UnknownLayerError(msg)


def _listify(value: object) -> object:
    if isinstance(value, np.ndarray):
        return [_listify(v) for v in value.tolist()]
    return value


def _read_reference(info: LayerInfo) -> gpd.GeoDataFrame:
    if not info.path.exists():
        msg = f"Reference layer {info.name!r} is missing ({info.path}). Run `make data` to rebuild it."
        raise LayerSchemaError(msg)
    gdf = gpd.read_file(info.path)
    require_crs(gdf, name=info.name)
    problems = []
    if not gdf.crs.equals(WGS84):
        problems.append(f"CRS is {gdf.crs.to_string()}, expected {WGS84}")
    if "id" not in gdf:
        problems.append("no 'id' column")
    elif not gdf["id"].is_unique:
        problems.append(f"duplicate ids {sorted(gdf.loc[gdf['id'].duplicated(), 'id'].unique())[:5]}")
    if n_bad := int((~gdf.geometry.is_valid).sum()):
        problems.append(f"{n_bad} invalid geometries")
    if problems:
        msg = f"Reference layer {info.name!r} ({info.path}) failed validation: " + "; ".join(problems) + "."
        raise LayerSchemaError(msg)
    for col in gdf.columns:
        if gdf[col].dtype == object and col != gdf.geometry.name:
            gdf[col] = gdf[col].map(_listify)
    return gdf


@cache
def _load_cached(name: str, layers_dir: Path) -> gpd.GeoDataFrame:
    info = layer_info(name, layers_dir=layers_dir)
    if info.kind == "reference":
        gdf = _read_reference(info)
    else:
        gdf = read_curated(info.path, reference=lambda n: _load_cached(n, layers_dir))
    logger.debug("Loaded %s: %d features", name, len(gdf))
    return gdf


def load(name: str, *, layers_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Load a shipped layer as a validated GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    name
        A layer name from :func:`layers`, e.g. ``"mineral_deposits"`` or ``"regions"``.
    layers_dir
        Another layers folder with the same structure (for tests).

    Returns
    -------
    gpd.GeoDataFrame
        A fresh copy: changing it does not change later loads. List fields
        (``sources``, ``commodities``, ``alt_names`` ...) hold Python lists.

    Raises
    ------
    UnknownLayerError
        If there is no such layer.
    LayerSchemaError
        If the shipped file fails validation.
    """
    gdf = _load_cached(name, (layers_dir or LAYERS_DIR).resolve())
    out = gdf.copy()
    for col in LIST_COLUMNS:
        if col in out:
            out[col] = out[col].map(lambda v: [dict(x) if isinstance(x, dict) else x for x in v])
    return out


def layers(*, layers_dir: Path | None = None) -> pd.DataFrame:
    """Return the table of shipped layers: name, kind, title, features, geometry, source, licence, file.

    Counts come from the provenance manifest, so this reads no geometry.
    """
    base = (layers_dir or LAYERS_DIR).resolve()
    records = read_manifest(base)["files"]
    rows = []
    for name in (*CURATED, *REFERENCE):
        info = layer_info(name, layers_dir=base)
        rec = records.get(name, {})
        srcs = rec.get("sources", [])
        source = "; ".join(
            f"{s['package']} {s['version']} ({s['registry']})" if "package" in s else s.get("basis", "") for s in srcs
        )
        licence = rec.get("licence") or "; ".join(f"{s['licence']} / data: {s['data']}" for s in srcs)
        rows.append(
            {
                "name": name,
                "kind": info.kind,
                "title": info.title,
                "features": rec.get("features"),
                "source": source,
                "licence": licence,
                "file": info.path.relative_to(base).as_posix(),
            }
        )
    return pd.DataFrame(rows)


def region_aliases(*, layers_dir: Path | None = None) -> pd.DataFrame:
    """Return the alias table: today's region names -> the reference region that holds them."""
    return pd.read_csv((layers_dir or LAYERS_DIR) / "reference" / "region_aliases.csv", dtype=str)
