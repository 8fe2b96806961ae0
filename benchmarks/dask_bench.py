"""Scale-out benchmark: 100M points from a partitioned GeoParquet dataset against curated layers, on dask.

1. Writes (once, then reused) ``build/bench/points-100m.parquet``: 100 files of 1M seeded points each
   (seed = file number; uniform over lon 46.5-87.3, lat 40.6-55.4; a ``category`` column), as
   ``geo export --partition-rows`` would.
2. Reads it lazily with ``geo.read(folder, lazy=True)`` and asks ``within_distance(points,
   curated, "25 km")`` on a ``LocalCluster`` (``--workers`` processes, one thread each, a memory
   limit per worker), reducing on the workers to counts per curated feature and status, so nothing
   of size 100M is gathered. The curated layer is the located point features (site, town,
   district) of ``mineral_deposits`` and ``campuses``: a 25-km question against a country envelope
   answers "possibly" for every point in the country, which is not a query anyone runs at this scale.
3. Samples the RSS of this process and every worker process every 0.2 s; the peak of their sum is the
   memory the run needed.

Writes ``benchmarks/results/dask.md`` and ``dask.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
DATA = ROOT / "build" / "bench" / "points-100m.parquet"


def write_dataset(files: int, rows: int) -> None:
    import geopandas as gpd
    import numpy as np

    DATA.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        target = DATA / f"part-{i:05d}.parquet"
        if target.exists():
            continue
        rng = np.random.default_rng(i)
        part = gpd.GeoDataFrame(
            {"category": rng.choice(list("abcdefgh"), rows)},
            geometry=gpd.points_from_xy(rng.uniform(46.5, 87.3, rows), rng.uniform(40.6, 55.4, rows)),
            crs="EPSG:4326",
        )
        tmp = target.with_suffix(".tmp")
        part.to_parquet(tmp, schema_version="1.1.0", index=False)
        tmp.replace(target)
        print(f"  wrote {target.name}", file=sys.stderr)


class Sampler(threading.Thread):
    """The peak of the summed RSS of this process and its children (the dask workers)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, total / 2**20)
            time.sleep(0.2)


def curated():
    import pandas as pd

    import geo
    from geo.crs import reproject

    parts = []
    for name in ("mineral_deposits", "campuses"):
        layer = geo.load(name)
        layer = layer[layer["location_precision"].isin(["site", "town", "district"])]
        parts.append(layer[["id", "name", "location_precision", "uncertainty_m", "geometry"]])
    return reproject(pd.concat(parts, ignore_index=True), "EPSG:4326", name="curated")


def counts(pairs):
    """Per curated feature and status: how many points (runs on each partition)."""
    return pairs.groupby(["id_b", "within_status"], observed=True).size().rename("points").reset_index()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args()
    write_dataset(args.files, args.rows)
    from dask.distributed import Client, LocalCluster

    import geo
    from geo.analysis import within_distance

    right = curated()
    sampler = Sampler()
    sampler.start()
    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, memory_limit=args.memory_limit, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        points = geo.read(DATA, lazy=True).partitions[: args.files]
        lazy = within_distance(points, right, "25 km", names=("points", "curated")).map_partitions(counts)
        start = time.perf_counter()
        per_partition = client.compute(lazy).result()
        seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    table = per_partition.groupby(["id_b", "within_status"], observed=True)["points"].sum().unstack(fill_value=0)
    n = args.files * args.rows
    result = {
        "points": n,
        "files": args.files,
        "curated_features": len(right),
        "workers": args.workers,
        "memory_limit_per_worker": args.memory_limit,
        "seconds": seconds,
        "points_per_second": n / seconds,
        "points_per_second_per_worker": n / seconds / args.workers,
        "peak_rss_mb_all_processes": sampler.peak_mb,
        "pairs": int(table.to_numpy().sum()),
        "load_1min_after": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dask.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "| points | files | curated features | workers | seconds | points/s per worker "
        "| peak RSS MB (all processes) | pairs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {n:,} | {args.files} | {len(right)} | {args.workers} | {seconds:,.0f} | "
        f"{result['points_per_second_per_worker']:,.0f} | {sampler.peak_mb:,.0f} | {result['pairs']:,} |",
        "",
        f"{os.cpu_count()} CPUs; LocalCluster of {args.workers} worker processes x 1 thread, memory limit "
        f"{args.memory_limit} each; 1-minute load after the run {result['load_1min_after']:.1f}. Question: "
        "within_distance(points, curated point features, '25 km') reduced to counts per feature and status on "
        "the workers. Pairs per status:",
        "",
        ", ".join(f"{status}: {int(v):,}" for status, v in table.sum().items()),
    ]
    (OUT / "dask.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
