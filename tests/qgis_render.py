"""Look at geo's exports through real QGIS (PyQGIS 3.22, headless), run by Debian's python3, not the venv.

The venv's Python cannot import ``qgis`` (Debian builds PyQGIS for /usr/bin/python3 only), so tests run::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_render.py REQUEST.json

and read JSON from stdout. Two kinds of request:

- ``{"project": "atlas.qgz", "width": 1600, "height": 1100, "points": [[lon, lat], ...],
  "renders": [{"out": "all.png"}, {"out": "some.png", "layers": {"<table>": "<filter>", ...}}]}``:
  open the project, list its layers in panel order (group, title, table, valid, feature count, checked,
  renderer), and render it at its default view extent to each PNG (all checked layers, or only the
  layers named, each with a filter, over white). Returns the pixel position of each point too.
- ``{"postgis": "host=... dbname=...", "tables": {"<table>": "Point", ...}}``: open each PostGIS
  table as QGIS's browser does (geometry type in the URI) and report how QGIS sees it, default style
  (from ``layer_styles``) included.

The README's QGIS picture is made with the first kind (see the README).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDataSourceUri,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsLayerTreeGroup,
    QgsLayerTreeLayer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def _describe(layer) -> dict:
    vector = isinstance(layer, QgsVectorLayer)
    renderer = layer.renderer() if layer is not None else None
    out = {
        "valid": bool(layer and layer.isValid()),
        "features": layer.featureCount() if vector else None,
        "renderer": renderer.type() if renderer is not None else None,
        "labels": bool(vector and layer.labelsEnabled()),
        "opacity": layer.opacity() if layer is not None else None,
        "crs_name": layer.crs().description() if layer is not None else None,
    }
    if vector and renderer is not None and renderer.type() == "categorizedSymbol":
        out["categories"] = [c.value() for c in renderer.categories()]
        context = QgsExpressionContext()
        context.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        expression = QgsExpression(renderer.classAttribute())
        values = set()
        for feature in layer.getFeatures():
            context.setFeature(feature)
            values.add(expression.evaluate(context))
        out["values"] = sorted(str(v) for v in values)
    if vector and renderer is not None and renderer.type() == "RuleRenderer":
        out["rules"] = [r.label() for r in renderer.rootRule().children()]
    return out


def _tree(project: QgsProject) -> list[dict]:
    rows = []
    for group in project.layerTreeRoot().children():
        if not isinstance(group, QgsLayerTreeGroup):
            continue
        for node in group.children():
            if isinstance(node, QgsLayerTreeLayer):
                layer = node.layer()
                source = layer.source() if layer is not None else ""
                rows.append(
                    {
                        "group": group.name(),
                        "id": node.layerId(),
                        "title": node.name(),
                        "table": source.split("layername=", 1)[1] if "layername=" in source else None,
                        "source": source,
                        "checked": node.isVisible(),
                        **_describe(layer),
                    }
                )
    return rows


def _render(project: QgsProject, request: dict, render: dict) -> QgsMapSettings:
    settings = QgsMapSettings()
    settings.setDestinationCrs(project.crs())
    settings.setTransformContext(project.transformContext())
    settings.setOutputSize(QSize(request.get("width", 1600), request.get("height", 1100)))
    settings.setBackgroundColor(QColor(255, 255, 255))
    wanted = render.get("layers")
    layers = []
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        table = layer.source().split("layername=", 1)[-1]
        if wanted is None and node.isVisible():
            layers.append(layer)
        elif wanted is not None and table in wanted:
            layer.setSubsetString(wanted[table])
            layers.append(layer)
    settings.setLayers(layers)
    settings.setExtent(project.viewSettings().defaultViewExtent())
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(render["out"], "PNG")
    for layer in layers:
        if isinstance(layer, QgsVectorLayer):
            layer.setSubsetString("")
    return settings


def project_request(request: dict) -> dict:
    project = QgsProject.instance()
    if not project.read(request["project"]):
        return {"error": project.error()}
    crs = project.crs()
    result = {"layers": _tree(project), "crs": crs.toProj(), "crs_valid": crs.isValid(), "crs_name": crs.description()}
    view = project.viewSettings().defaultViewExtent()
    result["default_extent"] = [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()]
    settings = None
    for render in request.get("renders", []):
        settings = _render(project, request, render)
    if settings is not None:
        to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), project.crs(), project)
        pixels = []
        for lon, lat in request.get("points", []):
            point = settings.mapToPixel().transform(to_map.transform(QgsPointXY(lon, lat)))
            pixels.append([point.x(), point.y()])
        result |= {"pixels": pixels, "scale": settings.scale(), "map_units_per_pixel": settings.mapUnitsPerPixel()}
    return result


def postgis_request(request: dict) -> dict:
    out = {}
    for table, geometry in request["tables"].items():
        uri = QgsDataSourceUri(request["postgis"])
        uri.setDataSource("public", table, "geometry")
        uri.setWkbType(QgsWkbTypes.parseType(geometry))
        uri.setSrid("4326")
        out[table] = _describe(QgsVectorLayer(uri.uri(False), table, "postgres"))
    return {"tables": out}


def main() -> int:
    request = json.loads(Path(sys.argv[1]).read_text())
    app = QgsApplication([], False)
    app.initQgis()
    try:
        result = postgis_request(request) if "postgis" in request else project_request(request)
    finally:
        app.exitQgis()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main())
