"""Offline atlas maps: :func:`geo.map` (``build_map``), :func:`geo.save_map`, recipes and user layers."""

from geo.mapping.payload import UserLayer

__all__ = ["UserLayer"]
