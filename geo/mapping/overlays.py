"""Map overlays computed from data: an elevation image from the GEBCO grid, and supply choropleths."""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.warp import Resampling, calculate_default_transform, reproject

from geo.analysis.supply import production
from geo.catalog import default
from geo.errors import RecipeError
from geo.mapping.payload import MapLayer

__all__ = ["choropleth_layer", "elevation_image"]

_WEB_MERCATOR = "EPSG:3857"
_SHARE_BINS = (
    (50, "#08306b", "50% or more"),
    (20, "#2171b5", "20-50%"),
    (5, "#6baed6", "5-20%"),
    (0, "#c6dbef", "under 5%"),
)


def elevation_image(dem: str | Path, *, width: int = 900, opacity: float = 0.55) -> dict[str, object]:
    """Return a shaded-relief image of the elevation grid, warped to Web Mercator for exact placement.

    Returns ``{"title", "url" (a PNG data URI), "bounds" [[south, west], [north, east]], "opacity", "legend"}``.
    """
    import matplotlib as mpl

    mpl.use("Agg")
    from matplotlib import colormaps
    from matplotlib import image as mpl_image
    from matplotlib.colors import LightSource, ListedColormap

    with rasterio.open(dem) as src, warnings.catch_warnings():
        # rasterio 1.4 multiplies Affines with `*` internally, which affine 3 marks as pending deprecation
        warnings.filterwarnings("ignore", message="Use `@` matmul", category=PendingDeprecationWarning)
        transform, w, h = calculate_default_transform(src.crs, _WEB_MERCATOR, src.width, src.height, *src.bounds)
        scale = width / w
        out_w, out_h = width, max(int(h * scale), 1)
        dst_transform = transform @ transform.scale(w / out_w, h / out_h)
        z = np.full((out_h, out_w), np.nan, dtype="float32")
        reproject(
            rasterio.band(src, 1),
            z,
            dst_transform=dst_transform,
            dst_crs=_WEB_MERCATOR,
            dst_nodata=np.nan,
            resampling=Resampling.average,
        )
        bounds = src.bounds
    valid = np.isfinite(z)
    land = ListedColormap(colormaps["terrain"](np.linspace(0.25, 1.0, 256)))  # skip the blues: no water here
    shade = LightSource(azdeg=315, altdeg=45).shade(
        np.nan_to_num(z, nan=0.0), cmap=land, vert_exag=0.02, blend_mode="soft", vmin=0, vmax=6000
    )
    shade[..., 3] = np.where(valid, 1.0, 0.0)
    buffer = io.BytesIO()
    mpl_image.imsave(buffer, shade, format="png")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return {
        "title": "Elevation (GEBCO 2023, 15″)",
        "url": url,
        "opacity": opacity,
        "bounds": [[bounds.bottom, bounds.left], [bounds.top, bounds.right]],
        "legend": [
            {"label": "low (0 m)", "color": "#00cc66"},
            {"label": "2,000 m", "color": "#c8b47a"},
            {"label": "high (6,000 m+)", "color": "#ffffff"},
        ],
    }


def choropleth_layer(
    mineral: str,
    *,
    year: int | None = None,
    table: pd.DataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> MapLayer:
    """Countries shaded by their share of world production of `mineral` (a proxy for the 60% question).

    Parameters
    ----------
    mineral
        A mineral of the production table.
    year
        The year (default: the latest with figures).
    table
        A production table shaped like :func:`geo.analysis.production` (default: the shipped one).
    countries
        The country polygons (default: the shipped ``countries`` layer).

    Raises
    ------
    RecipeError
        If the table has no figures for `mineral`; the message lists the minerals it has.
    """
    table = production() if table is None else table
    rows = table[(table["mineral"] == mineral) & table["country"].notna()]
    if rows.empty:
        msg = (
            f"No production figures for {mineral!r}; minerals with figures: {', '.join(sorted(set(table['mineral'])))}."
        )
        raise RecipeError(msg)
    year = year or int(rows["year"].max())
    rows = rows[rows["year"] == year]
    world = rows.loc[rows["country"] == "World", "value"]
    shares = rows[rows["country"] != "World"].set_index("country")
    if len(world):
        share = 100 * shares["value"] / float(world.iloc[0])
    else:
        share = shares["share_pct"]
    countries = default(countries, "countries")
    gdf = countries.merge(share.rename("share_pct"), left_on="id", right_index=True, how="inner")
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=countries.crs)
    unit = rows["unit"].iloc[0]
    values = shares["value"].reindex(gdf["id"]).to_numpy()
    gdf = gdf.assign(
        mineral=mineral,
        year=year,
        unit=unit,
        value=values,
        source=rows["source"].iloc[0],
        confidence=rows["confidence"].iloc[0],
    )
    fills = [next(c for lo, c, _ in _SHARE_BINS if s >= lo) for s in gdf["share_pct"].fillna(0)]
    legend = [{"label": f"{label} of world {mineral} ({year})", "color": colour} for _, colour, label in _SHARE_BINS]
    keep = ["name", "share_pct", "value", "unit", "year", "mineral", "source", "confidence", "geometry"]
    return MapLayer(
        name=f"share-{mineral.replace(' ', '-')}",
        title=f"Share of world {mineral} production ({year})",
        gdf=gdf[keep].round({"share_pct": 1}),
        extra={"fills": fills, "legend": legend},
    )
