"""Assemble the atlas's ES modules (``static/src/*.js``) into the one script the offline page embeds.

The page's code is split by concern into ES modules that ``import {name} from "./module.js"`` one
another; node's test runner imports the same files (``tests/js``). A page opened from ``file://``
cannot load module files, so the map inlines one classic script instead: the modules in dependency
order (each after everything it imports), their ``import`` lines dropped and ``export`` keywords
stripped, inside one strict function scope. That is sound because the graph is checked first:

- every import is ``import {a, b} from "./x.js";`` on one line, of a module in ``static/src``;
- every imported name is exported by that module (``export function|const|let|var|class name``);
- the graph is acyclic, and every module is reached from the entry (``atlas.js``);
- no two modules declare the same top-level name (they share one scope once assembled).

Anything else raises :class:`~geo.errors.OfflineError` naming the file and line. No node is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geo.errors import OfflineError

__all__ = ["ENTRY", "SRC_DIR", "Module", "assemble", "modules", "order"]

SRC_DIR = Path(__file__).resolve().parent / "static" / "src"
ENTRY = "atlas.js"

_IMPORT = re.compile(r'^import \{(?P<names>[^}]*)\} from "\./(?P<file>[\w-]+\.js)";\s*$')
_EXPORT = re.compile(r"^export (?:async )?(?:function\*?|const|let|var|class) (?P<name>[\w$]+)")
_TOP = re.compile(r"^(?:export )?(?:async )?(?:function\*?|const|let|var|class) (?P<name>[\w$]+)")


@dataclass(frozen=True)
class Module:
    """One ES module of the page: its imports (file -> names), exports and top-level names."""

    name: str
    text: str
    imports: dict[str, tuple[str, ...]]
    exports: frozenset[str]
    declared: tuple[str, ...]


def _parse(path: Path) -> Module:
    text = path.read_text(encoding="utf-8")
    imports: dict[str, tuple[str, ...]] = {}
    exports: set[str] = set()
    declared: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path.name}:{number}"
        if line.startswith("import"):
            match = _IMPORT.match(line)
            if match is None:
                msg = f'{where}: write imports as `import {{a, b}} from "./module.js";` on one line, got {line!r}.'
                raise OfflineError(msg)
            names = tuple(n.strip() for n in match["names"].split(",") if n.strip())
            if any(not re.fullmatch(r"[\w$]+", n) for n in names):
                msg = f"{where}: import names as they are exported (no `as`), got {match['names']!r}."
                raise OfflineError(msg)
            imports[match["file"]] = imports.get(match["file"], ()) + names
        elif line.startswith("export"):
            match = _EXPORT.match(line)
            if match is None:
                msg = f"{where}: export a declaration (`export function name`, `export const name`), got {line!r}."
                raise OfflineError(msg)
            exports.add(match["name"])
        if top := _TOP.match(line):
            declared.append(top["name"])
    return Module(path.name, text, imports, frozenset(exports), tuple(declared))


def modules(src: Path | None = None) -> dict[str, Module]:
    """Return the page's modules (in `src`, :data:`SRC_DIR` by default) by file name, parsed one by one."""
    return {p.name: _parse(p) for p in sorted((src or SRC_DIR).glob("*.js"))}


def order(mods: dict[str, Module], entry: str = ENTRY) -> list[str]:
    """Return the module names in dependency order (each after its imports), ending with `entry`.

    Raises
    ------
    OfflineError
        On an import of a missing module or of a name it does not export, a cycle, a module the
        entry never reaches, or a top-level name declared by two modules.
    """
    if entry not in mods:
        msg = f"The atlas's entry module {entry!r} is missing from {SRC_DIR}."
        raise OfflineError(msg)
    out: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            msg = f"The atlas's modules import one another in a cycle: {' -> '.join((*path, name))}."
            raise OfflineError(msg)
        state[name] = "open"
        for target, names in mods[name].imports.items():
            if target not in mods:
                msg = f"{name} imports ./{target}, which is not a module in {SRC_DIR.name}/."
                raise OfflineError(msg)
            if missing := sorted(set(names) - mods[target].exports):
                msg = f"{name} imports {missing} from {target}, which does not export them."
                raise OfflineError(msg)
            visit(target, (*path, name))
        state[name] = "done"
        out.append(name)

    visit(entry, ())
    if unused := sorted(set(mods) - set(out)):
        msg = f"Modules {unused} are not imported by {entry} (directly or not); import them or remove them."
        raise OfflineError(msg)
    owners: dict[str, str] = {}
    for name in out:
        for top in mods[name].declared:
            if top in owners:
                msg = f"{name} and {owners[top]} both declare {top!r} at top level; rename one."
                raise OfflineError(msg)
            owners[top] = name
    return out


def _body(module: Module) -> str:
    lines = [line for line in module.text.splitlines() if not line.startswith("import ")]
    return "\n".join(re.sub(r"^export ", "", line) for line in lines).strip("\n")


@cache
def _assembled(stamp: tuple[tuple[str, int, int], ...]) -> str:
    mods = modules()
    parts = [f"/* ---- {name} ---- */\n{_body(mods[name])}" for name in order(mods)]
    header = "/* centralasia-geo atlas: ES modules from geo/mapping/static/src, assembled by geo.mapping.bundle. */"
    script = f'{header}\n(function () {{\n"use strict";\n' + "\n\n".join(parts) + "\n})();\n"
    return re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)  # it is inlined in a <script> element


def assemble() -> str:
    """Return the page's script: every module of ``static/src`` in dependency order, in one scope."""
    files = sorted(SRC_DIR.glob("*.js"))
    return _assembled(tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))
