"""A plain (non-editable) install of the wheel carries the data: every layer and recipe loads from inside it."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import geo

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import geo, geo.paths, pathlib, sys
site = pathlib.Path(sys.argv[1]).resolve()
assert pathlib.Path(geo.__file__).resolve().is_relative_to(site), geo.__file__
assert geo.paths.LAYERS_DIR.resolve().is_relative_to(site), geo.paths.LAYERS_DIR
counts = {name: len(geo.load(name)) for name in (*geo.CURATED, *geo.REFERENCE)}
assert all(counts.values()), counts
from geo.mapping.recipes import find_recipe, load_recipe, recipes
assert find_recipe("minerals").resolve().is_relative_to(site), find_recipe("minerals")
assert all(load_recipe(name)["layers"] for name in recipes())
print(counts["mineral_deposits"], counts["cities"], ",".join(recipes()))
"""


@pytest.mark.slow
def test_wheel_ships_the_layers_and_loads_them(tmp_path):
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("centralasia_geo-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "geo/_layers/curated/mineral_deposits.toml" in names
    assert "geo/_layers/reference/cities.geojson" in names
    assert "geo/_layers/manifest.json" in names
    assert "geo/_maps/minerals.toml" in names
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    run = subprocess.run(
        [sys.executable, "-c", CHECK, str(site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    shipped = ",".join(sorted(p.stem for p in (ROOT / "maps").glob("*.toml")))
    assert run.stdout.split() == [str(len(geo.load("mineral_deposits"))), str(len(geo.load("cities"))), shipped]
