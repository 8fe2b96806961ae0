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
- cold ``import geo`` against cold ``import geopandas`` (the floor: geo needs geopandas).

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


def child(task: str, n: int) -> dict:
    """Run one measurement in this (fresh) process; return seconds, peak and input RSS."""
    detail = ""
    if task.startswith("proximity"):
        import geopandas as gpd

        from geo.analysis import within_distance
        from geo.crs import METRIC

        pts, polys = points(n), polygons()
        base = _rss_mb()
        start = time.perf_counter()
        if task == "proximity_raw":
            result = gpd.sjoin(pts.to_crs(METRIC), polys.to_crs(METRIC), predicate="dwithin", distance=25_000)
            detail = f"{len(result):,} pairs (planar)"
        else:
            result = within_distance(pts, polys, 25_000, columns="all")
            counts = result["within_status"].value_counts()
            detail = f"{len(result):,} pairs (geodesic: {counts['yes']:,} yes, {counts['possibly']:,} possibly)"
        seconds = time.perf_counter() - start
    elif task.startswith("zonal"):
        from exactextract import exact_extract

        from geo.raster import fetch_dem, zonal_stats

        dem, zones = fetch_dem(), polygons()
        base = _rss_mb()
        start = time.perf_counter()
        if task == "zonal_raw":
            exact_extract(str(dem), zones, ["mean", "min", "max"], output="pandas")
        else:
            zonal_stats(dem, zones, stats=("mean", "min", "max"))
        seconds = time.perf_counter() - start
    else:
        msg = f"unknown task {task}"
        raise SystemExit(msg)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "input_mb": base, "detail": detail}


def _process(args: list[str] | None, target: float = 0.0) -> dict:
    """Run a command in a fresh process: its own JSON report, else its wall time and peak RSS (wait4)."""
    load = os.getloadavg()[0]
    if args is None:  # a fixed target, not a process
        return {"seconds": target, "peak_mb": 0.0, "input_mb": 0.0, "detail": "", "load": load}
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
    own = {"seconds": wall, "peak_mb": usage.ru_maxrss / 1024, "input_mb": 0.0, "detail": ""}
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
    med = {
        k: {m: statistics.median(x[m] for x in v) for m in ("seconds", "peak_mb", "input_mb")} for k, v in runs.items()
    }
    ratios = [g["seconds"] / ref["seconds"] for g, ref in zip(runs["geo"], runs["reference"], strict=True)]
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
        "time_ratio": statistics.median(ratios),
        "time_ratios": ratios,
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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rounds-10m", type=int, default=3)
    parser.add_argument("--skip-10m", action="store_true")
    parser.add_argument("--render", action="store_true", help="Rewrite analysis.md from analysis.json.")
    args = parser.parse_args()
    if args.render:
        saved = json.loads((OUT / "analysis.json").read_text())
        write(saved["rows"], saved["machine"])
        return
    if args.child:
        print(json.dumps(child(args.child, args.n)))
        return
    rows = []
    sizes = [(1_000_000, args.rounds)] + ([] if args.skip_10m else [(10_000_000, args.rounds_10m)])
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


def write(rows: list[dict], meta: dict | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    meta = meta or {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "written": time.strftime("%Y-%m-%d %H:%M"),
    }
    (OUT / "analysis.json").write_text(json.dumps({"machine": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "| task | reference | ref s | geo s | time ratio (median of rounds) | ref peak MB | geo peak MB | "
        "peak ratio | above-input ratio | load (1 min) | detail |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        loads = f"{min(r['load_1min']):.1f}–{max(r['load_1min']):.1f}"
        target = r["reference"].startswith("target")
        ref_peak = "–" if target else f"{r['reference_peak_mb']:,.0f}"
        peak = "–" if target else f"{r['peak_ratio']:.2f}"
        above = "–" if target or not r["task"].startswith("within") else f"{r['above_input_ratio']:.2f}"
        lines.append(
            f"| {r['task']} | {r['reference']} | {r['reference_s']:.2f} | {r['geo_s']:.2f} | {r['time_ratio']:.2f} "
            f"| {ref_peak} | {r['geo_peak_mb']:,.0f} | {peak} | {above} | {loads} | {r['detail']} |"
        )
    lines.append(
        f"\n{meta['cpus']} CPUs, Python {meta['python']}, {meta['written']}. Each run is a fresh process; "
        "rounds alternate which side runs first; ratios are per round, then the median. Peak MB is the "
        "process's maximum RSS (input data included, the same for both sides); 'above input' divides the "
        "peaks above the RSS once the input was built. For the CLI and import rows the peak is the process's "
        "own (from wait4), and the siting reference is a fixed target, not a run.\n"
    )
    (OUT / "analysis.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
