"""Command-line start-up benchmark: `geo --help`, `geo layers`, `geo show` beside `import geopandas`.

Each command runs as a fresh process, in turn with the yardstick (``python -c "import geopandas"``) and with
the same command on the ``main`` branch's code (``git archive main`` into a temporary folder), so a drift
of the machine's speed touches all alike. Wall seconds are read around each process; CPU seconds (user +
system) are the operating system's accounting of the finished child. Medians and ranges of `--rounds`.
Writes benchmarks/results/cli.md and cli.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
#: Runs the CLI of the code in argv[1] (a checkout), with the rest of argv as its arguments.
_CLI = (
    "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['geo', *sys.argv[2:]]; "
    "from geo.cli.main import run; run()"
)
COMMANDS = {
    "geo --help": ["--help"],
    "geo layers": ["layers"],
    "geo show campuses": ["show", "campuses", "--limit", "3"],
}


def _run(argv: list[str]) -> tuple[float, float]:
    """Return (wall, cpu) seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env={**os.environ, "COLUMNS": "120"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _ratio(values: list[float], yardstick: list[float]) -> float:
    """Median of the per-round ratios (pairing keeps the ratio fair when the machine's speed drifts)."""
    return statistics.median(v / y for v, y in zip(values, yardstick, strict=True))


def _cell(stats: dict[str, float]) -> str:
    return f"{stats['median']:.2f} ({stats['min']:.2f}–{stats['max']:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="Fresh processes per command (at least 3).")
    parser.add_argument("--baseline", default="main", help="The git ref to compare with ('' for none).")
    args = parser.parse_args()
    rounds = max(3, args.rounds)
    yardstick = [sys.executable, "-c", "import geopandas"]
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"geo": ROOT}
        if args.baseline:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.baseline], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            trees[f"geo ({args.baseline})"] = Path(tmp)
        _run(yardstick)  # warm the file cache once
        rows = []
        for label, cli_args in COMMANDS.items():
            times: dict[str, list[tuple[float, float]]] = {"import geopandas": []}
            for _ in range(rounds):
                for tree_label, tree in trees.items():
                    times.setdefault(tree_label, []).append(_run([sys.executable, "-c", _CLI, str(tree), *cli_args]))
                times["import geopandas"].append(_run(yardstick))
            for who, runs in times.items():
                walls, cpus = [w for w, _ in runs], [c for _, c in runs]
                rows.append(
                    {
                        "command": label,
                        "code": who,
                        "wall_s": _summary(walls),
                        "cpu_s": _summary(cpus),
                        "wall_vs_geopandas": _ratio(walls, [w for w, _ in times["import geopandas"]]),
                        "cpu_vs_geopandas": _ratio(cpus, [c for _, c in times["import geopandas"]]),
                    }
                )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cli.json").write_text(json.dumps({"rounds": rounds, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Command-line start-up",
        "",
        f"Fresh processes, {rounds} rounds each, run in turn with `python -c 'import geopandas'`; "
        "median (min–max) seconds; `x geopandas`: the median of the per-round ratios.",
        "",
        "| command | code | wall s | CPU s | x geopandas (wall) | x geopandas (CPU) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| `{r['command']}` | {r['code']} | {_cell(r['wall_s'])} | {_cell(r['cpu_s'])} | {r['wall_vs_geopandas']:.2f} "
        f"| {r['cpu_vs_geopandas']:.2f} |"
        for r in rows
    ]
    (OUT / "cli.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
