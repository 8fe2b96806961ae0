"""Map benchmark: our offline map vs GeoDataFrame.explore(), folium FastMarkerCluster and lonboard.

Same seeded points for every method (numpy default_rng(42), uniform over lon 46.5-87.3, lat 40.6-55.4;
name = pt_<i>, category = one of eight words, value = normal(100, 25)) at 1k, 10k, 100k and 1M.
Each build runs in its own process (peak RSS from getrusage); each page is opened in Debian's Chromium
with every http(s) request blocked, timing navigation start -> load -> (the atlas's decoding, if any)
-> two animation frames -> idle, and summing the RSS of Chromium's processes' unique memory (USS).

"geo (before)" is the same build with the code of BEFORE_REV (the atlas before its new controls and the
attributes of big layers), extracted with `git archive` and put first on PYTHONPATH, in the same run.
Three more tables: the default atlas before and after (size, first frame); the fixed cost of the curated
layers and basemap (`geo.map(user=1,000 points)`, build + save in a fresh process: before, cold payload
cache, warm cache); and pan/zoom at 1M (one pan or zoom step, redraw included, median of 10).
The headline section measures the README's map call at 1M points, `geo.save_map(geo.map(user={"Points": gdf}),
path)` (the default map: curated layers and basemap), against lonboard's `viz(gdf).to_html(path)` on the same
frame: 5 rounds of fresh processes alternating which goes first, one unmeasured build of each before (the same
warm-up), CPU time (all threads) beside wall time, medians with their range.
Writes benchmarks/results/map.md and map.json.

    python benchmarks/map_bench.py [--sizes 1000,10000] [--repeats 3] [--before REV] [--sections headline]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
WORK = ROOT / "build" / "bench"
METHODS = ("geo", "geo (before)", "explore", "fastmarkercluster", "lonboard")
SECTIONS = ("scale", "controls", "fixed", "headline")
#: The README's headline: its map call at 1M points against lonboard on the same frame.
HEADLINE = ("geo-readme", "lonboard")
#: The code the "before" rows run: the commit before the atlas's new controls (issue 14) and the
#: attributes of big layers (issue 13).
BEFORE_REV = "34786a5"
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
    if method.startswith(("geo-atlas", "geo-readme")):
        import geo.mapping.builder  # no map built before the clock: the payload cache on disk is what a user has
    elif method.startswith("geo"):
        geo.map([], basemap=["countries"])  # the one-off imports of a first map stay out of the timing
    start, cpu = time.perf_counter(), time.process_time()
    if method == "geo-readme":  # the README's call: the default map (curated layers, basemap) and the user's points
        geo.save_map(geo.map(user={"Points": gdf}), out, overwrite=True)
    elif method.startswith("geo-atlas"):  # the default atlas (curated layers and basemap), with `n` user points
        m = geo.map(user={"points": gdf}) if n else geo.map()
        out.write_text(to_html(m), encoding="utf-8")
    elif method.startswith("geo"):
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
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "build_s": seconds,
        "cpu_s": cpu,
        "bytes": out.stat().st_size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    } | (_packed_bytes(out) if method == "geo" else {})


def _packed_bytes(path: Path) -> dict:
    """What a big layer's encoding spends (after the clock): positions and colours, and the attribute block."""
    text = path.read_text(encoding="utf-8")
    parts = {k: re.search(rf'"{k}":"([^"]*)"', text) for k in ("xy", "ci", "attrs")}
    if parts["xy"] is None:
        return {}
    sizes = {k: len(m.group(1)) if m else 0 for k, m in parts.items()}
    return {"positions_bytes": sizes["xy"] + sizes["ci"], "attribute_bytes": sizes["attrs"]}


def before_tree(rev: str) -> Path | None:
    """Extract the code of `rev` (git archive) once; None if the checkout does not have it."""
    tree = WORK / f"before-{rev}"
    if (tree / "geo").is_dir():
        return tree
    tree.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=False)
    if archive.returncode != 0:
        shutil.rmtree(tree)
        return None
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def run_build(method: str, n: int, repeat: int, *, before: Path | None = None, cache: Path | None = None) -> dict:
    """Build in a fresh process; `before` puts that code first on the path, `cache` sets the payload cache."""
    safe = re.sub(r"[^a-z0-9]+", "-", method)
    out = WORK / f"{safe}-{n}-{repeat}.html"
    cmd = [sys.executable, __file__, "--build", method, str(n), str(out)]
    env = dict(os.environ)
    if "(before)" in method:
        if before is None:
            return {"error": f"no code for {BEFORE_REV} in this checkout"}
        env["PYTHONPATH"] = str(before)
    if cache is not None:
        env["CENTRALASIA_GEO_CACHE"] = str(cache)
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False, env=env)
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


IDLE = """() => Promise.resolve(window.atlas && window.atlas.ready).then(() => new Promise(resolve =>
    requestAnimationFrame(() => requestAnimationFrame(() =>
    requestIdleCallback(() => resolve(performance.now()), {timeout: 60000})))))"""
#: One pan step and one zoom step of the atlas, each redrawn synchronously (no animation): median ms of 10.
PAN_ZOOM = """() => { const m = window.atlas.map, pan = [], zoom = [];
    for (let i = 0; i < 10; i++) {
      let t = performance.now();
      m.panBy([i % 2 ? -150 : 150, 0], {animate: false}); pan.push(performance.now() - t);
      t = performance.now();
      m.setZoom(m.getZoom() + (i % 2 ? -1 : 1), {animate: false}); zoom.push(performance.now() - t);
    }
    const med = a => a.sort((x, y) => x - y)[a.length >> 1];
    return {pan_ms: med(pan), zoom_ms: med(zoom)}; }"""


def open_in_browser(path: str, *, pan_zoom: bool = False) -> dict:
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
            out = {
                "idle_s": idle_ms / 1000,
                "browser_mb": chromium_rss_mb(),
                "blocked": len(blocked),
                "page_errors": len(errors),
            }
            return out | (page.evaluate(PAN_ZOOM) if pan_zoom else {})
        except Exception as exc:
            return {"error": f"browser: {type(exc).__name__}: {str(exc)[:120]}"}
        finally:
            browser.close()


def median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if key in r]
    return statistics.median(values) if values else None


def _measure(method: str, n: int, repeats: int, **kwargs) -> dict:
    """Median of `repeats` fresh builds, each opened in the browser (but lonboard's)."""
    pan_zoom = kwargs.pop("pan_zoom", False)
    browser = kwargs.pop("browser", True)
    runs = []
    for r in range(repeats):
        row = run_build(method, n, r, **kwargs)
        if "error" not in row and method != "lonboard" and browser:
            row |= open_in_browser(row["path"], pan_zoom=pan_zoom)
        runs.append(row)
        print(method, n, r, {k: v for k, v in row.items() if k != "path"}, file=sys.stderr, flush=True)
        if "error" in row:
            break
        Path(row["path"]).unlink(missing_ok=True)
    errors = [r["error"] for r in runs if "error" in r]
    keys = ("build_s", "bytes", "peak_rss_mb", "idle_s", "browser_mb", "blocked", "page_errors", "pan_ms", "zoom_ms")
    keys += ("positions_bytes", "attribute_bytes")
    return {"method": method, "n": n, "runs": len(runs), "error": errors[0] if errors else None} | {
        k: median(runs, k) for k in keys
    }


def _load() -> str:
    """The machine's load (1, 5, 15 minutes) and cores, recorded with the results."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def _scale(args: argparse.Namespace, before: Path | None) -> list[dict]:
    """Every method at every size (1M once: explore alone takes minutes)."""
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        repeats = args.repeats if n < 1_000_000 else 1
        for method in args.methods.split(","):
            pan_zoom = method.startswith("geo") and n >= 1_000_000
            rows.append(_measure(method, n, repeats, before=before, pan_zoom=pan_zoom))
    return rows


def _fixed_cost(repeats: int, before: Path | None) -> list[dict]:
    """The fixed cost of the curated layers and basemap beside 1,000 user points: build + save only."""
    cold = WORK / "cache-cold"
    warm = WORK / "cache-warm"
    shutil.rmtree(warm, ignore_errors=True)
    run_build("geo-atlas", 1000, 0, cache=warm)  # fills the warm cache
    rows = []
    for method, cache in [("geo-atlas (before)", None), ("geo-atlas cold cache", cold), ("geo-atlas warm cache", warm)]:
        runs = []
        for r in range(repeats):
            if cache is cold:
                shutil.rmtree(cold, ignore_errors=True)
            runs.append(run_build(method, 1000, r, before=before, cache=cache))
            Path(runs[-1].get("path", WORK / "none")).unlink(missing_ok=True)
        rows.append({"method": method, "n": 1000, "build_s": median(runs, "build_s")})
    return rows


def _headline(n: int, rounds: int) -> dict:
    """The README's map call against lonboard at `n` points: rounds alternate which goes first.

    Each build is a fresh process; one unmeasured build of each method comes first (the same warm-up for
    both: geo's payload cache on disk and the OS's file cache hold what a user's second map finds). The
    payload cache is the bench's own folder: on a shared machine another checkout's map would clear the
    shared one (its fingerprint differs), and a round would pay for a cold cache no user pays twice.
    """
    cache = WORK / "cache-headline"  # the bench's own payload cache: other checkouts' maps cannot clear it
    for method in HEADLINE:
        Path(run_build(method, n, 99, cache=cache).get("path", WORK / "none")).unlink(missing_ok=True)
    runs: dict[str, list[dict]] = {m: [] for m in HEADLINE}
    for r in range(rounds):
        for method in HEADLINE if r % 2 == 0 else HEADLINE[::-1]:
            row = run_build(method, n, r, cache=cache) | {"load": os.getloadavg()[0]}
            if "error" in row:
                msg = f"{method} at {n}: {row['error']}"
                raise SystemExit(msg)
            Path(row.pop("path")).unlink(missing_ok=True)
            runs[method].append(row)
            print("headline", method, n, r, row, file=sys.stderr, flush=True)
    geo_runs, ref = runs["geo-readme"], runs["lonboard"]
    out: dict = {"n": n, "rounds": rounds, "runs": runs}
    for key in ("build_s", "cpu_s"):
        ratios = [g[key] / b[key] for g, b in zip(geo_runs, ref, strict=True)]
        out[f"{key}_ratio"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
        for method, rows in runs.items():
            values = [x[key] for x in rows]
            out[f"{method} {key}"] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    for method, rows in runs.items():
        out[f"{method} bytes_per_point"] = statistics.median(x["bytes"] for x in rows) / n
        out[f"{method} peak_rss_mb"] = statistics.median(x["peak_rss_mb"] for x in rows)
    out["load_1min"] = [x["load"] for rows in runs.values() for x in rows]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--headline-rounds", type=int, default=5)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--before", default=BEFORE_REV, help="The code of the 'before' rows (a git revision).")
    parser.add_argument("--build", nargs=3, metavar=("METHOD", "N", "OUT"))
    parser.add_argument("--table-only", action="store_true", help="Rewrite map.md from map.json.")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="Measure only these sections (scale, controls, fixed); the others are kept from map.json, "
        "and the report says which sections were measured when.",
    )
    args = parser.parse_args()
    if args.table_only:
        (OUT / "map.md").write_text(report(json.loads((OUT / "map.json").read_text())))
        return
    if args.build:
        method, n, out = args.build
        print(json.dumps(build(method, int(n), Path(out))))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    before = before_tree(args.before)
    sections = [s for s in args.sections.split(",") if s]
    if unknown := set(sections) - set(SECTIONS):
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    results: dict = {
        "machine": {"start": _load()},
        "before_rev": args.before,
        "scale": [],
        "controls": [],
        "fixed": [],
        "headline": {},
    }
    if set(sections) != set(SECTIONS):  # a partial run keeps the other sections, and says so
        results = json.loads((OUT / "map.json").read_text())
        rerun = {"sections": sections, "date": time.strftime("%Y-%m-%d %H:%M"), "start": _load()}
        results.setdefault("reruns", []).append(rerun)
        for section in sections:
            results[section] = {} if section == "headline" else []
    if "scale" in sections:
        results["scale"] = _scale(args, before)
    if "controls" in sections:  # the default atlas, before and after the new controls (no relief in either)
        results["controls"] = [_measure(m, 0, args.repeats, before=before) for m in ("geo-atlas (before)", "geo-atlas")]
    if "fixed" in sections:
        results["fixed"] = _fixed_cost(args.repeats, before)
    if "headline" in sections:
        results["headline"] = _headline(1_000_000, args.headline_rounds)
    if results.get("reruns") and set(sections) != set(SECTIONS):
        results["reruns"][-1]["end"] = _load()
    else:
        results["machine"]["end"] = _load()
    (OUT / "map.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "map.md").write_text(report(results))
    print(report(results))


def _headline_table(h: dict) -> str:
    """The README's map call against lonboard: medians with ranges, CPU beside wall."""

    def cell(d: dict) -> str:
        return f"{d['median']:.2f} ({d['min']:.2f}–{d['max']:.2f})"

    lines = [
        f'## The README\'s map at {h["n"]:,} points: `geo.save_map(geo.map(user={{"Points": gdf}}), path)` '
        "against lonboard's `viz(gdf).to_html(path)`\n",
        f"{h['rounds']} rounds, each build a fresh process, rounds alternating which goes first, one unmeasured "
        "build of each first (the same warm-up: geo's payload cache on disk, the OS's file cache); the default map "
        "with its curated layers and basemap. Median (min–max); ratios per round, then the median. "
        f"Load (1 min): {min(h['load_1min']):.1f}–{max(h['load_1min']):.1f}.\n",
        "| method | CPU s | wall s | bytes/point | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for method in HEADLINE:
        lines.append(
            f"| {method} | {cell(h[f'{method} cpu_s'])} | {cell(h[f'{method} build_s'])} | "
            f"{h[f'{method} bytes_per_point']:.1f} | {h[f'{method} peak_rss_mb']:.0f} |"
        )
    lines.append(f"| **geo / lonboard** | **{cell(h['cpu_s_ratio'])}** | **{cell(h['build_s_ratio'])}** | | |")
    return "\n".join(lines) + "\n\n"


def _fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def table(results: list[dict]) -> str:
    lines = [
        "| points | method | build s | HTML MB | bytes/point | peak RSS MB | idle first frame s | browser MB | note |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        per_point = None if r["bytes"] is None or not r["n"] else r["bytes"] / r["n"]
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


def report(results: dict) -> str:
    """The Markdown results: the scale table, then the controls, the fixed cost and pan/zoom at 1M."""
    out = [f"Machine: {results['machine']['start']} at the start, {results['machine'].get('end', '?')} at the end.\n"]
    for rerun in results.get("reruns", []):
        out += [
            f"Re-measured {rerun['date']}: {', '.join(rerun['sections'])} (each section side by side in its own run; "
            f"{rerun['start']} at the start, {rerun.get('end', '?')} at the end).\n"
        ]
    head = results.get("headline")
    if head:
        out += [_headline_table(head)]
    out += ["## Points, by method and size\n", table(results["scale"])]
    out += [
        f"\n## The default atlas before ({results['before_rev']}: its code and its thinner data) "
        "and after the new controls\n"
    ]
    out += [table(results["controls"]).replace("| 0 |", "| atlas |")]
    out += ["\n## Fixed cost of the curated layers and basemap (`geo.map(user=1,000 points)`, build + save)\n"]
    out += ["| method | build s (median of fresh processes) |", "|---|---:|"]
    out += [f"| {r['method']} | {_fmt(r['build_s'], '.2f')} |" for r in results["fixed"]]
    split = [r for r in results["scale"] if r.get("positions_bytes")]
    if split:
        out += ["\n## What a point costs in geo's compact encoding (layers over 5,000 points)\n"]
        out += ["| points | positions and colours, bytes/point | attributes, bytes/point | whole file, bytes/point |"]
        out += ["|---:|---:|---:|---:|"]
        out += [
            f"| {r['n']:,} | {r['positions_bytes'] / r['n']:.1f} | {r['attribute_bytes'] / r['n']:.1f} | "
            f"{r['bytes'] / r['n']:.1f} |"
            for r in split
        ]
    pan = [r for r in results["scale"] if r.get("pan_ms") is not None]
    if pan:
        out += ["\n## Pan and zoom at 1M points (one step, redraw included, median of 10)\n"]
        out += ["| method | pan ms | zoom ms |", "|---|---:|---:|"]
        out += [f"| {r['method']} | {_fmt(r['pan_ms'], '.1f')} | {_fmt(r['zoom_ms'], '.1f')} |" for r in pan]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
