"""centralasia-geo: curated, sourced layers of UK–Central Asia minerals, campuses, carbon and afforestation.

Quick start::

    import geo
    geo.layers()                      # what ships, with sources and licences
    deposits = geo.load("mineral_deposits")
    mine = geo.read("my_sites.csv")   # a user's layer, validated
    geo.export(["mineral_deposits", "regions"], "atlas.gpkg")
    m = geo.map(user={"My sites": mine})  # a folium.Map; shows inline in Jupyter
    geo.save_map(m, "atlas.html")     # one offline HTML file

``import geo`` is light: the public names below are loaded on first use, so folium, jinja2 and
pandera are imported only when a map is built or a layer validated.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from geo._version import __version__
from geo.errors import (
    CRSError,
    DataRebuildError,
    ExportError,
    GeoToolkitError,
    GeoToolkitWarning,
    InputFileError,
    LayerSchemaError,
    MissingDataError,
    OfflineError,
    RecipeError,
    UnknownFormatError,
    UnknownLayerError,
    UnknownNameError,
)

if TYPE_CHECKING:
    from geo.agreement_table import agreements, features_of
    from geo.catalog import layers, load, region_aliases
    from geo.exporter import ExportReport, export, read_exported
    from geo.formats import FORMATS
    from geo.mapping.builder import build_map as map
    from geo.mapping.builder import save_map
    from geo.mapping.payload import UserLayer
    from geo.reader import read


#: Public name -> (module, attribute), imported on first use.
_LAZY = {
    "agreements": ("geo.agreement_table", "agreements"),
    "features_of": ("geo.agreement_table", "features_of"),
    "layers": ("geo.catalog", "layers"),
    "load": ("geo.catalog", "load"),
    "region_aliases": ("geo.catalog", "region_aliases"),
    "read": ("geo.reader", "read"),
    "export": ("geo.exporter", "export"),
    "read_exported": ("geo.exporter", "read_exported"),
    "ExportReport": ("geo.exporter", "ExportReport"),
    "FORMATS": ("geo.formats", "FORMATS"),
    "map": ("geo.mapping.builder", "build_map"),
    "UserLayer": ("geo.mapping.payload", "UserLayer"),
    "save_map": ("geo.mapping.builder", "save_map"),
}

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
    "MissingDataError",
    "OfflineError",
    "RecipeError",
    "UnknownFormatError",
    "UnknownLayerError",
    "UnknownNameError",
    "UserLayer",
    "__version__",
    "agreements",
    "export",
    "features_of",
    "layers",
    "load",
    "map",
    "read",
    "read_exported",
    "region_aliases",
    "save_map",
]


def __getattr__(name: str) -> Any:
    """Import public names on first use; ``CURATED``/``REFERENCE`` are read from the registry each time."""
    if name in ("CURATED", "REFERENCE"):
        from geo import registry

        return registry.curated() if name == "CURATED" else registry.reference()
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    msg = f"module 'geo' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)


logging.getLogger("geo").addHandler(logging.NullHandler())
