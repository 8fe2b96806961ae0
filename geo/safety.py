"""Open only what the name says: GDAL's safety options, allowed drivers and archive limits, in one place.

Files that other people send are read through this module, for vectors (pyogrio) and rasters
(rasterio) alike:

- **only local files**: a GDAL virtual path (``/vsicurl/…``, ``/vsizip/…``), a URL or a connection
  string (``PG:…``) is refused before GDAL sees it;
- **only the format the name says**: each suffix has the GDAL driver(s) it may be opened with, taken
  from the format registry (:mod:`geo.formats`, plus :data:`READ_ONLY_DRIVERS` for formats
  geo reads but does not write); an export read back with ``fmt=`` may be opened only with that
  format's drivers, whatever its name. The first bytes must look like that format, and GDAL's own
  identification must agree, so a VRT or a GDAL streamed algorithm renamed ``.geojson``, ``.gpkg``,
  ``.txt`` or ``.tif`` is refused instead of reading the files it points at. Identification that
  cannot be made (GDAL's library not found) refuses the file: the check never weakens silently.
  ``trusted=True`` lifts all this for a file the caller made (e.g. their own VRT);
- **no network**: GDAL's HTTP access is pointed at a dead end, ``/vsicurl/`` accepts no file, PROJ's
  grid CDN is off, SQLite/GeoPackage files may not reach outside themselves, and GDAL lists no folder
  (so it opens a file's own sidecars by name, e.g. a Shapefile's ``.dbf``, and nothing else);
- **archive limits**: a zip is checked (member count, total uncompressed size, compression ratio,
  overlapping members) before anything is read from it; a KMZ too, and its members may not point
  outside it (``../``, absolute paths), and its ``doc.kml`` must be KML, checked as a ``.kml`` file is.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from geo.errors import InputFileError

if TYPE_CHECKING:
    import rasterio

__all__ = [
    "GDAL_OPTIONS",
    "RASTER_DRIVERS",
    "READ_ONLY_DRIVERS",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_MEMBERS",
    "ZIP_MAX_RATIO",
    "check_kmz",
    "check_local",
    "check_member_names",
    "check_source",
    "check_vector",
    "check_zip",
    "describe",
    "identify_vector_driver",
    "open_raster",
    "open_raster_dataset",
    "open_vector",
    "raster_env",
    "vector_drivers",
    "vector_env",
]

logger = logging.getLogger(__name__)

#: GDAL configuration applied around every read of a user's file (vector and raster).
GDAL_OPTIONS: dict[str, str] = {
    # Never list a folder: sidecars are opened by their exact name (.dbf, .shx, .prj, .cpg), nothing else.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # No .aux.xml files read beside a raster (nor written).
    "GDAL_PAM_ENABLED": "NO",
    # /vsicurl/ (and so a VRT source on the web) accepts only this suffix, which no file has.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".geo-no-network",
    # Any other HTTP request GDAL would make (a CRS link, a schema) goes to a proxy of an unknown
    # scheme: curl fails before opening a socket. A belt over the braces above and below.
    "GDAL_HTTP_PROXY": "geo-no-network://0",
    "GDAL_HTTPS_PROXY": "geo-no-network://0",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    # PROJ fetches no transformation grids from its CDN.
    "PROJ_NETWORK": "OFF",
    # An SQLite/GeoPackage file may not ATTACH other databases or open other files (VirtualOGR).
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    # GML (trusted only): resolve no xlinks and download no schemas.
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
}

#: Suffix -> GDAL vector drivers, for formats geo reads from others but does not export. The formats
#: geo exports declare theirs in the format registry (``Format.read_drivers``); see :func:`vector_drivers`.
READ_ONLY_DRIVERS: dict[str, tuple[str, ...]] = {
    ".json": ("ESRIJSON", "TopoJSON"),
    ".topojson": ("TopoJSON",),
    ".geojsonl": ("GeoJSONSeq",),
    ".geojsons": ("GeoJSONSeq",),
    ".gpx": ("GPX",),
}
#: Suffix -> the GDAL raster driver (rasterio takes one).
RASTER_DRIVERS: dict[str, str] = {".tif": "GTiff", ".tiff": "GTiff"}
#: Names of the formats, for messages.
_KIND = {
    "GPKG": "a GeoPackage",
    "GeoJSON": "GeoJSON",
    "ESRIJSON": "Esri JSON",
    "TopoJSON": "TopoJSON",
    "GeoJSONSeq": "GeoJSON lines",
    "FlatGeobuf": "FlatGeobuf",
    "ESRI Shapefile": "a Shapefile",
    "LIBKML": "KML",
    "KML": "KML",
    "GPX": "GPX",
    "GML": "GML",
    "CSV": "CSV",
    "Parquet": "GeoParquet",
    "GTiff": "a GeoTIFF",
}

#: A zip may hold at most this many members ...
ZIP_MAX_MEMBERS = 10_000
#: ... and expand to at most this many bytes in total.
ZIP_MAX_BYTES = 4 * 2**30
#: A member larger than `_RATIO_FLOOR` may be at most this many times its compressed size (zeros
#: deflate about 1,000 times; real Shapefiles stay far below 100). Not checked for a trusted file.
ZIP_MAX_RATIO = 100
_RATIO_FLOOR = 16 * 2**20

_HEAD_BYTES = 4096
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:/")  # http://, https://, s3://, file:/ … (a Path keeps one slash)
_CONNECTION = re.compile(r"^[A-Za-z][A-Za-z0-9_]+:")  # PG:, MySQL:, WFS:, GPKG:… (not C:\ on Windows)
_GDAL_OF_VECTOR = 0x04
_GDAL_OF_RASTER = 0x02
_lock = threading.RLock()
_depth = 0


def check_local(path: str | Path) -> None:
    """Refuse a GDAL virtual path (``/vsi…``), a URL or a connection string (``PG:…``) before anything opens it.

    Raises
    ------
    InputFileError
        `path` names something other than a local file.
    """
    text = str(path)
    if text.startswith("/vsi"):
        msg = f"{text}: a GDAL virtual path (/vsi…); geo opens only local files. Download or unpack it first."
        raise InputFileError(msg)
    if _URL.match(text):
        msg = f"{text}: a URL; geo never reads from the network. Download the file and give its local path."
        raise InputFileError(msg)
    if _CONNECTION.match(text) and not Path(text).exists():
        msg = (
            f"{text}: a connection string ({text.split(':', 1)[0]}:…); geo opens only local files. "
            "Export the data to a file first."
        )
        raise InputFileError(msg)


def check_source(path: str | Path, *, what: str = "file") -> Path:
    """Return `path` as a local, existing regular file; refuse virtual paths, URLs and connection strings.

    Raises
    ------
    InputFileError
        A ``/vsi…`` path, a URL, a connection string, a missing path or a folder.
    """
    check_local(path)
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such {what}. Check the path (relative paths start from {Path.cwd()})."
        raise InputFileError(msg)
    if path.is_dir():
        msg = f"{path}: a folder, not a file. Give the file itself (a Shapefile's .shp, or a .zip of it)."
        raise InputFileError(msg)
    if not path.is_file():
        msg = f"{path}: not a regular file (a device, pipe or socket). Save the data to a file and give its path."
        raise InputFileError(msg)
    return path


def _xml_root(head: bytes) -> str:
    text = head.decode("utf-8", errors="replace")
    text = re.sub(r"<\?.*?\?>|<!--.*?-->", "", text, flags=re.DOTALL)
    found = re.search(r"<\s*(!?[A-Za-z_][\w:.\-]*)", text)
    return found.group(1).split(":")[-1] if found else ""


_MAGIC = {
    b"SQLite format 3\x00": "an SQLite database",
    b"PK\x03\x04": "a zip archive",
    b"PK\x05\x06": "a zip archive",
    b"PAR1": "a Parquet file",
    b"II*\x00": "a TIFF",
    b"MM\x00*": "a TIFF",
    b"II+\x00": "a TIFF",
    b"MM\x00+": "a TIFF",
}
_XML_ROOTS = {
    "OGRVRTDataSource": "a GDAL vector VRT (XML that points at other files)",
    "VRTDataset": "a GDAL raster VRT (XML that points at other files)",
    "kml": "KML",
    "gpx": "GPX",
    "FeatureCollection": "GML",
    "!DOCTYPE": "XML with a DOCTYPE (entities may point at other files)",
}
_UNKNOWN = "not a format geo knows"  # plain text among them (CSV)
_SHAPEFILE_CODE = 9994  # the first four bytes of a .shp, big-endian


def _text_kind(body: bytes) -> str | None:
    if body.startswith(b"<"):
        root = _xml_root(body)
        return _XML_ROOTS.get(root, f"XML (root element {root!r})")
    if body.startswith((b"{", b"[")):
        if b"gdal_streamed_alg" in body:
            return "a GDAL streamed algorithm (GDALG: a command that reads other files)"
        return "JSON"
    return None


def describe(head: bytes) -> str:
    """Say what a file looks like from its first bytes (e.g. ``"a GDAL vector VRT …"``), for checks and messages."""
    kind = next((k for prefix, k in _MAGIC.items() if head.startswith(prefix)), None)
    if kind == "an SQLite database" and head[68:72] in (b"GPKG", b"GP10", b"GP11"):
        kind = "a GeoPackage"
    elif kind is None and head[:3] == b"fgb" and head[4:7] == b"fgb":
        kind = "FlatGeobuf"
    elif kind is None and len(head) >= 4 and int.from_bytes(head[:4], "big") == _SHAPEFILE_CODE:  # noqa: PLR2004
        kind = "a Shapefile"
    kind = kind or _text_kind(head.removeprefix(b"\xef\xbb\xbf").lstrip())
    return kind or ("an empty file" if not head else _UNKNOWN)


_EXPECTED = {
    "GPKG": {"a GeoPackage"},
    "GeoJSON": {"JSON"},
    "ESRIJSON": {"JSON"},
    "TopoJSON": {"JSON"},
    "GeoJSONSeq": {"JSON"},
    "FlatGeobuf": {"FlatGeobuf"},
    "ESRI Shapefile": {"a Shapefile"},
    "LIBKML": {"KML"},
    "KML": {"KML"},
    "GPX": {"GPX"},
    "GML": {"GML"},
    "CSV": {_UNKNOWN},  # text that is no other format
    "Parquet": {"a Parquet file"},
    "GTiff": {"a TIFF"},
}


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_HEAD_BYTES)


def _refuse(path: Path, seen: str, drivers: tuple[str, ...], *, by_name: bool = True) -> InputFileError:
    kind = " or ".join(dict.fromkeys(_KIND.get(d, d) for d in drivers))
    if by_name:
        said = f"its name says {kind}, but it is {seen}. geo opens a {path.suffix} file only as {kind}"
    else:  # the format was named by the caller (read_exported's fmt=)
        said = f"read as {kind}, but it is {seen}. geo opens it only as {kind}"
    msg = (
        f"{path}: {said}, so that a file cannot read other files or the network. Rename it after its real "
        "format, or, if you made it yourself and trust it, pass trusted=True (CLI: --trusted)."
    )
    return InputFileError(msg)


@contextlib.contextmanager
def vector_env() -> Iterator[None]:
    """Apply :data:`GDAL_OPTIONS` to pyogrio's GDAL for the duration of the block (re-entrant).

    pyogrio sets process-wide GDAL options; they are restored when the outermost block ends.
    """
    import pyogrio

    global _depth  # one process-wide nesting counter, guarded by _lock
    with _lock:
        saved = {}
        if _depth == 0:
            saved = {key: pyogrio.get_gdal_config_option(key) for key in GDAL_OPTIONS}
            pyogrio.set_gdal_config_options(GDAL_OPTIONS)
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
            if _depth == 0:
                pyogrio.set_gdal_config_options(saved)


@contextlib.contextmanager
def raster_env() -> Iterator[None]:
    """Apply :data:`GDAL_OPTIONS` to rasterio's GDAL for the duration of the block."""
    import rasterio

    with rasterio.Env(**GDAL_OPTIONS):
        yield


class _Gdal:
    """pyogrio's own GDAL library through ctypes, for ``GDALIdentifyDriverEx`` (pyogrio does not expose it).

    pyogrio opens a file with every driver GDAL has; it offers no allowed-drivers open and no
    identification, so geo asks the same library which driver it would pick before pyogrio opens the
    file. When that library cannot be found (a wheel laid out otherwise), :meth:`get` raises: a file
    that cannot be identified is not opened.
    """

    def __init__(self) -> None:
        self.lib: ctypes.CDLL | None = None
        self.tried: list[Path] = []
        self.loaded = False

    def get(self) -> ctypes.CDLL:
        if not self.loaded:
            self.loaded = True
            self.lib = self._load()
        if self.lib is None:
            tried = ", ".join(str(p) for p in self.tried) or "no candidate files"
            msg = (
                "geo cannot reach pyogrio's GDAL library to check which driver would open a file (tried: "
                f"{tried}), so it opens no vector file from others. Reinstall pyogrio from its wheel "
                "(pip install --force-reinstall pyogrio), or pass trusted=True (CLI: --trusted) for a file you made."
            )
            raise InputFileError(msg)
        return self.lib

    @staticmethod
    def candidates() -> list[Path]:
        """Files that may be pyogrio's ``libgdal``: its wheel's bundled copy, else the one loaded in this process."""
        import pyogrio

        package = Path(pyogrio.__file__).resolve().parent
        found = [
            *sorted((package.parent / "pyogrio.libs").glob("libgdal*")),  # Linux wheels (auditwheel)
            *sorted((package / ".dylibs").glob("libgdal*")),  # macOS wheels (delocate)
            *sorted((package.parent / "pyogrio.libs").glob("gdal*.dll")),  # Windows wheels (delvewheel)
        ]
        if not found:  # a pyogrio linked to a system GDAL: find the one loaded in this process
            with contextlib.suppress(OSError), open("/proc/self/maps", encoding="utf-8") as maps:
                mapped = {Path(line.split()[-1]) for line in maps if "libgdal" in line.split()[-1]}
                found = sorted(c for c in mapped if "rasterio" not in str(c))
        return found

    def _load(self) -> ctypes.CDLL | None:
        self.tried = self.candidates()
        for candidate in self.tried:
            try:
                lib = ctypes.CDLL(str(candidate))
                lib.GDALIdentifyDriverEx.restype = ctypes.c_void_p
                lib.GDALIdentifyDriverEx.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
                lib.GDALGetDriverShortName.restype = ctypes.c_char_p
                lib.GDALGetDriverShortName.argtypes = [ctypes.c_void_p]
            except (OSError, AttributeError):
                continue
            return lib
        return None


_GDAL = _Gdal()


def identify_vector_driver(source: str) -> str | None:
    """Return the driver pyogrio's GDAL would open `source` with (``None``: no driver opens it).

    Raises
    ------
    InputFileError
        pyogrio's GDAL library cannot be reached, so the driver cannot be told.
    """
    import pyogrio._ogr  # noqa: F401 (loads GDAL and registers its drivers)

    lib = _GDAL.get()
    with vector_env():
        handle = lib.GDALIdentifyDriverEx(source.encode(), _GDAL_OF_VECTOR, None, None)
    if not handle:
        return None
    name = lib.GDALGetDriverShortName(handle)
    return name.decode() if name else None


def vector_drivers() -> dict[str, tuple[str, ...]]:
    """Return suffix -> the GDAL drivers a vector file with that suffix may be opened with.

    The format registry's ``read_drivers`` (every format geo exports), then :data:`READ_ONLY_DRIVERS`.
    """
    from geo.formats import FORMATS  # the registry imports the writers, which read through here

    out: dict[str, tuple[str, ...]] = {}
    for table in (*(f.read_drivers for f in FORMATS.values()), READ_ONLY_DRIVERS):
        for suffix, drivers in table.items():
            out[suffix] = tuple(dict.fromkeys((*out.get(suffix, ()), *drivers)))
    return out


def check_vector(
    path: Path,
    *,
    drivers: tuple[str, ...] | None = None,
    head: bytes | None = None,
    source: str | None = None,
    trusted: bool = False,
) -> None:
    """Refuse a vector file whose content is not the format its name (or `drivers`) says (unless `trusted`).

    Parameters
    ----------
    path
        The file (or, for a member of a zip, ``archive.zip/member.shp``).
    drivers
        The GDAL drivers it may be opened with, e.g. a format's ``read_drivers`` when an export is
        read back as that format; by default those of its suffix (:func:`vector_drivers`).
    head
        Its first bytes, when `path` is not a file on disk (a zip member); read from `path` otherwise.
    source
        What GDAL will open (e.g. a ``/vsizip/`` member of a checked zip); `path` by default.

    Raises
    ------
    InputFileError
        An unknown suffix, content of another format, a file GDAL would open with another driver, or
        GDAL's library out of reach (the driver cannot be told).
    """
    if trusted:
        return
    suffix = path.suffix.lower()
    known_drivers = vector_drivers()
    by_name = drivers is None or bool(set(drivers) & set(known_drivers.get(suffix, ())))
    if drivers is None:
        drivers = known_drivers.get(suffix)
        if drivers is None:
            known = ", ".join([*known_drivers, ".zip"])
            msg = (
                f"{path}: geo does not open {suffix or 'suffix-less'} files from others. Use one of {known}, "
                "convert it (e.g. ogr2ogr out.gpkg in.xyz), or, if you made it and trust it, pass trusted=True "
                "(CLI: --trusted)."
            )
            raise InputFileError(msg)
    seen = describe(_head(path) if head is None else head)
    if not any(seen in _EXPECTED[d] for d in drivers):
        raise _refuse(path, seen, drivers, by_name=by_name)
    found = identify_vector_driver(source or str(path))
    if found is not None and found not in drivers:
        raise _refuse(path, f"a file GDAL opens with its {found} driver", drivers, by_name=by_name)


@contextlib.contextmanager
def open_vector(
    path: str | Path, *, drivers: tuple[str, ...] | None = None, member: str | None = None, trusted: bool = False
) -> Iterator[str]:
    """Check a vector file (or a member of a zip) and yield what to give pyogrio, under :data:`GDAL_OPTIONS`.

    The one way geo's readers open a vector file: the content must be the format `drivers` name (by
    default those of the suffix) and GDAL must identify it as such, as :func:`check_vector` says.

    Parameters
    ----------
    path
        A local file: the vector file itself, or a zip holding `member`.
    drivers
        The GDAL drivers it may be opened with (from the format registry).
    member
        A member of the zip at `path` to open (the zip is checked first, :func:`check_zip`).

    Raises
    ------
    InputFileError
        A virtual path, URL or connection string; a missing file; another format than allowed; a zip
        over the limits.

    Examples
    --------
    >>> with open_vector("sites.geojson", drivers=("GeoJSON",)) as source:  # doctest: +SKIP
    ...     gdf = pyogrio.read_dataframe(source)
    """
    path = check_source(path)
    if member is None:
        check_vector(path, drivers=drivers, trusted=trusted)
        source = str(path)
    else:
        names = {m.filename for m in check_zip(path, trusted=trusted)}
        if member not in names or member.startswith(("/", "\\")) or ".." in Path(member).parts:
            msg = f"{path}: no member {member!r} in the zip. Re-create the export."
            raise InputFileError(msg)
        with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
            head = fh.read(_HEAD_BYTES)
        source = f"/vsizip/{path.resolve()}/{member}"
        check_vector(path / member, drivers=drivers, head=head, source=source, trusted=trusted)
    with vector_env():
        yield source


def _shown(size: float) -> str:
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.1f} MiB"


def check_zip(path: Path, *, trusted: bool = False) -> list[zipfile.ZipInfo]:
    """Check a zip before anything is read from it; return its members.

    Refused: not a zip, more than :data:`ZIP_MAX_MEMBERS` members, more than :data:`ZIP_MAX_BYTES`
    uncompressed, a member expanding more than :data:`ZIP_MAX_RATIO` times (unless `trusted`),
    members that overlap (a zip bomb that reuses one compressed stream), or encrypted members.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as err:  # e.g. a zip version from 2030
        said = " ".join(str(err).split())
        msg = f"{path}: not a readable zip archive ({said}). Re-create it, or give the .shp itself."
        raise InputFileError(msg) from None
    fix = "If you trust it, unzip it yourself and give the file inside."
    if len(members) > ZIP_MAX_MEMBERS:
        msg = f"{path}: the zip holds {len(members):,} members, more than geo opens ({ZIP_MAX_MEMBERS:,}). {fix}"
        raise InputFileError(msg)
    total = sum(m.file_size for m in members)
    if total > ZIP_MAX_BYTES:
        msg = f"{path}: the zip expands to {_shown(total)}, more than geo unpacks ({_shown(ZIP_MAX_BYTES)}). {fix}"
        raise InputFileError(msg)
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > _RATIO_FLOOR and ratio > ZIP_MAX_RATIO and not trusted:
            msg = (
                f"{path}: member {m.filename!r} expands {ratio:,.0f} times ({_shown(m.compress_size)} -> "
                f"{_shown(m.file_size)}), more than {ZIP_MAX_RATIO} times: it looks like a zip bomb. "
                f"{fix[:-1]} (or pass trusted=True, CLI: --trusted)."
            )
            raise InputFileError(msg)
        if m.flag_bits & 0x1:
            msg = f"{path}: member {m.filename!r} is encrypted. Unzip it yourself with its password."
            raise InputFileError(msg)
    if sum(m.compress_size for m in members) > path.stat().st_size:
        msg = f"{path}: the zip's members overlap (they share compressed data, as zip bombs do). {fix}"
        raise InputFileError(msg)
    return members


def _raster_driver(path: Path, *, trusted: bool) -> str | None:
    if trusted:
        return None
    driver = RASTER_DRIVERS.get(path.suffix.lower())
    if driver is None:
        msg = (
            f"{path}: geo opens rasters from others only as GeoTIFF ({', '.join(RASTER_DRIVERS)}). Convert it "
            "(gdal_translate in.xyz out.tif), or, if you made it and trust it, pass trusted=True."
        )
        raise InputFileError(msg)
    seen = describe(_head(path))
    if seen not in _EXPECTED[driver]:
        raise _refuse(path, seen, (driver,))
    return driver


def open_raster_dataset(path: str | Path, *, trusted: bool = False) -> rasterio.DatasetReader:
    """Open a raster with the driver its suffix allows, under :data:`GDAL_OPTIONS`; the caller closes it.

    Prefer :func:`open_raster`, which keeps the options on for the reads too.

    Raises
    ------
    InputFileError
        A virtual path, URL or connection string; a missing file; another format than the suffix
        says (a VRT named ``.tif``); a file GDAL cannot read.
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    path = check_source(path, what="raster")
    driver = _raster_driver(path, trusted=trusted)
    with raster_env():
        try:
            return rasterio.open(path, driver=driver)
        except RasterioIOError as err:
            reason = " ".join(str(err).split())[:300]
            msg = f"{path}: not a raster GDAL can read{f' as {_KIND[driver]}' if driver else ''} ({reason})."
            raise InputFileError(msg) from None


@contextlib.contextmanager
def open_raster(path: str | Path, *, trusted: bool = False) -> Iterator[rasterio.DatasetReader]:
    """Open a raster as :func:`open_raster_dataset` does, with geo's GDAL options on for the whole block.

    GDAL may open a (trusted) VRT's sources only when pixels are read, so the reads run under the
    options too.
    """
    with raster_env(), open_raster_dataset(path, trusted=trusted) as src:
        yield src


_DRIVE = re.compile(r"^[A-Za-z]:")


def check_member_names(path: Path, members: Sequence[zipfile.ZipInfo]) -> None:
    """Refuse an archive with a member named outside it: an absolute path, a drive or a ``..`` part.

    geo unpacks nothing to disk, but such names are made to overwrite other files when someone does,
    and no application writes them.

    Raises
    ------
    InputFileError
        The first such member, named.
    """
    for member in members:
        name = member.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
            msg = (
                f"{path}: member {name!r} points outside the archive (an absolute path or '..'), as archives made "
                "to overwrite other files do. geo opens no such archive; ask for it to be re-created."
            )
            raise InputFileError(msg)


#: The KML a KMZ holds: ``doc.kml`` by convention, else the first ``.kml`` at its root (as Google Earth reads it).
KMZ_DOC = "doc.kml"


def check_kmz(path: Path, *, trusted: bool = False) -> str:
    """Check a KMZ (a zip of ``doc.kml`` and its ``files/``) before anything is read from it; return the KML's name.

    The zip is held to :func:`check_zip`'s limits, its member names to :func:`check_member_names`,
    and its KML to :func:`check_vector` as a ``.kml`` file: a VRT or anything but KML named
    ``doc.kml`` is refused. Images and other ``files/`` are not read.

    Raises
    ------
    InputFileError
        Not a zip, over the archive limits, a member named outside it, no KML inside, or a KML that
        is another format.
    """
    head = _head(path)
    if not head.startswith(b"PK"):
        msg = (
            f"{path}: its name says KMZ (a zip of doc.kml), but it is {describe(head)}. Rename it after its real "
            "format (.kml if it is KML)."
        )
        raise InputFileError(msg)
    members = check_zip(path, trusted=trusted)
    check_member_names(path, members)
    names = [m.filename for m in members if not m.is_dir()]
    kmls = [n for n in names if n.lower().endswith(".kml") and "/" not in n]
    if not kmls:
        msg = (
            f"{path}: the KMZ holds no KML at its root ({KMZ_DOC}); members: {', '.join(names[:10]) or 'none'}. "
            "Save it again from Google Earth, or give the .kml itself."
        )
        raise InputFileError(msg)
    kml = KMZ_DOC if KMZ_DOC in kmls else kmls[0]
    try:
        with zipfile.ZipFile(path) as zf, zf.open(kml) as fh:
            head = fh.read(_HEAD_BYTES)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as err:
        msg = f"{path}: its {kml} cannot be unpacked ({' '.join(str(err).split())[:200]}). Save the KMZ again."
        raise InputFileError(msg) from None
    check_vector(path / kml, head=head, source=f"/vsizip/{path.resolve()}/{kml}", trusted=trusted)
    return kml


def __getattr__(name: str) -> dict[str, tuple[str, ...]]:
    """``VECTOR_DRIVERS``: the suffix table :func:`vector_drivers` builds from the format registry (read on use)."""
    if name == "VECTOR_DRIVERS":
        return vector_drivers()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
