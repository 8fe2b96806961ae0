"""``geo export``: layers and users' files to GIS formats; the format follows the output's suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo.cli.options import Crs, Encoding, Overwrite, Trusted, load_any, out, user_errors

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
    trusted: Trusted = False,
) -> None:
    """Export layers for GIS software, e.g. `geo export mineral_deposits regions -o build/out.gpkg`."""
    import geo
    from geo import registry
    from geo.exporter import check_target
    from geo.safety import check_source

    names = layers or list(registry.names())
    for n in names:  # a path that is no local file (URL, /vsi…, PG:…) is named as such, before anything else
        if n not in registry.names() and (Path(n).suffix or Path(n).exists()):
            check_source(n)
    frame_names = [Path(n).stem if Path(n).suffix else n for n in names]
    check_target(output, fmt=fmt, layers=frame_names, overwrite=overwrite)  # before any reading
    pairs = zip(frame_names, names, strict=True)
    frames = {key: load_any(n, crs=crs, encoding=encoding, trusted=trusted) for key, n in pairs}
    report = geo.export(frames, output, fmt=fmt, overwrite=overwrite)
    counts = ", ".join(f"{k} {v}" for k, v in report.features.items())
    out().print(f"Wrote {report.path} ({report.format}): {counts}", soft_wrap=True)
    for loss in report.losses:
        out().print(f"  note: {loss}", soft_wrap=True)
