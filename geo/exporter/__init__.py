"""Export layers to the formats GIS software reads, and read exports back.

Every export is written to a temporary file (or folder) beside the target and renamed into place only
when it is complete and has been read back with the right feature counts; it never overwrites without
``overwrite=True``, and reports once per kind what the format could not keep. The formats themselves
live in the format registry, :mod:`geo.exporter.formats`.

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
import pyogrio.errors

from geo.crs import require_crs
from geo.errors import ExportError, InputFileError
from geo.exporter.formats import FORMATS, Format, resolve
from geo.exporter.losses import Losses
from geo.exporter.preflight import prepare
from geo.paths import TMP_MARK, check_writable, write_error, write_lock
from geo.safety import VECTOR_DRIVERS, check_source, check_vector, check_zip, vector_env

#: pyogrio's errors for data GDAL cannot write; a last resort, after the checks of `prepare`.
_GDAL_WRITE_ERRORS = (
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.DataSourceError,
)

__all__ = ["FORMATS", "ExportReport", "Format", "check_target", "export", "read_exported"]

logger = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


@dataclass
class ExportReport:
    """What an export wrote, and what the format could not keep."""

    path: Path
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


def check_target(
    path: str | Path, *, fmt: str | None = None, layers: int | Sequence[str] = 1, overwrite: bool = False
) -> tuple[Path, Format, bool]:
    """Check an export's target before any work: its format, suffix and whether it may be written.

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
    path = Path(path).expanduser()
    spec = resolve(fmt, path)
    names = list(layers) if not isinstance(layers, int) else []
    n_layers = layers if isinstance(layers, int) else len(names)
    _check_layer_names(names)
    as_folder = n_layers > 1 and not spec.multi_layer
    if not as_folder and path.suffix.lower() not in spec.suffixes:
        msg = f"{path.name}: a {spec.key} export needs the suffix {spec.suffix!r} (e.g. {path.stem}{spec.suffix})."
        raise ExportError(msg)
    if as_folder and path.suffix:
        msg = f"{path.name}: {n_layers} layers in {spec.key} go to a folder, one file per layer; name a folder."
        raise ExportError(msg)
    check_writable(path)
    taken = [p for p in (path, *(path.with_suffix(s) for s in spec.sidecars if not as_folder)) if p.exists()]
    if taken and not overwrite:
        msg = f"{taken[0]} already exists; pass overwrite=True (CLI: --overwrite) to replace it."
        raise ExportError(msg)
    return path, spec, as_folder


def _write_and_count(
    frames: Mapping[str, gpd.GeoDataFrame], out: Path, spec: Format, *, as_folder: bool, losses: Losses
) -> dict[str, int]:
    """Write `frames` to `out` and return the feature count of each layer as read back from it."""
    if as_folder:
        out.mkdir()
        counts = {}
        for layer_name, gdf in frames.items():
            file = out / f"{layer_name}{spec.suffix}"
            spec.writer({layer_name: gdf}, file, losses)
            counts[layer_name] = sum(len(g) for g in spec.reader(file).values())
        return counts
    spec.writer(frames, out, losses)
    back = spec.reader(out)
    if spec.multi_layer:
        return {n: len(back[n]) for n in frames if n in back}
    return {next(iter(frames)): sum(len(g) for g in back.values())}


def _write_in_place(
    frames: Mapping[str, gpd.GeoDataFrame], target: Path, spec: Format, *, as_folder: bool, losses: Losses
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
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        if not as_folder:
            for suffix in spec.sidecars:
                out.with_suffix(suffix).replace(target.with_suffix(suffix))
        out.replace(target)
    except OSError as err:
        if isinstance(err, ExportError):
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
) -> ExportReport:
    """Export one or more layers.

    Parameters
    ----------
    layers
        Layer names from the catalogue, a mapping of names to GeoDataFrames, or one GeoDataFrame.
    path
        The output, written where it is named. For several layers in a single-layer format (GeoJSON,
        FlatGeobuf, GeoParquet, KML, CSV) it is a folder with one file per layer; GeoPackage and the
        Shapefile zip hold all.
    fmt
        A format key (``gpkg``, ``geojson``, ...) or GDAL driver name; by default the suffix of `path` decides.
    overwrite
        Replace `path` if it exists (it is only replaced once the new output is complete).
    name
        The layer name when `layers` is a single GeoDataFrame.

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
    target, spec, as_folder = check_target(path, fmt=fmt, layers=list(frames), overwrite=overwrite)
    for layer_name, gdf in frames.items():
        require_crs(gdf, name=layer_name)
    losses = Losses()
    frames = prepare(frames, spec, losses)
    with write_lock(target):  # a concurrent export to `target` fails; temporaries of a killed one are removed
        if not overwrite:  # it may have been written since check_target looked
            check_target(target, fmt=spec.key, layers=list(frames), overwrite=False)
        counts = _write_in_place(frames, target, spec, as_folder=as_folder, losses=losses)
    report = ExportReport(target, spec.key, counts, losses.lines())
    for loss in report.losses:
        logger.warning("%s: %s", target.name, loss)
    logger.info("%s", report)
    return report


def read_exported(path: str | Path, *, fmt: str | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read an export back: ``{layer name: GeoDataFrame}`` with list fields decoded and names restored.

    Shapefile zips are read through their ``fields.csv`` (original names) and ``long_values.csv``
    (untruncated text); JSON-text fields in GeoPackage, FlatGeobuf, KML and CSV are parsed. The file
    is opened as :func:`geo.read` opens one (only the format its suffix names, zip limits, no network).

    Raises
    ------
    InputFileError
        Not a local file, not the format its suffix names, over the zip limits, or not an export.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        out: dict[str, gpd.GeoDataFrame] = {}
        sidecars = {s for f in FORMATS.values() for s in f.sidecars}
        for file in sorted(path.iterdir()):
            if file.suffix not in sidecars:
                out |= read_exported(file, fmt=fmt)
        return out
    path = check_source(path)
    spec = resolve(fmt, path)
    if path.suffix.lower() == ".zip":
        check_zip(path)
    elif path.suffix.lower() in VECTOR_DRIVERS:
        check_vector(path)
    try:
        with vector_env():
            return spec.reader(path)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, *_GDAL_WRITE_ERRORS) as err:
        if isinstance(err, InputFileError):
            raise
        said = " ".join(str(err).split())[:200]
        msg = f"{path}: not a {spec.key} export geo can read back ({type(err).__name__}: {said}). Use geo.read instead."
        raise InputFileError(msg) from None
