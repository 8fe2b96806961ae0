"""Brief benchmark: ``geo brief education -o brief.pdf`` (the README's call) against the 10 s target.

Each round is a fresh process, as a user runs it: the command as a whole (imports, selection, analysis, the
atlas map rendered and printed by headless Chromium), wall time and CPU time (the process and its children,
Chromium included). Medians and ranges of `--rounds` rounds; the first round is reported apart (cold caches).
Writes benchmarks/results/brief.md and brief.json.
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
TARGET_S = 10.0
CALLS = {
    "geo brief education -o brief.pdf": ["brief", "education", "-o", "brief.pdf", "--overwrite"],
    "geo brief minerals --lang ru -o brief.pdf": [
        "brief",
        "minerals",
        "--lang",
        "ru",
        "-o",
        "brief.pdf",
        "--overwrite",
    ],
}


def _round(args: list[str], folder: Path) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds of the process and its children) of one fresh `geo` process."""
    geo = Path(sys.executable).with_name("geo")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(geo), *args], cwd=folder, check=True, capture_output=True, env=os.environ.copy())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Run the rounds, side by side in rotation, and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    results: dict[str, dict[str, list[float]]] = {call: {"wall": [], "cpu": []} for call in CALLS}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for call, args in CALLS.items():
                wall, cpu = _round(args, Path(tmp))
                results[call]["wall"].append(wall)
                results[call]["cpu"].append(cpu)
    lines = [
        "# Brief benchmark",
        "",
        f"Fresh `geo` processes, {rounds} rounds in rotation on this machine ({os.cpu_count()} cores);"
        " CPU time includes Chromium. Target: the education brief in at most "
        f"{TARGET_S:.0f} s. Written by `benchmarks/brief_bench.py` (`make bench`).",
        "",
        "| call | wall median (range), s | first round, s | CPU median (range), s | target met |",
        "|---|---|---|---|---|",
    ]
    for call, r in results.items():
        wall, cpu = r["wall"], r["cpu"]
        met = "yes" if statistics.median(wall) <= TARGET_S else "NO"
        lines.append(
            f"| `{call}` | {statistics.median(wall):.2f} ({min(wall):.2f}–{max(wall):.2f}) | {wall[0]:.2f} "
            f"| {statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f}) | {met if 'education' in call else '–'} |"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "brief.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (OUT / "brief.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
