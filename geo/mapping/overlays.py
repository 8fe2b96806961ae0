"""Map overlays computed from data: an elevation image from the GEBCO grid, and supply choropleths."""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.features import geometry_mask
from rasterio.warp import Resampling, calculate_default_transform, reproject

from geo import symbology
from geo.analysis.supply import production
from geo.catalog import default
from geo.crs import reproject as reproject_to
from geo.errors import RecipeError
from geo.mapping.payload import MapLayer

__all__ = ["choropleth_layer", "elevation_image", "relief_image"]

_WEB_MERCATOR = "EPSG:3857"
_SHARE_BINS = (
    (50, "#08306b", "50% or more"),
    (20, "#2171b5", "20-50%"),
    (5, "#6baed6", "5-20%"),
    (0, "#c6dbef", "under 5%"),
)


def _warped(dem: str | Path, width: int, *, within: gpd.GeoDataFrame | None = None) -> tuple[np.ndarray, Any, Any]:
    """Return the grid warped to Web Mercator at `width` pixels (exact placement under Leaflet).

    Also its bounds, and which pixels lie outside `within` (if given).
    """
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
        outside = None
        if within is not None:
            shapes = reproject_to(within, _WEB_MERCATOR, name="relief mask").geometry
            outside = geometry_mask(shapes, out_shape=z.shape, transform=dst_transform)
        return z, src.bounds, outside


def _data_uri(image: np.ndarray, *, fmt: str = "png", quality: int = 80) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(
        buffer, format=fmt.upper(), optimize=True, **({"quality": quality} if fmt == "jpeg" else {})
    )
    return f"data:image/{fmt};base64," + base64.b64encode(buffer.getvalue()).decode()


#: The elevation tint, low to high (metres, colour): land colours without green, so green forest markers
#: stand out, and snow white with a grey edge in the legend.
_TINT = ((0, "#f3eddc"), (1000, "#dccba1"), (2500, "#b8996b"), (4000, "#8f8a84"), (6000, "#ffffff"))


def elevation_image(dem: str | Path, *, width: int = 900, opacity: float = 0.6) -> dict[str, object]:
    """Return a shaded-relief image of the elevation grid, tinted by height and warped to Web Mercator.

    Returns ``{"title", "url" (a PNG data URI), "bounds" [[south, west], [north, east]], "opacity", "legend"}``.
    """
    from matplotlib.colors import LightSource, LinearSegmentedColormap

    z, bounds, _ = _warped(dem, width)
    valid = np.isfinite(z)
    top = _TINT[-1][0]
    tint = LinearSegmentedColormap.from_list("atlas-elevation", [(m / top, c) for m, c in _TINT])
    shade = LightSource(azdeg=315, altdeg=45).shade(
        np.nan_to_num(z, nan=0.0), cmap=tint, vert_exag=0.02, blend_mode="soft", vmin=0, vmax=top
    )
    shade[..., 3] = np.where(valid, 1.0, 0.0)
    return {
        "title": "Elevation (GEBCO 2023, 15″)",
        "url": _data_uri((shade * 255).round().astype("uint8")),
        "opacity": opacity,
        "bounds": [[bounds.bottom, bounds.left], [bounds.top, bounds.right]],
        "legend": [{"label": f"{m:,} m" + ("+" if m == top else ""), "color": c, "shape": "square"} for m, c in _TINT],
    }


_EXAGGERATION = 2.0  # relief at 1 km pixels looks flat without it


def relief_image(dem: str | Path, *, width: int = 1600, within: gpd.GeoDataFrame | None = None) -> dict[str, object]:
    """Return a grey hillshade of the elevation grid for the basemap: flat ground white, slopes darker.

    The page multiplies it onto the layers below (white changes nothing), so it adds relief where the grid
    covers and nothing elsewhere; a JPEG keeps it light. It is cut to `within` (default: the five
    countries), so the clipped neighbours stay plain.
    """
    if within is None:
        countries = default(None, "countries")
        within = countries[countries["central_asia"].astype(bool)]
    z, bounds, outside = _warped(dem, width, within=within)
    # ground metres per pixel of the warped grid (Web Mercator metres shrink by cos(latitude))
    lat = np.radians((bounds.top + bounds.bottom) / 2)
    cell = np.radians(bounds.right - bounds.left) * 6_378_137 / width * np.cos(lat)
    rows, cols = np.gradient(np.nan_to_num(z, nan=0.0) * _EXAGGERATION, cell)
    azimuth, altitude = np.radians(315), np.radians(45)  # light from the north-west, as cartographers draw it
    light = np.array([np.cos(altitude) * np.sin(azimuth), np.cos(altitude) * np.cos(azimuth), np.sin(altitude)])
    # the surface normal (-dz/dx, -dz/dy, 1) with y to the north (rows run south)
    lit = (-cols * light[0] + rows * light[1] + light[2]) / np.sqrt(cols**2 + rows**2 + 1)
    grey = np.clip(lit / light[2], 0, 1) * 0.55 + 0.45  # flat ground white; never darker than 45%
    grey[~np.isfinite(z) | outside] = 1.0
    return {
        "title": "Relief (GEBCO 2023 hillshade)",
        "url": _data_uri((grey * 255).round().astype("uint8"), fmt="jpeg", quality=70),
        "opacity": 1.0,
        "blend": "multiply",
        "bounds": [[bounds.bottom, bounds.left], [bounds.top, bounds.right]],
        "legend": [],
        "group": "reference",
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
    # only the countries the map draws whole: the neighbours are clipped to the map's window, and a clipped
    # Russia or China shaded by its world share would be a rectangle, not a country
    drawn = countries[countries["central_asia"].astype(bool)] if "central_asia" in countries else countries
    gdf = drawn.merge(share.rename("share_pct"), left_on="id", right_index=True, how="left")
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=countries.crs)
    unit = rows["unit"].iloc[0]
    known = gdf["share_pct"].notna()
    gdf = gdf.assign(
        mineral=mineral,
        year=year,
        unit=unit,
        value=shares["value"].reindex(gdf["id"]).to_numpy(),
        source=np.where(known, rows["source"].iloc[0], "no figure in the production table"),
        confidence=np.where(known, rows["confidence"].iloc[0], None),
    )
    fills = [
        symbology.NO_DATA if pd.isna(s) else next(c for lo, c, _ in _SHARE_BINS if s >= lo) for s in gdf["share_pct"]
    ]
    legend = [
        {"label": f"{label} of world {mineral}", "color": colour, "shape": "square"} for _, colour, label in _SHARE_BINS
    ]
    legend.append({"label": "no figure in the production table", "color": symbology.NO_DATA, "shape": "square"})
    others = share.drop(index=list(drawn["id"]), errors="ignore").sort_values(ascending=False)
    names = dict(zip(countries["id"], countries["name"], strict=True))
    note = "Not shaded (clipped by the map or beyond it): " + ", ".join(
        f"{names.get(c, c)} {v:.1f}%" for c, v in others.head(6).items()
    )
    keep = ["name", "share_pct", "value", "unit", "year", "mineral", "source", "confidence", "geometry"]
    return MapLayer(
        name=f"share-{mineral.replace(' ', '-')}",
        title=f"Share of world {mineral} production ({year})",
        gdf=gdf[keep].round({"share_pct": 1}),
        extra={"fills": fills, "legend": legend, "note": note if len(others) else None},
    )
