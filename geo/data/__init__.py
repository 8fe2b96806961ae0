"""Rebuild the reference layers in ``layers/reference`` from pinned registry packages."""

from geo.data.build import rebuild
from geo.data.packages import PACKAGES, Package

__all__ = ["PACKAGES", "Package", "rebuild"]
