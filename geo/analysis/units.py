"""Distances as users write them: a number of metres, or text such as ``"300 km"`` or ``"2500 m"``."""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["parse_distance_m"]

_UNITS = {
    "m": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "km": 1000.0,
    "kilometre": 1000.0,
    "kilometres": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
}
_TEXT = re.compile(r"^\s*(-?(?:[0-9][0-9_ ,]*(?:\.[0-9]+)?|\.[0-9]+))\s*([a-zA-Z]*)\s*$")


def parse_distance_m(value: object, *, name: str = "distance_m") -> float:
    """Return `value` as a positive number of metres.

    Parameters
    ----------
    value
        A number (metres), or text with a unit: ``"300 km"``, ``"300km"``, ``"2,500 m"``,
        ``"25000 metres"``. Text without a unit is read as metres.
    name
        The argument's name, for the message.

    Raises
    ------
    ValueError
        Zero, negative, NaN or infinite distances, unknown units (e.g. miles) or unreadable text.
    TypeError
        Anything that is neither a number nor text (the message says what to pass).

    Examples
    --------
    >>> parse_distance_m("300 km")
    300000.0
    >>> parse_distance_m(2_500)
    2500.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real | str):
        msg = f"{name} must be metres (a number) or text such as '300 km', got {type(value).__name__} {value!r}."
        raise TypeError(msg)
    if isinstance(value, str):
        match = _TEXT.match(value)
        unit = match.group(2).lower() if match else ""
        if not match or unit not in ("", *_UNITS):
            msg = f"{name}={value!r} is not a distance: write metres or kilometres, e.g. 300000, '300 km' or '2500 m'."
            raise ValueError(msg)
        metres = float(match.group(1).replace(",", "").replace("_", "").replace(" ", "")) * _UNITS.get(unit, 1.0)
    else:
        metres = float(value)
    if not (math.isfinite(metres) and metres > 0):
        msg = f"{name} must be a positive number of metres, got {value!r}."
        raise ValueError(msg)
    return metres
