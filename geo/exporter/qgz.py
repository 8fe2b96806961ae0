"""QGIS projects (``.qgz``), written with lxml; the toolkit never needs QGIS to write them.

``geo export -f qgz -o build/atlas.qgz`` writes three files side by side:

- ``atlas.qgis.gpkg``: every layer (curated layers as points and ``_areas``), with default styles (named
  for the project, so it never collides with an ``atlas.gpkg`` exported before);
- ``atlas.elevation.tif``: a copy of the GEBCO elevation COG, if it has been fetched
  (``geo data fetch elevation``); a project without it is complete otherwise;
- ``atlas.qgz``: the project. Paths are **relative** (``./atlas.qgis.gpkg``), so the folder can be moved or
  shared whole. Layers sit in groups, top to bottom: your own layers, ``curated`` (points, their
  uncertainty halos as layers of their own (titled ``...: uncertainty radius``), then areas),
  ``elevation`` (hillshade and tint, multiplied over the basemap) and ``reference`` (in the web
  map's basemap order; layers outside it are switched off). The styles are those of
  :mod:`geo.exporter.qgis`; the project CRS is :data:`geo.crs.EQUAL_AREA` (an Albers conic fitted to
  Central Asia) and it opens on Central Asia. Measurements use the WGS84 ellipsoid, in metres.

A ``.qgz`` is a zip holding one ``.qgs`` XML document; QGIS 3.22 (Debian's) is the oldest version tested.
"""

from __future__ import annotations

import copy
import logging
import re
import shutil
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyproj
from lxml import etree

from geo import registry
from geo.crs import EQUAL_AREA, WGS84
from geo.errors import ExportError, MissingDataError, UnknownLayerError
from geo.exporter.losses import Losses
from geo.exporter.qgis import Style, geometry_kind, halo_style, style
from geo.exporter.split import AREAS_SUFFIX, part_of
from geo.exporter.writers import read_gdal, write_gpkg
from geo.formats import ELEVATION_SUFFIX, GPKG_SUFFIX

__all__ = [
    "EXTENT_LONLAT",
    "ProjectLayer",
    "project_layers",
    "read_project",
    "read_qgz",
    "write_project",
    "write_qgz",
]

logger = logging.getLogger(__name__)

#: The elevation COG is copied beside the project as ``<stem>.elevation.tif``.
#: Where the project opens: the five states, west to east 46.4-87.4 E, south to north 35.0-55.5 N.
EXTENT_LONLAT = (46.4, 35.0, 87.4, 55.5)
_ELEVATION_TITLE = "Elevation (GEBCO 2023, 15 arc-seconds)"
#: QGIS blend mode 6 multiplies a layer onto what is below it: relief darkens the basemap, white is no change.
_MULTIPLY = 6
#: Hypsometric tint for multiplying: white (no change) in the lowlands, warm greys up high, white snow.
_TINT = ((0, "#ffffff"), (800, "#ffffff"), (1500, "#ede4cc"), (3000, "#d3c09c"), (4500, "#bcad9d"), (6500, "#ffffff"))
Group = Literal["user", "curated", "elevation", "reference"]
GROUPS: tuple[Group, ...] = ("user", "curated", "elevation", "reference")


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of a project: where its data is, its group, title, style and whether it is switched on."""

    id: str
    title: str
    group: Group
    provider: Literal["ogr", "gdal"]
    source: str
    style: Style | tuple[etree._Element, ...]
    visible: bool = True
    geometry: str = ""
    wkb_type: str = ""
    crs: str = WGS84


def _layer_id(name: str) -> str:
    """Return a stable layer id; QGIS keeps an id only if it is longer than 10 characters (else it makes a new one)."""
    return "geo_layer_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _wkb(gdf: gpd.GeoDataFrame, kind: str) -> tuple[str, str]:
    """QGIS's geometry name and WKB type of a layer."""
    types = sorted(set(gdf.geom_type.dropna()))
    geometry = {"marker": "Point", "line": "Line", "fill": "Polygon"}[kind]
    wkb = (
        types[0]
        if len(types) == 1
        else {"Point": "Point", "Line": "MultiLineString", "Polygon": "MultiPolygon"}[geometry]
    )
    return geometry, wkb


def _vector_layer(name: str, gdf: gpd.GeoDataFrame, gpkg: str) -> ProjectLayer:
    source, part = part_of(name, gdf)
    try:
        spec: registry.LayerSpec | None = registry.get(source)
    except UnknownLayerError:
        spec = None
    title = spec.title if spec is not None else source
    if part == "areas":
        title += ": areas (somewhere inside)" if source != name else " (somewhere inside)"
    group: Group = "user" if spec is None else ("curated" if spec.kind == "curated" else "reference")
    visible = spec is None or spec.kind == "curated" or (spec.basemap is not None and spec.visible)
    geometry, wkb = _wkb(gdf, geometry_kind(gdf, part))
    crs = gdf.crs.to_string() if gdf.crs is not None else WGS84
    return ProjectLayer(
        _layer_id(name),
        title,
        group,
        "ogr",
        f"./{gpkg}|layername={name}",
        style(name, gdf),
        visible,
        geometry,
        wkb,
        crs,
    )


#: A points layer's uncertainty halos are a second layer over the same table, titled with this suffix.
HALO_TITLE = ": uncertainty radius"
_HALO_KEY = "#halo"


def _halo_layer(name: str, gdf: gpd.GeoDataFrame, points: ProjectLayer) -> ProjectLayer | None:
    """Return the halos of a points layer as a layer (QGIS 3.22 draws none inside a displacement renderer)."""
    halos = halo_style(name, gdf)
    if halos is None or points.group not in ("user", "curated"):
        return None
    return replace(points, id=_layer_id(f"{name}_halo"), title=points.title + HALO_TITLE, style=halos)


def _order(layer: ProjectLayer, name: str) -> tuple[int, int, float]:
    """Sort key, top first: group, then within a group (points, their halos, areas; basemap order, top first)."""
    group = GROUPS.index(layer.group)
    halo = name.endswith(_HALO_KEY)
    name = name.removesuffix(_HALO_KEY)
    if layer.group == "user":
        return group, 1 if halo else 2 * int(layer.geometry == "Polygon"), 0
    if layer.group == "curated":
        curated = registry.curated()
        source = name if name in curated else name.removesuffix(AREAS_SUFFIX)  # afforestation_areas is a layer
        rank = curated.index(source) if source in curated else len(curated)
        return group, 1 if halo else 2 * int(layer.geometry == "Polygon" and source in curated), rank
    if layer.group == "reference":
        spec = registry.get(name)
        # outside the basemap: switched off, just above the bottom layer (the countries' opaque fill)
        return group, 0, -(spec.basemap if spec.basemap is not None else 0.5)
    return group, 0, 0


def _elevation_layers(file: str) -> list[ProjectLayer]:
    hillshade = etree.Element(
        "rasterrenderer",
        type="hillshade",
        band="1",
        opacity="0.55",
        alphaBand="-1",
        zfactor=f"{1 / 111_320 * 1.5:.6g}",  # metres of height over degrees of a geographic grid, x1.5
        azimuth="315",
        angle="45",
        multidirection="1",
    )
    # flat ground is mid-grey in a hillshade: brighten it to white, so multiplying changes only the relief
    brighter = etree.Element("brightnesscontrast", brightness="80", contrast="10", gamma="1")
    tint = etree.Element("rasterrenderer", type="singlebandpseudocolor", band="1", opacity="0.8", alphaBand="-1")
    shader = etree.SubElement(
        etree.SubElement(tint, "rastershader"),
        "colorrampshader",
        colorRampType="INTERPOLATED",
        classificationMode="1",
        clip="0",
        minimumValue="0",
        maximumValue="6500",
    )
    for value, colour in _TINT:
        etree.SubElement(shader, "item", value=str(value), color=colour, alpha="255", label=f"{value:,} m")
    return [
        ProjectLayer(
            _layer_id("elevation_hillshade"),
            f"{_ELEVATION_TITLE}: hillshade",
            "elevation",
            "gdal",
            f"./{file}",
            (hillshade, brighter),
        ),
        ProjectLayer(
            _layer_id("elevation_tint"), f"{_ELEVATION_TITLE}: tint", "elevation", "gdal", f"./{file}", (tint,)
        ),
    ]


def project_layers(
    frames: Mapping[str, gpd.GeoDataFrame], *, gpkg: str, elevation: str | None = None
) -> list[ProjectLayer]:
    """Return the layers of a project over the GeoPackage named `gpkg`, top first; empty layers are left out.

    Parameters
    ----------
    frames
        The layers as written to the GeoPackage (curated layers already split into points and areas).
    gpkg, elevation
        File names, relative to the project, of the GeoPackage and of the elevation COG (if any).
    """
    named = [(name, _vector_layer(name, gdf, gpkg)) for name, gdf in frames.items() if not gdf.empty]
    for name, layer in list(named):
        halo = _halo_layer(name, frames[name], layer)
        if halo is not None:
            named.append((name + _HALO_KEY, halo))
    for name, gdf in frames.items():
        if gdf.empty:
            logger.info("%s has no features: left out of the project (it is in %s)", name, gpkg)
    named.sort(key=lambda item: _order(item[1], item[0]))
    layers = [layer for _, layer in named]
    if elevation:
        at = next((i for i, layer in enumerate(layers) if layer.group == "reference"), len(layers))
        layers[at:at] = _elevation_layers(elevation)
    return layers


#: Names for the CRSs geo defines by a PROJ string (which PROJ calls "unknown"): QGIS shows the name.
CRS_NAMES = {EQUAL_AREA: "Central Asia Albers Equal Area (geo.crs.EQUAL_AREA)"}


def _named(crs: pyproj.CRS, crs_text: str) -> pyproj.CRS:
    """Return `crs` under its name in :data:`CRS_NAMES` (and its base CRS's, e.g. WGS 84), if PROJ has none."""
    name = CRS_NAMES.get(crs_text)
    if name is None or crs.name not in ("unknown", ""):
        return crs
    spec = crs.to_json_dict() | {"name": name}
    if isinstance(spec.get("base_crs"), dict) and spec["base_crs"].get("name") in ("unknown", "", None):
        spec["base_crs"] = spec["base_crs"] | {"name": crs.datum.name if crs.datum else "unknown"}
        if crs.geodetic_crs is not None and crs.geodetic_crs.equals(WGS84, ignore_axis_order=True):
            spec["base_crs"]["name"] = "WGS 84"
    return pyproj.CRS.from_json_dict(spec)


def _srs(crs_text: str) -> etree._Element:
    """Return a CRS as QGIS writes it, every element filled: QGIS reads the authority id, else the WKT and name."""
    given = pyproj.CRS.from_user_input(crs_text)
    crs = _named(given, crs_text)
    authority = crs.to_authority()
    with warnings.catch_warnings():  # "you will likely lose information": QGIS reads the WKT first
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4() or ""
    acronym = next((p.split("=", 1)[1] for p in proj4.split() if p.startswith("+proj=")), "")
    ellipsoid = given.ellipsoid.to_json_dict().get("id", {}) if given.ellipsoid is not None else {}
    node = etree.Element("spatialrefsys", nativeFormat="Wkt")
    values = {
        "wkt": crs.to_wkt(),
        "proj4": proj4,
        "srsid": "0",
        "srid": authority[1] if authority and authority[0] == "EPSG" else "0",
        "authid": ":".join(authority) if authority else "",
        "description": crs.name,
        "projectionacronym": acronym,
        "ellipsoidacronym": f"{ellipsoid['authority']}:{ellipsoid['code']}" if ellipsoid else "",
        "geographicflag": "true" if crs.is_geographic else "false",
    }
    for tag, value in values.items():
        etree.SubElement(node, tag).text = value
    return node


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, tag, attrs)
    node.text = text
    return node


def _maplayer(layer: ProjectLayer) -> etree._Element:
    if layer.provider == "ogr":
        node = etree.Element(
            "maplayer",
            type="vector",
            geometry=layer.geometry,
            wkbType=layer.wkb_type,
            labelsEnabled="1",
            hasScaleBasedVisibilityFlag="0",
            readOnly="0",
            styleCategories="AllStyleCategories",
        )
    else:
        node = etree.Element(
            "maplayer", type="raster", hasScaleBasedVisibilityFlag="0", styleCategories="AllStyleCategories"
        )
    _text(node, "id", layer.id)
    _text(node, "datasource", layer.source)
    _text(node, "layername", layer.title)
    etree.SubElement(node, "srs").append(_srs(layer.crs))
    _text(node, "provider", layer.provider, encoding="UTF-8")
    if isinstance(layer.style, Style):
        for part in layer.style.parts():
            node.append(part)
    else:
        pipe = etree.SubElement(node, "pipe")
        for element in layer.style:
            pipe.append(copy.deepcopy(element))
        _text(node, "blendMode", str(_MULTIPLY))
    return node


def _extent(parent: etree._Element, tag: str, bounds: Sequence[float], *, elements: bool) -> etree._Element:
    node = etree.SubElement(parent, tag)
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), bounds, strict=True):
        if elements:
            _text(node, key, f"{value:.1f}")
        else:
            node.set(key, f"{value:.1f}")
    return node


def project_extent() -> tuple[float, float, float, float]:
    """Central Asia (:data:`EXTENT_LONLAT`) in the project CRS, densified so the curved edges fit."""
    transformer = pyproj.Transformer.from_crs(WGS84, EQUAL_AREA, always_xy=True)
    return transformer.transform_bounds(*EXTENT_LONLAT, densify_pts=50)


def _tree(root: etree._Element, layers: Sequence[ProjectLayer]) -> None:
    tree = etree.SubElement(root, "layer-tree-group")
    etree.SubElement(tree, "customproperties")
    for group in GROUPS:
        members = [layer for layer in layers if layer.group == group]
        if not members:
            continue
        node = etree.SubElement(tree, "layer-tree-group", name=group, checked="Qt::Checked", expanded="1")
        etree.SubElement(node, "customproperties")
        for layer in members:
            etree.SubElement(
                node,
                "layer-tree-layer",
                id=layer.id,
                name=layer.title,
                source=layer.source,
                providerKey=layer.provider,
                checked="Qt::Checked" if layer.visible else "Qt::Unchecked",
                expanded="1" if group in ("user", "curated") else "0",
            ).append(etree.Element("customproperties"))


def _properties(root: etree._Element) -> None:
    props = etree.SubElement(root, "properties")
    _text(etree.SubElement(props, "Paths"), "Absolute", "false", type="bool")
    _text(etree.SubElement(props, "SpatialRefSys"), "ProjectionsEnabled", "1", type="int")
    _text(etree.SubElement(props, "Measure"), "Ellipsoid", "EPSG:7030", type="QString")
    units = etree.SubElement(props, "Measurement")
    _text(units, "DistanceUnits", "meters", type="QString")
    _text(units, "AreaUnits", "ha", type="QString")


def project_xml(layers: Sequence[ProjectLayer], *, title: str) -> bytes:
    """Return the ``.qgs`` document of a project holding `layers` (top first)."""
    root = etree.Element("qgis", projectname=title, version="3.22.0")
    etree.SubElement(root, "homePath", path="")
    _text(root, "title", title)
    etree.SubElement(root, "projectCrs").append(_srs(EQUAL_AREA))
    _tree(root, layers)
    bounds = project_extent()
    canvas = etree.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    _text(canvas, "units", "meters")
    _extent(canvas, "extent", bounds, elements=True)
    _text(canvas, "rotation", "0")
    etree.SubElement(canvas, "destinationsrs").append(_srs(EQUAL_AREA))
    maplayers = etree.SubElement(root, "projectlayers")
    for layer in layers:
        maplayers.append(_maplayer(layer))
    order = etree.SubElement(root, "layerorder")
    for layer in layers:
        etree.SubElement(order, "layer", id=layer.id)
    _properties(root)
    view = etree.SubElement(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    etree.SubElement(view, "Scales")
    _extent(view, "DefaultViewExtent", bounds, elements=False).append(_srs(EQUAL_AREA))
    meta = etree.SubElement(root, "projectMetadata")
    _text(meta, "title", title)
    _text(meta, "abstract", _ABSTRACT)
    _text(meta, "author", "centralasia-geo")
    return etree.tostring(root, xml_declaration=False, encoding="utf-8", doctype=_DOCTYPE)


_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
_ABSTRACT = (
    "Curated, sourced layers of the Feb 2026 UK-Central Asia deals over reference data. Every curated feature "
    "carries its sources, a confidence mark and the precision of its location: points with a dashed halo of "
    "their uncertainty radius; '_areas' layers hold features known only to a region (hatched) or a country "
    "(dashed outline): somewhere inside, never the feature's own area."
)


def write_project(
    frames: Mapping[str, gpd.GeoDataFrame], path: Path, *, gpkg: str, elevation: str | None = None
) -> Path:
    """Write a ``.qgz`` at `path` over the GeoPackage `gpkg` (a file name beside it) holding `frames`.

    Parameters
    ----------
    frames
        The layers in the GeoPackage, as written (their categories decide the legends).
    path
        The ``.qgz`` to write.
    gpkg, elevation
        File names relative to `path`'s folder: the GeoPackage and, optionally, the elevation COG.
    """
    layers = project_layers(frames, gpkg=gpkg, elevation=elevation)
    document = project_xml(layers, title="centralasia-geo atlas")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(f"{path.stem}.qgs", date_time=(2026, 1, 1, 0, 0, 0)), document)
    return path


def _elevation_source() -> Path | None:
    """Return the fetched GEBCO COG, or ``None`` (a project without elevation is complete otherwise)."""
    from geo.raster.dem import dem_path

    try:
        return dem_path()
    except MissingDataError:
        return None


def write_qgz(frames: Mapping[str, gpd.GeoDataFrame], path: Path, losses: Losses) -> None:
    """Format writer: the GeoPackage, the elevation COG if fetched, and the project, side by side."""
    if path.suffix.lower() != ".qgz":
        msg = f"{path.name}: a QGIS project is written as .qgz (e.g. {path.stem}.qgz)."
        raise ExportError(msg)
    gpkg = path.with_suffix(GPKG_SUFFIX)
    write_gpkg(frames, gpkg, losses)
    dem = _elevation_source()
    elevation = None
    if dem is not None:
        elevation = path.with_suffix(ELEVATION_SUFFIX)
        shutil.copyfile(dem, elevation)
    else:
        losses.add("no elevation layer: run `geo data fetch elevation` once, then export again", path.name)
    write_project(frames, path, gpkg=gpkg.name, elevation=elevation.name if elevation else None)


def read_qgz(path: Path, drivers: tuple[str, ...]) -> dict[str, gpd.GeoDataFrame]:
    """Format reader: the layers of the GeoPackage a project refers to, opened only with `drivers`."""
    layers = read_project(path)
    vector = layers[layers["provider"] == "ogr"]
    files = {Path(source.split("|", 1)[0]).name for source in vector["source"]}
    if len(files) > 1:
        msg = f"{path.name} refers to several GeoPackages {sorted(files)}; read them one by one."
        raise ExportError(msg)
    gpkg = path.parent / (files.pop() if files else path.with_suffix(GPKG_SUFFIX).name)
    return read_gdal(gpkg, drivers)


def read_project(path: Path) -> pd.DataFrame:
    """Return the layers of a ``.qgz`` project, top first: group, id, title, provider, source, visible.

    Reads the XML only (no QGIS needed): what a user sees in the project's layer panel.
    """
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.endswith(".qgs")]
        if not names:
            msg = f"{path.name} is not a QGIS project: it holds no .qgs document."
            raise ExportError(msg)
        root = etree.fromstring(zf.read(names[0]), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    rows = []
    for group in root.iterfind("layer-tree-group/layer-tree-group"):
        for node in group.iterfind("layer-tree-layer"):
            rows.append(
                {
                    "group": group.get("name"),
                    "id": node.get("id"),
                    "title": node.get("name"),
                    "provider": node.get("providerKey"),
                    "source": node.get("source"),
                    "visible": node.get("checked") == "Qt::Checked",
                }
            )
    return pd.DataFrame(rows, columns=["group", "id", "title", "provider", "source", "visible"])
