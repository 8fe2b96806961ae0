"""Where files live: the shipped layers and map recipes, the manifest's name, the per-user cache folder.

How a file is written is :mod:`geo.outputs`; GeoJSON is :mod:`geo.geojson`.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "LAYERS_DIR", "MANIFEST", "MAPS_DIR", "cache_dir"]

_HERE = Path(__file__).resolve().parent

#: The layers folder: inside the wheel as ``geo/_layers``; in a checkout, the repository's ``layers/``.
LAYERS_DIR = _HERE / "_layers" if (_HERE / "_layers").is_dir() else _HERE.parent / "layers"

#: The map recipes: inside the wheel as ``geo/_maps``; in a checkout, the repository's ``maps/``.
MAPS_DIR = _HERE / "_maps" if (_HERE / "_maps").is_dir() else _HERE.parent / "maps"

#: The provenance file, one record per data file.
MANIFEST = "manifest.json"

#: Environment variable naming the cache folder (default: the per-user cache of platformdirs).
CACHE_ENV = "CENTRALASIA_GEO_CACHE"


def cache_dir() -> Path:
    """Return the per-user cache folder for fetched data (downloads and the elevation grid).

    ``$CENTRALASIA_GEO_CACHE`` if set, else the platform's user cache folder
    (``~/.cache/centralasia-geo`` on Linux). The same folder whatever the working directory.
    """
    import platformdirs

    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("centralasia-geo")).expanduser()
