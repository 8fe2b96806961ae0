"""The layer catalogue: list the registered layers, and load any of them as a validated GeoDataFrame.

What a layer *is* lives in :mod:`geo.registry`; this module reads its file. Analysis, raster and map
functions take their data as parameters; where a parameter defaults to a shipped layer, the default
is resolved here, by :func:`default`.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo import registry
from geo.agreement_file import feature_links
from geo.errors import LayerSchemaError
from geo.paths import LAYERS_DIR
from geo.provenance import read_manifest
from geo.registry import LayerSpec

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = ["default", "layer_rows", "layers", "load", "region_aliases"]

logger = logging.getLogger(__name__)


def _listify(value: object) -> object:
    import numpy as np

    if isinstance(value, np.ndarray):
        return [_listify(v) for v in value.tolist()]
    return value


def _read_reference(spec: LayerSpec, path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from geo.crs import WGS84, require_crs

    if not path.exists():
        msg = f"Reference layer {spec.name!r} is missing ({path}). Run `make data` to rebuild it."
        raise LayerSchemaError(msg)
    gdf = gpd.read_file(path)
    require_crs(gdf, name=spec.name)
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
        msg = f"Reference layer {spec.name!r} ({path}) failed validation: " + "; ".join(problems) + "."
        raise LayerSchemaError(msg)
    for col in gdf.columns:
        if gdf[col].dtype == object and col != gdf.geometry.name:
            gdf[col] = gdf[col].map(_listify)
    return gdf


@cache
def _load_cached(spec: LayerSpec, layers_dir: Path) -> gpd.GeoDataFrame:
    path = spec.path(layers_dir)
    if spec.kind == "reference":
        gdf = _read_reference(spec, path)
    else:
        from geo.curated import read_curated

        gdf = read_curated(path, spec=spec, reference=lambda n: _load_cached(registry.get(n), layers_dir))
        links = feature_links(layers_dir=layers_dir)
        gdf["agreements"] = gdf["id"].map(lambda fid: list(links.get(fid, [])))
    logger.debug("Loaded %s: %d features", spec.name, len(gdf))
    return gdf


def load(name: str, *, layers_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Load a registered layer as a validated GeoDataFrame in EPSG:4326.

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
        If the file fails validation.
    """
    spec = registry.get(name)
    gdf = _load_cached(spec, (layers_dir or LAYERS_DIR).resolve())
    out = gdf.copy()
    if spec.kind == "curated":
        from geo.schema import list_columns

        for col in list_columns(spec):
            out[col] = out[col].map(lambda v: [dict(x) if isinstance(x, dict) else x for x in v])
    return out


def default(value: gpd.GeoDataFrame | None, name: str) -> gpd.GeoDataFrame:
    """Return `value`, or the shipped layer `name` when it is ``None``: the one place defaults are resolved."""
    return load(name) if value is None else value


def layers(*, layers_dir: Path | None = None) -> pd.DataFrame:
    """Return the table of registered layers: name, kind, title, features, source, licence, file.

    Counts come from the provenance manifest, so this reads no geometry.
    """
    import pandas as pd

    return pd.DataFrame(layer_rows(layers_dir=layers_dir))


def layer_rows(*, layers_dir: Path | None = None) -> list[dict[str, object]]:
    """Return :func:`layers` as plain rows (dicts), without geometry or pandas (for ``geo layers``)."""
    base = (layers_dir or LAYERS_DIR).resolve()
    records = read_manifest(base)["files"]
    rows = []
    for name in registry.names():
        spec = registry.get(name)
        rec = records.get(name, {})
        srcs = rec.get("sources", [])
        source = "; ".join(
            f"{s['package']} {s['version']} ({s['registry']})" if "package" in s else s.get("basis", "") for s in srcs
        )
        licence = rec.get("licence") or "; ".join(f"{s['licence']} / data: {s['data']}" for s in srcs)
        path = spec.path(base)
        rows.append(
            {
                "name": name,
                "kind": spec.kind,
                "title": spec.title,
                "features": rec.get("features"),
                "source": source,
                "licence": licence,
                "file": path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path),
            }
        )
    return rows


def region_aliases(*, layers_dir: Path | None = None) -> pd.DataFrame:
    """Return the alias table: today's region names -> the reference region that holds them."""
    import pandas as pd

    return pd.read_csv((layers_dir or LAYERS_DIR) / "reference" / "region_aliases.csv", dtype=str)
