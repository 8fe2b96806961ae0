import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or require_tool("ruff")
    result = subprocess.run([ruff, "check", "geo", "tests"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
