"""PostGIS export against a real PostgreSQL 15 + PostGIS 3 (Debian), started for this module and stopped after."""

from __future__ import annotations

from xml.etree import ElementTree

import geopandas as gpd
import psycopg
import pytest
from typer.testing import CliRunner

import geo
from geo import registry
from geo.cli.main import app
from geo.exporter.postgis import PROVENANCE_TABLE, redact, styles
from geo.exporter.split import split_layers
from tests.conftest import IN_CI, assert_same_features
from tests.pgcluster import server_bin, temporary_postgis
from tests.qgis_tools import run_qgis

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def database():
    if server_bin() is None:
        message = "PostgreSQL with PostGIS is not installed (postgresql-15-postgis-3; `make test` installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with temporary_postgis() as url:
        yield url


@pytest.fixture(scope="module")
def frames():
    return {name: geo.load(name) for name in registry.names()}


@pytest.fixture(scope="module")
def exported(database, frames):
    return geo.export(frames, database, tables={"agreements": geo.agreements()})


def _sql(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as con:
        return con.execute(query).fetchall()


def test_every_layer_is_written_read_back_and_counted(exported, database, frames):
    written = split_layers(frames)
    assert exported.format == "postgis"
    assert exported.features == {n: len(g) for n, g in written.items()}
    back = geo.read_exported(database)
    assert set(back) == set(written)
    for name, original in written.items():
        if len(original):
            assert_same_features(original, back[name], label=f"postgis:{name}")
        else:
            assert back[name].empty
    deposits = back["mineral_deposits"]
    assert deposits["disputed"].dtype == bool  # booleans stay booleans
    assert isinstance(deposits["commodities"].iloc[0], list)  # lists stay lists (jsonb)
    assert isinstance(deposits["sources"].iloc[0][0], dict)


def test_tables_have_one_geometry_type_their_srid_and_a_key(exported, database):
    types = dict(_sql(database, "SELECT f_table_name, type FROM geometry_columns WHERE srid = 4326"))
    for name in registry.curated():
        areas_only = f"{name}_areas" not in types  # afforestation_areas: every feature known only to an area
        assert types[name] == ("MULTIPOLYGON" if areas_only else "POINT")
        assert areas_only or types[f"{name}_areas"] == "MULTIPOLYGON"
    assert types["rivers"] == "MULTILINESTRING"  # LineStrings and MultiLineStrings, as one type
    assert "GEOMETRY" not in types.values()
    keyed = {r[0] for r in _sql(database, "SELECT table_name FROM information_schema.table_constraints "
                                          "WHERE constraint_type = 'PRIMARY KEY'")}  # fmt: skip
    assert set(exported.features) <= keyed
    indexed = {r[0] for r in _sql(database, "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%gist%'")}
    assert set(exported.features) <= indexed


def test_styles_and_provenance_are_in_the_database(exported, database):
    found = styles(database)
    assert set(found) == set(exported.features)
    for name, style in found.items():
        root = ElementTree.fromstring(style["qml"].split("'SYSTEM'>", 1)[-1])
        assert root.find("renderer-v2") is not None, name
    assert found["mineral_deposits"]["type"] == "Point"
    assert found["mineral_deposits_areas"]["type"] == "Polygon"
    rows = dict(_sql(database, f"SELECT layer, features FROM {PROVENANCE_TABLE}"))
    assert rows == exported.features
    (sha,) = _sql(database, f"SELECT source_sha256 FROM {PROVENANCE_TABLE} WHERE layer = 'cities'")[0]
    assert len(sha) == 64


def test_qgis_opens_the_tables_with_their_default_styles(exported, database, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(database)
    conninfo = f"host={url.host} port={url.port} dbname={url.database} user={url.username}"
    tables = {
        "mineral_deposits": "Point",
        "mineral_deposits_areas": "MultiPolygon",
        "campuses": "Point",
        "cities": "Point",
        "countries": "MultiPolygon",
    }
    seen = run_qgis({"postgis": conninfo, "tables": tables}, tmp_path)["tables"]
    for name, layer in seen.items():
        assert layer["valid"], name
        assert layer["features"] == exported.features[name], name
    deposits = seen["mineral_deposits"]
    # the default style from layer_styles, not QGIS's own: stacked points drawn apart, by category
    assert (deposits["renderer"], deposits["embedded"]) == ("pointDisplacement", "categorizedSymbol")
    assert deposits["values"] == sorted(deposits["categories"])  # jsonb lists read as lists by the expression
    assert seen["mineral_deposits_areas"]["renderer"] == "RuleRenderer"
    assert seen["cities"]["renderer"] == "RuleRenderer"
    assert seen["countries"]["renderer"] == "RuleRenderer"


def test_overwrite_matches_the_file_formats(exported, database, frames):
    before = _sql(database, "SELECT count(*) FROM campuses")
    with pytest.raises(geo.ExportError, match=r"public\.campuses already exists .*overwrite=True"):
        geo.export({"campuses": frames["campuses"].head(2)}, database)
    assert _sql(database, "SELECT count(*) FROM campuses") == before
    report = geo.export({"campuses": frames["campuses"].head(2)}, database, overwrite=True)
    assert report.features == {"campuses": 2}  # both point-level: no area table ...
    assert _sql(database, "SELECT count(*) FROM campuses") == [(2,)]
    assert "campuses_areas" not in geo.read_exported(database)  # ... and the earlier one is gone, not stale
    (styled,) = _sql(database, "SELECT count(*) FROM layer_styles WHERE f_table_name = 'campuses' AND useasdefault")
    assert styled == (1,)  # replaced, not added
    geo.export({"campuses": frames["campuses"]}, database, overwrite=True)


def _public_tables(url: str) -> set[str]:
    return {r[0] for r in _sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_an_export_writes_all_layers_or_none(database, sites, monkeypatch):
    """The database refuses the second layer's style after both tables are written: nothing stays."""
    from geo.exporter import postgis

    real = postgis.qml_document
    monkeypatch.setattr(postgis, "qml_document", lambda n, g, **k: "<qgis>" if n == "second" else real(n, g, **k))
    with pytest.raises(geo.ExportError, match=r"nothing was written: .*XML"):
        geo.export({"first": sites, "second": sites}, database)
    assert not {"first", "second"} & _public_tables(database)
    assert not _sql(database, f"SELECT layer FROM {PROVENANCE_TABLE} WHERE layer = 'first'")


def test_a_count_that_differs_after_writing_rolls_back(database, sites, monkeypatch):
    from geo.exporter import postgis

    real = postgis._read_layers
    monkeypatch.setattr(
        postgis, "_read_layers", lambda conn, names: {n: g.head(1) for n, g in real(conn, names).items()}
    )
    with pytest.raises(geo.ExportError, match=r"read back .* rolled back"):
        geo.export(sites, database, name="counted")
    assert "counted" not in _public_tables(database)


def test_the_cli_writes_to_a_url_given_as_the_last_argument(database, sites, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sites.to_file(tmp_path / "mine.gpkg")
    args = ["export", "mine.gpkg", "-f", "postgis", database]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert f"Wrote {redact(database)} (postgis): mine 3" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert CliRunner().invoke(app, [*args, "--overwrite"]).exit_code == 0
    assert sorted(r[0] for r in _sql(database, "SELECT name FROM mine")) == sorted(sites["name"])


def test_features_with_no_location_make_a_table_without_geometries(database):
    gdf = geo.load("afforestation_areas").head(2)
    gdf["location_precision"] = "unknown"
    gdf = gdf.set_geometry(gpd.GeoSeries([None, None], index=gdf.index, crs=gdf.crs))
    report = geo.export({"unlocated": gdf}, database)
    assert report.features == {"unlocated": 2}  # no empty area table beside it
    assert _sql(database, "SELECT type FROM geometry_columns WHERE f_table_name = 'unlocated'") == [("POINT",)]
    assert _sql(database, "SELECT count(*) FROM unlocated WHERE geometry IS NULL") == [(2,)]


def test_passwords_never_appear_in_messages():
    url = "postgresql://someone:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(geo.ExportError) as caught:
        geo.export(gpd.GeoDataFrame(geometry=[], crs=4326), url, name="x")
    assert "s3cret" not in str(caught.value)
    assert "someone:***@127.0.0.1" in str(caught.value)


def test_the_agreements_table_is_written_in_the_same_export(exported, database):
    (rows,) = _sql(database, "SELECT count(*) FROM agreements")[0]
    assert rows == len(geo.agreements())
