"""The notebooks show what they compute: each ends on a displayed map or chart, not on asserts.

`make test` runs them (nbmake); this checks, without running them, what their last cell displays.
"""

import ast
import json

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _code(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_ends_on_a_displayed_map_or_chart(path):
    cells = _code(path)
    maps = {
        target.id
        for cell in cells
        for node in ast.walk(ast.parse(cell))
        if isinstance(node, ast.Assign) and "geo.map(" in ast.unparse(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    last = ast.parse(cells[-1]).body[-1]
    assert isinstance(last, ast.Expr), f"{path.name} ends on {type(last).__name__}, not a displayed value"
    shown = last.value
    is_map = isinstance(shown, ast.Name) and shown.id in maps
    is_chart = isinstance(shown, ast.Call) and ast.unparse(shown.func) in ("Image", "display")
    assert is_map or is_chart, f"{path.name} ends on {ast.unparse(shown)!r}"


def test_the_quickstart_passes_a_curated_subset_as_its_own_layer():
    source = "\n".join(_code(ROOT / "notebooks" / "01_quickstart.ipynb"))
    assert "user={'Uranium (my selection)': uranium}" in source  # drawn with its precision (tests/test_map.py)
    assert "'mineral_deposits', 'campuses'" not in source  # not the whole layer under the selection
