"""``geo show``: one layer (or a user's file) as a readable table."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from geo.cli.options import (
    Commodity,
    Crs,
    Decimal,
    Delimiter,
    Encoding,
    Limit,
    Trusted,
    Where,
    conditions,
    load_any,
    out,
    selected,
    user_errors,
)
from geo.errors import LayerSchemaError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["show"]

_SHOW_COLUMNS = ("id", "name", "country", "status", "checked", "confidence", "location_precision", "sources")


def _default_columns(gdf: gpd.GeoDataFrame) -> list[str]:
    """Return the columns a table shows unless told.

    The usual ones that hold a value (``Name`` as KML writes it counts as ``name``), padded with the file's
    other filled columns to six; an all-empty column is left out.
    """
    filled = [c for c in gdf.columns if c != gdf.geometry.name and gdf[c].notna().any()]
    by_lower = {str(c).lower(): c for c in filled}
    known = [by_lower[c] for c in _SHOW_COLUMNS if c in by_lower]
    return known if len(known) > 1 else [*known, *[c for c in filled if c not in known]][:6]


def _cell(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(str(v.get("publisher") or v.get("title") or v.get("name") or v.get("kind")) for v in value)
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


@user_errors
def show(
    layer: Annotated[str, typer.Argument(help="A layer name (see `geo layers`) or a file to read.")],
    limit: Limit = 50,
    columns: Annotated[str | None, typer.Option(help="Comma-separated columns to show.")] = None,
    crs: Crs = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    decimal: Decimal = None,
    trusted: Trusted = False,
    where: Where = None,
    commodity: Commodity = None,
) -> None:
    """Show a layer as a readable table (e.g. `geo show campuses`, `geo show mineral_deposits --commodity uranium`)."""
    whole = load_any(layer, crs=crs, encoding=encoding, delimiter=delimiter, decimal=decimal, trusted=trusted)
    gdf = selected({layer: whole}, where, commodity).get(layer, whole.iloc[:0])
    wanted = columns.split(",") if columns else _default_columns(gdf)
    if missing := [c for c in wanted if c not in gdf]:
        msg = f"{layer} has no column(s) {missing}; it has {list(gdf.columns)}."
        raise LayerSchemaError(msg)
    chosen = conditions(where, commodity)
    title = f"{layer}: {len(gdf)} of {len(whole)} features where {' and '.join(chosen)}" if chosen else None
    table = Table(title=title or f"{layer}: {len(gdf)} features", show_lines=False)
    for col in wanted:
        table.add_column(col, overflow="fold")
    for _, row in gdf.head(limit).iterrows():
        table.add_row(*(_cell(row[c]) for c in wanted))
    out().print(table)
    if len(gdf) > limit:
        out().print(f"… {len(gdf) - limit} more rows (use --limit).")
