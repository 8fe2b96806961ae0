"""The garden: hostile and broken inputs, generated small, each with the one outcome geo must give.

A :class:`Case` writes its file(s) into a folder of its own and says what every reader must do with
it: ``error`` (one line naming the file, row or field and the fix), ``repair`` (read, with a warning
saying what changed) or ``pass`` (read, no warning). Files that point elsewhere point at *canaries*
(files no case may open) and at a local *listener* (a socket no case may reach), so the tests can
prove that nothing else was read and no connection was made. ``tests/test_garden.py`` runs every
case through every public reader, writer and the map.
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from shapely.geometry import LineString, MultiPoint, Point, Polygon

import geo
from geo.formats import Format
from geo.safety import vector_drivers

ERROR, REPAIR, PASS = "error", "repair", "pass"


@dataclass(frozen=True)
class Env:
    """Where payloads point: canary files no case may read, and a local listener no case may reach."""

    root: Path
    canary_csv: Path
    canary_tif: Path
    url: str  # http://127.0.0.1:<port> of the listener


@dataclass(frozen=True)
class Case:
    """One input and the outcome every reader must give for it."""

    name: str
    build: Callable[[Path, Env], str]  # writes into a folder of its own; returns the path to give
    expect: str  # ERROR, REPAIR or PASS
    match: str = ""  # regex the error or warning must match (the file is always named too)
    error: type[Exception] = geo.InputFileError
    kind: str = "vector"  # or "raster"
    trusted: bool = False
    check: Callable[[gpd.GeoDataFrame], None] | None = None  # more to assert on what was read
    names_file: bool = True  # the message names the file (false for paths that are not files)
    tags: frozenset[str] = field(default_factory=frozenset)


# ---------------------------------------------------------------- builders


def _fc(features: list[dict[str, object]], **extra: object) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}, allow_nan=True)


def _feature(shape: dict[str, object] | None, **props: object) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": shape}


TASHKENT = {"type": "Point", "coordinates": [69.2797, 41.3111]}
ALMATY = {"type": "Point", "coordinates": [76.9286, 43.2567]}


def _write(text: str | bytes, name: str) -> Callable[[Path, Env], str]:
    def build(folder: Path, _env: Env) -> str:
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return str(path)

    return build


def _geojson(name: str, features: list[dict[str, object]], **extra: object) -> Callable[[Path, Env], str]:
    return _write(_fc(features, **extra), name)


def ogr_vrt(env: Env) -> str:
    """A GDAL vector VRT whose layer is the canary CSV."""
    return (
        '<OGRVRTDataSource><OGRVRTLayer name="canary">'
        f"<SrcDataSource>{env.canary_csv}</SrcDataSource><SrcLayer>canary</SrcLayer>"
        "<GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS>"
        '<GeometryField encoding="PointFromColumns" x="x" y="y"/></OGRVRTLayer></OGRVRTDataSource>'
    )


def _vrt_named(name: str) -> Callable[[Path, Env], str]:
    def build(folder: Path, env: Env) -> str:
        (folder / name).write_text(ogr_vrt(env))
        return str(folder / name)

    return build


def _vrt_curl(folder: Path, env: Env) -> str:
    path = folder / "remote.geojson"
    path.write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/vsicurl/{env.url}/data.csv'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    return str(path)


def _gdalg(folder: Path, env: Env) -> str:
    path = folder / "pipeline.geojson"
    command = f"gdal vector pipeline ! read {env.canary_csv} ! set-geom-type --geometry-type Point"
    path.write_text(json.dumps({"type": "gdal_streamed_alg", "command_line": command}))
    return str(path)


def _crs_link(folder: Path, env: Env) -> str:
    path = folder / "linked_crs.geojson"
    crs = {"type": "link", "properties": {"href": f"{env.url}/crs.wkt", "type": "ogcwkt"}}
    path.write_text(_fc([_feature(TASHKENT, id="a")], crs=crs))
    return str(path)


def _crs_name_url(folder: Path, env: Env) -> str:
    path = folder / "named_url_crs.geojson"
    path.write_text(_fc([_feature(TASHKENT, id="a")], crs={"type": "name", "properties": {"name": f"{env.url}/c"}}))
    return str(path)


def _kml_networklink(folder: Path, env: Env) -> str:
    path = folder / "linked.kml"
    path.write_text(
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<NetworkLink><Link><href>{env.url}/more.kml</href></Link></NetworkLink>"
        "<Placemark><name>Tashkent</name><Point><coordinates>69.2797,41.3111</coordinates></Point></Placemark>"
        "</Document></kml>"
    )
    return str(path)


def _kml_entity(folder: Path, env: Env) -> str:
    path = folder / "entity.kml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "{env.canary_csv}">]>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&x;</name>'
        "<Point><coordinates>69.2797,41.3111</coordinates></Point></Placemark></Document></kml>"
    )
    return str(path)


def _literal(text: str) -> Callable[[Path, Env], str]:
    return lambda _folder, env: text.replace("{url}", env.url)


def _points(**columns: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    xs = np.linspace(69.2, 76.9, n)
    return gpd.GeoDataFrame(columns, geometry=[Point(x, 41.3) for x in xs], crs="EPSG:4326")


def _shapefile(name: str, gdf: gpd.GeoDataFrame, *, encoding: str = "UTF-8", drop: tuple[str, ...] = ()):
    def build(folder: Path, _env: Env) -> str:
        path = folder / name
        gdf.to_file(path, driver="ESRI Shapefile", encoding=encoding)
        for suffix in drop:
            path.with_suffix(suffix).unlink()
        return str(path)

    return build


def _dbf_field_twice(folder: Path, env: Env) -> str:
    """A Shapefile whose .dbf names two fields 'name' (the second renamed in the file's bytes)."""
    path = _shapefile("twice.shp", _points(name=["Tashkent", "Almaty"], namx=["Ташкент", "Алматы"]))(folder, env)
    dbf = Path(path).with_suffix(".dbf")
    data = dbf.read_bytes()
    dbf.write_bytes(data.replace(b"namx", b"name", 1))
    return path


def _zipped(inner: Callable[[Path, Env], str], name: str) -> Callable[[Path, Env], str]:
    """Zip what `inner` writes (all files of the folder) and leave only the zip."""

    def build(folder: Path, env: Env) -> str:
        work = folder / "work"
        work.mkdir()
        inner(work, env)
        path = folder / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(work.iterdir()):
                zf.write(file, file.name)
                file.unlink()
        work.rmdir()
        return str(path)

    return build


def _zip_members(
    name: str, members: dict[str, Callable[[Env], bytes]], *, deflate: bool = False
) -> Callable[[Path, Env], str]:
    def build(folder: Path, env: Env) -> str:
        path = folder / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
            for member, data in members.items():
                zf.writestr(member, data(env))
        return str(path)

    return build


def _deflated(prefix: bytes, fill: bytes, count: int, suffix: bytes) -> tuple[bytes, int, int]:
    """A raw deflate stream of `prefix`, `count` copies of `fill` and `suffix`, built fast from one compressed copy.

    After a full flush deflate starts afresh, so every copy of `fill` compresses to the same bytes.
    Returns the stream, the CRC-32 and the size of what it expands to.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(fill) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(suffix) + comp.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(fill, crc)
    return head + block * count + tail, zlib.crc32(suffix, crc), len(prefix) + len(fill) * count + len(suffix)


def _zip_bomb(folder: Path, _env: Env) -> str:
    """A zip (about 1 MB) of one GeoJSON member that expands to 1 GiB of blanks: valid JSON, for GDAL to chew on."""
    data, crc, size = _deflated(b'{"type": "FeatureCollection", "features": [', b" " * (1 << 24), 64, b"]}")
    name = b"bomb.geojson"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0
    )
    offset = len(local) + len(name) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), offset, 0)
    path = folder / "bomb.zip"
    path.write_bytes(local + name + data + central + name + end)
    return str(path)


def _kml_doc(env: Env, *, link: bool = False, local: bool = False) -> bytes:
    target = env.canary_csv if local else f"{env.url}/more.kml"
    network = f"<NetworkLink><Link><href>{target}</href></Link></NetworkLink>" if link or local else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Folder><name>Города</name>'
        f"{network}<Placemark><name>Ташкент</name><Point><coordinates>69.2797,41.3111,0</coordinates></Point>"
        "</Placemark></Folder></Document></kml>"
    ).encode()


def _kmz_bomb(folder: Path, _env: Env) -> str:
    """A KMZ (about 1 MB) whose doc.kml expands to 1 GiB: a Placemark, then blanks."""
    data, crc, size = _deflated(
        b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
        b" " * (1 << 24),
        64,
        b"</Document></kml>",
    )
    name = b"doc.kml"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0)
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0
    )
    offset = len(local) + len(name) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), offset, 0)
    path = folder / "bomb.kmz"
    path.write_bytes(local + name + data + central + name + end)
    return str(path)


def _kmz_corrupt(folder: Path, env: Env) -> str:
    """A KMZ whose doc.kml's deflate stream is broken (a truncated download, a bad copy)."""
    path = Path(_zip_members("broken.kmz", {"doc.kml": lambda e: _kml_doc(e) * 20}, deflate=True)(folder, env))
    data = bytearray(path.read_bytes())
    start = data.find(b"doc.kml") + len(b"doc.kml") + 10
    data[start : start + 20] = b"\xff" * 20
    path.write_bytes(bytes(data))
    return str(path)


def _zip_version(folder: Path, env: Env) -> str:
    """A zip whose central directory says it needs a zip version no reader has (16.7)."""
    path = Path(_zipped(_shapefile("sites.shp", _points(id=["a", "b"])), "sites.zip")(folder, env))
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6 : at + 8] = struct.pack("<H", 167)
    path.write_bytes(bytes(data))
    return str(path)


def _gpx_schema(folder: Path, env: Env) -> str:
    """A GPX whose schemaLocation (as every GPX has one) points at the listener: nothing may fetch it."""
    path = folder / "track.gpx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="garden" '
        'xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 {env.url}/gpx.xsd">'
        '<wpt lat="41.3111" lon="69.2797"><name>Ташкент</name></wpt></gpx>'
    )
    return str(path)


def _parquet(name: str, gdf: gpd.GeoDataFrame) -> Callable[[Path, Env], str]:
    def build(folder: Path, _env: Env) -> str:
        gdf.to_parquet(folder / name)
        return str(folder / name)

    return build


def _vector(name: str, gdf: gpd.GeoDataFrame, driver: str) -> Callable[[Path, Env], str]:
    def build(folder: Path, _env: Env) -> str:
        gdf.to_file(folder / name, driver=driver)
        return str(folder / name)

    return build


def _folder(folder: Path, _env: Env) -> str:
    (folder / "sites.gdb").mkdir()
    return str(folder / "sites.gdb")


def _names(expected: list[str], column: str = "name") -> Callable[[gpd.GeoDataFrame], None]:
    def check(gdf: gpd.GeoDataFrame) -> None:
        assert gdf[column].tolist() == expected

    return check


def _columns(expected: list[str]) -> Callable[[gpd.GeoDataFrame], None]:
    def check(gdf: gpd.GeoDataFrame) -> None:
        assert [c for c in gdf.columns if c != "geometry"] == expected

    return check


def _has_z(gdf: gpd.GeoDataFrame) -> None:
    assert gdf.geometry.has_z.all()


def _polygon_closed(gdf: gpd.GeoDataFrame) -> None:
    assert gdf.geometry.iloc[0].geom_type == "Polygon"
    assert gdf.geometry.iloc[0].exterior.coords[0] == gdf.geometry.iloc[0].exterior.coords[-1]


# ---------------------------------------------------------------- rasters


def _tif(name: str, *, crs: str | None = "EPSG:4326", aux: bool = False) -> Callable[[Path, Env], str]:
    def build(folder: Path, env: Env) -> str:
        path = folder / name
        write_dem(path, crs=crs)
        if aux:  # GDAL's PAM would read this and take the CRS from it
            path.with_name(path.name + ".aux.xml").write_text(
                f"<PAMDataset><SRS>{env.canary_csv}</SRS><Metadata><MDI key='x'>y</MDI></Metadata></PAMDataset>"
            )
        return str(path)

    return build


def write_dem(path: Path, *, crs: str | None = "EPSG:4326") -> Path:
    """A small lon/lat elevation grid over Issyk-Kul (a smooth hill, metres)."""
    rows, cols = np.mgrid[0:40, 0:60]
    z = (1600 + 1500 * np.exp(-((rows - 20) ** 2 + (cols - 30) ** 2) / 300)).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": 60,
        "height": 40,
        "count": 1,
        "dtype": "float32",
        "transform": Affine(0.025, 0, 76.5, 0, -0.025, 42.8),
        "nodata": -9999,
    }
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z, 1)
    return path


def raster_vrt(source: str) -> str:
    """A GDAL raster VRT reading one band of `source` (laid out as :func:`write_dem`)."""
    return (
        '<VRTDataset rasterXSize="60" rasterYSize="40"><SRS>EPSG:4326</SRS>'
        "<GeoTransform>76.5, 0.025, 0, 42.8, 0, -0.025</GeoTransform>"
        '<VRTRasterBand dataType="Float32" band="1"><SimpleSource>'
        f'<SourceFilename relativeToVRT="0">{source}</SourceFilename><SourceBand>1</SourceBand>'
        "</SimpleSource></VRTRasterBand></VRTDataset>"
    )


def _raster_vrt_named(name: str, *, remote: bool = False) -> Callable[[Path, Env], str]:
    def build(folder: Path, env: Env) -> str:
        source = f"/vsicurl/{env.url}/dem.tif" if remote else str(env.canary_tif)
        (folder / name).write_text(raster_vrt(source))
        return str(folder / name)

    return build


def _trusted_vrt(folder: Path, _env: Env) -> str:
    dem = write_dem(folder / "mine.tif")
    (folder / "mine.vrt").write_text(raster_vrt(str(dem)))
    return str(folder / "mine.vrt")


# ---------------------------------------------------------------- the catalogue

_CP1251 = _points(name=["Ташкент", "Алматы", "Бишкек"])
_MIXED = gpd.GeoDataFrame(
    {"id": ["p", "mp"]}, geometry=[Point(69.28, 41.31), MultiPoint([(76.93, 43.26), (74.6, 42.87)])], crs=4326
)
_COLLECTION = gpd.GeoDataFrame(
    {"id": ["gc", "p"]},
    geometry=[shapely.GeometryCollection([Point(69.28, 41.31), LineString([(69, 41), (70, 42)])]), Point(76.9, 43.2)],
    crs=4326,
)
_MEASURED = gpd.GeoDataFrame(
    {"id": ["m", "zm"]},
    geometry=[shapely.from_wkt("POINT M (69.28 41.31 5)"), shapely.from_wkt("POINT ZM (76.93 43.26 800 7)")],
    crs=4326,
)
_BOWTIE = Polygon([(70, 40), (71, 41), (71, 40), (70, 41)])

CASES: list[Case] = [
    # --- open only what the name says
    Case("vrt_as_geojson", _vrt_named("sites.geojson"), ERROR, r"sites\.geojson: its name says GeoJSON, but it is a GDAL vector VRT"),
    Case("vrt_as_json", _vrt_named("sites.json"), ERROR, r"its name says GeoJSON or Esri JSON or TopoJSON, but it is a GDAL vector VRT"),
    Case("vrt_as_gpkg", _vrt_named("sites.gpkg"), ERROR, r"sites\.gpkg: its name says a GeoPackage, but it is a GDAL vector VRT"),
    Case("vrt_as_shp", _vrt_named("sites.shp"), ERROR, r"its name says a Shapefile, but it is a GDAL vector VRT"),
    Case("vrt_as_fgb", _vrt_named("sites.fgb"), ERROR, r"its name says FlatGeobuf, but it is a GDAL vector VRT"),
    Case("vrt_as_kml", _vrt_named("sites.kml"), ERROR, r"its name says KML, but it is a GDAL vector VRT"),
    Case("vrt_with_vsicurl_source", _vrt_curl, ERROR, r"remote\.geojson: its name says GeoJSON, but it is a GDAL vector VRT", tags=frozenset({"network"})),
    Case("gdal_streamed_algorithm", _gdalg, ERROR, r"pipeline\.geojson: .* a GDAL streamed algorithm"),
    Case("geojson_crs_link", _crs_link, ERROR, r"linked_crs\.geojson: its 'crs' member points at 'http://127\.0\.0\.1", tags=frozenset({"network"})),
    Case("geojson_crs_name_url", _crs_name_url, ERROR, r"named_url_crs\.geojson: its 'crs' member points at", tags=frozenset({"network"})),
    Case("kml_network_link", _kml_networklink, PASS, tags=frozenset({"network"})),
    Case("kml_external_entity", _kml_entity, ERROR, r"entity\.kml: its name says KML, but it is XML with a DOCTYPE"),
    Case("zip_holding_a_vrt", _zip_members("sites.zip", {"sites.vrt": lambda env: ogr_vrt(env).encode()}), ERROR, r"sites\.zip: the zip holds no Shapefile \(\.shp\); members: sites\.vrt"),
    Case("zip_vrt_named_shp", _zip_members("sites.zip", {"sites.shp": lambda env: ogr_vrt(env).encode(), "sites.shx": lambda _e: b"", "sites.dbf": lambda _e: b""}), ERROR, r"sites\.zip/sites\.shp: its name says a Shapefile, but it is a GDAL vector VRT"),
    Case("zip_bomb_1gib", _zip_bomb, ERROR, r"bomb\.zip: member 'bomb\.geojson' expands 1,0\d\d times .* zip bomb"),
    Case("zip_unsupported_version", _zip_version, ERROR, r"sites\.zip: not a readable zip archive \(zip file version 16\.7\)"),
    Case("kmz_doc_is_a_vrt", _zip_members("sites.kmz", {"doc.kml": lambda env: ogr_vrt(env).encode()}), ERROR, r"sites\.kmz/doc\.kml: its name says KML, but it is a GDAL vector VRT"),
    Case("kmz_bomb_1gib", _kmz_bomb, ERROR, r"bomb\.kmz: member 'doc\.kml' expands 1,0\d\d times .* zip bomb"),
    Case("kmz_dotdot_member", _zip_members("sites.kmz", {"doc.kml": _kml_doc, "../../evil.kml": _kml_doc}), ERROR, r"sites\.kmz: member '\.\./\.\./evil\.kml' points outside the archive"),
    Case("kmz_absolute_member", _zip_members("sites.kmz", {"/tmp/evil.kml": _kml_doc}), ERROR, r"sites\.kmz: member '/tmp/evil\.kml' points outside the archive"),
    Case("kmz_network_link", _zip_members("linked.kmz", {"doc.kml": lambda env: _kml_doc(env, link=True)}), PASS, check=_names(["Ташкент"], "Name"), tags=frozenset({"network"})),
    Case("kmz_network_link_to_a_local_file", _zip_members("local.kmz", {"doc.kml": lambda env: _kml_doc(env, local=True)}), PASS, check=_names(["Ташкент"], "Name")),
    Case("kmz_without_kml", _zip_members("empty.kmz", {"files/icon.png": lambda _e: b"\x89PNG"}), ERROR, r"empty\.kmz: the KMZ holds no KML at its root"),
    Case("kmz_corrupt_member", _kmz_corrupt, ERROR, r"broken\.kmz: its doc\.kml cannot be unpacked \(Error -3 while decompressing"),
    Case("kml_named_kmz", _write(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>', "plain.kmz"), ERROR, r"plain\.kmz: its name says KMZ \(a zip of doc\.kml\), but it is KML"),
    Case("gpx_schema_location", _gpx_schema, PASS, check=_names(["Ташкент"]), tags=frozenset({"network"})),
    Case("vsicurl_path", _literal("/vsicurl/{url}/sites.geojson"), ERROR, r"a GDAL virtual path \(/vsi…\); geo opens only local files", names_file=False, tags=frozenset({"network"})),
    Case("vsizip_path", _literal("/vsizip/sites.zip/sites.shp"), ERROR, r"a GDAL virtual path", names_file=False),
    Case("http_url", _literal("{url}/sites.geojson"), ERROR, r"a URL; geo never reads from the network", names_file=False, tags=frozenset({"network"})),
    Case("postgres_connection", _literal("PG:host=127.0.0.1 dbname=gis"), ERROR, r"a connection string \(PG:…\)", names_file=False),
    Case("unknown_suffix", _write("x,y\n1,2\n", "sites.xyz"), ERROR, r"sites\.xyz: geo does not open \.xyz files"),
    Case("garbage_geojson", _write(b"\x00\x01\x02binary", "sites.geojson"), ERROR, r"sites\.geojson: its name says GeoJSON, but it is not a format geo knows"),
    Case("empty_geojson", _write(b"", "empty.geojson"), ERROR, r"empty\.geojson: its name says GeoJSON, but it is an empty file"),
    Case("a_folder", _folder, ERROR, r"sites\.gdb: a folder, not a file"),
    Case("missing_file", _literal("/nonexistent/garden/sites.gpkg"), ERROR, r"sites\.gpkg: no such file"),
    # --- tracebacks before: now one line, or an announced repair
    Case("geojson_nan_coordinates", _geojson("nan.geojson", [_feature(TASHKENT, id="a"), _feature({"type": "Point", "coordinates": [float("nan"), 41.0]}, id="b")]), ERROR, r"nan\.geojson: 1 feature \(row 1\) has coordinates that are not numbers", geo.CRSError),
    Case("csv_infinite_coordinate", _write("id,lon,lat\na,69.28,41.31\nb,inf,41.3\n", "inf.csv"), ERROR, r"inf\.csv: 1 feature \(row 1\) has coordinates that are not numbers", geo.CRSError),
    Case("geojson_unclosed_ring", _geojson("unclosed.geojson", [_feature({"type": "Polygon", "coordinates": [[[69, 41], [70, 41], [70, 42], [69, 42]]]}, id="a")]), REPAIR, r"unclosed\.geojson: closed 1 polygon ring\(s\) that did not end where they began \(rows 0\)", check=_polygon_closed),
    Case("geojson_ring_of_three", _geojson("short.geojson", [_feature({"type": "Polygon", "coordinates": [[[69, 41], [70, 41], [69, 41]]]}, id="a")]), ERROR, r"short\.geojson: 1 geometry cannot be repaired without changing what it is \(row 0: Too few points", geo.LayerSchemaError),
    Case("geojson_ring_of_two", _geojson("two.geojson", [_feature({"type": "Polygon", "coordinates": [[[69, 41], [70, 41]]]}, id="a")]), ERROR, r"two\.geojson: 1 geometry cannot be read \(rows 0: Too few points"),
    Case("zip_without_shx", _zipped(_shapefile("sites.shp", _points(id=["a", "b"]), drop=(".shx",)), "sites.zip"), ERROR, r"sites\.zip: sites\.shp comes without sites\.shx, its index"),
    Case("zip_without_dbf", _zipped(_shapefile("sites.shp", _points(id=["a", "b"]), drop=(".dbf",)), "sites.zip"), ERROR, r"sites\.zip: sites\.shp comes without sites\.dbf, which holds its attributes"),
    Case("shp_without_dbf", _shapefile("sites.shp", _points(id=["a", "b"]), drop=(".dbf",)), ERROR, r"sites\.shp comes without sites\.dbf"),
    Case("shp_without_shx", _shapefile("sites.shp", _points(id=["a", "b"]), drop=(".shx",)), ERROR, r"sites\.shp comes without sites\.shx"),
    Case("shp_without_prj", _shapefile("sites.shp", _points(id=["a", "b"]), drop=(".prj",)), ERROR, r"'sites\.shp' has no CRS", geo.CRSError),
    # --- silent changes before: now announced, or refused
    Case("shp_cp1251_without_cpg", _shapefile("towns.shp", _CP1251, encoding="cp1251", drop=(".cpg",)), REPAIR, r"towns\.shp has no \.cpg file .* Cyrillic in cp1251 \(e\.g\. 'Ташкент'\)", check=_names(["Ташкент", "Алматы", "Бишкек"])),
    Case("zip_cp1251_without_cpg", _zipped(_shapefile("towns.shp", _CP1251, encoding="cp1251", drop=(".cpg",)), "towns.zip"), REPAIR, r"towns\.zip has no \.cpg file .* Cyrillic in cp1251", check=_names(["Ташкент", "Алматы", "Бишкек"])),
    Case("shp_cp866_without_cpg", _shapefile("towns.shp", _CP1251, encoding="cp866", drop=(".cpg",)), REPAIR, r"Cyrillic in cp866", check=_names(["Ташкент", "Алматы", "Бишкек"])),
    Case("shp_latin1_without_cpg", _shapefile("people.shp", _points(name=["Müller", "Ærøskøbing"]), encoding="latin1", drop=(".cpg",)), REPAIR, r"people\.shp has no \.cpg file .* read as ISO-8859-1 \(e\.g\. 'Müller'\)", check=_names(["Müller", "Ærøskøbing"])),
    Case("shp_with_cpg", _shapefile("towns.shp", _CP1251, encoding="cp1251"), PASS, check=_names(["Ташкент", "Алматы", "Бишкек"])),
    Case("csv_text_geometry_column", _write("id,geometry,lon,lat\na,point,69.28,41.31\n", "typed.csv"), REPAIR, r"typed\.csv: its field 'geometry' is data, not the shapes; it is read as 'geometry_1'", check=_columns(["id", "geometry_1"])),
    Case("geojson_geometry_property", _geojson("typed.geojson", [_feature(TASHKENT, id="a", geometry="a point")]), REPAIR, r"typed\.geojson: its field 'geometry' is data", check=_columns(["id", "geometry_1"])),
    Case("csv_duplicate_columns", _write("id,name,lon,lat,name\na,Tashkent,69.28,41.31,Ташкент\n", "dup.csv"), REPAIR, r"dup\.csv: 1 column name\(s\) repeat an earlier one; renamed column 5 'name' -> 'name_2'", check=_columns(["id", "name", "name_2"])),
    Case("shp_field_named_twice", _dbf_field_twice, REPAIR, r"twice\.shp: 1 column name\(s\) repeat an earlier one; renamed column 2 'name' -> 'name_2'", check=_columns(["name", "name_2"])),
    Case("csv_blank_coordinates", _write("id,lon,lat\na,69.28,41.31\nb,,\nc,76.93,43.26\n", "blank.csv"), REPAIR, r"blank\.csv: 1 row has blank coordinates \(line 3\)"),
    Case("csv_half_blank_coordinates", _write("id,lon,lat\na,69.28,41.31\nb,69.3,\n", "half.csv"), ERROR, r"half\.csv, line 3: lon='69\.3' but lat is blank .* Give both coordinates"),
    Case("csv_all_blank_coordinates", _write("id,lon,lat\na,,\nb,,\n", "nowhere.csv"), ERROR, r"nowhere\.csv: none of its 2 features has a geometry", geo.LayerSchemaError),
    Case("geojson_all_null_geometries", _geojson("nowhere.geojson", [_feature(None, id="a"), _feature(None, id="b")]), ERROR, r"nowhere\.geojson: none of its 2 features has a geometry", geo.LayerSchemaError),
    Case("geojson_legacy_crs_3857_in_degrees", _geojson("legacy.geojson", [_feature(TASHKENT, id="a")], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}), ERROR, r"legacy\.geojson: its obsolete 'crs' member says EPSG:3857 .* they look like degrees", geo.CRSError),
    Case("geojson_legacy_crs_3857_in_metres", _geojson("legacy.geojson", [_feature({"type": "Point", "coordinates": [7712000.0, 5059000.0]}, id="a")], crs={"type": "name", "properties": {"name": "EPSG:3857"}}), REPAIR, r"legacy\.geojson: read as EPSG:3857, as its obsolete 'crs' member"),
    Case("geojson_legacy_crs_crs84", _geojson("legacy.geojson", [_feature(TASHKENT, id="a")], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}), PASS),
    Case("geojson_bowtie", _geojson("bowtie.geojson", [_feature(shapely.geometry.mapping(_BOWTIE), id="b")]), REPAIR, r"bowtie\.geojson: repaired 1 invalid geometry with make_valid \(row 0; first problem: Self-intersection"),
    Case("csv_cp1251", _write("id,name,lon,lat\na,Алматы,76.9,43.2\n".encode("cp1251"), "cp1251.csv"), REPAIR, r"cp1251\.csv is not UTF-8 text; it reads as Cyrillic in cp1251 \(e\.g\. 'Алматы'\)", check=_names(["Алматы"])),
    Case("csv_not_utf8", _write("id,name,lon,lat\na,Müller,69.28,41.31\n".encode("latin-1"), "latin1.csv"), ERROR, r"latin1\.csv, line 2: not UTF-8 text \(byte 19: b'\\xfclle'\), nor does it read as Cyrillic .* pass its encoding, e\.g\. encoding='cp1252'"),
    Case("geojson_cp1251", _write(_fc([_feature(TASHKENT, id="a", name="Tashkent")]).replace('"Tashkent"', '"Ташкент"').encode("cp1251"), "cp1251.geojson"), REPAIR, r"cp1251\.geojson is not UTF-8 text; it reads as Cyrillic in cp1251 \(e\.g\. 'Ташкент'\)", check=_names(["Ташкент"])),
    Case("geojson_latin1", _write(_fc([_feature(TASHKENT, id="a", name="x")]).replace('"x"', '"Müller"').encode("latin-1"), "latin1.geojson"), ERROR, r"latin1\.geojson, line 1: not UTF-8 text .* encoding="),
    Case("csv_semicolon_decimal_comma", _write("id;name;lon;lat\r\na;Tashkent;69,2797;41,3111\r\n", "excel.csv"), REPAIR, r"excel\.csv: read as semicolon \(';'\)-separated", check=_names(["Tashkent"])),
    Case("csv_swapped", _write("id,lon,lat\na,41.31,69.28\nb,43.26,76.93\n", "swapped.csv"), ERROR, r"swapped\.csv.*look swapped", geo.CRSError),
    # --- good files pass, under the same safety options
    Case("good_geojson", _geojson("good.geojson", [_feature(TASHKENT, id="a", name="Tashkent"), _feature(ALMATY, id="b", name="Алматы")]), PASS),
    Case("good_geojson_z", _geojson("z.geojson", [_feature({"type": "Point", "coordinates": [69.28, 41.31, 455.0]}, id="a")]), PASS, check=_has_z),
    Case("good_gpkg", _vector("good.gpkg", _points(id=["a", "b"], name=["Tashkent", "Алматы"]), "GPKG"), PASS),
    Case("good_fgb", _vector("good.fgb", _points(id=["a", "b"]), "FlatGeobuf"), PASS),
    Case("good_kml", _vector("good.kml", _points(name=["a", "b"]), "KML"), PASS),
    Case("good_zip", _zipped(_shapefile("good.shp", _points(id=["a", "b"])), "good.zip"), PASS),
    Case("good_kmz", _zip_members("good.kmz", {"doc.kml": _kml_doc, "files/icon.png": lambda _e: b"\x89PNG"}), PASS, check=_names(["Ташкент"], "Name")),
    Case("good_csv", _write("id,name,lon,lat\na,Tashkent,69.28,41.31\n", "good.csv"), PASS),
    Case("good_parquet", _parquet("good.parquet", _points(id=["a", "b"])), PASS),
    Case("parquet_named_geojson", _parquet("sites.geojson", _points(id=["a"])), ERROR, r"its name says GeoJSON, but it is a Parquet file"),
    Case("csv_fid_column", _write("fid,name,lon,lat\nx1,Tashkent,69.28,41.31\nx1,Almaty,76.93,43.26\n", "fid.csv"), PASS),
    Case("parquet_measured", _parquet("measured.parquet", _MEASURED), PASS),
    Case("parquet_collection", _parquet("collection.parquet", _COLLECTION), PASS),
    Case("geojson_point_and_multipoint", _vector("mixed.geojson", _MIXED, "GeoJSON"), PASS),
    # --- opting in: a VRT you made yourself
    Case("trusted_vrt", _vrt_named("mine.vrt"), PASS, trusted=True),
    # --- rasters
    Case("good_tif", _tif("dem.tif"), PASS, kind="raster"),
    Case("tif_with_aux_xml", _tif("dem.tif", aux=True), PASS, kind="raster"),
    Case("tif_without_crs", _tif("nocrs.tif", crs=None), ERROR, r"nocrs\.tif has no CRS", geo.CRSError, kind="raster"),
    Case("raster_vrt_as_tif", _raster_vrt_named("dem.tif"), ERROR, r"dem\.tif: its name says a GeoTIFF, but it is a GDAL raster VRT", kind="raster"),
    Case("raster_vrt_vsicurl_as_tif", _raster_vrt_named("remote.tif", remote=True), ERROR, r"remote\.tif: its name says a GeoTIFF, but it is a GDAL raster VRT", kind="raster", tags=frozenset({"network"})),
    Case("raster_vrt_suffix", _raster_vrt_named("dem.vrt"), ERROR, r"dem\.vrt: geo opens rasters from others only as GeoTIFF", kind="raster"),
    Case("raster_garbage_tif", _write(b"not a tiff at all", "dem.tif"), ERROR, r"dem\.tif: its name says a GeoTIFF, but it is not a format geo knows", kind="raster"),
    Case("raster_vsicurl_path", _literal("/vsicurl/{url}/dem.tif"), ERROR, r"a GDAL virtual path", kind="raster", names_file=False, tags=frozenset({"network"})),
    Case("raster_trusted_vrt", _trusted_vrt, PASS, kind="raster", trusted=True),
]  # fmt: skip

#: A VRT under every suffix geo reads vector files by, from the format registry (and the read-only
#: formats of geo.safety): a format added later gets its case without an edit here.
CASES += [
    Case(f"vrt_named_{suffix[1:]}", _vrt_named(f"sites{suffix}"), ERROR, rf"sites\{suffix}\b")
    for suffix in vector_drivers()
]
BY_NAME = {c.name: c for c in CASES}
if len(BY_NAME) != len(CASES):
    _msg = "garden case names must be unique"
    raise RuntimeError(_msg)


def build(case: Case, env: Env) -> str:
    """Write `case` into its own folder under ``env.root``; return the path to give the readers."""
    folder = env.root / case.name
    folder.mkdir(parents=True, exist_ok=True)
    return case.build(folder, env)


def make_env(root: Path, url: str) -> Env:
    """Create the canaries under `root` (outside every case folder)."""
    root.mkdir(parents=True, exist_ok=True)
    canary_csv = root / "canary.csv"
    canary_csv.write_text("secret,x,y\nCANARY-SECRET,69.28,41.31\n")
    canary_tif = write_dem(root / "canary.tif")
    return Env(root=root, canary_csv=canary_csv, canary_tif=canary_tif, url=url)


# ---------------------------------------------------------------- writer edge cases


#: What a format must do with a writer case: the regex of its error or of a loss the report lists (None: neither).
Expect = Callable[[Format], str | None]


def _never(_spec: Format) -> None:
    return None


@dataclass(frozen=True)
class WriterCase:
    """A layer that some formats cannot hold as it is, and what each format must do with it.

    What a format must do is read from its registry entry (its capability fields), so a format added to
    the registry is tested here without another edit.
    """

    name: str
    gdf: gpd.GeoDataFrame
    error: Expect = _never  # format -> regex of the error
    note: Expect = _never  # format -> regex of a loss the report must list


def _refuses_mixed_dimensions(ids: str) -> Expect:
    def expect(spec: Format) -> str | None:
        if spec.mixed_dimensions != "refused":
            return None
        return rf"mixes 3D features \({ids}\) with 2D ones .*, which {spec.driver} cannot hold"

    return expect


def _m_dropped(spec: Format) -> str | None:
    return None if spec.m else r"M \(measure\) values dropped: the \w+ export keeps x, y and z only"


def _collection_refused(spec: Format) -> str | None:
    if spec.geometry_types is None or "GeometryCollection" in spec.geometry_types:
        return None
    return (
        r"Layer 'geometry_collection': 1 feature\(s\) \(ids 'gc'\) are GeometryCollection, "
        rf"which a {spec.key} export cannot hold"
    )


WRITER_CASES = [
    WriterCase("geometry_collection", _COLLECTION, error=_collection_refused),
    WriterCase(
        "point_and_multipoint",
        _MIXED,
        note=lambda f: None if f.mixed_geometries else r"points written as one-part MultiPoints, .*\(point_and_multipoint\)",
    ),
    WriterCase("m_coordinates", _MEASURED, error=_refuses_mixed_dimensions("ids 'zm'"), note=_m_dropped),
    WriterCase(
        "mixed_2d_3d",
        gpd.GeoDataFrame({"id": ["flat", "high"]}, geometry=[Point(69.28, 41.31), shapely.from_wkt("POINT Z (76.93 43.26 800)")], crs=4326),
        error=_refuses_mixed_dimensions("ids 'high'"),
        note=lambda f: r"2D features written with z = 0: a \w+ layer is all 2D or all 3D \(mixed_2d_3d \[ids 'flat'\]\)" if f.mixed_dimensions == "zero_z" else None,
    ),
    WriterCase("z_coordinates", gpd.GeoDataFrame({"id": ["z"]}, geometry=[shapely.from_wkt("POINT Z (69.28 41.31 455)")], crs=4326)),
    WriterCase(
        "text_fid_column",
        gpd.GeoDataFrame({"id": ["a", "b"], "fid": ["x1", "x1"]}, geometry=[Point(69.28, 41.31), Point(76.93, 43.26)], crs=4326),
    ),
]  # fmt: skip
#: Every format written to a path, from the format registry (PostGIS: tests/test_postgis.py).
FORMATS = tuple(k for k, f in geo.FORMATS.items() if not f.url)
