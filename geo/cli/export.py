"""``geo export``: layers and users' files to GIS formats; the format follows the output's suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo.cli.options import Crs, Encoding, Overwrite, load_any, out, user_errors

__all__ = ["export"]


@user_errors
def export(
    layers: Annotated[list[str] | None, typer.Argument(help="Layer names or files; all layers if omitted.")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="gpkg, geojson, fgb, shp, parquet, kml, csv, or a GDAL driver name [default: from -o]",
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output file, or folder for several layers in a one-layer format.")
    ] = Path("build/atlas.gpkg"),
    overwrite: Overwrite = False,
    crs: Crs = None,
    encoding: Encoding = None,
    partition_rows: Annotated[
        int | None,
        typer.Option(
            "--partition-rows",
            min=1,
            help="Write one layer as a partitioned GeoParquet folder (-o FOLDER) of files of this many rows.",
        ),
    ] = None,
) -> None:
    """Export layers for GIS software, e.g. `geo export mineral_deposits regions -o build/out.gpkg`."""
    import geo
    from geo import registry
    from geo.exporter import check_target

    if partition_rows is not None:
        _partitioned(layers or [], output, partition_rows, overwrite=overwrite, crs=crs, encoding=encoding)
        return
    names = layers or list(registry.names())
    frame_names = [Path(n).stem if Path(n).suffix else n for n in names]
    check_target(output, fmt=fmt, layers=frame_names, overwrite=overwrite)  # before any reading
    frames = {key: load_any(n, crs=crs, encoding=encoding) for key, n in zip(frame_names, names, strict=True)}
    report = geo.export(frames, output, fmt=fmt, overwrite=overwrite)
    counts = ", ".join(f"{k} {v}" for k, v in report.features.items())
    out().print(f"Wrote {report.path} ({report.format}): {counts}", soft_wrap=True)
    for loss in report.losses:
        out().print(f"  note: {loss}", soft_wrap=True)


def _partitioned(
    layers: list[str], output: Path, rows: int, *, overwrite: bool, crs: str | None, encoding: str | None
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
    frame = load_any(layers[0], crs=crs, encoding=encoding)
    done = write_partitioned(frame, output, rows_per_file=rows, overwrite=overwrite, name=layers[0])
    out().print(
        f"Wrote {output} (partitioned GeoParquet): {done['rows']} rows in {done['files']} files", soft_wrap=True
    )
