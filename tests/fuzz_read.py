"""Property-based fuzzing of geo.read on GeoJSON and CSV (run by tests/test_garden.py in a limited child process).

The property: whatever the bytes, ``geo.read`` returns a located, valid layer or raises one of geo's
errors with a one-line message naming the file, and it speaks only through ``GeoToolkitWarning``.
Never another exception, never a hang.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo

FUZZ = settings(
    max_examples=150,
    deadline=5000,  # ms per example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples every run: a failure in CI reproduces locally
    database=None,
)

coordinate = st.one_of(
    st.floats(min_value=-200, max_value=200, allow_nan=False),
    st.floats(min_value=60, max_value=80, allow_nan=False),  # Central Asia
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 0.0]),
)
position = st.lists(coordinate, min_size=2, max_size=4)
ring = st.lists(position, min_size=0, max_size=7)
geometry = st.one_of(
    st.none(),
    st.builds(lambda p: {"type": "Point", "coordinates": p}, position),
    st.builds(lambda p: {"type": "MultiPoint", "coordinates": p}, st.lists(position, max_size=4)),
    st.builds(lambda r: {"type": "LineString", "coordinates": r}, ring),
    st.builds(lambda rs: {"type": "Polygon", "coordinates": rs}, st.lists(ring, min_size=0, max_size=3)),
    st.builds(lambda c: {"type": "GeometryCollection", "geometries": c}, st.lists(st.builds(
        lambda p: {"type": "Point", "coordinates": p}, position), max_size=3)),
    st.builds(lambda t: {"type": t, "coordinates": []}, st.sampled_from(["Polygon", "Blob", "", "MultiPolygon"])),
)  # fmt: skip
key = st.one_of(
    st.sampled_from(["id", "name", "geometry", "fid", "FID", "", "name", "lat", "crs"]), st.text(max_size=8)
)
value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)
feature = st.builds(
    lambda g, props: {"type": "Feature", "geometry": g, "properties": props},
    geometry,
    st.one_of(st.none(), st.dictionaries(key, value, max_size=5)),
)
crs_member = st.one_of(
    st.none(),
    st.builds(
        lambda name: {"type": "name", "properties": {"name": name}},
        st.sampled_from(["EPSG:4326", "urn:ogc:def:crs:EPSG::3857", "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:32642", "x"]),
    ),
    st.builds(lambda t: {"type": t, "properties": {"href": "http://127.0.0.1:9/crs", "type": "proj4"}}, st.sampled_from(["link", "url"])),
)  # fmt: skip


@st.composite
def geojson_text(draw: st.DrawFn) -> bytes:
    doc: dict[str, object] = {"type": "FeatureCollection", "features": draw(st.lists(feature, max_size=6))}
    if (crs := draw(crs_member)) is not None:
        doc["crs"] = crs
    text = json.dumps(doc, allow_nan=True)
    cut = draw(st.one_of(st.none(), st.integers(0, len(text))))  # sometimes a truncated file
    return (text if cut is None else text[:cut]).encode("utf-8")


cell = st.one_of(
    st.sampled_from(["", " ", "69.28", "41.31", "76.9", "NaN", "inf", "1e400", "-0", "POINT (69 41)", "POLYGON ((0 0, 1 1, 0 0))"]),
    st.text(max_size=12),
    st.floats().map(str),
)  # fmt: skip
header_name = st.sampled_from(
    ["id", "name", "lon", "lat", "longitude", "latitude", "x", "y", "wkt", "geometry", "fid", ""]
)


@st.composite
def csv_text(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.one_of(header_name, st.text(max_size=6)), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(header) + 1), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8", "cp1251"])), errors="replace")


def _check(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                gdf = geo.read(path)
            except geo.GeoToolkitError as err:
                text = str(err)
                assert text, "an empty message"
                assert "\n" not in text, f"not one line: {text!r}"
                assert "Traceback" not in text
                gdf = None
        others = [
            f"{w.category.__name__}: {w.message}" for w in caught if not issubclass(w.category, geo.GeoToolkitWarning)
        ]
        assert not others, f"warnings that are not geo's: {others}"
        if gdf is not None:
            assert len(gdf) > 0
            assert gdf.crs is not None
            assert gdf.geometry.dropna().is_valid.all()
            assert not (gdf.geometry.isna() | gdf.geometry.is_empty).all()


@FUZZ
@given(geojson_text())
def test_read_geojson_never_raises_anything_else(data):
    _check(data, ".geojson")


@FUZZ
@given(csv_text())
def test_read_csv_never_raises_anything_else(data):
    _check(data, ".csv")
