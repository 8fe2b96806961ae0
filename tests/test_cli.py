import subprocess
import sys

from typer.testing import CliRunner

import geo
from geo.cli.main import app

runner = CliRunner(env={"COLUMNS": "250"})


def invoke(*args):
    return runner.invoke(app, list(args))


def test_help_has_examples():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "geo export" in result.output


def test_layers_lists_every_layer():
    result = invoke("layers")
    assert result.exit_code == 0
    for name in (*geo.CURATED, *geo.REFERENCE):
        assert name in result.output


def test_show_is_a_readable_table():
    result = invoke("show", "campuses", "--limit", "20")
    assert result.exit_code == 0
    assert "kz-cardiff-astana" in result.output
    assert "town" in result.output


def test_user_errors_exit_1_with_one_line_and_no_traceback(tmp_path):
    result = invoke("show", "minerals")
    assert result.exit_code == 1
    assert result.output.startswith("Error: No layer named 'minerals'")
    assert "Traceback" not in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lon,lat\na,43.25,76.9\n")
    result = invoke("validate", str(bad))
    assert result.exit_code == 1
    assert "swapped" in result.output
    assert "Traceback" not in result.output


def test_bad_usage_exits_2():
    assert invoke("export", "--format", "xlsx").exit_code == 2
    assert invoke("show").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_export_refuses_to_overwrite_and_to_leave_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("export", "mineral_deposits", "campuses", "-f", "gpkg", "-o", "out/atlas.gpkg")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "mineral_deposits 36" in first.output
    again = invoke(*args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert invoke(*args, "--overwrite").exit_code == 0
    escape = invoke("export", "campuses", "-f", "geojson", "-o", "../escape.geojson")
    assert escape.exit_code == 1
    assert "outside the target folder" in escape.output
    assert not (tmp_path.parent / "escape.geojson").exists()


def test_export_a_user_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.csv").write_text("id,name,lon,lat\nm1,My site,70.1,41.2\n")
    result = invoke("export", "mine.csv", "-f", "geojson", "-o", "mine.geojson")
    assert result.exit_code == 0, result.output
    assert geo.read(tmp_path / "mine.geojson")["name"].tolist() == ["My site"]


def test_warnings_are_one_line_messages(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Polygon

    bowtie = Polygon([(70, 40), (71, 41), (71, 40), (70, 41)])
    gpd.GeoDataFrame({"id": ["bow"]}, geometry=[bowtie], crs=4326).to_file(tmp_path / "b.gpkg")
    result = invoke("validate", str(tmp_path / "b.gpkg"), "--id", "id")
    assert result.exit_code == 0
    assert "OK" in result.output
    assert "Warning: b.gpkg: repaired 1 invalid geometry with make_valid (id 'bow'" in result.output


def test_console_script_runs_as_a_process():
    result = subprocess.run([sys.executable, "-m", "geo", "layers"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "mineral_deposits" in result.stdout


def test_data_manifest_is_up_to_date():
    result = invoke("data", "manifest")
    assert result.exit_code == 0
    assert "manifest up to date" in result.output
