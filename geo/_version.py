"""The installed version of centralasia-geo (``0+unknown`` in a checkout that was never installed)."""

import importlib.metadata

__all__ = ["__version__"]

try:
    __version__ = importlib.metadata.version("centralasia-geo")
except importlib.metadata.PackageNotFoundError:  # a bare checkout that was never installed
    __version__ = "0+unknown"
