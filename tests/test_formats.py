"""The format registry is the only source: every entry is read back safely, whatever the file's name."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

import geo
from geo.exporter import FORMATS, export, read_exported
from geo.formats import GPKG_SUFFIX

#: Formats written to a path (PostGIS is a database).
FILE_FORMATS = sorted(k for k, f in FORMATS.items() if not f.url)
SECRET = "CANARY-SECRET"


def _vrt(canary: Path) -> str:
    """A GDAL vector VRT whose one layer is the canary CSV."""
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="canary">'
        f"<SrcDataSource>{canary}</SrcDataSource><SrcLayer>canary</SrcLayer>"
        "<GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        '<GeometryField encoding="PointFromColumns" x="x" y="y"/></OGRVRTLayer></OGRVRTDataSource>'
    )


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "canary.csv"
    path.write_text(f"secret,x,y\n{SECRET},69.28,41.31\n")
    return path


def _refused(path: Path, fmt: str | None) -> None:
    """`read_exported` refuses `path` with a one-line InputFileError, and no canary leaks."""
    with pytest.raises(geo.InputFileError) as info:
        read_exported(path, fmt=fmt)
    assert "\n" not in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("key", FILE_FORMATS)
@pytest.mark.parametrize("name", ["evil.txt", "evil{suffix}"])
def test_a_disguised_vrt_is_refused_by_read_exported_in_every_format(key, name, tmp_path, canary):
    path = tmp_path / name.format(suffix=FORMATS[key].suffix)
    path.write_text(_vrt(canary))
    _refused(path, key)
    if path.suffix == FORMATS[key].suffix:
        _refused(path, None)


def _one_point() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["a"], "name": ["Tashkent"]}, geometry=[Point(69.28, 41.31)], crs=4326)


def test_a_project_pointing_at_a_disguised_geopackage_is_refused(tmp_path, canary):
    """The GeoPackage a .qgz names is opened as a GeoPackage only (its name comes from the project)."""
    project = tmp_path / "atlas.qgz"
    export({"sites": _one_point()}, project)
    project.with_suffix(GPKG_SUFFIX).write_text(_vrt(canary))
    _refused(project, None)


def test_a_shapefile_zip_whose_member_is_a_vrt_is_refused(tmp_path, canary):
    """The members a Shapefile zip's layers.csv names are opened as Shapefiles only."""
    out = tmp_path / "sites.zip"
    export({"sites": _one_point()}, out)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith(".shp"):
                data = _vrt(canary).encode()
            dst.writestr(item, data)
    _refused(evil, "shp")


def test_identification_fails_closed_when_gdal_cannot_be_found(tmp_path, monkeypatch):
    """Where pyogrio's libgdal is not where geo looks (another wheel layout), files are refused, not waved through."""
    from geo import safety

    good = tmp_path / "sites.geojson"
    export({"sites": _one_point()}, good)
    monkeypatch.setattr(safety._Gdal, "candidates", staticmethod(list))
    monkeypatch.setattr(safety, "_GDAL", safety._Gdal())
    for read in (geo.read, read_exported):
        with pytest.raises(geo.InputFileError, match=r"cannot reach pyogrio's GDAL library .* --trusted"):
            read(good)
    assert len(geo.read(good, trusted=True)) == 1  # the user's own file, by their word


def _write_geojsonseq(frames, path, losses):
    import pyogrio

    ((name, gdf),) = frames.items()
    pyogrio.write_dataframe(gdf.to_crs(4326), path, layer=name, driver="GeoJSONSeq")


def _scratch_format():
    """A format added in a test: GeoJSON lines, with only a writer, a reader and its entry."""
    from geo.exporter.writers import read_gdal
    from geo.formats import Format

    return Format(
        key="geojsonl",
        suffixes=(".geojsonl",),
        driver="GeoJSONSeq",
        description="GeoJSON lines",
        writer=_write_geojsonseq,
        reader=read_gdal,
        read_drivers={".geojsonl": ("GeoJSONSeq", "GeoJSON")},  # GDAL calls a one-feature file GeoJSON
        multi_layer=False,
        tables=None,
        lists="native",
        long_names=True,
        mixed_geometries=True,
        mixed_dimensions="kept",
        m=False,
        keeps_crs=False,
    )


def test_a_format_added_needs_exactly_its_registry_entry(tmp_path, monkeypatch, canary):
    out = tmp_path / "sites.geojsonl"
    with pytest.raises(geo.UnknownFormatError, match=r"Cannot tell the format of 'sites\.geojsonl'"):
        export({"sites": _one_point()}, out)
    monkeypatch.setitem(FORMATS, "geojsonl", _scratch_format())
    report = export({"sites": _one_point()}, out)
    assert report.features == {"sites": 1}
    assert read_exported(out)["sites"]["name"].tolist() == ["Tashkent"]
    evil = tmp_path / "evil.txt"
    evil.write_text(_vrt(canary))
    _refused(evil, "geojsonl")


def test_a_registry_entry_names_every_capability():
    from geo.formats import Format

    with pytest.raises(TypeError, match=r"missing .* keyword-only argument"):
        Format(key="x", suffixes=(".x",), driver=None, description="x", writer=None, reader=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Format("x", (".x",))  # type: ignore[misc]  # no positional rows of booleans


# ---------------------------------------------------------------- the contract: every entry, every layer


def _sample() -> dict[str, gpd.GeoDataFrame]:
    """Every registered layer, a few features each (both kinds of a curated layer kept where it has both)."""
    from geo import precision, registry

    out = {}
    for name in registry.names():
        gdf = geo.load(name)
        if "location_precision" in gdf:
            inside = precision.somewhere_inside(gdf)
            gdf = gpd.pd.concat([gdf[~inside].head(3), gdf[inside].head(2)])
        out[name] = gdf.head(5)
    return out


def _geo_read_sources(spec, path: Path, names: list[str]) -> dict[str, tuple[Path, str | None]]:
    """Where ``geo.read`` finds each layer of an export: (file, layer), from the format's registry entry."""
    if not spec.multi_layer:
        return {n: (path / f"{n}{spec.suffix}", None) for n in names}
    data = path if spec.suffix in spec.read_drivers or spec.suffix == ".zip" else path.with_suffix(spec.sidecars[0])
    return {n: (data, n) for n in names}


@pytest.fixture(scope="module")
def sample():
    return _sample()


@pytest.mark.parametrize("key", FILE_FORMATS)
def test_every_format_round_trips_every_layer_into_read_the_map_and_a_qgis_style(key, sample, tmp_path):
    """Export -> read back with the pinned drivers -> geo.read -> map -> QGIS style, for each registry entry."""
    from geo.exporter.qgis import qml_document
    from geo.exporter.split import split_layers

    spec = FORMATS[key]
    written = split_layers(sample)
    path = tmp_path / ("atlas" + (spec.suffix if spec.multi_layer else ""))
    report = export(sample, path, fmt=key)
    assert report.features == {n: len(g) for n, g in written.items()}
    assert all(report.features.values()), "no empty layer"
    back = read_exported(path, fmt=key)
    assert {n: len(g) for n, g in back.items()} == report.features
    for name, (file, layer) in _geo_read_sources(spec, path, list(written)).items():
        if spec.suffixes[0] == ".csv":  # geo.read takes a CSV's geometry from its WKT column, in WGS84
            read = geo.read(file, crs="EPSG:4326")
        else:
            read = geo.read(file, layer=layer)
        assert len(read) == len(written[name]), (key, name)
        document = qml_document(name, back[name])  # a frame read back gets its style from the naming rule
        assert "<renderer-v2" in document, (key, name)
    atlas = geo.map([], user={n: g for n, g in back.items() if g.geometry.notna().any()}, basemap=False)
    assert atlas is not None


def test_the_refusal_says_what_the_file_was_read_as_and_what_it_is(tmp_path, canary):
    evil = tmp_path / "evil.txt"
    evil.write_text(_vrt(canary))
    with pytest.raises(geo.InputFileError, match=r"evil\.txt: read as GeoJSON, but it is a GDAL vector VRT"):
        read_exported(evil, fmt="geojson")
