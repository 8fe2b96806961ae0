"""centralasia-geo: curated, sourced layers of UK–Central Asia minerals, campuses, carbon and afforestation.

Quick start::

    import geo
    geo.layers()                      # what ships, with sources and licences
    deposits = geo.load("mineral_deposits")
    mine = geo.read("my_sites.csv")   # a user's layer, validated
    geo.export(["mineral_deposits", "regions"], "atlas.gpkg")
    m = geo.map(user={"My sites": mine})  # a folium.Map; shows inline in Jupyter
    geo.save_map(m, "atlas.html")     # one offline HTML file
"""

from __future__ import annotations

import logging

from geo.catalog import CURATED, REFERENCE, layers, load, region_aliases
from geo.errors import (
    CRSError,
    DataRebuildError,
    ExportError,
    GeoToolkitError,
    GeoToolkitWarning,
    InputFileError,
    LayerSchemaError,
    UnknownLayerError,
)
from geo.exporter import FORMATS, ExportReport, export, read_exported
from geo.io import read
from geo.mapping.builder import build_map as map
from geo.mapping.builder import save_map

__version__ = "0.1.0"

__all__ = [
    "CURATED",
    "FORMATS",
    "REFERENCE",
    "CRSError",
    "DataRebuildError",
    "ExportError",
    "ExportReport",
    "GeoToolkitError",
    "GeoToolkitWarning",
    "InputFileError",
    "LayerSchemaError",
    "UnknownLayerError",
    "__version__",
    "export",
    "layers",
    "load",
    "map",
    "read",
    "read_exported",
    "region_aliases",
    "save_map",
]

logging.getLogger("geo").addHandler(logging.NullHandler())
