"""``geo validate``: read a user's file as geo does and say what is wrong with it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from geo.cli.options import Crs, Decimal, Delimiter, Encoding, Trusted, out, user_errors

__all__ = ["validate"]


@user_errors
def validate(
    path: Annotated[Path, typer.Argument(help="A vector file, zipped Shapefile, KMZ, GeoParquet or CSV.")],
    crs: Crs = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    decimal: Decimal = None,
    id_column: Annotated[str | None, typer.Option("--id", help="Column whose values must be unique.")] = None,
    trusted: Trusted = False,
) -> None:
    """Read a file the way the toolkit does and report what is wrong with it, if anything."""
    import geo

    gdf = geo.read(
        path, crs=crs, encoding=encoding, delimiter=delimiter, decimal=decimal, id_column=id_column, trusted=trusted
    )
    kinds = gdf.geom_type.fillna("no location").value_counts()
    types = ", ".join(f"{k}: {v}" for k, v in kinds.items())
    out().print(
        f"OK {path}: {len(gdf)} feature{'' if len(gdf) == 1 else 's'} ({types}), CRS {gdf.crs.to_string()}",
        soft_wrap=True,
    )
