"""Analysis benchmark: every measurement in a fresh process, medians of rounds, ratios within each round.

Tasks (reference first, then geo, in alternating order round by round):

- proximity at 1M and 10M points: seeded points (numpy ``default_rng(42)``, uniform over lon
  46.5-87.3, lat 40.6-55.4, a ``category`` column) against 200 polygons (a 20 x 10 grid of 60-km
  buffers in a Kazakhstan-centred LAEA), "within 25 km". Reference: geopandas ``to_crs`` +
  ``sjoin(predicate="dwithin")`` (planar metres in ``geo.crs.METRIC``). geo: ``within_distance(...,
  columns="all")`` (geodesic metres, intervals, yes/possibly/no). Time and peak RSS of the process
  (input included, the same for both) and the peak above the input;
- zonal statistics: mean/min/max of the GEBCO grid over the 200 polygons, ``geo.raster.zonal_stats``
  vs ``exact_extract`` called directly;
- siting end to end from the command line: ``geo site --region Issyk-Kul --area-ha 25000 --n 5``
  (a fresh ``geo`` process: import, grid, suitability, parcels, export) against a 10 s target;
- cold ``import geo`` against cold ``import geopandas``: ``import geo`` defers geopandas, pandas,
  shapely, pyproj, folium and pandera to first use, so this row compares unequal work; the next row
  does the same work on both sides:
- import and load a layer: ``import geo; geo.read(points.gpkg)`` against ``import geopandas;
  geopandas.read_file(points.gpkg)`` (100,000 seeded points with a name and a category), each a fresh
  process;
- steadiness: five calls of the same proximity (1M points) in one process, each call's CPU and wall
  time listed, for geo and for geopandas (a user's loop meets every call).

No method gets a warm-up: each measured call is the first in its fresh process (imports done and the
input built before the clock starts), for geo and for the reference alike. Every run records its
wall time and its CPU time (user + system of all threads: ``time.process_time`` inside the process,
``wait4`` for a whole command); on a shared machine CPU time is the fair measure, so ratios are given
for both, each as the median of per-round ratios with its range.

The machine's 1-minute load average is recorded before every run. Writes
``benchmarks/results/analysis.md`` and ``analysis.json``.
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
PY = sys.executable
GEO = str(Path(PY).with_name("geo"))


def points(n: int, seed: int = 42):
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(seed)
    return gpd.GeoDataFrame(
        {"category": rng.choice(list("abcdefgh"), n)},
        geometry=gpd.points_from_xy(rng.uniform(46.5, 87.3, n), rng.uniform(40.6, 55.4, n)),
        crs="EPSG:4326",
    )


def polygons():
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import Point

    laea = "+proj=laea +lat_0=48 +lon_0=67 +datum=WGS84 +units=m"
    xs, ys = np.meshgrid(np.linspace(-1_300_000, 1_300_000, 20), np.linspace(-700_000, 700_000, 10))
    centres = gpd.GeoSeries([Point(x, y) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)], crs=laea)
    return gpd.GeoDataFrame({"zone": range(200)}, geometry=centres.buffer(60_000), crs=laea).to_crs(4326)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _proximity_call(task: str, pts, polys):
    import geopandas as gpd

    from geo.analysis import within_distance
    from geo.crs import METRIC

    if task.startswith("proximity_raw"):
        result = gpd.sjoin(pts.to_crs(METRIC), polys.to_crs(METRIC), predicate="dwithin", distance=25_000)
        return result, f"{len(result):,} pairs (planar)"
    result = within_distance(pts, polys, 25_000, columns="all")
    counts = result["within_status"].value_counts()
    return result, f"{len(result):,} pairs (geodesic: {counts['yes']:,} yes, {counts['possibly']:,} possibly)"


def child(task: str, n: int) -> dict:
    """Run one measurement in this (fresh) process; return wall and CPU seconds, peak and input RSS."""
    detail = ""
    cpu0 = time.process_time()
    if task.endswith("_loop"):  # steadiness: the same call five times in one process
        pts, polys = points(n), polygons()
        calls = []
        for _ in range(5):
            start, cpu0 = time.perf_counter(), time.process_time()
            result, detail = _proximity_call(task, pts, polys)
            calls.append({"seconds": time.perf_counter() - start, "cpu_s": time.process_time() - cpu0})
            del result
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "seconds": statistics.median(c["seconds"] for c in calls),
            "cpu_s": statistics.median(c["cpu_s"] for c in calls),
            "calls": calls,
            "peak_mb": peak,
            "input_mb": 0.0,
            "detail": detail,
        }
    if task.startswith("proximity"):
        pts, polys = points(n), polygons()
        base = _rss_mb()
        start, cpu0 = time.perf_counter(), time.process_time()
        result, detail = _proximity_call(task, pts, polys)
        seconds = time.perf_counter() - start
    elif task.startswith("zonal"):
        from exactextract import exact_extract

        from geo.raster import fetch_dem, zonal_stats

        dem, zones = fetch_dem(), polygons()
        base = _rss_mb()
        start, cpu0 = time.perf_counter(), time.process_time()
        if task == "zonal_raw":
            exact_extract(str(dem), zones, ["mean", "min", "max"], output="pandas")
        else:
            zonal_stats(dem, zones, stats=("mean", "min", "max"))
        seconds = time.perf_counter() - start
    else:
        msg = f"unknown task {task}"
        raise SystemExit(msg)
    cpu = time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_s": cpu, "peak_mb": peak, "input_mb": base, "detail": detail}


def _process(args: list[str] | None, target: float = 0.0) -> dict:
    """Run a command in a fresh process: its own JSON report, else its wall time and peak RSS (wait4)."""
    load = os.getloadavg()[0]
    if args is None:  # a fixed target, not a process
        return {"seconds": target, "cpu_s": target, "peak_mb": 0.0, "input_mb": 0.0, "detail": "", "load": load}
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        text, errors = stdout.read(), stderr.read()
    if proc.returncode != 0:
        msg = f"{args} failed: {errors[-2000:]}"
        raise SystemExit(msg)
    lines = [line for line in text.splitlines() if line.startswith("{")]
    cpu = usage.ru_utime + usage.ru_stime  # every thread of the command, and of its children
    own = {"seconds": wall, "cpu_s": cpu, "peak_mb": usage.ru_maxrss / 1024, "input_mb": 0.0, "detail": ""}
    return (json.loads(lines[-1]) if lines else own) | {"load": load}


def measure(
    name: str, reference: tuple[str, list[str] | None], ours: list[str], rounds: int, target: float = 0.0
) -> dict:
    """Alternate reference and geo, `rounds` times; medians and the median of per-round ratios."""
    runs: dict[str, list[dict]] = {"reference": [], "geo": []}
    for r in range(rounds):
        order = [("reference", reference[1]), ("geo", ours)]
        for key, args in order if r % 2 == 0 else order[::-1]:
            runs[key].append(_process(args, target))
            print(f"  {name} round {r + 1} {key}: {runs[key][-1]['seconds']:.2f} s", file=sys.stderr)
    keys = ("seconds", "cpu_s", "peak_mb", "input_mb")
    med = {k: {m: statistics.median(x[m] for x in v) for m in keys} for k, v in runs.items()}
    span = {k: {m: (min(x[m] for x in v), max(x[m] for x in v)) for m in keys} for k, v in runs.items()}
    ratios = [g["seconds"] / ref["seconds"] for g, ref in zip(runs["geo"], runs["reference"], strict=True)]
    cpu_ratios = [g["cpu_s"] / ref["cpu_s"] for g, ref in zip(runs["geo"], runs["reference"], strict=True)]
    peak_ratios = [
        g["peak_mb"] / max(ref["peak_mb"], 1e-9) for g, ref in zip(runs["geo"], runs["reference"], strict=True)
    ]
    mem = [
        (g["peak_mb"] - g["input_mb"]) / max(ref["peak_mb"] - ref["input_mb"], 1e-9)
        for g, ref in zip(runs["geo"], runs["reference"], strict=True)
    ]
    return {
        "task": name,
        "reference": reference[0],
        "rounds": rounds,
        "reference_s": med["reference"]["seconds"],
        "geo_s": med["geo"]["seconds"],
        "reference_range_s": span["reference"]["seconds"],
        "geo_range_s": span["geo"]["seconds"],
        "time_ratio": statistics.median(ratios),
        "time_ratios": ratios,
        "reference_cpu_s": med["reference"]["cpu_s"],
        "geo_cpu_s": med["geo"]["cpu_s"],
        "reference_cpu_range_s": span["reference"]["cpu_s"],
        "geo_cpu_range_s": span["geo"]["cpu_s"],
        "cpu_ratio": statistics.median(cpu_ratios),
        "cpu_ratios": cpu_ratios,
        "peak_ratios": peak_ratios,
        "calls": {k: [x.get("calls") for x in v] for k, v in runs.items() if any("calls" in x for x in v)},
        "reference_peak_mb": med["reference"]["peak_mb"],
        "geo_peak_mb": med["geo"]["peak_mb"],
        "peak_ratio": med["geo"]["peak_mb"] / max(med["reference"]["peak_mb"], 1e-9),
        "above_input_ratio": statistics.median(mem),
        "load_1min": [x["load"] for v in runs.values() for x in v],
        "detail": f"{runs['reference'][-1]['detail']} vs {runs['geo'][-1]['detail']}".strip(" vs"),
    }


def _me(task: str, n: int = 0) -> list[str]:
    return [PY, __file__, "--child", task, "--n", str(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rounds-10m", type=int, default=3)
    parser.add_argument("--loop-rounds", type=int, default=3)
    parser.add_argument(
        "--points", type=int, default=1_000_000, help="The smaller proximity size (a smoke test: 20000)."
    )
    parser.add_argument("--skip-10m", action="store_true")
    parser.add_argument(
        "--only-10m", action="store_true", help="Measure only the 10M row; keep the other rows of analysis.json."
    )
    parser.add_argument("--render", action="store_true", help="Rewrite analysis.md from analysis.json.")
    args = parser.parse_args()
    if args.render:
        saved = json.loads((OUT / "analysis.json").read_text())
        write(saved["rows"], saved["machine"])
        return
    if args.child:
        print(json.dumps(child(args.child, args.n)))
        return

    if args.only_10m:
        saved = json.loads((OUT / "analysis.json").read_text())["rows"]
        row = measure(
            "within 25 km: 10,000,000 points x 200 polygons",
            ("to_crs + sjoin dwithin", _me("proximity_raw", 10_000_000)),
            _me("proximity_geo", 10_000_000),
            args.rounds_10m,
        )
        kept = [r for r in saved if not r["task"].startswith("within 25 km: 10,000,000")]
        write([*kept[:1], row, *kept[1:]])
        return

    class Rows(list):
        def append(self, row: dict) -> None:  # the results so far are written after every task
            super().append(row)
            write(self)

    rows = Rows()
    sizes = [(args.points, args.rounds)] + ([] if args.skip_10m else [(10_000_000, args.rounds_10m)])
    for n, rounds in sizes:
        rows.append(
            measure(
                f"within 25 km: {n:,} points x 200 polygons",
                ("to_crs + sjoin dwithin", _me("proximity_raw", n)),
                _me("proximity_geo", n),
                rounds,
            )
        )
    rows.append(
        measure(
            f"steadiness: 5 calls in one process, {args.points:,} points x 200 polygons (median call)",
            ("to_crs + sjoin dwithin, 5 calls", _me("proximity_raw_loop", args.points)),
            _me("proximity_geo_loop", args.points),
            args.loop_rounds,
        )
    )
    rows.append(
        measure(
            "zonal mean/min/max, GEBCO grid x 200 polygons",
            ("exact_extract directly", _me("zonal_raw")),
            _me("zonal_geo"),
            args.rounds,
        )
    )
    rows.append(
        measure(
            "cold import (fresh process)",
            ("import geopandas", [PY, "-c", "import geopandas"]),
            [PY, "-c", "import geo"],
            max(args.rounds, 7),
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        gpkg = f"{tmp}/points.gpkg"
        layer = points(100_000)
        layer["name"] = [f"site {i}" for i in range(len(layer))]
        layer.to_file(gpkg, driver="GPKG")
        rows.append(
            measure(
                "import + load a layer: 100,000 points from a GeoPackage (fresh process)",
                ("import geopandas; read_file", [PY, "-c", f"import geopandas; geopandas.read_file({gpkg!r})"]),
                [PY, "-c", f"import geo; geo.read({gpkg!r})"],
                max(args.rounds, 5),
            )
        )
        site = [GEO, "site", "--region", "Issyk-Kul", "--area-ha", "25000", "--n", "5", "-o", f"{tmp}/s.gpkg"]
        rows.append(
            measure(
                "geo site --region Issyk-Kul --area-ha 25000 --n 5 (CLI, end to end)",
                ("target 10 s", None),
                [*site, "--overwrite"],
                3,
                target=10.0,
            )
        )
    write(rows)


def _range(values: list[float] | tuple[float, ...], spec: str = ".2f") -> str:
    return f"{format(min(values), spec)}–{format(max(values), spec)}"


def write(rows: list[dict], meta: dict | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    meta = meta or {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "written": time.strftime("%Y-%m-%d %H:%M"),
    }
    (OUT / "analysis.json").write_text(json.dumps({"machine": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "| task | reference | rounds | ref CPU s | geo CPU s | CPU ratio | ref wall s | geo wall s | wall ratio | "
        "ref peak MB | geo peak MB | peak ratio | load (1 min) | detail |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        loads = f"{min(r['load_1min']):.1f}–{max(r['load_1min']):.1f}"
        target = r["reference"].startswith("target")
        ref_peak = "–" if target else f"{r['reference_peak_mb']:,.0f}"
        peak = "–" if target else f"{r['peak_ratio']:.2f} ({_range(r.get('peak_ratios') or [r['peak_ratio']] * 2)})"
        ref_cpu = "–" if target else f"{r['reference_cpu_s']:.2f} ({_range(r['reference_cpu_range_s'])})"
        cpu_span = _range((min(r["cpu_ratios"]), max(r["cpu_ratios"])))
        cpu_ratio = "–" if target else f"**{r['cpu_ratio']:.2f}** ({cpu_span})"
        lines.append(
            f"| {r['task']} | {r['reference']} | {r['rounds']} | {ref_cpu} | "
            f"{r['geo_cpu_s']:.2f} ({_range(r['geo_cpu_range_s'])}) | {cpu_ratio} | "
            f"{r['reference_s']:.2f} ({_range(r['reference_range_s'])}) | "
            f"{r['geo_s']:.2f} ({_range(r['geo_range_s'])}) | "
            f"{r['time_ratio']:.2f} ({_range((min(r['time_ratios']), max(r['time_ratios'])))}) | "
            f"{ref_peak} | {r['geo_peak_mb']:,.0f} | {peak} | {loads} | {r['detail']} |"
        )
    lines.append(
        f"\n{meta['cpus']} CPUs, Python {meta['python']}, {meta['written']}. Each run is a fresh process with no "
        "warm-up (the measured call is the first, for both sides); rounds alternate which side runs first. "
        "Values are medians with the (min–max) range over the rounds; ratios are per round, then the median. "
        "CPU is user + system time of all threads (inside the process for the proximity and zonal rows, from "
        "wait4 for whole commands). Peak MB is the process's maximum RSS (input data included, the same for "
        "both sides). The siting reference is a fixed target, not a run.\n"
    )
    loops = [r for r in rows if r.get("calls")]
    for r in loops:
        lines.append(f"\n### {r['task']}: each call's CPU s (wall s), round by round\n")
        lines.append("| side | round | call 1 | call 2 | call 3 | call 4 | call 5 | max/min CPU, calls 2-5 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for side_name, per_round in r["calls"].items():
            for i, calls in enumerate(per_round, 1):
                cells = " | ".join(f"{c['cpu_s']:.2f} ({c['seconds']:.2f})" for c in calls)
                cpus = [c["cpu_s"] for c in calls[1:]]  # after the first call, which loads what it needs
                lines.append(f"| {side_name} | {i} | {cells} | {max(cpus) / min(cpus):.2f} |")
    (OUT / "analysis.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
