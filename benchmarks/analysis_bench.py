"""Analysis benchmark: proximity, siting and zonal statistics against the raw library calls.

- proximity: 1M seeded points (the map benchmark's) against 200 polygons (a 20 x 10 grid of 60-km
  buffers in a Kazakhstan-centred LAEA), "within 25 km": geo's within_distance (geodesic distances and
  yes/possibly/no) vs geopandas to_crs + sjoin(predicate="dwithin") on the same data;
- siting: 5 parcels of 25,000 ha over the whole GEBCO grid (4,398 x 2,014 = 8.9M pixels);
- zonal: mean/min/max of the GEBCO grid over 200 polygons: geo.raster.zonal_stats vs exact_extract.

Median of `--repeats` runs, each in this one process (peak RSS via getrusage is cumulative).
Writes benchmarks/results/analysis.md and analysis.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"


def points(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(42)
    return gpd.GeoDataFrame(
        {"category": rng.choice(list("abcdefgh"), n)},
        geometry=gpd.points_from_xy(rng.uniform(46.5, 87.3, n), rng.uniform(40.6, 55.4, n)),
        crs="EPSG:4326",
    )


def polygons() -> gpd.GeoDataFrame:
    laea = "+proj=laea +lat_0=48 +lon_0=67 +datum=WGS84 +units=m"
    xs, ys = np.meshgrid(np.linspace(-1_300_000, 1_300_000, 20), np.linspace(-700_000, 700_000, 10))
    centres = gpd.GeoSeries([Point(x, y) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)], crs=laea)
    return gpd.GeoDataFrame({"zone": range(200)}, geometry=centres.buffer(60_000), crs=laea).to_crs(4326)


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    from exactextract import exact_extract

    from geo.analysis import within_distance
    from geo.crs import METRIC
    from geo.raster import fetch_dem, mountain_suitability, site_parcels, zonal_stats

    rows = []
    pts, polys = points(args.n), polygons()

    def raw_sjoin():
        return gpd.sjoin(pts.to_crs(METRIC), polys.to_crs(METRIC), predicate="dwithin", distance=25_000)

    t_raw, raw = timed(raw_sjoin, args.repeats)
    t_geo, ours = timed(lambda: within_distance(pts, polys, 25_000), args.repeats)
    rows.append(
        {
            "task": f"within 25 km: {args.n:,} points x 200 polygons",
            "baseline": "to_crs + sjoin dwithin",
            "baseline_s": t_raw,
            "geo_s": t_geo,
            "ratio": t_geo / t_raw,
            "detail": f"{len(raw):,} pairs (planar) vs {len(ours):,} (geodesic, yes/possibly)",
        }
    )
    dem = fetch_dem()
    grid = mountain_suitability(str(dem))
    t_site, result = timed(lambda: site_parcels(grid, area_ha=25_000, n=5), args.repeats)
    t_suit, _ = timed(lambda: mountain_suitability(str(dem)), args.repeats)
    rows.append(
        {
            "task": f"5 x 25,000 ha parcels on the GEBCO grid ({grid.values.size:,} pixels)",
            "baseline": "target 5 s",
            "baseline_s": 5.0,
            "geo_s": t_site,
            "ratio": t_site / 5.0,
            "detail": f"suitability first: {t_suit:.2f} s; areas {sorted(result.parcels['area_ha'].round(0))}",
        }
    )
    zones = polys
    t_ee, _ = timed(
        lambda: exact_extract(str(dem), zones.to_crs(4326), ["mean", "min", "max"], output="pandas"), args.repeats
    )
    t_zs, _ = timed(lambda: zonal_stats(dem, zones, stats=("mean", "min", "max")), args.repeats)
    rows.append(
        {
            "task": "zonal mean/min/max, GEBCO grid x 200 polygons",
            "baseline": "exact_extract directly",
            "baseline_s": t_ee,
            "geo_s": t_zs,
            "ratio": t_zs / t_ee,
            "detail": "",
        }
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "analysis.json").write_text(json.dumps({"rows": rows, "peak_rss_mb": peak}, indent=2) + "\n")
    lines = ["| task | baseline | baseline s | geo s | ratio | detail |", "|---|---|---:|---:|---:|---|"]
    lines += [
        f"| {r['task']} | {r['baseline']} | {r['baseline_s']:.2f} | {r['geo_s']:.2f} | {r['ratio']:.2f} | "
        f"{r['detail']} |"
        for r in rows
    ]
    lines.append(f"\nPeak RSS of the whole run: {peak:,.0f} MB (median of {args.repeats} runs per row).\n")
    (OUT / "analysis.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
