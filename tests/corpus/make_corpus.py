"""Write the corpus of real-world files in this folder, as the tools people use write them.

Run from the repository root: ``python tests/corpus/make_corpus.py`` (needs Debian's ``ogr2ogr``,
package gdal-bin). The files are committed; this script says how each was made, byte for byte.
See ``tests/corpus/README.md`` for which application and option gives which bytes.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (name, lon, lat): town-level or site points from /work/shared/reference/coordinates.md (cited there).
PLACES = [
    ("Вестминстерский университет в Ташкенте", 69.283333, 41.306944),  # WIUT, en wiki
    ("Нарын", 76.000000, 41.433333),  # UCA Naryn campus town, de wiki "Naryn"
    ("Хорог", 71.555833, 37.491667),  # noqa: RUF001 (Cyrillic) UCA Khorog campus town, en wiki "Khorugh"
    ("Текели", 78.823889, 44.830000),  # UCA Tekeli campus town, sco wiki "Tekeli"
]
KINDS = ["университет", "кампус", "кампус", "кампус"]


def source_geojson() -> Path:
    """The small GeoJSON (UTF-8) the Shapefiles are made from."""
    features = [
        {
            "type": "Feature",
            "properties": {"id": i + 1, "name": name, "kind": kind},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for i, ((name, lon, lat), kind) in enumerate(zip(PLACES, KINDS, strict=True))
    ]
    path = HERE / "towns_source.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1))
    return path


def shapefiles(source: Path) -> None:
    """ogr2ogr: cp1251 with a .cpg; UTF-8 bytes without one (ENCODING=""); cp1251 whose .cpg was lost."""
    ogr2ogr = shutil.which("ogr2ogr") or "/usr/bin/ogr2ogr"
    runs = {
        "shp_cp1251_cpg": ["-lco", "ENCODING=CP1251"],
        "shp_utf8_empty_cpg": ["-lco", "ENCODING="],
        "shp_cp1251_no_cpg": ["-lco", "ENCODING=CP1251"],
    }
    for folder, options in runs.items():
        out = HERE / folder
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        subprocess.run([ogr2ogr, "-f", "ESRI Shapefile", *options, str(out / "towns.shp"), str(source)], check=True)
    (HERE / "shp_cp1251_no_cpg" / "towns.cpg").unlink()  # as when only .shp/.shx/.dbf/.prj are passed on


def _general(value: float) -> str:
    """A number as Excel's General format writes it: no trailing zeros (76, 41.433333)."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _rows(decimal: str) -> list[list[str]]:
    rows = [["id", "name", "lon", "lat"]]
    for i, (name, lon, lat) in enumerate(PLACES, start=1):
        rows.append([str(i), name, _general(lon).replace(".", decimal), _general(lat).replace(".", decimal)])
    return rows


def excel_csvs() -> None:
    """The bytes Excel writes for 'Save as' CSV (Windows, Excel 365); see README.md."""
    # 'CSV UTF-8 (Comma delimited) (*.csv)', en-US locale: BOM, ',', '.', CRLF after every row.
    text = "".join(",".join(r) + "\r\n" for r in _rows("."))
    (HERE / "excel_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    # 'CSV (Comma delimited) (*.csv)', ru-RU locale: the ANSI code page (cp1251), the list separator ';',
    # decimal comma, CRLF.
    text = "".join(";".join(r) + "\r\n" for r in _rows(","))
    (HERE / "excel_ru_cp1251.csv").write_bytes(text.encode("cp1251"))
    # 'CSV UTF-8 (Comma delimited) (*.csv)', ru-RU locale: BOM, ';', decimal comma, CRLF.
    (HERE / "excel_ru_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    # 'Unicode Text (*.txt)': UTF-16 little-endian with its BOM, tab-separated, CRLF.
    text = "".join("\t".join(r) + "\r\n" for r in _rows("."))
    (HERE / "excel_unicode_text.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def _png() -> bytes:
    """A 1x1 yellow PNG, standing in for the pushpin icon Google Earth copies into files/."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _placemark(name: str, lon: float, lat: float) -> str:
    return f"""\t\t<Placemark>
\t\t\t<name>{name}</name>
\t\t\t<LookAt>
\t\t\t\t<longitude>{lon}</longitude>
\t\t\t\t<latitude>{lat}</latitude>
\t\t\t\t<altitude>0</altitude>
\t\t\t\t<heading>0</heading>
\t\t\t\t<tilt>0</tilt>
\t\t\t\t<range>5000</range>
\t\t\t\t<gx:altitudeMode>relativeToSeaFloor</gx:altitudeMode>
\t\t\t</LookAt>
\t\t\t<styleUrl>#m_ylw-pushpin</styleUrl>
\t\t\t<Point>
\t\t\t\t<gx:drawOrder>1</gx:drawOrder>
\t\t\t\t<coordinates>{lon},{lat},0</coordinates>
\t\t\t</Point>
\t\t</Placemark>
"""


def google_earth_kmz() -> None:
    """A KMZ as Google Earth Pro 7.3 saves a folder ('Save Place As…' > .kmz): doc.kml first, then files/."""
    universities = "".join(_placemark(n, lon, lat) for n, lon, lat in PLACES[:1])
    campuses = "".join(_placemark(n, lon, lat) for n, lon, lat in PLACES[1:])
    kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2" \
xmlns:kml="http://www.opengis.net/kml/2.2" xmlns:atom="http://www.w3.org/2005/Atom">
<Document>
\t<name>Кампусы.kmz</name>
\t<Style id="s_ylw-pushpin_hl">
\t\t<IconStyle>
\t\t\t<scale>1.3</scale>
\t\t\t<Icon>
\t\t\t\t<href>files/icon.png</href>
\t\t\t</Icon>
\t\t\t<hotSpot x="20" y="2" xunits="pixels" yunits="pixels"/>
\t\t</IconStyle>
\t</Style>
\t<StyleMap id="m_ylw-pushpin">
\t\t<Pair>
\t\t\t<key>normal</key>
\t\t\t<styleUrl>#s_ylw-pushpin</styleUrl>
\t\t</Pair>
\t\t<Pair>
\t\t\t<key>highlight</key>
\t\t\t<styleUrl>#s_ylw-pushpin_hl</styleUrl>
\t\t</Pair>
\t</StyleMap>
\t<Style id="s_ylw-pushpin">
\t\t<IconStyle>
\t\t\t<scale>1.1</scale>
\t\t\t<Icon>
\t\t\t\t<href>files/icon.png</href>
\t\t\t</Icon>
\t\t\t<hotSpot x="20" y="2" xunits="pixels" yunits="pixels"/>
\t\t</IconStyle>
\t</Style>
\t<Folder>
\t\t<name>Университеты</name>
\t\t<open>1</open>
{universities}\t</Folder>
\t<Folder>
\t\t<name>Кампусы UCA</name>
\t\t<open>1</open>
{campuses}\t</Folder>
</Document>
</kml>
"""
    with zipfile.ZipFile(HERE / "google_earth.kmz", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("doc.kml", kml.encode("utf-8")), ("files/icon.png", _png())):
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def osmand_gpx() -> None:
    """A GPX 1.1 as OsmAnd 4.x exports 'My places' > tracks: favourites as wpt, a recorded trk, extensions."""
    wpts = "".join(
        f"""  <wpt lat="{lat}" lon="{lon}">
    <time>2026-12-01T0{i}:00:00Z</time>
    <name>{name}</name>
    <type>Кампусы</type>
    <extensions>
      <osmand:icon>special_star</osmand:icon>
      <osmand:background>circle</osmand:background>
      <osmand:color>#eecc22</osmand:color>
    </extensions>
  </wpt>
"""
        for i, (name, lon, lat) in enumerate(PLACES[1:3], start=1)
    )
    track = [(76.0, 41.433333, 2030.0), (76.0105, 41.4301, 2041.5), (76.0211, 41.4277, 2055.0)]  # a walk in Naryn
    trkpts = "".join(
        f"""      <trkpt lat="{lat}" lon="{lon}">
        <ele>{ele}</ele>
        <time>2026-12-01T10:{i:02d}:00Z</time>
        <hdop>4.2</hdop>
        <extensions>
          <osmand:speed>1.3</osmand:speed>
        </extensions>
      </trkpt>
"""
        for i, (lon, lat, ele) in enumerate(track)
    )
    gpx = f"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<gpx version="1.1" creator="OsmAnd~ 4.6.10" xmlns="http://www.topografix.com/GPX/1/1" \
xmlns:osmand="https://osmand.net" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">
  <metadata>
    <name>Нарын 2026-12-01</name>
    <time>2026-12-01T10:00:00Z</time>
  </metadata>
{wpts}  <trk>
    <name>Прогулка по Нарыну</name>
    <trkseg>
{trkpts}    </trkseg>
  </trk>
  <extensions>
    <osmand:points_groups>
      <group name="Кампусы" color="#eecc22" icon="special_star" background="circle" />
    </osmand:points_groups>
  </extensions>
</gpx>
"""
    (HERE / "osmand.gpx").write_text(gpx, encoding="utf-8")


def geojson_io() -> None:
    """A geojson.io export ('Save' > GeoJSON): simplestyle properties, "id" numbers, no crs, two-space indent."""
    features: list[dict[str, object]] = [
        {
            "type": "Feature",
            "properties": {"marker-color": "#7e7e7e", "marker-size": "medium", "marker-symbol": "", "name": name},
            "geometry": {"coordinates": [lon, lat], "type": "Point"},
            "id": i,
        }
        for i, (name, lon, lat) in enumerate(PLACES[:2])
    ]
    ring = [[75.99, 41.42], [76.01, 41.42], [76.01, 41.44], [75.99, 41.44], [75.99, 41.42]]
    features.append(
        {
            "type": "Feature",
            "properties": {
                "stroke": "#555555",
                "stroke-width": 2,
                "stroke-opacity": 1,
                "fill": "#555555",
                "fill-opacity": 0.5,
                "name": "Нарын: район кампуса",
            },
            "geometry": {"coordinates": [ring], "type": "Polygon"},
            "id": 2,
        }
    )
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=2)
    (HERE / "geojson_io.geojson").write_text(text, encoding="utf-8")


def cp1251_geojson() -> None:
    """A GeoJSON saved in Windows-1251 (as a Russian-locale Notepad 'ANSI' save gives; RFC 8259 wants UTF-8)."""
    text = (HERE / "towns_source.geojson").read_text(encoding="utf-8")
    (HERE / "cp1251.geojson").write_bytes(text.encode("cp1251"))


if __name__ == "__main__":
    src = source_geojson()
    shapefiles(src)
    excel_csvs()
    google_earth_kmz()
    osmand_gpx()
    geojson_io()
    cp1251_geojson()
