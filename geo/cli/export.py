"""``geo export``: layers and users' files to GIS formats, a QGIS project or PostGIS.

The format follows the output's suffix (``.qgz`` is a QGIS project) or ``-f``; a ``postgresql://`` URL,
given with ``-o`` or as the last argument, is PostGIS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo.cli.options import (
    Commodity,
    Crs,
    Decimal,
    Delimiter,
    Encoding,
    Overwrite,
    Trusted,
    Where,
    conditions,
    load_any,
    out,
    selected,
    user_errors,
)
from geo.formats import format_help

__all__ = ["export"]

_DEFAULT_OUTPUT = "build/atlas.gpkg"


def _split_target(layers: list[str], output: str | None) -> tuple[list[str], str]:
    """Take a ``postgresql://`` URL out of the layer arguments, where ``geo export -f postgis URL`` puts it."""
    urls = [a for a in layers if a.strip().lower().startswith(("postgresql://", "postgres://"))]
    if len(urls) > 1 or (urls and output is not None):
        msg = "Give one output: a database URL or -o, not both."
        raise typer.BadParameter(msg)
    if urls:
        return [a for a in layers if a not in urls], urls[0]
    return layers, output or _DEFAULT_OUTPUT


@user_errors
def export(
    layers: Annotated[
        list[str] | None,
        typer.Argument(help="Layer names or files (all layers if omitted); a postgresql:// URL is the output."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"{format_help()}; or a GDAL driver name [default: from the output]",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file, folder (several layers in a one-layer format) or postgresql:// URL "
            f"[default: {_DEFAULT_OUTPUT}].",
            show_default=False,
        ),
    ] = None,
    overwrite: Overwrite = False,
    crs: Crs = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    decimal: Decimal = None,
    trusted: Trusted = False,
    partition_rows: Annotated[
        int | None,
        typer.Option(
            "--partition-rows",
            min=1,
            help="Write one layer as a partitioned GeoParquet folder (-o FOLDER) of files of this many rows.",
        ),
    ] = None,
    where: Where = None,
    commodity: Commodity = None,
) -> None:
    """Export layers for GIS software (area-only features beside a layer's points: `<name>_areas`), and the agreements.

    e.g. `geo export mineral_deposits regions -o build/out.gpkg`, `geo export -f qgz -o build/atlas.qgz`,
    `geo export -f postgis "postgresql://user@host/db"`.
    """
    import geo
    from geo import registry
    from geo.exporter import check_target
    from geo.safety import check_source

    if partition_rows is not None:
        folder = Path(output or _DEFAULT_OUTPUT).expanduser()
        csv = (delimiter, decimal)
        _partitioned(layers or [], folder, partition_rows, overwrite=overwrite, crs=crs, encoding=encoding, csv=csv)
        return
    args, target = _split_target(list(layers or []), output)
    names = args or list(registry.names())
    for n in names:  # a path that is no local file (URL, /vsi…, PG:…) is named as such, before anything else
        if n not in registry.names() and (Path(n).suffix or Path(n).exists()):
            check_source(n)
    frame_names = [Path(n).stem if Path(n).suffix else n for n in names]
    selecting = bool(conditions(where, commodity))
    if not selecting:  # a selection may leave layers out: then the target is checked once it is known
        check_target(target, fmt=fmt, layers=frame_names, overwrite=overwrite)  # before any reading
    pairs = zip(frame_names, names, strict=True)
    frames = {
        key: load_any(n, crs=crs, encoding=encoding, delimiter=delimiter, decimal=decimal, trusted=trusted)
        for key, n in pairs
    }
    if selecting:
        frames = selected(frames, where, commodity)
        check_target(target, fmt=fmt, layers=list(frames), overwrite=overwrite)
    tables = {} if args else {"agreements": geo.agreements()}  # every layer: the agreements table goes along
    report = geo.export(frames, target, fmt=fmt, overwrite=overwrite, tables=tables)
    counts = ", ".join(f"{k} {v}" for k, v in report.features.items())
    out().print(f"Wrote {report.path} ({report.format}): {counts}", soft_wrap=True, markup=False)
    for loss in report.losses:
        out().print(f"  note: {loss}", soft_wrap=True, markup=False)


def _partitioned(
    layers: list[str],
    output: Path,
    rows: int,
    *,
    overwrite: bool,
    crs: str | None,
    encoding: str | None,
    csv: tuple[str | None, str | None] = (None, None),
) -> None:
    """``--partition-rows``: one layer to a partitioned GeoParquet folder."""
    from geo.errors import ExportError
    from geo.exporter.partitioned import write_partitioned

    if len(layers) != 1:
        msg = "--partition-rows writes one layer: name exactly one layer or file."
        raise ExportError(msg)
    if output.suffix and output.suffix.lower() not in (".parquet", ".geoparquet"):
        msg = f"{output}: a partitioned GeoParquet dataset is a folder (e.g. build/points.parquet or build/points)."
        raise ExportError(msg)
    if output.exists() and not overwrite:
        msg = f"{output} already exists; pass --overwrite to replace it."
        raise ExportError(msg)
    frame = load_any(layers[0], crs=crs, encoding=encoding, delimiter=csv[0], decimal=csv[1])
    done = write_partitioned(frame, output, rows_per_file=rows, overwrite=overwrite, name=layers[0])
    out().print(
        f"Wrote {output} (partitioned GeoParquet): {done['rows']} rows in {done['files']} files", soft_wrap=True
    )
