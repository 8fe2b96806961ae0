import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or require_tool("ruff")
    checked = subprocess.run(
        [ruff, "check", "geo", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout[-3000:]
    formatted = subprocess.run(
        [ruff, "format", "--check", "geo", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert formatted.returncode == 0, formatted.stdout[-3000:]


def test_notebooks_are_kept_without_outputs():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code"), (
            path
        )
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert any("assert" in c for c in code), f"{path.name} must assert on its results"  # and ends on a map or
        # a chart: tests/test_notebooks.py


def test_mypy_is_clean():
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or require_tool("mypy")
    result = subprocess.run([mypy], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
