"""Safety benchmark: what opening files safely costs geo.read, and how fast a zip bomb is refused.

The same files are read by this checkout's ``geo.read`` and by the code of a fixed, named commit
(``--baseline``, default :data:`BASELINE_REV`, extracted with ``git archive`` into a temporary folder),
side by side in one run, each in its own process (imports and one
warm-up read excluded): 100,000 seeded points as GeoJSON, GeoPackage, a zipped Shapefile and a CSV,
and the garden's zip bomb (1 MB that expands to a 1 GiB GeoJSON of blanks). Medians of `--repeats`
reads with their (min-max) range, wall and CPU time (the bomb: one read, 300 s at most).
Writes benchmarks/results/safety.md and safety.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The fixed commit the "baseline" column runs: main before the speed round of issue 20.
BASELINE_REV = "076c2ea"
OUT = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

_TIMER = """
import json, sys, time, warnings
sys.path.insert(0, sys.argv[1])
warnings.simplefilter("ignore")
import geo
geo.read(sys.argv[2])  # warm up: lazy imports, GDAL's data files
times, cpu, outcome = [], [], "read"
for _ in range(int(sys.argv[4])):
    start, cpu0 = time.perf_counter(), time.process_time()
    try:
        geo.read(sys.argv[3])
    except Exception as err:
        outcome = f"{type(err).__name__}: {str(err)[:90]}"
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - cpu0)
print(json.dumps({"times": times, "cpu": cpu, "outcome": outcome, "geo": geo.__file__}))
"""


def _files(folder: Path) -> dict[str, Path]:
    from tests.conftest import seeded_points
    from tests.garden import Env, _zip_bomb

    gdf = seeded_points(100_000)
    gdf["name"] = [f"site {i}" for i in range(len(gdf))]
    files = {"GeoJSON": folder / "points.geojson", "GeoPackage": folder / "points.gpkg"}
    gdf.to_file(files["GeoJSON"], driver="GeoJSON")
    gdf.to_file(files["GeoPackage"], driver="GPKG")
    shp = folder / "shp"
    shp.mkdir()
    gdf.to_file(shp / "points.shp")
    files["zipped Shapefile"] = folder / "points.zip"
    with zipfile.ZipFile(files["zipped Shapefile"], "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(shp.iterdir()):
            zf.write(part, part.name)
    files["CSV (lon/lat)"] = folder / "points.csv"
    table = gdf.drop(columns="geometry").assign(lon=gdf.geometry.x, lat=gdf.geometry.y)
    table.to_csv(files["CSV (lon/lat)"], index=False)
    bomb = folder / "bomb"
    bomb.mkdir()
    files["1 GiB zip bomb"] = Path(_zip_bomb(bomb, Env(folder, folder, folder, "http://127.0.0.1:9")))
    return files


def _time(code_root: Path, warm: Path, path: Path, repeats: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _TIMER, str(code_root), str(warm), str(path), str(repeats)],
        capture_output=True,
        text=True,
        timeout=300 + 60 * repeats,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE_REV, help="The commit the baseline column runs.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = folder / "baseline"
        baseline.mkdir()
        archive = subprocess.run(
            ["git", "archive", args.baseline, "geo", "layers"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
        files = _files(folder)
        warm = folder / "warm.csv"
        warm.write_text("id,lon,lat\na,69.28,41.31\n")
        for label, path in files.items():
            repeats = 1 if "bomb" in label else args.repeats
            before = _time(baseline, warm, path, repeats)
            after = _time(ROOT, warm, path, repeats)
            row = {
                "file": label,
                "size_mb": path.stat().st_size / 1e6,
                "main_s": statistics.median(before["times"]),
                "safety_s": statistics.median(after["times"]),
                "main_range_s": [min(before["times"]), max(before["times"])],
                "safety_range_s": [min(after["times"]), max(after["times"])],
                "main_cpu_s": statistics.median(before["cpu"]),
                "safety_cpu_s": statistics.median(after["cpu"]),
                "main_outcome": before["outcome"],
                "safety_outcome": after["outcome"],
            }
            row["ratio"] = row["safety_s"] / row["main_s"]
            rows.append(row)
            print(row, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "safety.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [
        f"# Opening files safely: geo.read on this checkout vs commit {args.baseline}",
        "",
        f"Medians (min–max) of {args.repeats} reads (the zip bomb: 1), each side in its own process after one "
        f"warm-up read of a small CSV (the same for both), same files, one run. Baseline: the code of commit "
        f"{args.baseline} (`git archive`). CPU is user + system time of all threads.",
        "",
        "| file | MB | baseline s | this s | wall ratio | baseline CPU s | this CPU s | baseline | this |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        span_b = f"{r['main_range_s'][0]:.3f}–{r['main_range_s'][1]:.3f}"
        span_a = f"{r['safety_range_s'][0]:.3f}–{r['safety_range_s'][1]:.3f}"
        lines.append(
            f"| {r['file']} | {r['size_mb']:.1f} | {r['main_s']:.3f} ({span_b}) | {r['safety_s']:.3f} ({span_a}) | "
            f"{r['ratio']:.2f} | {r['main_cpu_s']:.3f} | {r['safety_cpu_s']:.3f} | {r['main_outcome']} | "
            f"{r['safety_outcome']} |"
        )
    (OUT / "safety.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
