"""Map benchmark: our offline map vs GeoDataFrame.explore(), folium FastMarkerCluster and lonboard.

Same seeded points for every method (numpy default_rng(42), uniform over lon 46.5-87.3, lat 40.6-55.4;
name = pt_<i>, category = one of eight words, value = normal(100, 25)) at 1k, 10k, 100k and 1M.
Each build runs in its own process (peak RSS from getrusage); each page is opened in Debian's Chromium
with every http(s) request blocked, timing navigation start -> load -> two animation frames -> idle,
and summing the RSS of Chromium's processes' unique memory (USS). Writes benchmarks/results/map.md and map.json.

    python benchmarks/map_bench.py [--sizes 1000,10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
WORK = ROOT / "build" / "bench"
METHODS = ("geo", "explore", "fastmarkercluster", "lonboard")
WORDS = ["mine", "plant", "campus", "forest", "pasture", "city", "lake", "road"]
BUILD_TIMEOUT = 900
BROWSER_TIMEOUT_MS = 120_000


def points(n: int):
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(42)
    lon = rng.uniform(46.5, 87.3, n)
    lat = rng.uniform(40.6, 55.4, n)
    return gpd.GeoDataFrame(
        {"name": [f"pt_{i}" for i in range(n)], "category": rng.choice(WORDS, n), "value": rng.normal(100, 25, n)},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _offline_folium(html: str) -> str:
    """Inline what we vendor; drop folium's other CDN assets (jQuery, Bootstrap, icon fonts), which circle
    markers and clusters do not need, so explore() and FastMarkerCluster can run with the network blocked."""
    from geo.mapping.offline import _urls, inline_assets

    keep = _urls()
    html = re.sub(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>', lambda m: m[0] if m[1] in keep else "", html)
    html = re.sub(
        r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>', lambda m: m[0] if m[1] in keep else "", html
    )
    return inline_assets(html)


def build(method: str, n: int, out: Path) -> dict:
    """Build one map; imports and point generation happen before the clock starts."""
    import folium
    from folium.plugins import FastMarkerCluster

    import geo
    from geo.mapping.builder import to_html

    if method == "lonboard":
        from lonboard import viz
    if method == "explore":
        import mapclassify  # noqa: F401  (explore imports it lazily; keep that out of the timing)
    gdf = points(n)
    start = time.perf_counter()
    if method == "geo":
        out.write_text(to_html(geo.map([], user={"points": gdf}, basemap=["countries"])), encoding="utf-8")
    elif method == "explore":
        m = gdf.explore(tiles=None)
        out.write_text(_offline_folium(m.get_root().render()), encoding="utf-8")
    elif method == "fastmarkercluster":
        m = folium.Map(tiles=None, maxZoom=18, location=[48, 67], zoom_start=4)
        # folium's default callback uses Leaflet.awesome-markers (not vendored): use Leaflet's own marker.
        callback = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"
        FastMarkerCluster(list(zip(gdf.geometry.y, gdf.geometry.x, strict=True)), callback=callback).add_to(m)
        out.write_text(_offline_folium(m.get_root().render()), encoding="utf-8")
    elif method == "lonboard":
        viz(gdf).to_html(out)
    seconds = time.perf_counter() - start
    return {
        "build_s": seconds,
        "bytes": out.stat().st_size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_build(method: str, n: int, repeat: int) -> dict:
    out = WORK / f"{method}-{n}-{repeat}.html"
    cmd = [sys.executable, __file__, "--build", method, str(n), str(out)]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"build timed out after {BUILD_TIMEOUT} s"}
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1][:200]}
    return json.loads(result.stdout.strip().splitlines()[-1]) | {"path": str(out)}


def chromium_rss_mb() -> float:
    import psutil

    me = psutil.Process()
    total = 0
    for child in me.children(recursive=True):
        try:
            if "chrom" in child.name().lower():
                total += child.memory_full_info().uss  # unique memory: shared pages are not counted twice
        except psutil.Error:
            continue
    return total / 2**20


IDLE = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() =>
    requestIdleCallback(() => resolve(performance.now()), {timeout: 60000}))))"""


def open_in_browser(path: str) -> dict:
    from playwright.sync_api import sync_playwright

    from geo.mapping.snapshot import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            blocked, errors = [], []
            context.route(re.compile(r"^(https?|wss?)://"), lambda r: (blocked.append(r.request.url), r.abort()))
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_default_timeout(BROWSER_TIMEOUT_MS)
            page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=BROWSER_TIMEOUT_MS)
            idle_ms = page.evaluate(IDLE)
            if errors:
                print("page errors:", errors[:3], file=sys.stderr)
            return {
                "idle_s": idle_ms / 1000,
                "browser_mb": chromium_rss_mb(),
                "blocked": len(blocked),
                "page_errors": len(errors),
            }
        except Exception as exc:
            return {"error": f"browser: {type(exc).__name__}: {str(exc)[:120]}"}
        finally:
            browser.close()


def median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if key in r]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--build", nargs=3, metavar=("METHOD", "N", "OUT"))
    parser.add_argument("--table-only", action="store_true", help="Rewrite map.md from map.json.")
    args = parser.parse_args()
    if args.table_only:
        (OUT / "map.md").write_text(table(json.loads((OUT / "map.json").read_text())))
        return
    if args.build:
        method, n, out = args.build
        print(json.dumps(build(method, int(n), Path(out))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        repeats = args.repeats if n < 1_000_000 else 1
        for method in args.methods.split(","):
            runs = []
            for r in range(repeats):
                row = run_build(method, n, r)
                if "error" not in row and method != "lonboard":
                    row |= open_in_browser(row["path"])
                runs.append(row)
                print(method, n, r, {k: v for k, v in row.items() if k != "path"}, file=sys.stderr, flush=True)
                if "error" in row:
                    break
                Path(row["path"]).unlink(missing_ok=True)
            errors = [r["error"] for r in runs if "error" in r]
            results.append(
                {
                    "method": method,
                    "n": n,
                    "runs": len(runs),
                    "error": errors[0] if errors else None,
                    **{
                        k: median(runs, k)
                        for k in ("build_s", "bytes", "peak_rss_mb", "idle_s", "browser_mb", "blocked", "page_errors")
                    },
                }
            )
    (OUT / "map.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "map.md").write_text(table(results))
    print(table(results))


def _fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def table(results: list[dict]) -> str:
    lines = [
        "| points | method | build s | HTML MB | bytes/point | peak RSS MB | idle first frame s | browser MB | note |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        per_point = None if r["bytes"] is None else r["bytes"] / r["n"]
        error = (r["error"] or "").splitlines()[0][:80] if r["error"] else ""
        note = error or ("CDN-only: build and size only" if r["method"] == "lonboard" else "")
        if r.get("page_errors"):
            note += f" {r['page_errors']:.0f} page errors"
        lines.append(
            f"| {r['n']:,} | {r['method']} | {_fmt(r['build_s'], '.2f')} | "
            f"{_fmt(None if r['bytes'] is None else r['bytes'] / 1e6, '.2f')} | {_fmt(per_point, '.1f')} | "
            f"{_fmt(r['peak_rss_mb'], '.0f')} | {_fmt(r['idle_s'], '.2f')} | {_fmt(r['browser_mb'], '.0f')} | {note} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
