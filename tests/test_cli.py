import subprocess
import sys

import pytest
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
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") == 6}
    assert set(rows) == {*geo.CURATED, *geo.REFERENCE}  # one line per layer, at any terminal width
    cells = [cell.strip() for cell in rows["campuses"].split("│")]
    assert cells[2:4] == ["curated", str(len(geo.load("campuses")))]


def test_show_is_a_readable_table():
    result = invoke("show", "campuses", "--limit", "20")
    assert result.exit_code == 0
    assert "kz-cardiff-astana" in result.output
    assert "town" in result.output


def test_user_errors_exit_1_with_one_line_and_no_traceback(tmp_path):
    result = invoke("show", "minerals")
    assert result.exit_code == 1
    assert result.output.startswith("Error: No layer named 'minerals'. Did you mean mineral_deposits?")
    assert "Traceback" not in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lon,lat\na,43.25,76.9\n")
    result = invoke("validate", str(bad))
    assert result.exit_code == 1
    assert "swapped" in result.output
    assert "Traceback" not in result.output


def test_bad_usage_exits_2():
    assert invoke("show").exit_code == 2
    assert invoke("no-such-command").exit_code == 2
    assert invoke("near", "campuses", "mineral_deposits").exit_code == 2  # --within-km is required


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--crs", "banana", "Unknown CRS 'banana'"),
        ("--crs", "EPSG:99999", "Unknown CRS 'EPSG:99999'"),
        ("--encoding", "bogus", "Unknown text encoding 'bogus'"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "export"])
def test_a_bad_crs_or_encoding_is_a_usage_error_before_any_work(tmp_path, command, option, value, says):
    sites = tmp_path / "sites.csv"
    sites.write_text("id,x,y\na,500000,4700000\n")
    out = tmp_path / "out.gpkg"
    args = [str(sites), option, value] + (["-o", str(out)] if command == "export" else [])
    result = invoke(command, *args)
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "error"), [({"crs": "banana"}, geo.CRSError), ({"encoding": "x"}, geo.InputFileError)]
)
def test_read_names_a_bad_crs_or_encoding_in_its_own_error(tmp_path, kwargs, error):
    sites = tmp_path / "sites.csv"
    sites.write_text("id,lon,lat\na,76.9,43.25\n")
    with pytest.raises(error, match="Unknown"):
        geo.read(sites, **kwargs)


def test_a_device_is_not_a_file():
    result = invoke("validate", "/dev/null")
    assert result.exit_code == 1
    assert "not a regular file" in result.output


def test_version_comes_from_the_package_metadata():
    import importlib.metadata

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"centralasia-geo {importlib.metadata.version('centralasia-geo')}"
    assert geo.__version__ == importlib.metadata.version("centralasia-geo")


def test_an_unknown_format_is_one_line_naming_the_formats(tmp_path):
    result = invoke("export", "campuses", "-f", "xlsx", "-o", str(tmp_path / "c.xlsx"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: Unknown export format 'xlsx'")
    assert "gpkg" in result.output
    assert "ESRI Shapefile" in result.output


def test_export_infers_the_format_and_accepts_gdal_driver_names(tmp_path):
    result = invoke("export", "campuses", "-o", str(tmp_path / "c.json"))
    assert result.exit_code == 0, result.output
    assert "(geojson)" in result.output
    result = invoke("export", "regions", "regions_kz_2022", "-f", "ESRI Shapefile", "-o", str(tmp_path / "r.zip"))
    assert result.exit_code == 0, result.output
    assert "regions 48, regions_kz_2022 20" in result.output


def test_export_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("export", "mineral_deposits", "campuses", "-o", "out/atlas.gpkg")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    deposits = geo.load("mineral_deposits")
    areas = int(deposits["location_precision"].isin(["region", "country"]).sum())
    assert f"mineral_deposits {len(deposits) - areas}, mineral_deposits_areas {areas}" in first.output
    again = invoke(*args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert invoke(*args, "--overwrite").exit_code == 0


def test_a_user_path_is_written_where_named_from_any_folder(tmp_path, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    result = invoke("export", "campuses", "-o", "~/reports/atlas.gpkg")
    assert result.exit_code == 0, result.output
    assert (home / "reports" / "atlas.gpkg").exists()
    result = invoke("export", "campuses", "-o", "../beside.geojson")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "beside.geojson").exists()
    result = invoke("supply", "--png", "../supply.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "supply.png").read_bytes()[:4] == b"\x89PNG"
    again = invoke("supply", "--png", "../supply.png")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_a_bad_output_fails_before_any_work(tmp_path, monkeypatch):
    def never(*args, **kwargs):
        msg = "computed before checking the output"
        raise AssertionError(msg)

    monkeypatch.setattr("geo.analysis.within_distance", never)
    result = invoke("near", "campuses", "mineral_deposits", "--within-km", "300", "-o", str(tmp_path / "pairs.BAD"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot tell the format of 'pairs.BAD'")
    (tmp_path / "taken.gpkg").write_text("x")
    result = invoke("site", "--region", "Issyk-Kul", "-o", str(tmp_path / "taken.gpkg"))
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_a_read_only_folder_is_a_one_line_error(tmp_path):
    import os

    if os.geteuid() == 0:  # root writes anywhere: make the folder unwritable another way
        target = tmp_path / "file-not-folder"
        target.write_text("x")
        result = invoke("export", "campuses", "-o", str(target / "c.gpkg"))
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        result = invoke("export", "campuses", "-o", str(locked / "c.gpkg"))
    assert result.exit_code == 1
    assert result.output.startswith("Error:")
    assert "Traceback" not in result.output


def test_map_errors_are_one_line(tmp_path):
    result = invoke("map", "-o", str(tmp_path / "m.html"), "--tiles", "google")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Unknown tiles 'google'")
    recipe = tmp_path / "r.toml"
    recipe.write_text('choropleth = ["unobtainium"]\nlayers = [{ layer = "campuses" }]')
    result = invoke("map", str(recipe), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 1
    assert "No production figures for 'unobtainium'" in result.output
    assert not (tmp_path / "r.html").exists()


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
    lines = result.output.splitlines()
    warning = next(i for i, line in enumerate(lines) if line.startswith("Warning: "))
    assert warning < next(i for i, line in enumerate(lines) if line.startswith("OK"))  # shown as it happens


def test_console_script_runs_as_a_process():
    result = subprocess.run([sys.executable, "-m", "geo", "layers"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "mineral_deposits" in result.stdout


def test_data_manifest_is_up_to_date_and_the_check_writes_nothing():
    from geo.paths import LAYERS_DIR

    before = (LAYERS_DIR / "manifest.json").read_bytes()
    result = invoke("data", "manifest", "--check")
    assert result.exit_code == 0, result.output
    assert "manifest up to date" in result.output
    assert (LAYERS_DIR / "manifest.json").read_bytes() == before


def test_text_from_data_is_printed_literally_not_as_console_markup(tmp_path):
    (tmp_path / "m.csv").write_text('id,name,lon,lat\nm1,"[bold red]Site[/bold red] [x]",70.1,41.2\n')
    result = invoke("show", str(tmp_path / "m.csv"), "--columns", "id,name")
    assert result.exit_code == 0, result.output
    assert "[bold red]Site[/bold red] [x]" in result.output
    exported = invoke("export", "campuses", "-o", str(tmp_path / "c.gpkg"))
    assert "campuses [sources," in exported.output  # the fields of a loss, in brackets, survive


def test_a_shipped_recipe_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no maps/ here
    result = invoke("map", "education", "-o", "edu.html")
    assert result.exit_code == 0, result.output
    assert "University campuses" in (tmp_path / "edu.html").read_text(encoding="utf-8")
    wrong = invoke("map", "educaton", "-o", "edu2.html")
    assert wrong.exit_code == 1
    assert "shipped: atlas, climate, education, minerals, supply." in wrong.output
    assert not (tmp_path / "edu2.html").exists()


# --- issue 18: one selection option everywhere, a per-feature answer, 80 columns -----------------------------

SELECTING = ("show", "export", "map", "near")


@pytest.mark.parametrize("command", SELECTING)
def test_every_selecting_command_takes_where_and_commodity(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--where" in result.output
    assert "--commodity" in result.output


def _uranium_ids() -> set[str]:
    deposits = geo.load("mineral_deposits")
    return set(deposits.loc[deposits["commodities"].map(lambda c: "uranium" in c), "id"])


def test_show_and_export_keep_only_what_the_selection_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = invoke("show", "mineral_deposits", "--commodity", "uranium", "--columns", "id", "--limit", "500")
    assert shown.exit_code == 0, shown.output
    words = " ".join(shown.output.split())
    total = len(geo.load("mineral_deposits"))
    assert f"{len(_uranium_ids())} of {total} features where commodities contains uranium" in words
    assert {line.strip("│ ") for line in shown.output.splitlines() if line.startswith("│")} == _uranium_ids()
    done = invoke("export", "--commodity", "uranium", "--where", "country = KAZ", "-o", "u.gpkg")
    assert done.exit_code == 0, done.output
    assert "Left out" in done.output
    assert "campuses" in done.output
    back = geo.read_exported(tmp_path / "u.gpkg")
    assert set(back) == {"mineral_deposits", "mineral_deposits_areas"}
    ids = set(back["mineral_deposits"]["id"]) | set(back["mineral_deposits_areas"]["id"])
    assert ids
    assert ids <= _uranium_ids()
    assert set(pd_concat(back)["country"]) == {"KAZ"}


def pd_concat(back):
    import pandas as pd

    return pd.concat(back.values(), ignore_index=True)


def test_a_selection_no_feature_can_meet_is_an_error_naming_the_closest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (
        ("show", "campuses", "--where", "country = KZG"),
        ("export", "campuses", "--where", "country = KZG", "-o", "c.gpkg"),
        ("map", "-o", "m.html", "--where", "country = KZG"),
        ("near", "campuses", "mineral_deposits", "--within-km", "300", "--commodity", "uranum"),
    ):
        result = invoke(*command)
        assert result.exit_code == 1, (command, result.output)
        assert "Did you mean" in result.output, result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.slow
def test_map_draws_only_the_selected_curated_features(tmp_path):
    import json
    import re

    result = invoke("map", "-o", str(tmp_path / "u.html"), "--commodity", "uranium", "--no-relief")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "u.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="atlas-data">(.*?)</script>', html, re.S).group(1))
    assert [o["id"] for o in data["overlays"]] == ["mineral_deposits"]
    assert "South Inkai" in html
    assert "Boguty" not in html
    assert {b["id"] for b in data["basemap"]} >= {"countries", "cities"}  # the basemap stays whole


def test_near_summary_is_one_row_per_feature_and_fits_80_columns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    narrow = CliRunner(env={"COLUMNS": "80"})
    args = ["near", "campuses", "mineral_deposits", "--within-km", "300", "--summary", "--limit", "100"]
    args += ["--kinds", "all"]
    result = narrow.invoke(app, [*args, "-o", "summary.gpkg"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    table = geo.read_exported(tmp_path / "summary.gpkg")["summary"]
    campuses = geo.load("campuses")
    assert list(table["id_a"]) == list(campuses["id"])  # every campus once, in order
    nearest = geo.analysis.nearest(campuses, geo.load("mineral_deposits"), k=1)
    first = nearest[nearest["rank"] == 1].set_index("id_a")["id_b"]
    assert table.set_index("id_a")["id_b"].dropna().to_dict() == first.to_dict()
    pairs = geo.analysis.within_distance(campuses, geo.load("mineral_deposits"), "300 km")
    counts = pairs.groupby("id_a", observed=True)["within_status"].value_counts().unstack(fill_value=0)
    got = table.set_index("id_a")
    for campus, row in counts.iterrows():
        assert (got.loc[campus, "n_yes"], got.loc[campus, "n_possibly"]) == (row["yes"], row["possibly"]), campus


@pytest.mark.parametrize(
    "command",
    [
        ("layers",),
        ("show", "mineral_deposits"),
        ("near", "campuses", "mineral_deposits", "--within-km", "300", "--limit", "5"),
        ("supply",),
    ],
)
def test_tables_fit_an_80_column_terminal(command):
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, list(command))
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_a_command_that_needs_a_missing_extra_says_which_in_one_line(monkeypatch, tmp_path):
    """`make map` installs no dask or PostGIS libraries: their commands name the extra to install."""
    monkeypatch.chdir(tmp_path)
    for module in ("dask", "dask_geopandas", "psycopg", "sqlalchemy", "geoalchemy2"):
        monkeypatch.setitem(sys.modules, module, None)  # `import dask` now fails, as without the extra
    lazy = invoke("near", "campuses", "cities", "--within-km", "5", "--scheduler", "local")
    assert lazy.exit_code == 1, lazy.output
    assert "needs the dask extra (dask is missing): pip install 'centralasia-geo[dask]'" in lazy.output
    database = invoke("export", "campuses", "-f", "postgis", "postgresql://me@localhost/atlas")
    assert database.exit_code == 1, database.output
    assert "needs the postgis extra" in database.output
    assert "pip install 'centralasia-geo[postgis]'" in database.output
    for result in (lazy, database):
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_show_of_a_google_earth_kmz_shows_its_names_not_an_empty_id_column():
    """KML writes ``Name`` and leaves ``id`` empty: the table shows the names (and the folder), not blanks."""
    from tests.conftest import ROOT

    result = runner.invoke(app, ["show", str(ROOT / "tests" / "corpus" / "google_earth.kmz")])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[2]
    assert "Name" in header
    assert "layer" in header
    assert " id " not in header
    assert "Нарын" in result.output
