"""Checks of a user's layer as it is read: geometries, column names, text encoding, GeoJSON's legacy ``crs``.

Each check either raises one error naming the file, the rows or the field and saying what to do, or
repairs what can honestly be repaired and warns (:class:`~geo.errors.GeoToolkitWarning`) naming what
it changed. Nothing is changed silently. :func:`geo.io.read` runs them.
"""

from __future__ import annotations

import json
import mmap
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import CRSError, GeoToolkitWarning, InputFileError, LayerSchemaError

__all__ = [
    "CYRILLIC_ENCODINGS",
    "check_all_located",
    "check_coordinates",
    "check_encoding",
    "check_legacy_crs",
    "detect_cyrillic",
    "free_name",
    "geojson_geometry_property",
    "geojson_legacy_crs",
    "located",
    "one_line",
    "raise_unreadable",
    "repair_geometries",
    "shown",
    "text_values",
    "unique_names",
    "warn",
]

_SHOWN = 10  # rows named in a message
_CRS_KEY = re.compile(rb'"crs"\s*:\s*\{')
_CRS_WINDOW = 65_536  # a crs member is small; read at most this much of it
_OGC_DEF = "http://www.opengis.net/def/crs/"  # GDAL parses these names itself, without fetching
_WGS84_NAMES = (
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
)
_LATIN1_HIGH = range(0x80, 0x100)  # code points a single-byte encoding read as ISO-8859-1 can give
#: Cyrillic single-byte encodings tried when a Shapefile declares none, in order of how common they are.
CYRILLIC_ENCODINGS = ("cp1251", "cp866", "koi8_r")
_CYRILLIC_SHARE = 4  # a Cyrillic reading must win by this factor over mixed-script words


def check_encoding(encoding: str) -> str:
    """Return the codec name of `encoding`; raise `InputFileError` (one line, with examples) if Python has none."""
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        msg = f"Unknown text encoding {encoding!r}. Use a codec name such as utf-8, cp1251, koi8-r or cp866."
        raise InputFileError(msg) from None


def warn(message: str) -> None:
    """Emit a `GeoToolkitWarning` attributed to the caller of `geo.read`."""
    warnings.warn(message, GeoToolkitWarning, stacklevel=4)


def shown(labels: Iterable[object], total: int | None = None) -> str:
    """Return up to ten labels joined by commas, with `` …`` when there are more."""
    items = list(labels)
    total = len(items) if total is None else total
    return ", ".join(str(v) for v in items[:_SHOWN]) + (" …" if total > _SHOWN else "")


def free_name(name: str, taken: Iterable[str]) -> str:
    """Return `name` + ``_1``, ``_2`` … whichever is not in `taken`."""
    used = {t.lower() for t in taken}
    n = 1
    while f"{name}_{n}".lower() in used:
        n += 1
    return f"{name}_{n}"


def unique_names(names: Sequence[str], *, where: str) -> list[str]:
    """Return `names` with repeats renamed ``name_2``, ``name_3`` …, warning once, naming them.

    `where` names the file in the warning.
    """
    counts = Counter(names)
    if all(c == 1 for c in counts.values()):
        return list(names)
    seen: Counter[str] = Counter()
    out = []
    renamed = []
    for i, name in enumerate(names, start=1):
        seen[name] += 1
        if seen[name] == 1:
            out.append(name)
            continue
        new = f"{name}_{seen[name]}"
        while new in counts or new in out:
            new += "_"
        out.append(new)
        renamed.append(f"column {i} {name!r} -> {new!r}")
    warn(f"{where}: {len(renamed)} column name(s) repeat an earlier one; renamed {shown(renamed)}. Rename them.")
    return out


def check_coordinates(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise `CRSError` naming the rows whose coordinates are not finite numbers (NaN, infinity)."""
    coords, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    if not len(coords):
        return
    bad_coord = ~np.isfinite(coords).all(axis=1)
    if not bad_coord.any():
        return
    rows = np.unique(index[bad_coord])
    example = coords[bad_coord][0].tolist()
    which = f"{len(rows)} feature{'s' if len(rows) > 1 else ''} (row{'s' if len(rows) > 1 else ''} "
    msg = (
        f"{name}: {which}{shown(gdf.index[rows], len(rows))}) {'have' if len(rows) > 1 else 'has'} coordinates "
        f"that are not numbers, e.g. {example}. Give numbers; a feature with no location has a null geometry."
    )
    raise CRSError(msg)


def located(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Return which features have a geometry that is neither null nor empty (without geopandas' notna warning)."""
    geoms = gdf.geometry.to_numpy()
    return np.asarray(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)), dtype=bool)


def check_all_located(gdf: gpd.GeoDataFrame, *, name: str) -> None:
    """Raise `LayerSchemaError` if no feature has a geometry (every one null or empty)."""
    if not located(gdf).any():
        msg = (
            f"{name}: none of its {len(gdf)} features has a geometry (all are null or empty). Check the geometry "
            "or coordinate columns; geo maps and measures located features."
        )
        raise LayerSchemaError(msg)


def _label(gdf: gpd.GeoDataFrame, mask: pd.Series, id_column: str | None) -> str:
    labels = gdf.loc[mask, id_column] if id_column and id_column in gdf else gdf.index[mask]
    word = "id" if id_column and id_column in gdf else "row"
    return f"{word} {shown((repr(v) if word == 'id' else v for v in labels), int(mask.sum()))}"


def repair_geometries(gdf: gpd.GeoDataFrame, *, name: str, id_column: str | None = None) -> gpd.GeoDataFrame:
    """Repair invalid geometries with ``shapely.make_valid`` and warn, naming the features repaired.

    A repair must keep what a geometry is: a polygon stays an area. One that would collapse (a ring of
    fewer than four positions, a polygon with no area) raises `LayerSchemaError` naming it instead.
    Returns a copy when anything was repaired; `gdf` itself otherwise.
    """
    geoms = gdf.geometry
    invalid = pd.Series(located(gdf) & ~np.asarray(shapely.is_valid(geoms.to_numpy()), dtype=bool), index=gdf.index)
    if not invalid.any():
        return gdf
    original = geoms[invalid].to_numpy()
    reasons = shapely.is_valid_reason(original)
    polygonal = np.isin(shapely.get_type_id(original), [3, 6])
    repaired = np.empty_like(original)
    repaired[polygonal] = shapely.make_valid(original[polygonal], method="structure", keep_collapsed=False)
    repaired[~polygonal] = shapely.make_valid(original[~polygonal])
    collapsed = shapely.is_empty(repaired) | (shapely.get_dimensions(repaired) < shapely.get_dimensions(original))
    if collapsed.any():
        mask = pd.Series(False, index=gdf.index)
        mask[geoms[invalid].index[collapsed]] = True
        one = collapsed.sum() == 1
        which = f"{_label(gdf, mask, id_column)}: {reasons[collapsed][0]}"
        msg = (
            f"{name}: {int(collapsed.sum())} geometr{'y' if one else 'ies'} cannot be repaired "
            f"without changing what {'it is' if one else 'they are'} ({which}). A polygon ring needs at least "
            "four positions, the last repeating the first, and must enclose an area; fix them."
        )
        raise LayerSchemaError(msg)
    warnings.warn(
        f"{name}: repaired {int(invalid.sum())} invalid geometr{'y' if invalid.sum() == 1 else 'ies'} with "
        f"make_valid ({_label(gdf, invalid, id_column)}; first problem: {reasons[0]}). Check them.",
        GeoToolkitWarning,
        stacklevel=3,
    )
    out = gdf.copy()
    out.loc[invalid, out.geometry.name] = repaired
    return out


_TEXT_GEOMETRY = re.compile(rb'"geometry"\s*:(?!\s*(?:\{|null\b))')  # a real geometry member is an object or null


def geojson_geometry_property(path: Path) -> bool:
    """Tell whether a GeoJSON file has a ``geometry`` key whose value is data (text, number, list), not a shape."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return _TEXT_GEOMETRY.search(data) is not None


def _crs_members(path: Path) -> list[object]:
    """Return every JSON object that follows a ``"crs":`` key in the file (read with mmap, not loaded)."""
    if path.stat().st_size == 0:
        return []
    found: list[object] = []
    decoder = json.JSONDecoder()
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for match in _CRS_KEY.finditer(data):
            start = match.end() - 1
            window = data[start : start + _CRS_WINDOW].decode("utf-8", errors="replace")
            try:
                value, _ = decoder.raw_decode(window)
            except ValueError:
                continue
            found.append(value)
    return found


def _crs_text(member: dict[str, object]) -> tuple[str, str]:
    kind = str(member.get("type", "")).lower()
    props = member.get("properties")
    props = props if isinstance(props, dict) else {}
    text = props.get("href") or props.get("url") or props.get("name") or props.get("code") or ""
    return kind, str(text)


def geojson_legacy_crs(path: Path) -> str | None:
    """Check a GeoJSON file's obsolete ``crs`` member before GDAL reads it; return the CRS it names, if any.

    RFC 7946 removed ``crs``: GeoJSON is WGS84 longitude/latitude. A ``crs`` that links to a URL would
    make GDAL fetch it, so it is refused; a named CRS is returned so the caller can warn about it.

    Raises
    ------
    InputFileError
        A ``crs`` member of type ``link``/``url``, or a name that is a URL GDAL would fetch.
    """
    named = None
    for member in _crs_members(path):
        if not isinstance(member, dict):
            continue
        kind, text = _crs_text(member)
        fetched = kind in ("link", "url") or ("://" in text and not text.startswith(_OGC_DEF))
        if fetched:
            msg = (
                f"{path}: its 'crs' member points at {text[:100]!r}, which GDAL would fetch from the network; "
                "geo never does. GeoJSON (RFC 7946) is WGS84 longitude/latitude: remove the 'crs' member, or "
                "convert the file from its real CRS (ogr2ogr -s_srs ... -t_srs EPSG:4326)."
            )
            raise InputFileError(msg)
        named = named or text or kind
    return named


def check_legacy_crs(gdf: gpd.GeoDataFrame, declared: str | None, *, name: str) -> None:
    """Warn about a GeoJSON ``crs`` member naming a CRS other than WGS84; refuse one the coordinates contradict."""
    if declared is None or gdf.crs is None or declared in _WGS84_NAMES:
        return
    if gdf.crs.equals("OGC:CRS84") or gdf.crs.equals("EPSG:4326"):
        return
    crs = gdf.crs.to_string()
    where = gdf.geometry[located(gdf)]
    if not gdf.crs.is_geographic and len(where):
        west, south, east, north = where.total_bounds
        if -180 <= west and east <= 180 and -90 <= south and north <= 90:  # noqa: PLR2004
            msg = (
                f"{name}: its obsolete 'crs' member says {crs} ({declared}), in metres, but every coordinate lies "
                "within ±180/±90: they look like degrees. Remove the 'crs' member (GeoJSON is WGS84 "
                "longitude/latitude)."
            )
            raise CRSError(msg)
    warn(
        f"{name}: read as {crs}, as its obsolete 'crs' member ({declared}) says; RFC 7946 GeoJSON is WGS84 "
        "longitude/latitude, so other software may place it elsewhere. Convert it to EPSG:4326 to share it."
    )


def _scripts(word: str) -> set[str]:
    return {unicodedata.name(c, "?").split()[0] for c in word if c.isalpha()}


def _plausible(word: str) -> bool:
    """Tell whether `word` is in one script and cased as words are: lower, UPPER or Title."""
    return len(_scripts(word)) == 1 and (word.islower() or word.isupper() or word.istitle())


def _score(text: str) -> tuple[int, int]:
    """Count words that read as Cyrillic words, and signs of a wrong decoding (odd words, control characters)."""
    good = sum(1 for w in re.findall(r"[^\W\d_]+", text) if _plausible(w) and _scripts(w) == {"CYRILLIC"})
    odd = sum(1 for w in re.findall(r"[^\W\d_]+", text) if not _plausible(w))
    odd += sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cf", "Co", "So") and c not in "\t\n\r")
    return good, odd


def detect_cyrillic(texts: Iterable[str]) -> str | None:
    """Return the Cyrillic encoding in which `texts` (decoded as ISO-8859-1) read as Cyrillic words, if any.

    A Shapefile without ``.cpg`` is decoded by GDAL as ISO-8859-1, which turns Windows-1251
    'Ташкент' into 'Òàøêåíò'. Each text is re-read in each of :data:`CYRILLIC_ENCODINGS`; the
    encoding wins whose reading gives the most Cyrillic words, cased as words are, by a clear margin
    over odd words (mixed scripts or case, as real Latin-1 text such as 'Müller' gives) and control
    characters.
    """
    raw = [
        t.encode("latin-1") for t in texts if not t.isascii() and all(ord(c) in _LATIN1_HIGH or c.isascii() for c in t)
    ]
    if not raw:
        return None
    best, best_score = None, 0
    for encoding in CYRILLIC_ENCODINGS:
        good = odd = 0
        for data in raw:
            g, o = _score(data.decode(encoding, errors="replace"))
            good, odd = good + g, odd + o
        if good > best_score and good >= _CYRILLIC_SHARE * odd:
            best, best_score = encoding, good
    return best


def text_values(df: pd.DataFrame, *, limit: int = 5000) -> list[str]:
    """Return up to `limit` non-ASCII text values from the object columns of `df`."""
    out: list[str] = []
    for col in df.columns:
        if df[col].dtype != object and not str(df[col].dtype).startswith(("str", "string")):
            continue
        for value in df[col].dropna():
            if isinstance(value, str) and not value.isascii():
                out.append(value)
                if len(out) >= limit:
                    return out
    return out


def one_line(text: str, limit: int = 300) -> str:
    """Return a library's message on one line (whitespace collapsed), cut to `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def raise_unreadable(name: str, rows: Sequence[int], reason: str) -> None:
    """Raise `InputFileError` for geometries GDAL returned but GEOS cannot build."""
    msg = (
        f"{name}: {len(rows)} geometr{'y' if len(rows) == 1 else 'ies'} cannot be read (rows {shown(rows)}: "
        f"{one_line(reason, 120)}). Fix them: a line needs at least two positions, a polygon ring at least "
        "four, the last repeating the first."
    )
    raise InputFileError(msg)
