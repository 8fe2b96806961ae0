"""Run PyQGIS (Debian's python3-qgis) from the venv's tests: a subprocess of /usr/bin/python3."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI

DEBIAN_PYTHON = Path("/usr/bin/python3")
SCRIPT = Path(__file__).with_name("qgis_render.py")


def require_pyqgis() -> Path:
    """Return Debian's python3 if it can import PyQGIS; under CI a missing PyQGIS fails instead of skipping."""
    ok = DEBIAN_PYTHON.exists() and (
        subprocess.run([str(DEBIAN_PYTHON), "-c", "import qgis.core"], capture_output=True, check=False).returncode == 0
    )
    if not ok:
        message = "PyQGIS is not installed for /usr/bin/python3 (Debian python3-qgis qgis-providers; `make test`)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return DEBIAN_PYTHON


def run_qgis(request: dict, folder: Path) -> dict:
    """Run tests/qgis_render.py on `request` in headless QGIS and return its JSON answer."""
    python = require_pyqgis()
    path = folder / "qgis-request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(folder)}
    done = subprocess.run(
        [str(python), str(SCRIPT), str(path)], capture_output=True, text=True, timeout=600, env=env, check=False
    )
    assert done.returncode == 0, f"PyQGIS failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])
