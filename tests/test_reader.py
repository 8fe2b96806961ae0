"""geo.read on good and bad user input: every mistake gets a clear error naming the file, row or field."""

import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon

import geo


def test_reads_csv_with_lon_lat_as_wgs84(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("id,name,lon,lat\na,Алматы,76.9,43.25\nb,Tashkent,69.28,41.31\n", encoding="utf-8")
    gdf = geo.read(path)
    assert gdf.crs.to_epsg() == 4326
    assert gdf["name"].tolist() == ["Алматы", "Tashkent"]
    assert gdf.geometry.iloc[0].equals(Point(76.9, 43.25))


def test_reads_csv_with_wkt_and_explicit_crs(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text('id,wkt\nz,"POLYGON ((0 0, 1000 0, 1000 1000, 0 0))"\n')
    with pytest.raises(geo.CRSError, match=r"no CRS\. Pass crs="):
        geo.read(path)
    gdf = geo.read(path, crs="EPSG:32642")
    assert gdf.crs.to_epsg() == 32642
    assert gdf.geometry.iloc[0].area == 500_000


def test_reads_a_zipped_shapefile(tmp_path, sites):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    sites[["id", "name", "geometry"]].to_file(shp_dir / "sites.shp")
    archive = tmp_path / "sites.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in shp_dir.iterdir():
            zf.write(file, file.name)
    gdf = geo.read(archive)
    assert gdf["name"].tolist() == sites["name"].tolist()


def test_missing_file(tmp_path):
    with pytest.raises(geo.InputFileError, match="no such file"):
        geo.read(tmp_path / "nope.gpkg")


def test_unknown_format(tmp_path):
    path = tmp_path / "data.xyz"
    path.write_bytes(b"\x00\x01 not geodata")
    with pytest.raises(geo.InputFileError, match=r"geo does not open \.xyz files.*trusted=True"):
        geo.read(path)


def test_shapefile_without_crs_needs_one(tmp_path, sites):
    sites[["id", "geometry"]].to_file(tmp_path / "s.shp")
    (tmp_path / "s.prj").unlink()
    with pytest.raises(geo.CRSError, match="has no CRS"):
        geo.read(tmp_path / "s.shp")
    assert geo.read(tmp_path / "s.shp", crs="EPSG:4326").crs.to_epsg() == 4326


def test_declared_crs_is_not_relabelled(tmp_path, sites):
    sites[["id", "geometry"]].to_file(tmp_path / "s.gpkg")
    with pytest.raises(geo.CRSError, match="does not relabel"):
        geo.read(tmp_path / "s.gpkg", crs="EPSG:3857")


def test_out_of_range_latitude_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,lon,lat\na,76.9,43.2\nb,76.9,143.2\n")
    with pytest.raises(geo.CRSError, match=r"rows 1\)"):
        geo.read(path)


def test_swapped_latitude_longitude(tmp_path):
    path = tmp_path / "swapped.csv"
    path.write_text("id,lon,lat\na,43.25,76.9\nb,41.31,69.28\n")
    with pytest.raises(geo.CRSError, match="look swapped"):
        geo.read(path)


def test_non_numeric_coordinate_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,lon,lat\na,76.9,43.2\nb,76,9,43.2\n")
    with pytest.raises(geo.InputFileError, match="line 3"):
        geo.read(path)


def test_empty_layer(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("id,lon,lat\n")
    with pytest.raises(geo.LayerSchemaError, match="has no features"):
        geo.read(path)


def test_invalid_polygon_is_repaired_with_a_warning_naming_it(tmp_path):
    bowtie = Polygon([(70, 40), (71, 41), (71, 40), (70, 41)])
    gpd.GeoDataFrame({"id": ["ok", "bowtie"]}, geometry=[Point(70, 40).buffer(0.1), bowtie], crs=4326).to_file(
        tmp_path / "z.gpkg"
    )
    with pytest.warns(geo.GeoToolkitWarning, match=r"repaired 1 invalid geometry .*id 'bowtie'"):
        gdf = geo.read(tmp_path / "z.gpkg", id_column="id")
    assert gdf.geometry.is_valid.all()
    assert len(gdf) == 2


def test_non_utf8_text_says_which_encoding_to_pass(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("id,name,lon,lat\na,Müller,76.9,43.2\n".encode("cp1252"))
    with pytest.raises(geo.InputFileError, match=r"cp1252\.csv, line 2: not UTF-8 text .*encoding='cp1252'"):
        geo.read(path)
    assert geo.read(path, encoding="cp1252")["name"].tolist() == ["Müller"]


def test_cyrillic_csv_is_recognised_with_a_warning_or_read_as_told(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes("id,name,lon,lat\na,Алматы,76.9,43.2\n".encode("cp1251"))
    with pytest.warns(geo.GeoToolkitWarning, match=r"cp1251\.csv is not UTF-8 text; it reads as Cyrillic in cp1251"):
        assert geo.read(path)["name"].tolist() == ["Алматы"]
    assert geo.read(path, encoding="cp1251")["name"].tolist() == ["Алматы"]


def test_a_pipe_separated_csv_and_its_quoted_delimiter(tmp_path):
    path = tmp_path / "pipes.csv"
    path.write_text('id|name|lon|lat\na|"Almaty| KZ"|76.9|43.2\nb|Tashkent|69.28|41.31\n')
    with pytest.warns(geo.GeoToolkitWarning, match=r"pipes\.csv: read as pipe \('\|'\)-separated values"):
        gdf = geo.read(path)
    assert gdf["name"].tolist() == ["Almaty| KZ", "Tashkent"]
    path.write_text("id;name;lon;lat\na;Almaty; KZ;76.9;43.2\n")
    with pytest.raises(
        geo.InputFileError,
        match=r"line 2: more values than the header has columns \(4\)\. A value "
        r"that holds the delimiter, a semicolon \(';'\), must be in double quotes",
    ):
        geo.read(path, delimiter=";")


def test_a_comma_csv_with_semicolons_in_its_text_stays_comma_separated(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("id,note,lon,lat\na,copper; gold,76.9,43.2\nb,x;y;z,69.28,41.31\n")
    gdf = geo.read(path)  # no warning: pytest turns one into an error
    assert gdf["note"].tolist() == ["copper; gold", "x;y;z"]


def test_decimal_commas_in_quoted_comma_csv(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('id,lon,lat\na,"76,9","43,2"\n')
    with pytest.warns(geo.GeoToolkitWarning, match=r"columns lon, lat have decimal commas"):
        gdf = geo.read(path)
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == (76.9, 43.2)


def test_bad_delimiter_or_decimal_fails_before_the_file_is_opened():
    with pytest.raises(geo.InputFileError, match=r"Unknown CSV delimiter 'ab'"):
        geo.read("/nonexistent.csv", delimiter="ab")
    with pytest.raises(geo.InputFileError, match=r"Unknown decimal separator ';'"):
        geo.read("/nonexistent.csv", decimal=";")


def test_a_kml_with_two_folders_reads_both(tmp_path):
    path = tmp_path / "two.kml"
    placemark = "<Placemark><name>{}</name><Point><coordinates>{},41.3</coordinates></Point></Placemark>"
    path.write_text(
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<Folder><name>A</name>{placemark.format('a', 69.2)}</Folder>"
        f"<Folder><name>B</name>{placemark.format('b', 70.1)}{placemark.format('c', 71.0)}</Folder>"
        "</Document></kml>"
    )
    gdf = geo.read(path)
    assert gdf["layer"].tolist() == ["A", "B", "B"]
    assert geo.read(path, layer="B")["Name"].tolist() == ["b", "c"]


def test_duplicate_ids(tmp_path):
    path = tmp_path / "dups.csv"
    path.write_text("id,lon,lat\na,76.9,43.2\na,69.2,41.3\n")
    with pytest.raises(geo.LayerSchemaError, match=r"duplicate 'id' values \['a'\]"):
        geo.read(path, id_column="id")


def test_missing_required_fields(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,lon,lat\na,76.9,43.2\n")
    with pytest.raises(geo.LayerSchemaError, match=r"lacks required field\(s\) \['name'\]"):
        geo.read(path, required=["name"])


def test_csv_without_geometry_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,place\na,Almaty\n")
    with pytest.raises(geo.InputFileError, match="no geometry columns"):
        geo.read(path)


def test_a_geopackage_with_several_layers_needs_a_layer_name(tmp_path, sites):
    geo.export({"a": sites, "b": sites}, tmp_path / "two.gpkg")
    with pytest.raises(geo.InputFileError, match="holds 2 layers: a, b"):
        geo.read(tmp_path / "two.gpkg")
    assert len(geo.read(tmp_path / "two.gpkg", layer="b")) == 3
    geo.export(sites, tmp_path / "one.gpkg", name="sites")  # one layer plus QGIS styles: no question
    assert len(geo.read(tmp_path / "one.gpkg")) == 3


def test_geojson_written_by_gdal_is_read_in_one_pass(tmp_path, sites):
    """A 'geometry' member that is an object or null is the shape; only data under that key costs a second pass."""
    from geo.read_checks import geojson_geometry_property

    sites[["id", "geometry"]].to_file(tmp_path / "s.geojson", driver="GeoJSON")  # GDAL writes '"geometry": { '
    assert not geojson_geometry_property(tmp_path / "s.geojson")
    (tmp_path / "t.geojson").write_text('{"type":"Feature","properties":{"geometry":"a point"},"geometry":null}')
    assert geojson_geometry_property(tmp_path / "t.geojson")


def test_a_gpx_with_only_a_track_reads_the_track(tmp_path):
    path = tmp_path / "walk.gpx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        '<trk><name>walk</name><trkseg><trkpt lat="41.43" lon="76.0"/><trkpt lat="41.44" lon="76.01"/></trkseg></trk>'
        "</gpx>"
    )
    gdf = geo.read(path)
    assert gdf["name"].tolist() == ["walk"]
    assert gdf.geom_type.tolist() == ["MultiLineString"]


def test_an_encoding_given_for_a_utf8_file_is_used_with_a_warning(tmp_path):
    path = tmp_path / "utf8.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Нарын"}, '
        '"geometry": {"type": "Point", "coordinates": [76.0, 41.43]}}]}',
        encoding="utf-8",
    )
    with pytest.warns(geo.GeoToolkitWarning, match=r"utf8\.geojson is UTF-8 text, but was read as cp1251, as told"):
        assert geo.read(path, encoding="cp1251")["name"].tolist() == ["Нарын".encode().decode("cp1251")]
    assert geo.read(path, encoding="utf-8")["name"].tolist() == ["Нарын"]  # no warning
    ascii_csv = tmp_path / "ascii.csv"
    ascii_csv.write_text("id,lon,lat\na,76.0,41.43\n")
    assert len(geo.read(ascii_csv, encoding="cp1251")) == 1  # reads the same in any encoding: no warning
