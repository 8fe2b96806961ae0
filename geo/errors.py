"""The exception hierarchy: ``except GeoToolkitError`` catches everything geo raises on purpose.

Each class also derives from the matching builtin, so callers may catch ``ValueError``,
``KeyError``, ``OSError`` or ``RuntimeError`` instead. Messages name the file, row or field at
fault and say what to do. Raise the specific class, never the base.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DataRebuildError",
    "ExportError",
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
]


class GeoToolkitError(Exception):
    """Base class of every error geo raises for a user's mistake or bad data."""


class InputFileError(GeoToolkitError, OSError):
    """A user's file is missing, unreadable, of an unknown or refused format, or badly encoded."""


class CRSError(GeoToolkitError, ValueError):
    """A layer has no CRS, or coordinates that cannot be in the CRS it claims."""


class LayerSchemaError(GeoToolkitError, ValueError):
    """A layer lacks required fields, or has invalid values, ids or geometries."""


class RecipeError(GeoToolkitError, ValueError):
    """A map recipe (TOML) or a map option names something that does not exist or cannot be drawn."""


class UnknownNameError(GeoToolkitError, KeyError):
    """A name that is in none of geo's registries (layers, formats, styles, precision levels ...)."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plain
        return str(self.args[0]) if self.args else ""


class UnknownLayerError(UnknownNameError):
    """A layer name that is not in the layer registry."""


class UnknownFormatError(UnknownNameError):
    """An export format (key, suffix or GDAL driver name) that is not in the format registry."""


class ExportError(GeoToolkitError, OSError):
    """An export failed, would overwrite a file without permission, or would leave its folder."""


class MissingDataError(GeoToolkitError, FileNotFoundError):
    """Data that is fetched by an explicit step (e.g. the elevation grid) has not been fetched yet."""


class DataRebuildError(GeoToolkitError, RuntimeError):
    """Fetching or rebuilding data failed: a download, a timeout, a checksum or an extraction."""


class OfflineError(GeoToolkitError, RuntimeError):
    """A map would load something from the network."""


class GeoToolkitWarning(UserWarning):
    """Something was repaired or could not be kept; the message says what and where."""
