from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_report_header(config):
    return f"geopandas {gpd.__version__}, GDAL (pyogrio) {pyogrio.__gdal_version_string__}, CI={IN_CI}"


def require_tool(name: str) -> str:
    """Return the path of a command-line tool; under CI a missing tool fails instead of skipping."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed; `make test` installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def pytest_collection_modifyitems(items):
    """Mark each test that uses the elevation grid `network`: the first run fetches it (``make test-fast`` skips)."""
    for item in items:
        if "dem" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.network)


@pytest.fixture(scope="session")
def dem():
    """The GEBCO grid, fetched once into the user cache (an explicit step, as users do it)."""
    from geo.raster import fetch_dem

    return fetch_dem()


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    """Three hand-placed points (lon, lat) with text that needs escaping."""
    return gpd.GeoDataFrame(
        {
            "id": ["kz-1", "uz-1", "kg-1"],
            "name": ["Aktogay", 'Almalyk <Cu> & "Au"', "Kumtor `${x}` </script>"],
            "tags": [["copper", "rhenium"], ["copper"], []],
            "value": [1.5, None, 3.0],
        },
        geometry=[Point(79.86, 46.95), Point(69.65, 40.81), Point(78.2, 41.87)],
        crs="EPSG:4326",
    )


def seeded_points(n: int) -> gpd.GeoDataFrame:
    """The benchmark's points: default_rng(42), uniform over lon 46.5-87.3, lat 40.6-55.4."""
    rng = np.random.default_rng(42)
    return gpd.GeoDataFrame(
        {"category": rng.choice(list("abcdefgh"), n), "value": rng.normal(100, 25, n)},
        geometry=gpd.points_from_xy(rng.uniform(46.5, 87.3, n), rng.uniform(40.6, 55.4, n)),
        crs=4326,
    )


def _norm(value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return round(float(value), 6)
    return value


def _as_text(value):
    value = _norm(value)
    if isinstance(value, str):
        try:
            return round(float(value), 6)
        except ValueError:
            return {"true": 1, "false": 0}.get(value.lower(), value)
    return value


def assert_same_features(
    original: gpd.GeoDataFrame, back: gpd.GeoDataFrame, *, label: str, text_values: bool = False
) -> None:
    """Every feature and attribute of `original` is in `back` (any order, by id), geometry within 1e-6°.

    With `text_values` (KML), a number or boolean may come back as its text.
    """
    norm = _as_text if text_values else _norm
    assert len(back) == len(original), f"{label}: {len(back)} features back, {len(original)} written"
    a = original.sort_values("id").reset_index(drop=True)
    b = back.copy()
    b["id"] = b["id"].astype(str)
    b = b.sort_values("id").reset_index(drop=True)
    assert a["id"].tolist() == b["id"].tolist(), label
    for col in a.columns:
        if col == a.geometry.name:
            continue
        assert col in b.columns, f"{label}: column {col!r} lost"
        for i, (x, y) in enumerate(zip(a[col], b[col], strict=True)):
            nx, ny = norm(x), norm(y)
            if nx in (None, [], "") and ny in (None, [], ""):
                continue
            assert nx == ny, f"{label}: {a.at[i, 'id']}.{col}: wrote {nx!r}, read {ny!r}"
    g1, g2 = a.geometry.to_numpy(), b.geometry.to_numpy()
    missing1, missing2 = (
        shapely.is_missing(g1) | shapely.is_empty(g1),
        shapely.is_missing(g2) | shapely.is_empty(g2),
    )
    assert (missing1 == missing2).all(), f"{label}: features gained or lost a geometry"
    same = shapely.equals_exact(shapely.normalize(g1), shapely.normalize(g2), tolerance=1e-6) | missing1
    for i in np.flatnonzero(~same):  # e.g. a Shapefile reads a one-part MultiPolygon back as a Polygon
        assert g1[i].hausdorff_distance(g2[i]) < 1e-6, f"{label}: {a.at[i, 'id']} geometry moved"
