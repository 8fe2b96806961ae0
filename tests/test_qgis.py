"""The QGIS project: written without QGIS, opened and rendered by real QGIS 3.22 (headless), checked by pixel."""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from PIL import Image

import geo
from geo import precision, registry, symbology
from geo.crs import EQUAL_AREA, WGS84
from geo.exporter.qgis import HALO
from geo.exporter.qgz import CRS_NAMES, EXTENT_LONLAT, HALO_TITLE, read_project
from geo.exporter.split import PART_ATTR, split_by_precision
from tests.conftest import ROOT
from tests.qgis_tools import run_qgis

WHITE = (255, 255, 255)


@pytest.fixture(scope="module")
def atlas(tmp_path_factory, dem) -> Path:
    """build/atlas.qgz as `make map` writes it: the Makefile's own command, run in a fresh folder (DEM fetched)."""
    line = next(x for x in (ROOT / "Makefile").read_text().splitlines() if "--format qgz" in x)
    args = shlex.split(line.strip().replace("$(BIN)/", ""))
    geo_cli = Path(sys.executable).with_name("geo")
    work = tmp_path_factory.mktemp("make-map")
    subprocess.run([str(geo_cli), *args[1:]], cwd=work, check=True, capture_output=True, text=True, timeout=600)
    return work / "build" / "atlas.qgz"


def test_qgis_names_the_project_crs_and_each_layers(tmp_path):
    """QGIS showed the project's CRS as 'unknown': its spatialrefsys now carries a name, in the WKT too."""
    geo.export(["campuses"], tmp_path / "c.qgz")
    result = run_qgis({"project": str(tmp_path / "c.qgz")}, tmp_path)
    assert result["crs_valid"]
    assert result["crs_name"] == "Central Asia Albers Equal Area (geo.crs.EQUAL_AREA)"
    assert "+proj=aea" in result["crs"]
    assert {layer["crs_name"] for layer in result["layers"]} == {"WGS 84"}


def _halves() -> dict[str, dict[str, object]]:
    out = {}
    for name in registry.curated():
        out |= split_by_precision(geo.load(name), name)
    return out


def _expected_order() -> list[tuple[str, str]]:
    """(group, table) top first, told from the registry: points above areas, then the basemap top down."""
    halves = {n: g for n, g in _halves().items() if len(g)}
    areas = _area_parts()
    curated = [("curated", n) for n in registry.curated() if n in halves and n not in areas]
    curated += [
        ("curated", n) for n in registry.curated() if n in halves and n not in areas and "uncertainty_m" in halves[n]
    ]  # halos
    curated += [("curated", n) for n in halves if n in areas]  # area layers below the points
    specs = [registry.get(n) for n in registry.reference()]
    in_basemap = sorted((s for s in specs if s.basemap is not None), key=lambda s: -s.basemap)
    outside = [s for s in specs if s.basemap is None]
    reference = [s.name for s in in_basemap[:-1]] + [s.name for s in outside] + [in_basemap[-1].name]
    elevation = [("elevation", "hillshade"), ("elevation", "tint")]
    return curated + elevation + [("reference", n) for n in reference]


@pytest.mark.slow
def test_the_project_is_written_without_qgis_with_relative_paths(atlas):
    folder = atlas.parent
    assert {p.name for p in folder.iterdir()} >= {"atlas.qgz", "atlas.qgis.gpkg", "atlas.elevation.tif"}
    with zipfile.ZipFile(atlas) as zf:
        (member,) = zf.namelist()
        root = ElementTree.fromstring(zf.read(member))
    assert member == "atlas.qgs"
    assert root.find("properties/Paths/Absolute").text == "false"
    sources = [e.text for e in root.iter("datasource")]
    assert sources, "no layers"
    assert all(s.startswith("./atlas.qgis.gpkg|layername=") or s == "./atlas.elevation.tif" for s in sources)
    assert all(not Path(s.split("|")[0]).is_absolute() for s in sources)
    proj4 = root.find("projectCrs/spatialrefsys/proj4").text
    assert pyproj.CRS.from_user_input(proj4).equals(pyproj.CRS.from_user_input(EQUAL_AREA))
    # the default view holds all of Central Asia
    view = root.find("ProjectViewSettings/DefaultViewExtent")
    box = shapely.box(*(float(view.get(k)) for k in ("xmin", "ymin", "xmax", "ymax")))
    to_map = pyproj.Transformer.from_crs(WGS84, EQUAL_AREA, always_xy=True)
    corners = [to_map.transform(x, y) for x in EXTENT_LONLAT[::2] for y in EXTENT_LONLAT[1::2]]
    assert all(box.buffer(1).contains(shapely.Point(c)) for c in corners)


@pytest.mark.slow
def test_layers_sit_in_groups_in_the_documented_order(atlas):
    layers = read_project(atlas)
    tables = [
        (g, s.split("layername=", 1)[1] if "layername=" in s else t.rsplit(": ", 1)[-1])
        for g, s, t in zip(layers["group"], layers["source"], layers["title"], strict=True)
    ]
    assert tables == _expected_order()
    assert list(dict.fromkeys(layers["group"])) == ["curated", "elevation", "reference"]
    hidden = set(layers.loc[~layers["visible"], "source"].str.split("layername=").str[1])
    assert hidden == {
        n for n in registry.reference() if not (registry.get(n).basemap is not None and registry.get(n).visible)
    }


@pytest.mark.slow
def test_the_geopackage_beside_holds_every_half_with_its_style(atlas):
    gpkg = atlas.with_suffix(".qgis.gpkg")
    back = geo.read_exported(gpkg)
    for name, half in _halves().items():
        assert len(back[name]) == len(half), name
    with sqlite3.connect(gpkg) as con:
        styled = {r[0] for r in con.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
    con.close()
    assert styled == set(back)


@pytest.fixture(scope="module")
def deposits_in_kazakhstan():
    points = split_by_precision(geo.load("mineral_deposits"), "mineral_deposits")["mineral_deposits"]
    points = points[points.geometry.notna() & (points["country"] == "KAZ")]
    assert len(points) >= 3, "the test needs deposits in Kazakhstan"
    return points


@pytest.fixture(scope="module")
def carbon_points():
    points = split_by_precision(geo.load("carbon_sites"), "carbon_sites")["carbon_sites"]
    return points[points.geometry.notna() & (points["uncertainty_m"] > 0)]


def _area_parts() -> dict[str, gpd.GeoDataFrame]:
    """The area layers of the curated layers (``x_areas``, or ``x`` itself when every feature is an area)."""
    return {n: g for n, g in _halves().items() if g.attrs[PART_ATTR].role == "areas"}


def _only(level: str) -> dict[str, str]:
    return dict.fromkeys(_area_parts(), f"\"location_precision\" = '{level}'")


@pytest.fixture(scope="module")
def rendered(atlas, deposits_in_kazakhstan, carbon_points, tmp_path_factory):
    """One headless QGIS session: the layer panel, and four renders at the project's default view."""
    out = tmp_path_factory.mktemp("qgis")
    points = [[p.x, p.y] for p in deposits_in_kazakhstan.geometry] + [[p.x, p.y] for p in carbon_points.geometry]
    renders = {
        "all": None,
        "countries": _only("country"),
        "regions": _only("region"),
        "carbon": {"carbon_sites": "TRUE"},
    }
    request = {
        "project": str(atlas),
        "width": 1600,
        "height": 1100,
        "points": points,
        "renders": [{"out": str(out / f"{k}.png"), **({"layers": v} if v else {})} for k, v in renders.items()],
    }
    result = run_qgis(request, out)
    result["images"] = {k: np.asarray(Image.open(out / f"{k}.png").convert("RGB")).astype(int) for k in renders}
    result["png"] = out / "all.png"
    return result


@pytest.mark.slow
def test_qgis_opens_every_layer_valid_in_its_group_and_order(rendered, atlas):
    layers = rendered["layers"]
    assert rendered["crs_valid"]
    assert rendered["crs_name"] == CRS_NAMES[EQUAL_AREA]  # a name, not "unknown"
    assert all(layer["crs_name"] not in ("", "unknown") for layer in layers), [layer["crs_name"] for layer in layers]
    assert all(layer["valid"] for layer in layers), [layer["title"] for layer in layers if not layer["valid"]]
    written = read_project(atlas)
    assert [layer["id"] for layer in layers] == list(written["id"])
    assert [layer["group"] for layer in layers] == list(written["group"])
    assert [layer["checked"] for layer in layers] == list(written["visible"])
    halves = _halves()
    for layer in layers:
        table = layer["table"]
        if table not in halves:
            continue
        assert layer["features"] == len(halves[table]), table
        if halves[table].attrs[PART_ATTR].role == "areas":
            assert (layer["renderer"], layer["labels"]) == ("RuleRenderer", True), table
        elif layer["title"].endswith(HALO_TITLE):  # the halos: a layer of their own, unlabelled
            assert (layer["renderer"], layer["labels"]) == ("categorizedSymbol", False), table
        else:  # stacked points drawn apart, each named beside its own marker
            assert (layer["renderer"], layer["embedded"], layer["labels"]) == (
                "pointDisplacement",
                "categorizedSymbol",
                True,
            )
            assert layer["names_beside_markers"] == "name"
    cities = next(layer for layer in layers if layer["table"] == "cities")
    assert cities["renderer"] == "RuleRenderer"  # towns thinned by population and scale
    for deposits in (x for x in layers if x["table"] == "mineral_deposits"):  # the points and their halos
        assert deposits["values"] == sorted(deposits["categories"])  # every feature falls in a category


def _near(image: np.ndarray, xy, colour: str, *, radius: int = 4, tolerance: int = 40) -> bool:
    """Whether a pixel within `radius` of `xy` has `colour` (each channel within `tolerance`)."""
    x, y = round(xy[0]), round(xy[1])
    patch = image[max(y - radius, 0) : y + radius + 1, max(x - radius, 0) : x + radius + 1]
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(patch - target).max(axis=2) <= tolerance).any())


@pytest.mark.slow
def test_deposit_points_show_over_kazakhstan_in_their_category_colours(rendered, deposits_in_kazakhstan):
    image = rendered["images"]["all"]
    scheme = symbology.scheme("commodity")
    colours = [scheme.colour(symbology.category_of(c, "commodity")) for c in deposits_in_kazakhstan["commodities"]]
    pixels = rendered["pixels"][: len(deposits_in_kazakhstan)]
    # Deposits at one town would share a pixel: QGIS draws them apart on a ring around it (point displacement),
    # so each deposit shows its colour at or near its place, and every category colour appears.
    seen = [_near(image, xy, colour, radius=30) for xy, colour in zip(pixels, colours, strict=True)]
    assert all(seen), [n for n, ok in zip(deposits_in_kazakhstan["name"], seen, strict=True) if not ok]
    assert {c for c, ok in zip(colours, seen, strict=True) if ok} == set(colours)  # every category colour present


def _inside(image, polygons, step_km: float, inset_km: float, view) -> list[tuple[int, int, int]]:
    """RGB pixels at a grid of points inside `polygons` (WGS84), at least `inset_km` from their edges."""
    xmin, ymin, xmax, ymax = view["extent"]
    height, width = image.shape[:2]
    out = []
    for polygon in gpd.GeoSeries(polygons, crs=WGS84).to_crs(EQUAL_AREA):
        area = polygon.buffer(-inset_km * 1000)
        if area.is_empty:
            continue
        x0, y0, x1, y1 = area.bounds
        xs, ys = np.meshgrid(np.arange(x0, x1, step_km * 1000), np.arange(y0, y1, step_km * 1000))
        for x, y in zip(xs.ravel(), ys.ravel(), strict=True):
            if area.contains(shapely.Point(x, y)):
                col = int((x - xmin) / (xmax - xmin) * width)
                row = int((ymax - y) / (ymax - ymin) * height)
                if 0 <= col < width and 0 <= row < height:
                    out.append(tuple(image[row, col]))
    return out


def _view(rendered) -> dict:
    """The rendered extent: the default view widened to the image's aspect ratio, as QGIS does."""
    xmin, ymin, xmax, ymax = rendered["default_extent"]
    height, width = rendered["images"]["all"].shape[:2]
    mupp = rendered["map_units_per_pixel"]
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return {"extent": (cx - width * mupp / 2, cy - height * mupp / 2, cx + width * mupp / 2, cy + height * mupp / 2)}


def _area_features(level: str):
    frames = list(_area_parts().values())
    return [g for f in frames for g in f.loc[f["location_precision"] == level].geometry]


@pytest.mark.slow
def test_country_only_areas_are_outlined_not_filled(rendered):
    image = rendered["images"]["countries"]
    inside = _inside(image, _area_features("country"), step_km=40, inset_km=40, view=_view(rendered))
    assert len(inside) > 100
    assert {p for p in inside if len(set(p)) > 1} == set()  # no fill: only white, and grey where a label is
    assert (image != 255).any(axis=2).sum() > 1000  # but the dashed outlines are drawn


@pytest.mark.slow
def test_region_only_areas_are_hatched_and_translucent(rendered):
    image = rendered["images"]["regions"]
    inside = np.array(_inside(image, _area_features("region"), step_km=5, inset_km=15, view=_view(rendered)))
    assert len(inside) > 500
    coloured = (inside != 255).any(axis=1)
    assert 0.1 < coloured.mean() < 0.7, coloured.mean()  # hatch lines with the map between them, not a fill
    full = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in symbology.scheme("commodity").colours.values()}
    assert not {tuple(p) for p in inside} & full  # translucent: never the pure colour


def _drawn(image: np.ndarray, x: float, y: float, r: float) -> float:
    """The share of 180 pixels on a circle of radius `r` around (x, y) that are not white."""
    angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    cols = np.clip((x + r * np.cos(angles)).round().astype(int), 0, image.shape[1] - 1)
    rows = np.clip((y + r * np.sin(angles)).round().astype(int), 0, image.shape[0] - 1)
    return float((image[rows, cols] != 255).any(axis=1).mean())


@pytest.mark.slow
def test_the_uncertainty_radius_is_a_ring_of_that_many_metres(rendered, carbon_points):
    image = rendered["images"]["carbon"]
    pixels = rendered["pixels"][-len(carbon_points) :]
    mupp = rendered["map_units_per_pixel"]
    for (x, y), radius_m in zip(pixels, carbon_points["uncertainty_m"], strict=True):
        radius = radius_m / mupp
        assert radius > 5, "the ring should be wider than the marker at this scale"
        on_ring = max(_drawn(image, x, y, radius + d) for d in (-1.5, -0.5, 0.5, 1.5))
        assert on_ring > 0.4, (x, y, radius, on_ring)  # a dashed ring at the radius (within 1.5 px)
        assert _drawn(image, x, y, radius * 0.6) > 0.9  # a faint disc inside
    # and nothing beyond the rings
    others = np.array(pixels)
    far = [
        (x, y, r / mupp)
        for (x, y), r in zip(pixels, carbon_points["uncertainty_m"], strict=True)
        if np.sort(np.hypot(*(others - [x, y]).T))[1] > 3 * r / mupp
    ]
    for x, y, radius in far:
        row, col = round(y), round(x + 1.6 * radius)
        assert tuple(image[row, col]) == WHITE


def _qml(style_) -> ElementTree.Element:
    return ElementTree.fromstring(style_.qml().split("'SYSTEM'>")[1])


def test_styles_say_what_the_web_map_says():
    """The QML, read without QGIS: displaced markers, halo, hatched regions, outlined countries, thinned towns."""
    from geo.exporter.qgis import HATCH_SCALE, halo_style, style

    halves = _halves()
    points = _qml(style("mineral_deposits", halves["mineral_deposits"]))
    displacement = points.find("renderer-v2")
    assert displacement.get("type") == "pointDisplacement"  # stacked points drawn apart
    assert displacement.get("labelAttributeName") == "name"  # and each named beside its own marker
    renderer = displacement.find("renderer-v2")
    assert {layer.get("class") for layer in renderer.findall("symbols/symbol/layer")} == {"SimpleMarker"}
    shapes = {o.get("value") for o in renderer.iter("Option") if o.get("name") == "name" and o.get("value")}
    assert shapes == {registry.get("mineral_deposits").marker}
    expected = {symbology.category_of(c, "commodity") for c in halves["mineral_deposits"]["commodities"]}
    assert {c.get("value") for c in renderer.iter("category")} == expected

    halos = _qml(halo_style("mineral_deposits", halves["mineral_deposits"])).find("renderer-v2")
    generators = [x for x in halos.iter("layer") if x.get("class") == "GeometryGenerator"]
    assert generators
    assert {g.find("Option/Option[@name='geometryModifier']").get("value") for g in generators} == {HALO}
    assert {c.get("value") for c in halos.iter("category")} == expected

    areas = _qml(style("mineral_deposits_areas", halves["mineral_deposits_areas"]))
    rules = areas.find("renderer-v2/rules").findall("rule")
    by_level = {re.search(r"'(\w+)'", r.get("filter")).group(1): r for r in rules}
    symbols = {s.get("name"): s for s in areas.iter("symbol")}

    def classes(rule, **scale):
        drawn = [r for r in rule.iter("rule") if r.get("symbol") and _in_range(r, **scale)]
        return {layer.get("class") for r in drawn for layer in symbols[r.get("symbol")].findall("layer")}

    for level, rule in by_level.items():
        assert "minimum($id, group_by:=" in rule.get("filter")  # one envelope drawn once
        if precision.get(level).symbol == "hatch":  # hatched zoomed out, an outline zoomed in
            assert classes(rule, scale=HATCH_SCALE * 1.5) == {"LinePatternFill", "SimpleLine"}
            assert classes(rule, scale=HATCH_SCALE / 1.5) == {"SimpleLine"}
        else:
            assert classes(rule, scale=HATCH_SCALE * 1.5) == classes(rule, scale=1e5) == {"SimpleLine"}  # no fill
    assert float(areas.find("layerOpacity").text) < 1

    towns = ElementTree.fromstring(style("cities", geo.load("cities")).qml().split("'SYSTEM'>")[1])
    scales = [float(r.get("scalemaxdenom", 0)) for r in towns.iter("rule")]
    assert 0 in scales  # big towns at every scale
    assert any(s > 0 for s in scales)  # small ones only zoomed in
    sizes = [float(o.get("value")) for o in towns.iter("Option") if o.get("name") == "size"]
    assert max(sizes) <= 2.5  # towns stay small


def _in_range(rule, *, scale: float) -> bool:
    """Whether a renderer rule draws at 1:`scale` (``scalemaxdenom``: zoomed in beyond; ``scalemindenom``)."""
    return float(rule.get("scalemindenom", 0)) <= scale <= float(rule.get("scalemaxdenom", 0) or 1e12)


def test_a_users_layer_with_location_precision_gets_the_same_symbols(tmp_path, sites):
    sites["location_precision"] = ["site", "town", "region"]
    sites["uncertainty_m"] = [1000.0, 20000.0, None]
    sites.loc[2, "geometry"] = shapely.box(69, 40, 71, 42)
    report = geo.export({"mine": sites}, tmp_path / "mine.qgz")
    assert report.features == {"mine": 2, "mine_areas": 1}
    layers = read_project(report.path)
    layers = layers[layers["group"] != "elevation"]  # there if the grid has been fetched
    assert list(layers["group"]) == ["user", "user", "user"]
    assert list(layers["title"]) == ["mine", "mine: uncertainty radius", "mine: areas (somewhere inside)"]
    with zipfile.ZipFile(report.path) as zf:
        root = ElementTree.fromstring(zf.read("mine.qgs"))
    classes = {layer.get("class") for layer in root.iter("layer") if layer.get("class")}
    assert {"GeometryGenerator", "SimpleMarker", "LinePatternFill"} <= classes
    assert {r.get("type") for r in root.iter("renderer-v2")} >= {"pointDisplacement", "RuleRenderer"}


ASTANA, ISSYK_KUL = (71.446, 51.18), (77.5, 42.4)


@pytest.fixture(scope="module")
def zoomed(atlas, tmp_path_factory):
    """One headless QGIS session: what every label says, and renders at Astana and Issyk-Kul."""
    from geo.exporter.qgis import HATCH_SCALE

    out = tmp_path_factory.mktemp("qgis-zoomed")
    renders = {
        "astana-campuses": {"layers": {"campuses": "TRUE"}, "centre": ASTANA, "scale": 50_000},
        "astana": {"centre": ASTANA, "scale": 500_000},
        "issyk-kul-regions-out": {"layers": _only("region"), "centre": ISSYK_KUL, "scale": HATCH_SCALE * 1.25},
        "issyk-kul-regions-in": {"layers": _only("region"), "centre": ISSYK_KUL, "scale": HATCH_SCALE * 0.75},
        "issyk-kul": {"centre": ISSYK_KUL, "scale": HATCH_SCALE * 1.25},
    }
    request = {
        "project": str(atlas),
        "width": 1200,
        "height": 800,
        "label_texts": True,
        "points": [ASTANA],
        "renders": [{"out": str(out / f"{k}.png"), **v} for k, v in renders.items()],
    }
    result = run_qgis(request, out)
    result["images"] = {k: np.asarray(Image.open(out / f"{k}.png").convert("RGB")).astype(int) for k in renders}
    result["placed"] = {k: r["labels"] for k, r in zip(renders, result["renders"], strict=True)}
    result["png"] = {k: out / f"{k}.png" for k in renders}
    return result


@pytest.mark.slow
def test_the_four_astana_campuses_are_each_drawn_apart(zoomed):
    """QGIS drew one of the four campuses at Astana (the others under it): now each has its own marker."""
    from scipy import ndimage

    points = split_by_precision(geo.load("campuses"), "campuses")["campuses"]
    at_astana = points[((points.geometry.x - ASTANA[0]).abs() < 0.01) & ((points.geometry.y - ASTANA[1]).abs() < 0.01)]
    assert len(at_astana) == 4, list(at_astana["name"])
    campuses = next(x for x in zoomed["layers"] if x["table"] == "campuses" and x["renderer"] == "pointDisplacement")
    assert campuses["tolerance_mm"] > 0
    image = zoomed["images"]["astana-campuses"]
    height, width = image.shape[:2]
    x, y = width // 2, height // 2  # the render is centred on Astana
    near = image[y - 60 : y + 60, x - 60 : x + 60]
    coloured = near.max(axis=2) - near.min(axis=2) > 80  # the markers' colours, not the grey ring or text
    blobs, count = ndimage.label(coloured)
    sizes = ndimage.sum(coloured, blobs, range(1, count + 1))
    assert sum(size >= 20 for size in sizes) == len(at_astana), (count, sizes)  # four markers, none hidden
    scheme = symbology.scheme("status")
    for colour in {scheme.colour(symbology.category_of(s, "status")) for s in at_astana["status"]}:
        assert _near(near, (60, 60), colour, radius=60, tolerance=20), colour  # each campus in its colour


def _by_envelope(table: str) -> list[gpd.GeoDataFrame]:
    frame = _halves()[table].reset_index(drop=True)
    return [group for _, group in frame.groupby(frame.geometry.to_wkb(), sort=False)]


@pytest.mark.slow
def test_every_area_is_labelled_once_per_envelope_naming_them_all(zoomed):
    """Identical envelopes (ten deposits somewhere in Turkistan region) are drawn once, with one label."""
    layers = {x["table"]: x["id"] for x in zoomed["layers"] if x["table"] and x["table"].endswith("_areas")}
    assert layers
    for table, layer_id in layers.items():
        features = zoomed["label_texts"][layer_id]
        by_name = {f["name"]: f for f in features.values()}
        for group in _by_envelope(table):
            said = [by_name[n] for n in group["name"]]
            assert sum(bool(f["texts"]) for f in said) == 1, (table, list(group["name"]))  # one label
            assert sum(f["drawn"] for f in said) == 1, (table, list(group["name"]))  # one symbol
            (text,) = next(f["texts"] for f in said if f["texts"])
            assert all(name in text for name in group["name"]), (text, list(group["name"]))  # naming all
            if (group["location_precision"] == "country").all():
                assert "somewhere in " in text
    deposits = zoomed["label_texts"][layers["mineral_deposits_areas"]]
    assert max(len(f["texts"][0].splitlines()) for f in deposits.values() if f["texts"]) > 3  # a shared region


@pytest.mark.slow
def test_issyk_kul_is_hatched_zoomed_out_and_outlined_zoomed_in_with_every_label(zoomed):
    from geo.exporter.qgis import HATCH_SCALE

    def share(image: np.ndarray) -> float:  # the middle of the view, inside the Issyk-Kul envelope
        height, width = image.shape[:2]
        patch = image[height // 2 - 60 : height // 2 + 60, width // 2 - 60 : width // 2 + 60].astype(int)
        coloured = (patch.max(axis=2) - patch.min(axis=2)) > 40  # hatching is coloured; labels are grey text
        return float(coloured.mean())

    assert zoomed["renders"][2]["scale"] > HATCH_SCALE > zoomed["renders"][3]["scale"]
    assert share(zoomed["images"]["issyk-kul-regions-out"]) > 0.1  # hatched
    assert share(zoomed["images"]["issyk-kul-regions-in"]) < 0.02  # only the outline, away from the middle
    placed = {(x["table"], x["text"].split("\n", 1)[0]) for x in zoomed["placed"]["issyk-kul"]}
    valor = next(n for n in _halves()["afforestation_areas"]["name"] if n.startswith("Valor Carbon"))
    assert ("afforestation_areas", valor) in placed  # Valor Carbon's area is labelled


def test_three_features_in_one_region_are_one_area_with_one_label(tmp_path):
    """Three features known only to be in Issyk-Kul: one hatched area, one label naming all three."""
    regions = geo.load("regions")
    issyk_kul = regions.loc[regions["name"] == "Issyk-Kul", "geometry"].iloc[0]
    names = ["Valor Carbon planting", "A tin deposit", "A carbon project"]
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": names, "location_precision": ["region"] * 3, "country": ["KGZ"] * 3},
        geometry=[issyk_kul] * 3,
        crs=WGS84,
    )
    report = geo.export({"three": frame}, tmp_path / "three.qgz")
    result = run_qgis({"project": str(report.path), "label_texts": True}, tmp_path)
    (layer,) = [x for x in result["layers"] if x["table"] == "three"]  # all areas: the layer keeps its name
    features = result["label_texts"][layer["id"]].values()
    assert sum(f["drawn"] for f in features) == 1
    (text,) = [t for f in features for t in f["texts"]]
    assert text.splitlines() == [*sorted(names), "(somewhere in this region)"]
