"""Open a QGIS project with PyQGIS, list its layers and render it to PNG (run by Debian's python3, not the venv).

The venv's Python cannot import ``qgis`` (Debian builds PyQGIS for /usr/bin/python3 only), so the tests
run this script in a subprocess::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_render.py PROJECT.qgz OUT.png [REQUEST.json]

REQUEST (optional) is ``{"points": [[lon, lat], ...], "width": 1600, "height": 1100, "layers": {...}}``;
``layers`` maps a layer name in the GeoPackage to a filter, and renders only those layers (with their
project styles) to ``OUT.png`` over white. The result, on stdout, is JSON: the project's layers in
panel order (group, id, title, table, valid, feature count, whether switched on), the project CRS and
extent, and the pixel position of each requested point in the PNG.
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
    QgsLayerTreeGroup,
    QgsLayerTreeLayer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def _tree(project: QgsProject) -> list[dict]:
    rows = []
    for group in project.layerTreeRoot().children():
        if not isinstance(group, QgsLayerTreeGroup):
            continue
        for node in group.children():
            if not isinstance(node, QgsLayerTreeLayer):
                continue
            layer = node.layer()
            source = layer.source() if layer else ""
            rows.append(
                {
                    "group": group.name(),
                    "id": node.layerId(),
                    "title": node.name(),
                    "table": source.split("layername=", 1)[1] if "layername=" in source else None,
                    "source": source,
                    "valid": bool(layer and layer.isValid()),
                    "features": layer.featureCount() if isinstance(layer, QgsVectorLayer) else None,
                    "visible": node.isVisible(),
                    "renderer": layer.renderer().type()
                    if isinstance(layer, QgsVectorLayer) and layer.renderer()
                    else None,
                }
            )
    return rows


def _render(settings: QgsMapSettings, out: Path) -> None:
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(out), "PNG")


def main() -> int:
    project_path, out = Path(sys.argv[1]), Path(sys.argv[2])
    request = json.loads(Path(sys.argv[3]).read_text()) if len(sys.argv) > 3 else {}
    app = QgsApplication([], False)
    app.initQgis()
    try:
        project = QgsProject.instance()
        if not project.read(str(project_path)):
            sys.stdout.write(json.dumps({"error": project.error()}) + "\n")
            return 1
        tree = _tree(project)
        settings = QgsMapSettings()
        settings.setDestinationCrs(project.crs())
        settings.setOutputSize(QSize(request.get("width", 1600), request.get("height", 1100)))
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setTransformContext(project.transformContext())
        view = project.viewSettings().defaultViewExtent()
        wanted = request.get("layers")
        if wanted:
            layers = []
            for node in project.layerTreeRoot().findLayers():
                layer = node.layer()
                table = layer.source().split("layername=", 1)[-1]
                if table in wanted:
                    layer.setSubsetString(wanted[table])
                    layers.append(layer)
        else:
            layers = [n.layer() for n in project.layerTreeRoot().findLayers() if n.isVisible()]
        settings.setLayers(layers)
        settings.setExtent(view)
        _render(settings, out)
        to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), project.crs(), project)
        pixels = []
        for lon, lat in request.get("points", []):
            point = settings.mapToPixel().transform(to_map.transform(QgsPointXY(lon, lat)))
            pixels.append([point.x(), point.y()])
        visible = settings.visibleExtent()
        result = {
            "layers": tree,
            "crs": project.crs().toProj(),
            "crs_valid": project.crs().isValid(),
            "default_extent": [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()],
            "visible_extent": [visible.xMinimum(), visible.yMinimum(), visible.xMaximum(), visible.yMaximum()],
            "scale": settings.scale(),
            "pixels": pixels,
        }
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    finally:
        app.exitQgis()


if __name__ == "__main__":
    sys.exit(main())
