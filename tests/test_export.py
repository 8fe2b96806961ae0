"""Every format round-trips every feature and attribute, and an independent reader agrees."""

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

import geo
from geo import precision, registry
from geo.exporter import FORMATS, export, read_exported
from geo.exporter.split import split_by_precision, split_layers
from geo.formats import resolve
from tests.conftest import assert_same_features, require_tool

#: Every registered layer: regions and regions_kz_2022 together catch name-prefix mix-ups.
LAYERS = list(registry.names())
#: Formats written to a path (PostGIS is a database: tests/test_postgis.py).
FILE_FORMATS = sorted(k for k, f in FORMATS.items() if not f.url)
#: What the round trips write: every format (several layers to a folder in a one-layer format), and a Shapefile zip.
VARIANTS = [*FILE_FORMATS, "shp.zip"]


def ogr_source(key: str, path: Path, name: str) -> str:
    """What ogrinfo opens for layer `name` of an export at `path`, from the format's registry entry."""
    spec = FORMATS[key]
    if path.suffix.lower() == ".zip":  # members of a zip
        return f"/vsizip/{path}"
    if not spec.multi_layer:  # a folder, one file per layer
        return f"{path}/{name}{spec.suffix}"
    if spec.suffix in spec.read_drivers:  # the file itself (a GeoPackage)
        return str(path)
    return str(path.with_suffix(spec.sidecars[0]))  # the data file beside (a project's GeoPackage)


@pytest.fixture(scope="module")
def frames():
    return {name: geo.load(name) for name in LAYERS}


@pytest.fixture(scope="module")
def written(frames):
    """The layers an export writes: each curated layer as its points and its _areas."""
    return split_layers(frames)


def _formats(keys):
    """Format keys as parameters; a project's layers are its GeoPackage's, so it runs in the full suite only."""
    return [pytest.param(k, marks=pytest.mark.slow) if k == "qgz" else k for k in keys]


@pytest.fixture(scope="module", params=_formats(VARIANTS))
def exported(request, frames, tmp_path_factory):
    key, _, archive = request.param.partition(".")
    suffix = f".{archive}" if archive else FORMATS[key].suffix if FORMATS[key].multi_layer else ""
    path = tmp_path_factory.mktemp(request.param) / f"atlas{suffix}"
    report = export(frames, path, fmt=key)
    return key, path, report


def test_round_trip_keeps_every_feature_and_attribute(exported, written):
    key, path, report = exported
    assert report.features == {n: len(g) for n, g in written.items()}
    back = read_exported(path, fmt=key)
    assert set(back) == set(written)
    for name, original in written.items():
        if original.empty:  # an empty half: no rows to compare (GeoJSON keeps no columns without rows: reported)
            assert back[name].empty, name
            continue
        assert_same_features(original, back[name], label=f"{key}:{name}", text_values=key == "kml")
    assert all(len(g) for g in written.values()), "an export writes no empty layer"
    if key == "geojson":
        assert not any("empty layer" in loss for loss in report.losses)


def test_booleans_stay_booleans_in_every_format(exported, written):
    key, path, _ = exported
    back = read_exported(path, fmt=key)["mineral_deposits"]
    assert pd.api.types.is_bool_dtype(back["disputed"].dtype), (key, back["disputed"].dtype)
    assert (
        back.set_index("id")["disputed"].to_dict() == written["mineral_deposits"].set_index("id")["disputed"].to_dict()
    )


def test_every_curated_layer_is_its_points_and_its_areas_in_every_format(exported, frames):
    key, path, _ = exported
    back = read_exported(path, fmt=key)
    for name in registry.curated():
        inside = precision.somewhere_inside(frames[name])
        if inside.all():  # known only to areas: one layer under its own name, no empty points layer
            points, areas = back[name].iloc[:0], back[name]
            assert f"{name}_areas" not in back, (key, name)
        else:
            points, areas = back[name], back.get(f"{name}_areas", back[name].iloc[:0])
            assert (f"{name}_areas" in back) == bool(inside.any()), (key, name)
        assert len(back[name]), "no empty layer is written"
        assert len(back.get(f"{name}_areas", back[name])), "no empty layer is written"
        ids = {half: set(gdf.get("id", [])) for half, gdf in (("points", points), ("areas", areas))}
        assert ids["points"].isdisjoint(ids["areas"]), name  # linked by id, each feature in one half
        assert ids["points"] | ids["areas"] == set(frames[name]["id"]), name
        assert set(areas.get("location_precision", [])) <= precision.AREA_LEVELS
        assert set(points.get("location_precision", [])) <= set(precision.LEVELS) - precision.AREA_LEVELS
        assert set(points.geom_type.dropna()) <= {"Point"}, (key, name)
        assert set(areas.geom_type.dropna()) <= {"MultiPolygon", "Polygon"}, (key, name)


def test_the_python_api_gives_the_same_split(frames, written):
    for name in registry.curated():
        parts = split_by_precision(frames[name], name)
        inside = precision.somewhere_inside(frames[name])
        assert list(parts) == ([name, f"{name}_areas"] if inside.any() and not inside.all() else [name])
        for part, gdf in parts.items():
            assert gdf["id"].tolist() == written[part]["id"].tolist()
            assert list(gdf.columns) == list(frames[name].columns)
    assert split_by_precision(frames["regions"], "regions").keys() == {"regions"}  # no precision: whole


@pytest.mark.parametrize("exported", _formats(sorted(set(VARIANTS) - {"parquet"})), indirect=True)
def test_gdal_ogrinfo_agrees_on_feature_counts(exported, written):
    """Debian's ogrinfo (GDAL 3.6) reads every GDAL format; it has no Parquet driver (see the metadata test)."""
    key, path, _ = exported
    ogrinfo = require_tool("ogrinfo")
    for name, gdf in written.items():
        source = ogr_source(key, path, name)
        args = [ogrinfo, "-ro", "-so", "-al", source]
        if key == "csv":
            args[1:1] = ["-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO"]
        text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        if key == "shp" and path.suffix == ".zip":
            counts = {}
            current = None
            for line in text.splitlines():
                if line.startswith("Layer name:"):
                    current = line.split(":", 1)[1].strip()
                if line.startswith("Feature Count:") and current:
                    counts[current] = int(line.split(":")[1])
            with zipfile.ZipFile(path) as zf:
                files = list(csv.DictReader(io.TextIOWrapper(zf.open("layers.csv"), encoding="utf-8")))
            parts = {Path(f["file"]).stem for f in files if f["layer"] == name}
            assert sum(counts[p] for p in parts) == len(gdf), name
        elif key in ("gpkg", "qgz"):
            block = text.split(f"Layer name: {name}\n", 1)[1]
            assert f"Feature Count: {len(gdf)}" in block.split("Layer name:", 1)[0], name
        else:
            assert f"Feature Count: {len(gdf)}" in text, (name, text[:500])


def test_geoparquet_metadata_is_version_1_1(tmp_path, frames, written):
    report = export({"mineral_deposits": frames["mineral_deposits"]}, tmp_path / "d.parquet")
    meta = pq.read_metadata(report.path)
    geo_meta = json.loads(meta.metadata[b"geo"])
    assert geo_meta["version"] == "1.1.0"
    assert meta.num_rows == len(written["mineral_deposits"])
    table = pq.read_table(report.path)
    assert str(table.schema.field("commodities").type).startswith("large_list<") or str(
        table.schema.field("commodities").type
    ).startswith("list<")


def test_geojson_is_rfc7946_with_native_lists(tmp_path, frames):
    report = export({"campuses": frames["campuses"]}, tmp_path / "c.geojson")
    doc = json.loads(report.path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    first = doc["features"][0]["properties"]
    assert isinstance(first["sources"], list)
    assert isinstance(first["sources"][0], dict)


def test_kml_carries_a_readable_escaped_description(tmp_path, sites):
    sites["sources"] = [[{"title": "T <b>", "publisher": "P", "url": "https://x.org/?a=1&b=2", "date": ""}]] * 3
    report = export(sites, tmp_path / "s.kml", name="sites")
    root = ElementTree.parse(report.path).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert root.find(".//k:Folder/k:name", ns).text == "sites"
    marks = {m.find("k:name", ns).text: m.find("k:description", ns).text for m in root.iterfind(".//k:Placemark", ns)}
    assert set(marks) == set(sites["name"])  # names survive unaltered, XML-escaped only by the writer
    description = marks['Almalyk <Cu> & "Au"']
    assert '<a href="https://x.org/?a=1&amp;b=2">T &lt;b&gt;</a>' in description
    assert "<b>tags</b>: copper<br/>" in description
    assert "</script>" not in marks["Kumtor `${x}` </script>"]


def test_shapefile_losses_are_reported_and_recoverable(tmp_path, written):
    report = export({"campuses": geo.load("campuses")}, tmp_path / "c.zip")
    assert any("longer than 254 bytes" in loss for loss in report.losses)
    assert any("shortened" in loss for loss in report.losses)
    assert not any("one shapefile per geometry type" in loss for loss in report.losses)  # points and areas apart
    back = read_exported(report.path)["campuses"]
    assert_same_features(written["campuses"], back, label="shp")


def test_a_shapefile_by_its_own_name_is_written_as_ogr2ogr_writes_it(tmp_path, written, monkeypatch):
    """`geo export mineral_deposits -o deposits.shp`: the .shp and its sidecars, the areas beside, GDAL agrees."""
    from typer.testing import CliRunner

    from geo.cli.main import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["export", "mineral_deposits", "-o", "deposits.shp"])
    assert result.exit_code == 0, result.output
    parts = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".fields.csv", ".long_values.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{stem}{part}" for stem in ("deposits", "deposits_areas") for part in parts
    )
    ogrinfo = require_tool("ogrinfo")
    for stem, half in (("deposits", "mineral_deposits"), ("deposits_areas", "mineral_deposits_areas")):
        text = subprocess.run(
            [ogrinfo, "-ro", "-so", "-al", f"{stem}.shp"], capture_output=True, text=True, check=True
        ).stdout
        assert f"Feature Count: {len(written[half])}" in text, text[:800]
        assert 'GEOGCRS["WGS 84"' in text  # the .prj
    assert (tmp_path / "deposits.cpg").read_text().strip() == "UTF-8"
    values = subprocess.run(  # so GDAL reads text beyond ASCII (en dashes, Cyrillic) back as written
        [ogrinfo, "-ro", "-al", "-q", "-geom=NO", "deposits.shp"], capture_output=True, text=True, check=True
    ).stdout
    text = [v for col in written["mineral_deposits"].columns for v in written["mineral_deposits"][col]]
    wide = [v for v in text if isinstance(v, str) and any(ord(c) > 127 for c in v) and len(v.encode()) < 200]
    assert wide, "no non-ASCII text to check"
    assert wide[0] in values
    back = read_exported(tmp_path / "deposits.shp")
    assert set(back) == {"deposits", "deposits_areas"}
    assert_same_features(written["mineral_deposits"], back["deposits"], label="shp")
    assert_same_features(written["mineral_deposits_areas"], back["deposits_areas"], label="shp")
    assert geo.read(tmp_path / "deposits.shp").shape[0] == len(written["mineral_deposits"])  # geo reads it too


def test_a_shp_holds_one_layer_and_one_geometry_type(tmp_path, sites):
    with pytest.raises(geo.ExportError, match=r"go to a folder, one file per layer; name a folder \(or a \.zip\)"):
        export(["campuses", "regions"], tmp_path / "two.shp")
    square = shapely.box(69.5, 40.8, 69.7, 40.9)
    mixed = pd.concat([sites, sites.head(1).assign(geometry=[square])], ignore_index=True)
    with pytest.raises(geo.ExportError, match=r"mixes points and polygons, which one \.shp cannot hold"):
        export(mixed, tmp_path / "mixed.shp", name="mixed")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    report = export(mixed, tmp_path / "mixed.zip", name="mixed")  # a zip holds one shapefile per type
    assert report.features == {"mixed": 4}
    upper = export(sites, tmp_path / "upper.SHP", name="sites")  # the name as given, sidecars as GDAL names them
    assert upper.path.name == "upper.SHP"
    assert len(read_exported(upper.path)["upper"]) == len(sites)


def test_one_curated_layer_in_a_one_layer_format_is_the_file_and_its_areas_beside_it(tmp_path, written):
    report = export(["mineral_deposits"], tmp_path / "deposits.geojson")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deposits.geojson", "deposits_areas.geojson"]
    back = read_exported(report.path)
    assert {n: len(g) for n, g in back.items()} == {
        "deposits": len(written["mineral_deposits"]),
        "deposits_areas": len(written["mineral_deposits_areas"]),
    }
    (tmp_path / "deposits.geojson").unlink()
    with pytest.raises(geo.ExportError, match=r"deposits_areas\.geojson already exists"):  # the pair is one output
        export(["mineral_deposits"], tmp_path / "deposits.geojson")


def test_each_kind_of_loss_is_reported_once(tmp_path, frames):
    report = export({n: frames[n] for n in ("mineral_deposits", "campuses", "rivers")}, tmp_path / "k", fmt="kml")
    kml_lines = [loss for loss in report.losses if loss.startswith("KML keeps no CRS")]
    assert len(kml_lines) == 1
    assert "mineral_deposits_areas" in kml_lines[0]
    assert "rivers" in kml_lines[0]
    assert len(report.losses) == len(set(report.losses))


def test_refuses_to_overwrite_and_replaces_only_when_asked(tmp_path, sites):
    target = tmp_path / "s.gpkg"
    export(sites, target, name="sites")
    before = target.read_bytes()
    with pytest.raises(geo.ExportError, match="already exists; pass overwrite=True"):
        export(sites.head(1), target, name="sites")
    assert target.read_bytes() == before
    export(sites.head(1), target, name="sites", overwrite=True)
    assert len(read_exported(target)["sites"]) == 1


def test_a_failed_write_leaves_nothing_behind(tmp_path, sites, monkeypatch):
    def broken(*args, **kwargs):
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr("geo.exporter.writers.pyogrio.write_dataframe", broken)
    with pytest.raises(OSError, match="disk full"):
        export(sites, tmp_path / "s.fgb", name="sites")
    assert list(tmp_path.iterdir()) == []


def test_a_user_path_is_written_where_named_with_home_expanded(tmp_path, sites, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = export(sites, "~/reports/atlas.gpkg", name="sites")
    assert report.path == tmp_path / "home" / "reports" / "atlas.gpkg"
    assert report.path.exists()


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", ""])
def test_layer_names_from_data_cannot_leave_a_folder_export(tmp_path, sites, name):
    with pytest.raises(geo.ExportError, match="cannot become a file or table name"):
        export({name: sites, "ok": sites}, tmp_path / "out", fmt="geojson")
    assert not (tmp_path / "escape.geojson").exists()


@pytest.mark.parametrize(
    ("fmt", "suffix", "key"),
    [
        ("GeoJSON", ".geojson", "geojson"),
        ("ESRI Shapefile", ".zip", "shp"),
        (None, ".shp", "shp"),
        ("GPKG", ".gpkg", "gpkg"),
        ("FlatGeobuf", ".fgb", "fgb"),
        (None, ".json", "geojson"),
        (None, ".geoparquet", "parquet"),
        ("kml", ".kml", "kml"),
    ],
)
def test_formats_are_found_by_key_gdal_driver_or_suffix(fmt, suffix, key):
    assert resolve(fmt, Path(f"out{suffix}")).key == key


def test_missing_crs_is_refused(tmp_path, sites):
    with pytest.raises(geo.CRSError, match="has no CRS"):
        export(sites.set_crs(None, allow_override=True), tmp_path / "s.gpkg", name="sites")


def test_geopackage_carries_default_qgis_styles(tmp_path, frames, written):
    import sqlite3

    report = export(frames, tmp_path / "styled.gpkg")
    with sqlite3.connect(report.path) as con:
        rows = con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall()
        others = con.execute("SELECT f_table_name, styleName FROM layer_styles WHERE NOT useAsDefault").fetchall()
    assert sorted(r[0] for r in rows) == sorted(written)  # one default style per layer
    assert ("campuses", "campuses: uncertainty radius") in others  # and the halos, a style to load
    qml = {name: ElementTree.fromstring(text.split("'SYSTEM'>", 1)[1]) for name, text in rows}
    displacement = qml["campuses"].find("renderer-v2")
    assert displacement.get("type") == "pointDisplacement"  # campuses in one town drawn apart
    renderer = displacement.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == '"status"'
    assert {c.get("value") for c in renderer.iter("category")} == set(frames["campuses"]["status"])
    assert set(read_exported(report.path)) == set(written)  # the style table is not a layer


def test_geojson_polygons_follow_the_right_hand_rule(tmp_path, frames):
    import shapely

    report = export({"afforestation_areas": frames["afforestation_areas"]}, tmp_path / "a.geojson")
    assert report.features == {"afforestation_areas": len(frames["afforestation_areas"])}  # all areas: one layer
    assert not report.path.with_name("a_areas.geojson").exists()
    doc = json.loads(report.path.read_text(encoding="utf-8"))
    assert doc["features"]
    for feature in doc["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        for poly in getattr(geom, "geoms", [geom]):
            assert poly.exterior.is_ccw
            assert all(not ring.is_ccw for ring in poly.interiors)


def test_overwriting_a_layer_that_now_needs_no_areas_file_removes_the_old_one(tmp_path, frames):
    report = export(["mineral_deposits"], tmp_path / "deposits.geojson")
    assert report.path.with_name("deposits_areas.geojson").exists()
    points = split_by_precision(frames["mineral_deposits"], "mineral_deposits")["mineral_deposits"]
    export({"mineral_deposits": points.head(3)}, report.path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deposits.geojson"]
    assert {n: len(g) for n, g in read_exported(report.path).items()} == {"deposits": 3}


def _unlocated() -> gpd.GeoDataFrame:
    """Two curated features whose location no source gives: listed, never pinned."""
    gdf = geo.load("afforestation_areas").head(2)
    gdf["location_precision"] = "unknown"
    return gdf.set_geometry(gpd.GeoSeries([None, None], index=gdf.index, crs=gdf.crs))


@pytest.mark.parametrize("key", FILE_FORMATS)
def test_features_with_no_location_are_listed_in_the_points_layer_without_a_geometry(tmp_path, key):
    report = export({"aff": _unlocated()}, tmp_path / f"aff{FORMATS[key].suffix}", fmt=key)
    assert report.features == {"aff": 2}  # no empty area layer beside it
    back = read_exported(report.path, fmt=key)["aff"]
    assert len(back) == 2
    assert back.geometry.isna().all()


@pytest.mark.parametrize(("suffix", "fmt"), [(".gpkg", None), (".zip", None), ("", "geojson"), (".geojson", None)])
def test_the_agreements_table_travels_where_the_format_can_hold_it(tmp_path, suffix, fmt):
    table = geo.agreements()
    layers = {"campuses": geo.load("campuses")} if suffix == ".geojson" else ["campuses", "regions"]
    report = export(layers, tmp_path / f"out{suffix}", fmt=fmt, tables={"agreements": table})
    if suffix == ".gpkg":
        back = pyogrio.read_dataframe(report.path, layer="agreements")
        assert len(back) == len(table)
        assert json.loads(back.set_index("id").loc["uk-kz-critical-minerals-roadmap-2026", "signatories"])
    elif suffix == ".zip":
        with zipfile.ZipFile(report.path) as zf:
            assert "agreements.table.csv" in zf.namelist()
    elif suffix == "":
        assert len(pd.read_csv(report.path / "agreements.table.csv")) == len(table)
        assert "agreements" not in read_exported(report.path)  # a table is not a layer
    else:
        assert any("tables not carried" in loss for loss in report.losses)


def test_cli_export_of_every_layer_carries_the_agreements(tmp_path):
    from typer.testing import CliRunner

    from geo.cli.main import app

    result = CliRunner().invoke(app, ["export", "-o", str(tmp_path / "all.gpkg")])
    assert result.exit_code == 0, result.output
    assert "agreements" in {str(n) for n in pyogrio.list_layers(tmp_path / "all.gpkg")[:, 0]}


def test_a_geopackage_with_the_agreements_table_reads_back_its_layers_only(tmp_path):
    report = export(["campuses"], tmp_path / "c.gpkg", tables={"agreements": geo.agreements()})
    assert set(read_exported(report.path)) == {"campuses", "campuses_areas"}
