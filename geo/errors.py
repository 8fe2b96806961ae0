"""The exception hierarchy: ``except GeoToolkitError`` catches everything geo raises on purpose.

Each class also derives from the matching builtin, so callers may catch ``ValueError`` or
``OSError`` instead. Messages name the file, row or field at fault and say what to do.
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
    "UnknownLayerError",
]


class GeoToolkitError(Exception):
    """Base class of every error geo raises for a user's mistake or bad data."""


class InputFileError(GeoToolkitError, OSError):
    """A user's file is missing, unreadable, of an unknown format or badly encoded."""


class CRSError(GeoToolkitError, ValueError):
    """A layer has no CRS, or coordinates that cannot be in the CRS it claims."""


class LayerSchemaError(GeoToolkitError, ValueError):
    """A layer lacks required fields, or has invalid values, ids or geometries."""


class UnknownLayerError(GeoToolkitError, KeyError):
    """A layer name that is not in the catalogue."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plain
        return str(self.args[0]) if self.args else ""


class ExportError(GeoToolkitError, OSError):
    """An export failed, would overwrite a file without permission, or would leave the target folder."""


class DataRebuildError(GeoToolkitError, RuntimeError):
    """Rebuilding reference data failed: a download, a checksum or an extraction."""


class GeoToolkitWarning(UserWarning):
    """Something was repaired or could not be kept; the message says what and where."""
