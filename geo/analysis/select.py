"""Choosing features with a one-line condition, as ``geo near --where`` takes it.

Conditions read ``FIELD OP VALUE``: ``commodities contains uranium`` (a list field holds the value,
or a text field contains it, case-insensitive), ``country = KAZ``, ``country != KAZ``,
``country in KAZ,UZB``, ``production_value >= 1000`` (numbers compare as numbers).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["where"]

_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s+(contains|in|=|==|!=|<=|>=|<|>)\s+(.+?)\s*$", re.IGNORECASE)
_NUMERIC = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _contains(values: pd.Series, wanted: str) -> pd.Series:
    def test(value: object) -> bool:
        if isinstance(value, list | tuple | np.ndarray):
            return any(str(v).strip().lower() == wanted for v in value)
        return isinstance(value, str) and wanted in value.lower()

    return values.map(test).astype(bool)


def where(layer: pd.DataFrame, condition: str, *, name: str = "layer") -> pd.DataFrame:
    """Return the features of `layer` that meet `condition` (see the module docstring for the forms).

    Raises
    ------
    ValueError
        A condition that does not parse, a field the layer lacks (the message lists its fields),
        or a comparison of numbers with text.
    """
    match = _CONDITION.match(condition)
    if not match:
        msg = (
            f"--where {condition!r}: write FIELD OP VALUE, e.g. 'commodities contains uranium', "
            "'country = KAZ', 'country in KAZ,UZB' or 'production_value >= 1000'."
        )
        raise ValueError(msg)
    field, op, value = match.group(1), match.group(2).lower(), match.group(3).strip().strip("'\"")
    if field not in layer.columns:
        fields = ", ".join(c for c in layer.columns if c != "geometry")
        msg = f"{name} has no field {field!r} for --where; its fields: {fields}."
        raise ValueError(msg)
    values = layer[field]
    if op == "contains":
        keep = _contains(values, value.lower())
    elif op == "in":
        keep = values.astype("string").isin([v.strip() for v in value.split(",")]).fillna(False)
    elif op in ("=", "=="):
        keep = (values.astype("string") == value).fillna(False)
    elif op == "!=":
        keep = (values.astype("string") != value).fillna(True)
    else:
        try:
            number = float(value)
        except ValueError:
            msg = f"--where {condition!r}: {op} compares numbers; {value!r} is not a number."
            raise ValueError(msg) from None
        numbers = pd.to_numeric(values, errors="coerce")
        keep = pd.Series(_NUMERIC[op](numbers.to_numpy(dtype="float64"), number), index=layer.index)
    return layer[keep.to_numpy(dtype=bool)]
