"""Every case of the garden (tests/garden.py) through every public reader, writer and the map.

Each case must give exactly its outcome: an error (one line, naming the file and the fix), a repair
(read, with a warning saying what changed) or a pass (read, no warning) — in ``geo.read``, ``geo
validate``, ``geo export``, ``geo map --layer`` and the raster functions. Under strace, no case opens a
file it was not given (beyond the library's own files) and no case opens a network socket; a local
listener proves no request is sent. Writers get the layers some formats cannot hold; writes are
tested for concurrency, a kill mid-write and a read-only folder; ``geo.read`` is fuzzed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import geo
from geo.cli.main import app
from geo.raster import check_raster, mountain_suitability, slope_raster, zonal_stats
from tests.conftest import IN_CI, ROOT, require_tool
from tests.garden import BY_NAME, CASES, ERROR, FORMATS, PASS, WRITER_CASES, Case, Env, build, make_env

runner = CliRunner(env={"COLUMNS": "250"})
VECTOR = [c for c in CASES if c.kind == "vector"]
RASTER = [c for c in CASES if c.kind == "raster"]
SECRET = "CANARY-SECRET"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection (none may come)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.hits: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(1024).split(b"\r\n")[0] or b"(connected)")
                except OSError:
                    self.hits.append(b"(connected)")


@pytest.fixture(scope="session")
def listener():
    server = Listener()
    yield server
    server.sock.close()


@pytest.fixture(scope="session")
def env(tmp_path_factory, listener) -> Env:
    return make_env(tmp_path_factory.mktemp("garden"), listener.url)


@pytest.fixture(scope="session")
def paths(env) -> dict[str, str]:
    return {case.name: build(case, env) for case in CASES}


@pytest.fixture(autouse=True)
def no_connection(request, listener):
    yield
    assert listener.hits == [], f"{request.node.name}: a request reached the listener: {listener.hits}"


def _ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


def _check_message(case: Case, path: str, text: str) -> None:
    assert "\n" not in text.strip(), f"{case.name}: not one line: {text!r}"
    assert re.search(case.match, text), f"{case.name}: {text!r} does not match {case.match!r}"
    if case.names_file:
        assert Path(path).name in text, f"{case.name}: the message does not name the file: {text!r}"
    assert "Traceback" not in text


# ---------------------------------------------------------------- geo.read


def _read(case: Case, path: str) -> tuple[gpd.GeoDataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = geo.read(path, trusted=case.trusted)
    return gdf, caught


@pytest.mark.parametrize("case", VECTOR, ids=_ids(VECTOR))
def test_read(case, paths):
    path = paths[case.name]
    if case.expect == ERROR:
        with pytest.raises(case.error) as info:
            _read(case, path)
        _check_message(case, path, str(info.value))
        return
    gdf, caught = _read(case, path)
    others = [w for w in caught if not issubclass(w.category, geo.GeoToolkitWarning)]
    assert not others, f"{case.name}: warnings that are not geo's: {[str(w.message) for w in others]}"
    texts = [str(w.message) for w in caught]
    if case.expect == PASS:
        assert texts == [], f"{case.name}: expected no warning, got {texts}"
    else:
        assert any(re.search(case.match, t) for t in texts), f"{case.name}: no warning matches: {texts}"
        assert all("\n" not in t for t in texts)
    assert len(gdf)
    assert gdf.crs is not None
    assert gdf.geometry.dropna().is_valid.all()
    assert SECRET not in gdf.to_json() or case.trusted
    if case.check:
        case.check(gdf)


_NOT_EXPORTS = [
    *("vrt_as_gpkg", "vrt_as_geojson", "vrt_as_kml", "gdal_streamed_algorithm", "zip_bomb_1gib"),
    *("zip_vrt_named_shp", "zip_holding_a_vrt", "vsicurl_path", "http_url", "postgres_connection"),
    # a VRT under each suffix of an export format, from the registry
    *(f"vrt_named_{s[1:]}" for f in geo.FORMATS.values() for s in f.suffixes if f"vrt_named_{s[1:]}" in BY_NAME),
]


@pytest.mark.parametrize("name", _NOT_EXPORTS)
def test_read_exported_opens_only_what_read_opens(name, paths):
    with pytest.raises(geo.InputFileError) as info:
        geo.read_exported(paths[name])
    assert "\n" not in str(info.value)
    assert SECRET not in str(info.value)


# ---------------------------------------------------------------- the command line


def _cli(case: Case, *args: str):
    return runner.invoke(app, [*args, *(["--trusted"] if case.trusted else [])])


def _check_cli(case: Case, path: str, result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if case.expect == ERROR:
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: "), result.stderr
        _check_message(case, path, lines[0])
        return
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    if case.expect == PASS:
        assert warned == [], result.stderr
    else:
        assert any(re.search(case.match, w) for w in warned), result.stderr


@pytest.mark.parametrize("case", VECTOR, ids=_ids(VECTOR))
def test_validate(case, paths):
    path = paths[case.name]
    result = _cli(case, "validate", path)
    _check_cli(case, path, result)
    if case.expect != ERROR:
        assert result.stdout.startswith(f"OK {path}: ")


@pytest.mark.parametrize("case", VECTOR, ids=_ids(VECTOR))
def test_export(case, paths, tmp_path):
    path = paths[case.name]
    out = tmp_path / "out.gpkg"
    result = _cli(case, "export", path, "-o", str(out))
    _check_cli(case, path, result)
    if case.expect == ERROR:
        assert not out.exists()
        return
    (back,) = geo.read_exported(out).values()
    assert len(back) == len(_read(case, path)[0])
    assert SECRET not in back.to_json() or case.trusted


def _map_cases() -> list:
    return [pytest.param(c, marks=pytest.mark.slow) if c.expect != ERROR else c for c in VECTOR]


@pytest.mark.parametrize("case", _map_cases(), ids=_ids(VECTOR))
def test_map_layer(case, paths, tmp_path):
    path = paths[case.name]
    out = tmp_path / "map.html"
    title = "Garden layer under test"
    result = _cli(
        case, "map", str(ROOT / "maps" / "education.toml"), "--layer", f"{path}:title={title}", "-o", str(out)
    )
    _check_cli(case, path, result)
    if case.expect == ERROR:
        assert not out.exists()
        return
    page = out.read_text(encoding="utf-8")
    assert title in page  # the user's layer is on the map
    assert SECRET not in page or case.trusted


# ---------------------------------------------------------------- rasters


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["hill"]}, geometry=[box(76.8, 42.05, 77.6, 42.6)], crs="EPSG:4326")


RASTER_FUNCTIONS = {
    "check_raster": lambda path, trusted, tmp: check_raster(path, trusted=trusted).close(),
    "zonal_stats": lambda path, trusted, tmp: zonal_stats(path, _zones(), include_cols=["id"], trusted=trusted),
    "slope_raster": lambda path, trusted, tmp: slope_raster(path, tmp / "slope.tif", trusted=trusted),
    "mountain_suitability": lambda path, trusted, tmp: mountain_suitability(path, area=_zones(), trusted=trusted),
}


@pytest.mark.parametrize("function", list(RASTER_FUNCTIONS))
@pytest.mark.parametrize("case", RASTER, ids=_ids(RASTER))
def test_raster_functions(case, function, paths, tmp_path):
    path = paths[case.name]
    call = RASTER_FUNCTIONS[function]
    if case.expect == ERROR:
        with pytest.raises(case.error) as info:
            call(path, case.trusted, tmp_path)
        _check_message(case, path, str(info.value))
        assert not (tmp_path / "slope.tif").exists()
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(path, case.trusted, tmp_path)
    assert [str(w.message) for w in caught] == []
    if function == "zonal_stats":
        assert 1600 < result["mean"].iloc[0] < 3200  # the hill's elevations
    if function == "slope_raster":
        assert result.exists()


def test_a_raster_too_small_for_a_slope_is_one_line(tmp_path):
    import rasterio
    from affine import Affine

    path = tmp_path / "pixel.tif"
    profile = {"driver": "GTiff", "width": 1, "height": 1, "count": 1, "dtype": "float32", "crs": "EPSG:4326"}
    with rasterio.open(path, "w", transform=Affine(0.1, 0, 76.9, 0, -0.1, 42.5), **profile) as dst:
        dst.write(np.full((1, 1, 1), 1600.0, dtype="float32"))
    with pytest.raises(geo.InputFileError, match=r"pixel\.tif is 1 x 1 pixels; a slope needs at least 2 x 2"):
        slope_raster(path, tmp_path / "slope.tif")
    with (
        pytest.warns(geo.GeoToolkitWarning, match="covers"),  # the grid covers a sliver of the zones: said, not silent
        pytest.raises(geo.InputFileError, match=r"pixel\.tif: the search window is 1 x 1 pixels"),
    ):
        mountain_suitability(path, area=_zones())


def test_trusted_lifts_only_the_format_check(paths):
    with pytest.raises(geo.InputFileError, match="only as GeoTIFF"):
        check_raster(paths["raster_trusted_vrt"])
    with pytest.raises(geo.InputFileError, match=r"geo does not open \.vrt files"):
        geo.read(paths["trusted_vrt"])
    with pytest.raises(geo.InputFileError, match="virtual path"):
        geo.read("/vsizip/x.zip/a.shp", trusted=True)


# ---------------------------------------------------------------- writers


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("wcase", WRITER_CASES, ids=[w.name for w in WRITER_CASES])
def test_writers(wcase, fmt, tmp_path):
    spec = geo.FORMATS[fmt]
    out = tmp_path / f"{wcase.name}{spec.suffix}"
    error, note = wcase.error(spec), wcase.note(spec)
    if error is not None:
        with pytest.raises(geo.ExportError, match=error):
            geo.export(wcase.gdf, out, name=wcase.name)
        assert not out.exists()
        assert list(tmp_path.iterdir()) == []  # no temporary, no lock left behind
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = geo.export(wcase.gdf, out, name=wcase.name)
    assert [str(w.message) for w in caught] == []
    if note is not None:
        assert any(re.search(note, loss) for loss in report.losses), report.losses
    (back,) = geo.read_exported(out).values()
    assert len(back) == len(wcase.gdf)
    keeps_m = spec.m
    assert bool(back.geometry.has_m.any()) == (keeps_m and bool(wcase.gdf.geometry.has_m.any()))
    assert bool(back.geometry.has_z.any()) == bool(wcase.gdf.geometry.has_z.any()), "Z lost"
    if "fid" in wcase.gdf:
        assert back["fid"].tolist() == wcase.gdf["fid"].tolist()
    if fmt == "geojson":
        json.loads(out.read_text(), parse_constant=lambda c: pytest.fail(f"GeoJSON holds {c}, which is not JSON"))


# ---------------------------------------------------------------- writes: concurrency, kills, read-only folders

_SLOW_WRITER = """
import pathlib, sys, time, geo, geo.exporter
from tests.conftest import seeded_points
real = geo.exporter._write_and_count
def slow(*args, **kwargs):
    print("writing", flush=True)
    counts = real(*args, **kwargs)
    release, deadline = pathlib.Path(sys.argv[1] + ".release"), time.monotonic() + float(sys.argv[2])
    while not release.exists() and time.monotonic() < deadline:  # hold the write until the test says go
        time.sleep(0.05)
    return counts
geo.exporter._write_and_count = slow
try:
    geo.export(seeded_points(50), sys.argv[1], name=sys.argv[3], overwrite=True)
except geo.GeoToolkitError as err:
    print(f"Error: {err}", flush=True)
    sys.exit(1)
print("done", flush=True)
"""


def _writer(target: Path, *, sleep: float, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target), str(sleep), name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_exports_to_one_path_give_one_success_and_one_clear_error(tmp_path):
    target = tmp_path / "same.gpkg"
    first = _writer(target, sleep=120, name="first")  # holds its write until released (at most 120 s)
    assert first.stdout.readline().strip() == "writing"
    second = _writer(target, sleep=0, name="second")
    out2, err2 = second.communicate(timeout=120)
    release = tmp_path / "same.gpkg.release"
    release.touch()  # now let the first finish: the race no longer depends on how fast the machine starts Python
    out1, err1 = first.communicate(timeout=120)
    release.unlink()
    assert (first.returncode, second.returncode) == (0, 1), (out1, err1, out2, err2)
    assert re.search(r"^Error: Cannot write .*same\.gpkg: another process is writing it right now", out2, re.M)
    assert list(geo.read_exported(target)) == ["first"]  # the one that succeeded is the one in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.gpkg"]  # no lock or temporary left


def test_a_killed_export_keeps_the_old_file_and_its_temporary_goes_next_time(tmp_path, sites):
    target = tmp_path / "sites.gpkg"
    geo.export(sites, target, name="before")
    writer = _writer(target, sleep=60, name="killed")
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.communicate(timeout=30)
    left = geo.outputs.temporaries(target)
    assert left, "the kill left no temporary: the test did not kill mid-write"
    assert list(geo.read_exported(target)) == ["before"]  # the earlier file is intact
    geo.export(sites, target, name="after", overwrite=True)
    assert geo.outputs.temporaries(target) == []  # removed by the next write
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.gpkg"]


def test_sigterm_during_an_export_leaves_no_temporary(tmp_path):
    target = tmp_path / "sites.gpkg"
    script = "import signal\nfrom geo.cli.main import _terminate\nsignal.signal(signal.SIGTERM, _terminate)\n"
    command = [sys.executable, "-c", script + _SLOW_WRITER, str(target), "60", "x"]
    writer = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"
    assert geo.outputs.temporaries(target)
    writer.send_signal(signal.SIGTERM)
    assert writer.wait(timeout=30) == 128 + signal.SIGTERM
    writer.stdout.close()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder this process cannot write: chmod for a user; for root (who writes anywhere), a read-only mount."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], check=False)
    if mounted.returncode != 0:
        yield Path("/sys")  # read-only for root too, on any Linux
        return
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_folder_is_one_line(read_only_folder, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("id,lon,lat\na,69.28,41.31\n")
    out = read_only_folder / "out.gpkg"
    result = runner.invoke(app, ["export", str(data), "-o", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert re.match(rf"Error: Cannot write {re.escape(str(out))}: .*read-only", lines[0]), lines[0]
    assert not out.exists()


def test_a_folder_that_turns_out_read_only_while_writing_is_one_line(read_only_folder, sites, monkeypatch):
    """The early check can be wrong (ACLs, a mount that changed): the write itself fails with one line too."""
    monkeypatch.setattr("geo.exporter.check_writable", lambda path: None)
    out = read_only_folder / "out.gpkg"
    with pytest.raises(geo.ExportError, match=rf"Cannot write {re.escape(str(out))}: .*read-only") as info:
        geo.export(sites, out)
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- strace: no other file, no socket

_TRACE_SCRIPT = """
import os, sys, json, socket, warnings
warnings.simplefilter("ignore")
import geo, geo.raster
from pathlib import Path
from tests.test_garden import RASTER_FUNCTIONS
cases = json.loads(sys.argv[1])
tmp = Path(sys.argv[2])
def mark(kind, name):
    try:
        os.stat(f"/__garden__/{kind}/{name}")
    except OSError:
        pass
def run(name, kind, path, trusted):
    if kind == "vector":
        geo.read(path, trusted=trusted)
    else:
        for fn in RASTER_FUNCTIONS.values():
            try:
                fn(path, trusted, tmp)
            except geo.GeoToolkitError:
                pass
warm = int(sys.argv[3])
for name, kind, path, trusted in cases[:warm]:  # warm up: lazy imports, GDAL's and PROJ's own data files
    try:
        run(name, kind, path, trusted)
    except geo.GeoToolkitError:
        pass
mark("start", "__control__")  # what a leak looks like: the tests check the checker sees it
open(sys.argv[4]).close()
socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
mark("end", "__control__")
for name, kind, path, trusted in cases[warm:]:
    mark("start", name)
    try:
        run(name, kind, path, trusted)
    except geo.GeoToolkitError:
        pass
    mark("end", name)
"""
_SYSCALLS = (
    "open,openat,openat2,creat,stat,lstat,newfstatat,statx,access,faccessat,faccessat2,readlink,readlinkat,execve,"
    "socket,connect,sendto,sendmsg"
)
_PATH = re.compile(r'^\d+\s+(\w+)\((?:AT_FDCWD|\d+), "([^"]*)"|^\d+\s+(\w+)\("([^"]*)"')


def _strace(command: list[str], log: Path) -> str:
    strace = require_tool("strace")
    subprocess.run([strace, "-f", "-qq", "-e", f"trace={_SYSCALLS}", "-o", str(log), *command],
                   cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    return log.read_text()


@pytest.fixture(scope="session")
def traced(paths, env, tmp_path_factory) -> dict[str, list[str]]:
    """strace one process reading every case; return each case's syscall lines."""
    tmp = tmp_path_factory.mktemp("trace")
    warm = [c for c in CASES if c.name.startswith("good_")]  # one good file of each format first
    cases = [[c.name, c.kind, paths[c.name], c.trusted] for c in warm + CASES]
    command = [sys.executable, "-c", _TRACE_SCRIPT, json.dumps(cases), str(tmp), str(len(warm)), str(env.canary_csv)]
    log = _strace(command, tmp / "strace.log")
    per_case: dict[str, list[str]] = {}
    current = None
    for line in log.splitlines():
        if m := re.search(r'"/__garden__/(start|end)/([^"]+)"', line):
            current = m.group(2) if m.group(1) == "start" else None
            per_case.setdefault(m.group(2), [])
        elif current is not None:
            per_case[current].append(line)
    per_case["__outputs__"] = [str(tmp)]
    return per_case


def _allowed_outside() -> tuple[str, ...]:
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT / "geo"), str(ROOT / "layers")}
    prefixes |= {p for p in sys.path if p}
    prefixes.add(str(Path.home() / ".local/share/proj"))  # PROJ's own proj.ini, looked for by each new context
    return (*sorted(prefixes), "/usr/", "/lib", "/etc/ld.so", "/etc/localtime", "/proc/", "/sys/", "/dev/")


def _own_files(path: str) -> set[str]:
    given = Path(path)
    if given.suffix.lower() == ".gpkg":  # SQLite's own journal files beside the database
        return {path, f"{path}-journal", f"{path}-wal", f"{path}-shm"}
    if given.suffix.lower() != ".shp":
        return {str(given)}
    exts = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj")
    return {str(given.with_suffix(e)) for ext in exts for e in (ext, ext.upper())}


def _check_trace(case: Case, lines: list[str], path: str, env: Env, outputs: str) -> None:
    secrets = (str(env.canary_csv), str(env.canary_tif), "/etc/passwd", "/etc/shadow")
    outside = (*_allowed_outside(), outputs)  # slope_raster writes its output there
    folders = {str(p) for p in ROOT.parents}  # resolving the shipped layers' paths stats these
    own = _own_files(path) | {str(p) for p in Path(path).parents}  # resolving a path stats its folders
    for line in lines:
        assert not re.search(r"socket\(AF_INET6?,|connect\(.*AF_INET", line), f"{case.name}: network: {line}"
        m = _PATH.match(line)
        if not m:
            continue
        call, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if not target or target in own:
            continue
        if case.trusted:
            continue  # a trusted file may read what it points at; the network checks above still hold
        assert target not in secrets, f"{case.name}: read a file it was not given: {line}"
        if target.startswith(str(env.root)):
            assert target in own, f"{case.name}: touched {target}, which it was not given"
        elif call.startswith(("open", "creat", "execve")) and target.startswith("/") and target not in folders:
            # (stat and access read nothing; a relative name is GDAL trying "MEM:::…" as a file in the cwd)
            assert target.startswith(outside), f"{case.name}: opened {target}: {line}"


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_no_other_file_and_no_socket(case, traced, paths, env):
    assert case.name in traced, "the traced run never reached this case"
    _check_trace(case, traced[case.name], paths[case.name], env, traced["__outputs__"][0])


def test_the_trace_sees_a_leak(traced, paths, env):
    """The checks above can fail: a read of a canary and an inet socket are caught, and GDAL's reads are seen."""
    control = Case("__control__", lambda folder, env: "", ERROR)
    lines, outputs = traced["__control__"], traced["__outputs__"][0]
    with pytest.raises(AssertionError, match="network"):
        _check_trace(control, [line for line in lines if "socket(" in line], "/nowhere", env, outputs)
    with pytest.raises(AssertionError, match="read a file it was not given"):
        _check_trace(control, [line for line in lines if "socket(" not in line], "/nowhere", env, outputs)
    assert any(str(env.canary_csv) in line for line in traced["trusted_vrt"])  # GDAL's own reads are traced


@pytest.mark.parametrize(
    ("command", "case_name"),
    [
        (["validate"], "vrt_with_vsicurl_source"),
        (["map", "maps/education.toml", "--layer"], "geojson_crs_link"),
        (["map", "maps/education.toml", "--layer"], "kml_network_link"),  # a whole map built, with a link inside
        (["validate"], "kmz_network_link"),
        (["show"], "gpx_schema_location"),
    ],
)
def test_the_command_line_opens_no_socket(command, case_name, paths, env, tmp_path):
    geo_cli = str(Path(sys.executable).parent / "geo")
    extra = ["-o", str(tmp_path / "m.html")] if command[0] == "map" else []
    log = _strace([geo_cli, *command, paths[case_name], *extra], tmp_path / "strace.log")
    lines = log.splitlines()
    if case_name == "kml_network_link":
        assert (tmp_path / "m.html").exists(), "the map was not built"
    assert any("execve" in line for line in lines), "strace saw nothing"
    # (importing folium imports urllib3, which opens and binds an IPv6 socket to ::1 to see if IPv6 works)
    assert not [line for line in lines if re.search(r"(connect|sendto|sendmsg)\(.*AF_INET", line)]
    assert not [line for line in lines if str(env.canary_csv) in line]


# ---------------------------------------------------------------- fuzzing geo.read


@pytest.mark.slow
def test_fuzzing_read_under_time_and_memory_limits():
    """Hypothesis feeds geo.read random GeoJSON and CSV in a child process capped at 3 GiB and 10 minutes."""
    import resource

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests" / "fuzz_read.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limits,
        env={**os.environ, "CI": "true" if IN_CI else os.environ.get("CI", "")},
    )
    assert result.returncode == 0, textwrap.shorten(result.stdout + result.stderr, 4000)
    assert "passed" in result.stdout
    assert time.monotonic() - started < 600


def test_the_readme_counts_the_garden():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"the garden — {len(CASES)} generated hostile and broken files" in readme
