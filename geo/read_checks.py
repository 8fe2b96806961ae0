"""Checks of a user's layer as it is read: geometries, column names, text encoding, CSV dialect, GeoJSON's ``crs``.

Each check either raises one error naming the file, the rows or the field and saying what to do, or
repairs what can honestly be repaired and warns (:class:`~geo.errors.GeoToolkitWarning`) naming what
it changed. Nothing is changed silently. :func:`geo.reader.read` runs them.
"""

from __future__ import annotations

import codecs
import csv
import io
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
    "DELIMITERS",
    "check_all_located",
    "check_coordinates",
    "check_decimal",
    "check_delimiter",
    "check_encoding",
    "check_legacy_crs",
    "decimal_commas",
    "delimiter_name",
    "detect_cyrillic",
    "free_name",
    "geojson_geometry_property",
    "geojson_legacy_crs",
    "located",
    "one_line",
    "raise_unreadable",
    "repair_geometries",
    "shown",
    "sniff_delimiter",
    "text_encoding",
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


# ---------------------------------------------------------------- text files: encoding, delimiter, decimal comma

#: CSV delimiters geo recognises, in order of preference when two read a file equally well.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma (',')", ";": "semicolon (';')", "\t": "tab", "|": "pipe ('|')"}
_DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
_WHO_WRITES = {";": ", as Excel saves CSV in Russian and most European locales", "\t": ", as Excel saves Unicode Text"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CHUNK = 1 << 20  # bytes decoded at a time when checking that a file is UTF-8
_SNIFF_ROWS = 50  # rows of a CSV that decide its delimiter
_SNIFF_CHARS = 65_536
_NON_ASCII_WORD = re.compile(rb"[^\s\"',;:|{}\[\]<>=]*[\x80-\xff][^\s\"',;:|{}\[\]<>=]*")
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d*\.\d+\s*$")


def check_delimiter(delimiter: str) -> str:
    """Return the CSV delimiter `delimiter` names (one character, or ``tab``, ``semicolon`` …); raise if none."""
    value = _DELIMITER_WORDS.get(delimiter.lower(), delimiter)
    if len(value) != 1 or value in '"\r\n' or value.isalnum():
        msg = f"Unknown CSV delimiter {delimiter!r}. Use one character: ',', ';', '|' or tab (CLI: --delimiter tab)."
        raise InputFileError(msg)
    return value


def check_decimal(decimal: str) -> str:
    """Return `decimal` if it is a decimal separator geo reads (``.`` or ``,``); raise otherwise."""
    if decimal not in (".", ","):
        msg = f"Unknown decimal separator {decimal!r}. Use '.' or ',' (decimal=',' for 69,2797)."
        raise InputFileError(msg)
    return decimal


def delimiter_name(delimiter: str) -> str:
    """Name a delimiter for messages, e.g. ``"semicolon (';')"`` or ``"tab"``."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def _bom(path: Path) -> str | None:
    with path.open("rb") as fh:
        head = fh.read(4)
    return next((codec for bom, codec in _BOMS if head.startswith(bom)), None)


def _first_non_utf8(path: Path) -> tuple[int, bytes] | None:
    """Return the offset of the first byte that is not UTF-8, and the chunk around it; ``None`` if it all is.

    A file that is all ASCII gives ``(-1, b"")``: it reads the same in every encoding geo reads.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    ascii_only = True
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            ascii_only = ascii_only and chunk.isascii()
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return offset + err.start, chunk
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, b""
    return (-1, b"") if ascii_only else None


def _example(lines: Iterable[bytes], encoding: str) -> str:
    """Return the first non-ASCII word of `lines` read in `encoding`."""
    for line in lines:
        for word in re.findall(r"[^\W\d_]+", line.decode(encoding, errors="replace")):
            if not word.isascii():
                return word
    return ""


def text_encoding(path: Path, encoding: str | None) -> str:
    """Return the codec to read a text file (CSV, GeoJSON) with; warn when it is not the one the file declares.

    A byte-order mark decides (UTF-8 or UTF-16, as Excel writes them); then `encoding` if given; then
    UTF-8 if every byte reads as UTF-8 (RFC 8259 requires it of JSON); then a Cyrillic code page
    (:data:`CYRILLIC_ENCODINGS`) if the text reads as Cyrillic words in it, with a warning naming it.

    Raises
    ------
    InputFileError
        Text that is neither UTF-8 nor recognisably Cyrillic: the message names the byte and the
        ``encoding=`` to pass.
    """
    bom = _bom(path)
    if bom is not None and (encoding is None or codecs.lookup(encoding).name.startswith(bom[:5])):
        return bom
    bad = _first_non_utf8(path)
    if encoding is not None:
        if bad is None and codecs.lookup(encoding).name != "utf-8":
            warn(
                f"{path.name} is UTF-8 text, but was read as {encoding}, as told; if its letters look wrong, leave "
                "encoding out (CLI: --encoding), or give it only with the files that need it."
            )
        return encoding
    if bad is None or bad[0] < 0:
        return "utf-8"
    offset, chunk = bad
    lines = _NON_ASCII_WORD.findall(chunk)  # words only: the file's Latin names and keys do not vote
    found = detect_cyrillic(line.decode("latin-1") for line in lines)
    if found is None:
        line = 1
        with path.open("rb") as fh:
            while offset - fh.tell() > 0 and (block := fh.read(min(_CHUNK, offset - fh.tell()))):
                line += block.count(b"\n")
            sample = fh.read(4)
        msg = (
            f"{path}, line {line}: not UTF-8 text (byte {offset}: {sample!r}), nor does it read as Cyrillic "
            f"({', '.join(CYRILLIC_ENCODINGS)}). Re-save it as UTF-8, or pass its encoding, e.g. encoding='cp1252' "
            "(CLI: --encoding cp1252)."
        )
        raise InputFileError(msg)
    warn(
        f"{path.name} is not UTF-8 text; it reads as Cyrillic in {found} (e.g. {_example(lines, found)!r}), so it "
        f"was read that way. If that is wrong, pass encoding='…' (CLI: --encoding)."
    )
    return found


def sniff_delimiter(path: Path, encoding: str, *, expected: str, name: str) -> str:
    """Return the delimiter of a CSV: the one of :data:`DELIMITERS` that splits its first rows most evenly.

    The header must split into two or more columns; of such delimiters the one whose rows have as
    many values as the header most often wins (then the earlier in :data:`DELIMITERS`). A delimiter
    other than `expected` (``,`` for ``.csv``) is announced with a warning saying how to pass it.
    """
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(_SNIFF_CHARS)
    if len(sample) == _SNIFF_CHARS:  # keep whole lines
        sample = sample[: max(sample.rfind("\n"), 0)] or sample
    best: tuple[int, int, int] | None = None
    chosen = expected
    for rank, delimiter in enumerate(DELIMITERS):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r][:_SNIFF_ROWS]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:  # noqa: PLR2004
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows[1:]), -rank if delimiter != expected else 1, width)
        if best is None or score > best:
            best, chosen = score, delimiter
    if chosen != expected and best is not None:
        shown_name = "tab" if chosen == "\t" else repr(chosen)
        warn(
            f"{name}: read as {delimiter_name(chosen)}-separated values: its header splits into {best[2]} columns "
            f"on it{_WHO_WRITES.get(chosen, '')}. If that is wrong, pass delimiter='…'; delimiter={chosen!r} "
            f"(CLI: --delimiter {shown_name}) says so."
        )
    return chosen


def decimal_commas(values: pd.Series, decimal: str | None) -> tuple[pd.Series, bool]:
    """Return coordinate texts with decimal commas as points, and whether any was changed.

    With `decimal` ``","`` every comma becomes a point; with ``None`` only when every value that is
    not blank is a number with one decimal comma or none (``69,2797``, ``41``) and none has a point.
    """
    text = values.astype("string")
    if decimal == ".":
        return values, False
    filled = text.dropna()
    has_comma = filled.str.contains(",", regex=False)
    if not has_comma.any():
        return values, False
    if decimal is None:
        if filled.str.match(_DECIMAL_POINT).any() or not filled.str.match(_DECIMAL_COMMA)[has_comma].all():
            return values, False
    out = text.str.replace(",", ".", regex=False)
    return out.astype(object).where(values.notna(), None), True
