"""Export layers to the formats GIS software reads, and read exports back.

Every export is written to a temporary file (or folder) beside the target and renamed into place only
when it is complete and has been read back with the right feature counts; it never overwrites without
``overwrite=True``, and reports once per kind what the format could not keep. The formats themselves
live in the format registry, :mod:`geo.formats`.

A path the user names is written where they name it (``~`` expanded), as ``ogr2ogr`` does; names that
come from data (a layer name becoming a file name in a folder export) must stay inside that folder.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio.errors

from geo.crs import require_crs
from geo.errors import ExportError, GeoToolkitError, InputFileError
from geo.exporter.extra_tables import TABLE_SUFFIX, write_tables
from geo.exporter.losses import Losses
from geo.exporter.postgis import check_database, read_postgis, redact, write_postgis
from geo.exporter.preflight import prepare
from geo.exporter.split import AREAS_SUFFIX, part_of, split_by_precision, split_layers, split_names
from geo.formats import FORMATS, Format, is_database_url, resolve
from geo.outputs import TMP_MARK, check_writable, write_error, write_lock
from geo.safety import check_source, vector_env

#: pyogrio's errors for data GDAL cannot write; a last resort, after the checks of `prepare`.
_GDAL_WRITE_ERRORS = (
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.DataSourceError,
)

__all__ = ["FORMATS", "ExportReport", "Format", "check_target", "export", "read_exported", "split_by_precision"]

logger = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


@dataclass
class ExportReport:
    """What an export wrote, and what the format could not keep."""

    path: Path | str
    format: str
    features: dict[str, int]
    losses: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.features.items())
        lines = [f"Wrote {self.path} ({self.format}; {counts})"]
        lines += [f"  note: {loss}" for loss in self.losses]
        return "\n".join(lines)


def _resolve_frames(
    layers: Mapping[str, gpd.GeoDataFrame] | Sequence[str] | gpd.GeoDataFrame, name: str | None
) -> dict[str, gpd.GeoDataFrame]:
    if isinstance(layers, gpd.GeoDataFrame):
        return {name or "layer": layers}
    if isinstance(layers, Mapping):
        return dict(layers)
    from geo.catalog import load

    return {n: load(n) for n in layers}


def _check_layer_names(names: Sequence[str]) -> None:
    """Layer names become file names, table names and zip members: keep them plain."""
    for n in names:
        if not _SAFE_NAME.match(n) or n.startswith("."):
            msg = (
                f"Layer name {n!r} cannot become a file or table name: use letters, digits, '_', '-' or '.', "
                "starting with a letter or digit (no folders)."
            )
            raise ExportError(msg)


def _companion(path: Path) -> Path:
    """Where the area half goes when one split layer is written to a single-layer format: ``x_areas.geojson``."""
    return path.with_name(f"{path.stem}{AREAS_SUFFIX}{path.suffix}")


#: An archive of a single-layer format holds every layer (a Shapefile zip); its format's sidecars are inside it.
_ARCHIVE = ".zip"


def _holds_many(spec: Format, path: Path) -> bool:
    """Whether the file at `path` holds several layers: a multi-layer format, or a zip of a single-layer one."""
    return spec.multi_layer or path.suffix.lower() == _ARCHIVE


def _is_pair(names: Sequence[str], spec: Format, path: Path) -> bool:
    """One layer split into points and areas, in a single-layer file: the named file and its companion."""
    return not _holds_many(spec, path) and len(names) == 2 and names[1] == names[0] + AREAS_SUFFIX  # noqa: PLR2004


def _outputs(path: Path, spec: Format, names: Sequence[str], *, as_folder: bool) -> list[Path]:
    """Every file an export may write at `path`, sidecars and an area companion included (not a folder's)."""
    if as_folder:
        return [path]
    mains = [path, _companion(path)] if _is_pair(names, spec, path) else [path]
    sidecars = () if path.suffix.lower() == _ARCHIVE else spec.sidecars
    return [*mains, *(m.with_suffix(s) for m in mains for s in sidecars)]


def check_target(
    path: str | Path, *, fmt: str | None = None, layers: int | Sequence[str] = 1, overwrite: bool = False
) -> tuple[Path, Format, bool]:
    """Check an export's target before any work: its format, suffix and whether it may be written.

    Curated layers are written as two layers each (points and ``_areas``, see
    :mod:`geo.exporter.split`), so they count twice; one such layer in a single-layer format is written
    to the named file and an ``_areas`` file beside it. A PostGIS URL is checked by connecting.

    Returns
    -------
    tuple
        The final path (``~`` expanded), the format, and whether it is a folder of per-layer files.

    Raises
    ------
    UnknownFormatError
        If the format cannot be told.
    ExportError
        Wrong suffix, an existing output without `overwrite`, or a layer name unfit for a file name.
    """
    names = split_names(list(layers)) if not isinstance(layers, int) else []
    n_layers = layers if isinstance(layers, int) else len(names)
    return _check_target(path, fmt, names, n_layers, overwrite=overwrite)


def _check_target(
    path: str | Path, fmt: str | None, names: Sequence[str], n_layers: int, *, overwrite: bool
) -> tuple[Path, Format, bool]:
    """`check_target` for the layer names an export writes (curated layers already split)."""
    _check_layer_names(names)
    if is_database_url(path):
        check_database(str(path), names, overwrite=overwrite)
        return Path(), FORMATS["postgis"], False
    path = Path(path).expanduser()
    spec = resolve(fmt, path)
    if spec.url:
        msg = f"{path}: a {spec.key} export goes to a database URL, e.g. postgresql://user@host/database."
        raise ExportError(msg)
    as_folder = n_layers > 1 and not _holds_many(spec, path) and not _is_pair(names, spec, path)
    if not as_folder and path.suffix.lower() not in spec.suffixes:
        msg = f"{path.name}: a {spec.key} export needs the suffix {spec.suffix!r} (e.g. {path.stem}{spec.suffix})."
        raise ExportError(msg)
    if as_folder and path.suffix:
        zipped = " (or a .zip)" if _ARCHIVE in spec.suffixes else ""
        msg = f"{path.name}: {n_layers} layers in {spec.key} go to a folder, one file per layer; name a folder{zipped}."
        raise ExportError(msg)
    check_writable(path)
    taken = [p for p in _outputs(path, spec, names, as_folder=as_folder) if p.exists()]
    if taken and not overwrite:
        msg = f"{taken[0]} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    return path, spec, as_folder


def _write_and_count(
    frames: Mapping[str, gpd.GeoDataFrame], out: Path, spec: Format, *, as_folder: bool, losses: Losses
) -> dict[str, int]:
    """Write `frames` to `out` and return the feature count of each layer as read back from it."""
    if as_folder or _is_pair(list(frames), spec, out):
        if as_folder:
            out.mkdir()
        counts = {}
        for i, (layer_name, gdf) in enumerate(frames.items()):
            file = out / f"{layer_name}{spec.suffix}" if as_folder else (out if i == 0 else _companion(out))
            spec.writer({layer_name: gdf}, file, losses)
            counts[layer_name] = sum(len(g) for g in spec.read(file).values())
        return counts
    spec.writer(frames, out, losses)
    back = spec.read(out)
    if _holds_many(spec, out):
        return {n: len(back[n]) for n in frames if n in back}
    return {next(iter(frames)): sum(len(g) for g in back.values())}


def _remove_stale_companion(target: Path, spec: Format, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Remove ``<stem>_areas`` an earlier export wrote beside `target` for a layer that now needs none."""
    if spec.multi_layer or len(frames) != 1:
        return
    ((name, gdf),) = frames.items()
    if part_of(name, gdf) not in ((name, "points"), (name, "areas")):
        return
    companion = _companion(target)
    for stale in (companion, *(companion.with_suffix(s) for s in spec.sidecars)):
        if stale.is_file():
            stale.unlink()
            logger.info("Removed %s: %s now has no area-only features", stale, name)


def _move_into_place(out: Path, target: Path, spec: Format, names: Sequence[str], *, as_folder: bool) -> None:
    """Rename what was written in the temporary folder onto the target; a stale optional sidecar goes."""
    if target.exists():
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    written, final = _outputs(out, spec, names, as_folder=as_folder), _outputs(target, spec, names, as_folder=as_folder)
    for new, old in zip(written[1:], final[1:], strict=True):
        if new.exists():
            new.replace(old)
        else:
            old.unlink(missing_ok=True)
    out.replace(target)


def _write_in_place(
    frames: Mapping[str, gpd.GeoDataFrame],
    target: Path,
    spec: Format,
    *,
    as_folder: bool,
    losses: Losses,
    tables: Mapping[str, pd.DataFrame],
) -> dict[str, int]:
    """Write to a temporary beside `target`, check the counts read back, then move it into place."""
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}{TMP_MARK}", dir=target.parent))
    except OSError as err:
        raise write_error(target, err) from None
    try:
        out = tmp / ("out" if as_folder else target.name)
        counts = _write_and_count(frames, out, spec, as_folder=as_folder, losses=losses)
        expected = {n: len(g) for n, g in frames.items()}
        if counts != expected:
            msg = f"Export to {target} read back {counts} features, expected {expected}; nothing was written."
            raise ExportError(msg)
        write_tables(tables, out, spec=spec, as_folder=as_folder, losses=losses)
        _move_into_place(out, target, spec, list(frames), as_folder=as_folder)
    except OSError as err:
        if isinstance(err, GeoToolkitError):  # e.g. the export read back is not what its format says
            raise
        raise write_error(target, err) from None
    except _GDAL_WRITE_ERRORS as err:
        said = " ".join(str(err).split())[:300]
        msg = f"Cannot write {target} as {spec.key}: GDAL says {said!r}. Nothing was written."
        raise ExportError(msg) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


def export(
    layers: Mapping[str, gpd.GeoDataFrame] | Sequence[str] | gpd.GeoDataFrame,
    path: str | Path,
    *,
    fmt: str | None = None,
    overwrite: bool = False,
    name: str | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> ExportReport:
    """Export one or more layers, and non-spatial tables beside them.

    Curated layers (any layer with ``location_precision``) are split once, in every format, by one
    naming rule: ``<name>`` keeps the point-level features, and only a layer that also has features
    known only to a region or country gets ``<name>_areas`` for them; a layer of such features alone
    is written under its own name. No empty layer is written (see :mod:`geo.exporter.split`).

    Parameters
    ----------
    layers
        Layer names from the catalogue, a mapping of names to GeoDataFrames, or one GeoDataFrame.
    path
        The output, written where it is named; or a ``postgresql://`` URL (PostGIS). For several layers
        in a single-layer format (Shapefile ``.shp``, GeoJSON, FlatGeobuf, GeoParquet, KML, CSV) it is a
        folder with one file per layer (one curated layer: the named file and ``<stem>_areas`` beside it);
        GeoPackage, a Shapefile ``.zip`` and a QGIS project (``.qgz``, with ``<stem>.qgis.gpkg`` beside it)
        hold all.
    fmt
        A format key (``gpkg``, ``geojson``, ``qgz``, ``postgis`` ...) or GDAL driver name; by default
        the suffix of `path` (or its ``postgresql://`` scheme) decides.
    overwrite
        Replace `path` (or the tables) if it exists; it is only replaced once the new output is complete.
    name
        The layer name when `layers` is a single GeoDataFrame.
    tables
        Non-spatial tables to carry along, e.g. ``{"agreements": geo.agreements()}``: attribute tables in a
        GeoPackage, a project's GeoPackage or PostGIS; ``<name>.table.csv`` in a Shapefile zip or a folder;
        a one-layer file cannot hold them (the report says so).

    Returns
    -------
    ExportReport
        The path, the feature count per layer as read back from the output, and the losses.

    Raises
    ------
    UnknownFormatError
        The format cannot be told, or is not in the registry.
    ExportError
        Wrong suffix, existing output, or a count that differs after writing.
    """
    frames = _resolve_frames(layers, name)
    if not frames:
        msg = "Nothing to export: give at least one layer."
        raise ExportError(msg)
    for layer_name, gdf in frames.items():
        require_crs(gdf, name=layer_name)
    _check_layer_names(list(tables or {}))
    frames = split_layers(frames)
    losses = Losses()
    if is_database_url(path):
        _check_layer_names(list(frames))
        counts = write_postgis(frames, str(path), overwrite=overwrite, losses=losses, tables=tables)
        return _report(ExportReport(redact(str(path)), "postgis", counts, losses.lines()))
    target, spec, as_folder = _check_target(path, fmt, list(frames), len(frames), overwrite=overwrite)
    frames = prepare(frames, spec, losses)
    with write_lock(target):  # a concurrent export to `target` fails; temporaries of a killed one are removed
        if not overwrite:  # it may have been written since the check above looked
            _check_target(target, spec.key, list(frames), len(frames), overwrite=False)
        counts = _write_in_place(frames, target, spec, as_folder=as_folder, losses=losses, tables=tables or {})
        if overwrite and not as_folder:
            _remove_stale_companion(target, spec, frames)
    return _report(ExportReport(target, spec.key, counts, losses.lines()))


def _report(report: ExportReport) -> ExportReport:
    """Log the report; the losses are in it, one line per kind (the CLI prints them once)."""
    for loss in report.losses:
        logger.info("%s: %s", report.path, loss)
    logger.info("%s", report)
    return report


def read_exported(path: str | Path, *, fmt: str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read an export back: ``{layer name: GeoDataFrame}`` with list fields decoded and names restored.

    Shapefiles are read through their ``fields.csv`` (original names) and ``long_values.csv``
    (untruncated text), in the zip or beside the ``.shp`` (``x.fields.csv``); JSON-text fields in
    GeoPackage, FlatGeobuf, KML and CSV are parsed. A QGIS
    project reads its GeoPackage; a ``postgresql://`` URL reads the layers its provenance table lists.
    A single-layer file with an ``_areas`` file beside it reads as both halves. Every file is opened
    only with the GDAL drivers the format registry gives the format (``fmt``, or the one its suffix
    names), whatever the file is called, under :func:`geo.read`'s safety options (zip limits, no network).

    Raises
    ------
    InputFileError
        Not a local file, not the format its suffix names, over the zip limits, or not an export.
    """
    if is_database_url(path):
        return read_postgis(str(path))
    path = Path(path).expanduser()
    if path.is_dir():
        out: dict[str, gpd.GeoDataFrame] = {}
        names = {file.name for file in path.iterdir()}
        for file in sorted(path.iterdir()):
            if not _is_sidecar(file, names):
                out |= read_exported(file, fmt=fmt)
        return out
    path = check_source(path)
    spec = resolve(fmt, path)
    companion = _companion(path)
    files = [path, companion] if not _holds_many(spec, path) and companion.exists() else [path]
    try:
        with vector_env():
            out = spec.read(path)
            if len(files) > 1 and len(out) == 1:  # the area half of one curated layer
                out |= {f"{next(iter(out))}{AREAS_SUFFIX}": g for g in spec.read(companion).values()}
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, *_GDAL_WRITE_ERRORS) as err:
        if isinstance(err, InputFileError):
            raise
        said = " ".join(str(err).split())[:200]
        msg = f"{path}: not a {spec.key} export geo can read back ({type(err).__name__}: {said}). Use geo.read instead."
        raise InputFileError(msg) from None
    return out


def _is_sidecar(file: Path, names: set[str]) -> bool:
    """Whether `file` is written beside another file of the folder (a ``.csvt``, a project's GeoPackage, a table)."""
    if file.name.endswith(TABLE_SUFFIX):
        return True
    for spec in FORMATS.values():
        for suffix in spec.sidecars:
            if file.name.endswith(suffix) and file.name[: -len(suffix)] + spec.suffix in names:
                return True
    return False
