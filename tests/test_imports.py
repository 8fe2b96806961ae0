"""The import graph: no cycles, library code never imports the map or the CLI, and `import geo` stays light."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

GEO = ROOT / "geo"
#: Packages that hold presentation or entry points: library code must not depend on them.
UPPER = ("geo.mapping", "geo.cli")
HEAVY = ("folium", "branca", "jinja2", "pandera")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m == "geo" or m.startswith("geo.")}


MODULES = {_module(p): p for p in GEO.rglob("*.py")}


def _graph(*, top_level_only: bool) -> dict[str, set[str]]:
    return {
        name: {m for m in _imports(path, top_level_only=top_level_only) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }


def test_no_import_cycles():
    graph = _graph(top_level_only=True)
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not m.startswith(UPPER) and m not in ("geo", "geo.__main__"))
)
def test_library_code_never_imports_the_map_or_the_cli(module):
    used = _imports(MODULES[module], top_level_only=False)
    assert not {m for m in used if m.startswith(UPPER)}, f"{module} imports {sorted(used)}"


def test_export_does_not_import_mapping():
    used = set().union(*(_imports(p, top_level_only=False) for m, p in MODULES.items() if m.startswith("geo.exporter")))
    assert not any(m.startswith("geo.mapping") for m in used)


@pytest.mark.parametrize("statement", ["import geo", "import geo.crs", "import geo.registry", "import geo.precision"])
def test_import_stays_light(statement):
    code = f"{statement}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_public_names_load_on_first_use():
    code = "import geo, sys\nassert 'folium' not in sys.modules\ngeo.map\nprint('folium' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"
