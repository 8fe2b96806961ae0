"""The corpus of real-world files (tests/corpus): each reads with the right features, names and coordinates.

The files are written as Excel, Google Earth, OsmAnd, geojson.io and ogr2ogr write them (see
tests/corpus/README.md). Each is read through ``geo.read`` and ``geo validate``; what geo had to
assume (an encoding, a delimiter, decimal commas) is said in a warning, and nothing else is.
"""

from __future__ import annotations

import re
import warnings

import pytest
from typer.testing import CliRunner

import geo
from geo.cli.main import app
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"
runner = CliRunner(env={"COLUMNS": "250"})

NAMES = ["Вестминстерский университет в Ташкенте", "Нарын", "Хорог", "Текели"]  # noqa: RUF001
POINTS = [(69.283333, 41.306944), (76.0, 41.433333), (71.555833, 37.491667), (78.823889, 44.83)]

CP1251 = r"is not UTF-8 text; it reads as Cyrillic in cp1251 \(e\.g\. 'Вестминстерский'\)"
SEMICOLON = r"read as semicolon \(';'\)-separated values: its header splits into 4 columns"
DECIMAL = r"columns lon, lat have decimal commas \(e\.g\. '69,283333'\); read as 69\.283333"

#: file -> (the column of names, the warnings geo must give: one regex each, in order)
TOWNS = {
    "excel_utf8_bom.csv": ("name", []),
    "excel_ru_cp1251.csv": ("name", [CP1251, SEMICOLON, DECIMAL]),
    "excel_ru_utf8_bom.csv": ("name", [SEMICOLON, DECIMAL]),
    "excel_unicode_text.txt": ("name", [r"read as tab-separated values"]),
    "shp_cp1251_cpg/towns.shp": ("name", []),
    "shp_cp1251_no_cpg/towns.shp": ("name", [r"towns\.shp has no \.cpg file .* reads as Cyrillic in cp1251"]),
    "shp_utf8_empty_cpg/towns.shp": ("name", [r"towns\.shp has no \.cpg file .* reads as UTF-8 \(e\.g\. 'Вест"]),
    "cp1251.geojson": ("name", [CP1251]),
    "towns_source.geojson": ("name", []),
    "google_earth.kmz": ("Name", []),
}


def _read(name: str, **kwargs: object):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = geo.read(CORPUS / name, **kwargs)
    return gdf, [str(w.message) for w in caught]


def _coordinates(gdf) -> list[tuple[float, float]]:
    return [(round(p.x, 6), round(p.y, 6)) for p in gdf.geometry]


@pytest.mark.parametrize("name", list(TOWNS))
def test_the_towns_read_with_their_names_and_coordinates(name):
    column, expected = TOWNS[name]
    gdf, said = _read(name)
    assert gdf[column].tolist() == NAMES
    assert _coordinates(gdf) == POINTS
    assert gdf.crs.equals("EPSG:4326")
    assert len(said) == len(expected), said
    for text, pattern in zip(said, expected, strict=True):
        assert re.search(pattern, text), (pattern, text)
        assert "\n" not in text


@pytest.mark.parametrize("name", list(TOWNS))
def test_validate_reads_the_towns(name):
    _, expected = TOWNS[name]
    result = runner.invoke(app, ["validate", str(CORPUS / name)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK {CORPUS / name}: 4 features (Point: 4), CRS EPSG:4326")
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(warned) == len(expected), result.stderr


def test_excel_csv_first_column_is_not_named_with_its_byte_order_mark():
    gdf, _ = _read("excel_utf8_bom.csv")
    assert gdf.columns[0] == "id"
    assert gdf["id"].tolist() == ["1", "2", "3", "4"]


def test_saying_the_excel_dialect_outright_gives_no_warning_but_the_encoding():
    gdf, said = _read("excel_ru_utf8_bom.csv", delimiter=";", decimal=",")
    assert said == []
    assert _coordinates(gdf) == POINTS
    gdf, said = _read("excel_ru_cp1251.csv", encoding="cp1251", delimiter=";", decimal=",")
    assert said == []
    assert gdf["name"].tolist() == NAMES


def test_the_command_line_takes_the_dialect():
    path = str(CORPUS / "excel_ru_cp1251.csv")
    result = runner.invoke(app, ["validate", path, "--encoding", "cp1251", "--delimiter", ";", "--decimal", ","])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    shown = runner.invoke(app, ["show", path, "--delimiter", ";", "--decimal", ",", "--columns", "name"])
    assert shown.exit_code == 0, shown.output
    assert "Текели" in shown.stdout
    wrong = runner.invoke(app, ["validate", path, "--delimiter", ","])
    assert wrong.exit_code == 1
    assert wrong.stderr.count("\n") == 2  # the encoding warning, then one error line
    assert "the header holds no comma (','), so it is one column, but it holds ';': pass delimiter=';'" in wrong.stderr
    bad = runner.invoke(app, ["validate", path, "--decimal", ";"])
    assert bad.exit_code == 2
    assert "Unknown decimal separator ';'" in bad.output


def test_decimal_point_said_outright_refuses_decimal_commas():
    with pytest.raises(geo.InputFileError, match=r"line 2: lon='69,283333'.* pass decimal=','"):
        geo.read(CORPUS / "excel_ru_utf8_bom.csv", delimiter=";", decimal=".")


def test_google_earth_kmz_reads_both_folders():
    gdf, said = _read("google_earth.kmz")
    assert said == []
    assert gdf["layer"].tolist() == ["Университеты", "Кампусы UCA", "Кампусы UCA", "Кампусы UCA"]
    assert gdf.has_z.all()  # Google Earth writes x,y,0
    one, _ = _read("google_earth.kmz", layer="Университеты")
    assert one["Name"].tolist() == NAMES[:1]


def test_osmand_gpx_reads_its_waypoints_and_its_track():
    gdf, said = _read("osmand.gpx")
    assert said == []
    assert gdf["layer"].tolist() == ["waypoints", "waypoints", "tracks"]
    assert gdf["name"].tolist() == [*NAMES[1:3], "Прогулка по Нарыну"]
    assert _coordinates(gdf.iloc[:2]) == POINTS[1:3]
    track = gdf.geometry.iloc[2]
    assert track.geom_type == "MultiLineString"
    assert [tuple(round(c, 6) for c in xy) for xy in track.geoms[0].coords] == [
        (76.0, 41.433333),
        (76.0105, 41.4301),
        (76.0211, 41.4277),
    ]
    assert gdf["osmand_color"].iloc[0] == "#eecc22"  # the app's extensions are kept
    tracks, _ = _read("osmand.gpx", layer="tracks")
    assert len(tracks) == 1


def test_geojson_io_export_keeps_its_style_properties():
    gdf, said = _read("geojson_io.geojson")
    assert said == []
    assert gdf["name"].tolist() == [*NAMES[:2], "Нарын: район кампуса"]
    assert gdf["marker-color"].iloc[0] == "#7e7e7e"
    assert gdf["fill-opacity"].iloc[2] == 0.5
    assert gdf.geom_type.tolist() == ["Point", "Point", "Polygon"]
    assert _coordinates(gdf.iloc[:2]) == POINTS[:2]


def test_a_map_layer_says_how_to_read_its_file(tmp_path):
    from geo.cli.map_command import parse_layer

    spec = f"{CORPUS / 'excel_ru_cp1251.csv'}:title=Excel:encoding=cp1251:delimiter=;:decimal=,"
    assert parse_layer(spec)[1] == {"title": "Excel", "encoding": "cp1251", "delimiter": ";", "decimal": ","}
    with pytest.raises(geo.RecipeError, match=r"--layer 'x\.csv:delimiter=ab': Unknown CSV delimiter 'ab'"):
        parse_layer("x.csv:delimiter=ab")
    out = tmp_path / "m.html"
    result = runner.invoke(app, ["map", "--layer", spec, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr  # each assumption said outright
    assert "Текели" in out.read_text(encoding="utf-8")
