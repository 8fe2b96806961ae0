"""The README as a test: its command line block and its Python block run as written, in order, in a fresh folder.

The sample files the README names are made first (``my_sites.csv``, ``sites.csv``, ``my_points.parquet``,
``my_brief.toml`` from its recipe block; ``export.csv`` and ``places.kmz`` from the corpus); ``~`` is a fresh
home folder. What cannot run as written on a test machine is listed in ``SUBSTITUTED`` and ``ELSEWHERE`` with
the reason, and a test checks that each still names a line of the README (so the lists cannot go stale).
Everything else that fails here fails the suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from tests.conftest import IN_CI, ROOT
from tests.pgcluster import server_bin, temporary_postgis

README = ROOT / "README.md"
BIN = Path(sys.executable).parent
#: The README's example database: a throwaway PostGIS (tests/pgcluster.py) stands in for it.
SUBSTITUTED = {"postgresql://me@localhost/atlas": "the example database is a throwaway PostGIS cluster"}
#: Lines run by other tests instead, because here they would rewrite the checkout's own data.
ELSEWHERE = {
    "geo data rebuild": "re-cuts layers/reference from downloads: tests/test_rebuild.py",
    "geo data manifest ": "rewrites layers/manifest.json of the checkout: `--check` runs here, test_cli the rest",
}


def blocks(language: str) -> list[str]:
    """The README's fenced blocks in `language`, in order."""
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def command_lines() -> list[str]:
    """The command line block(s): bash blocks whose lines are `geo` commands (not the `make` block)."""
    lines = [line.strip() for block in blocks("(?:bash|sh)") for line in block.splitlines()]
    return [line for line in lines if line.startswith("geo ")]


def _samples(folder: Path) -> None:
    """The files the README's examples name, as a user would have them."""
    sites = pd.DataFrame(
        {
            "name": ["Well 1", "Well 2", "Кумтор проба"],
            "status": ["planned", "drilled", "planned"],
            "lon": [69.60, 71.45, 78.20],
            "lat": [40.85, 51.16, 41.86],
        }
    )
    sites.to_csv(folder / "my_sites.csv", index=False)
    sites.to_csv(folder / "sites.csv", index=False)
    rng = np.random.default_rng(42)
    points = gpd.GeoDataFrame(
        {"value": rng.random(2_000)},
        geometry=[Point(x, y) for x, y in zip(rng.uniform(50, 85, 2_000), rng.uniform(37, 55, 2_000), strict=True)],
        crs="EPSG:4326",
    )
    points.to_parquet(folder / "my_points.parquet")
    corpus = Path(__file__).parent / "corpus"  # files as Excel and Google Earth write them (tests/corpus/README.md)
    shutil.copy(corpus / "excel_ru_cp1251.csv", folder / "export.csv")
    shutil.copy(corpus / "google_earth.kmz", folder / "places.kmz")
    recipe = next(b for b in blocks("toml") if "[[questions]]" in b)  # the brief recipe the README shows
    (folder / "my_brief.toml").write_text(recipe, encoding="utf-8")


def _environment(folder: Path) -> dict[str, str]:
    from geo.paths import cache_dir

    home = folder / "home"
    home.mkdir()
    return os.environ | {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "CENTRALASIA_GEO_CACHE": str(cache_dir()),  # the elevation grid fetched once, as a user has it
        "COLUMNS": "100",
    }


def _database(stack) -> str:
    if server_bin() is None:
        message = "PostgreSQL with PostGIS is not installed (Debian postgresql-15-postgis-3; `make test`)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return stack.enter_context(temporary_postgis())


def test_the_lists_of_exceptions_name_lines_of_the_readme():
    text = README.read_text(encoding="utf-8")
    for line in (*SUBSTITUTED, *ELSEWHERE):
        assert line in text, line
    assert len(command_lines()) > 15  # the block was found


@pytest.mark.slow
@pytest.mark.browser
def test_the_readme_runs_as_written_in_a_fresh_folder(tmp_path, dem):
    import contextlib

    _samples(tmp_path)
    env = _environment(tmp_path)
    with contextlib.ExitStack() as stack:
        url = _database(stack)
        for line in command_lines():
            if any(line.startswith(skip) for skip in ELSEWHERE):
                continue
            command = line
            for example in SUBSTITUTED:
                command = command.replace(example, url)
            done = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, f"README line failed: {line}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        for block in blocks("python"):
            for example in SUBSTITUTED:
                block = block.replace(example, url)
            done = subprocess.run(
                [sys.executable, "-c", block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
            )
            assert done.returncode == 0, f"README Python block failed:\n{done.stderr[-3000:]}"
    for written in ("build/atlas.gpkg", "build/atlas.qgz", "build/supply.png", "build/mine.gpkg", "build/mine.html"):
        assert (tmp_path / written).exists(), written
    assert (tmp_path / "home" / "reports" / "campuses.zip").exists()  # `~` is the user's home
