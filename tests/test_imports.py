"""The import graph: no cycles, the layers of docs/design.md, and light imports for `import geo` and the CLI.

Every import statement counts: at the top of a module, inside a function (a deferred import is still a
dependency) and under ``if TYPE_CHECKING:`` (a type is a dependency too).
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

GEO = ROOT / "geo"
DESIGN = ROOT / "docs" / "design.md"
#: Packages that hold presentation or entry points: library code must not depend on them.
UPPER = ("geo.mapping", "geo.cli", "geo.brief")
HEAVY = ("folium", "branca", "jinja2", "pandera")
#: What the quick commands must not load: the data stack.
DATA_STACK = ("geopandas", "pandas", "pyogrio", "shapely", "pyproj", "numpy")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in GEO.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """Return the geo modules `path` imports anywhere; ``from a import b`` is ``a.b`` if that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module(path)
    package = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return {m for m in found if m in MODULES and m != me}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_reads_deferred_and_type_only_imports():
    assert "geo.catalog" in GRAPH["geo.agreement_table"]
    assert "geo.mapping.builder" in GRAPH["geo"]  # only under TYPE_CHECKING
    assert "geo.analysis.scale" in GRAPH["geo.reader"]  # only inside a function


def test_cycles_are_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    found = _cycles(GRAPH)
    lines = [
        " <-> ".join(c) + ": " + "; ".join(f"{a} -> {', '.join(sorted(GRAPH[a] & set(c)))}" for a in c) for c in found
    ]
    assert not found, "import cycles: " + " | ".join(lines)


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not m.startswith(UPPER) and m not in ("geo", "geo.__main__"))
)
def test_library_code_never_imports_the_map_or_the_cli(module):
    used = GRAPH[module]
    assert not {m for m in used if m.startswith(UPPER)}, f"{module} imports {sorted(used)}"


def test_export_does_not_import_mapping():
    used = set().union(*(GRAPH[m] for m in MODULES if m.startswith("geo.exporter")))
    assert not any(m.startswith("geo.mapping") for m in used)


# --- docs/design.md: its diagram names every part of geo/, and the code keeps its layers ------------------------


def _unit(module: str) -> str:
    """The part of geo/ a module belongs to, as the diagram names it: ``catalog.py``, ``exporter/``."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__.py"
    return f"{parts[1]}/" if (GEO / parts[1]).is_dir() else f"{parts[1]}.py"


def _diagram_rows() -> list[list[str]]:
    """The diagram's rows, top first: the names before the first double space of a line indented by one."""
    block = DESIGN.read_text(encoding="utf-8").split("```")[1]
    rows = []
    for line in block.splitlines():
        if re.match(r"^ \S", line):
            head = line[1:].split("  ")[0]
            rows.append(re.findall(r"[\w]+\.py|[\w]+/", head))
    return rows


def test_design_diagram_names_every_part_once():
    named = [name for row in _diagram_rows() for name in row]
    parts = {_unit(m) for m in MODULES}
    assert sorted(n for n in set(named) if named.count(n) > 1) == [], "named twice in docs/design.md"
    assert sorted(parts - set(named)) == [], "parts of geo/ missing from the diagram in docs/design.md"
    assert sorted(set(named) - parts) == [], "the diagram in docs/design.md names what geo/ does not have"


def test_code_keeps_the_layers_of_the_design_diagram():
    row = {name: i for i, names in enumerate(_diagram_rows()) for name in names}
    upward = sorted(
        f"{m} (row {row[_unit(m)] + 1}) imports {d} (row {row[_unit(d)] + 1})"
        for m, deps in GRAPH.items()
        for d in deps
        if row.get(_unit(d), 0) < row.get(_unit(m), 0)
    )
    assert upward == [], "imports from a higher layer of docs/design.md: " + "; ".join(upward)


# --- light imports -----------------------------------------------------------------------------------------------


def _loaded(code: str, names: tuple[str, ...]) -> list[str]:
    probe = f"{code}\nimport sys\nprint('loaded:' + ','.join(m for m in {names!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded:"), result.stdout + result.stderr
    return [m for m in last.removeprefix("loaded:").split(",") if m]


@pytest.mark.parametrize("statement", ["import geo", "import geo.crs", "import geo.registry", "import geo.precision"])
def test_import_stays_light(statement):
    assert _loaded(statement, HEAVY) == []


def test_public_names_load_on_first_use():
    code = "import geo, sys\nassert 'folium' not in sys.modules\ngeo.map\nprint('folium' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["layers"], ["data", "--help"], ["map", "--help"]])
def test_quick_commands_load_no_data_stack(args):
    code = (
        "import sys\nfrom geo.cli.main import app\n"
        f"sys.argv = ['geo', *{args!r}]\n"
        "try:\n    app()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code"
    )
    assert _loaded(code, DATA_STACK) == [], f"geo {' '.join(args)} imports the data stack"
