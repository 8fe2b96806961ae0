"""Choosing features with a one-line condition, as ``geo near --where`` takes it.

Conditions read ``FIELD OP VALUE``: ``commodities contains uranium`` (a list field holds the value,
or a text field contains it), ``country = KAZ``, ``country != KAZ``, ``country in KAZ,UZB`` (text
compares without regard to case), ``production_value >= 1000`` (numbers compare as numbers).
A text value the field never holds is an error that names the closest values (``uranum`` → uranium),
not an empty answer.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["ALL_KINDS", "counted", "select", "where"]

#: ``kinds`` value of :func:`counted` that keeps every kind.
ALL_KINDS = "all"

_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s+(contains|in|=|==|!=|<=|>=|<|>)\s+(.+?)\s*$", re.IGNORECASE)
_LISTED = 12  # values named in a message
_NUMERIC = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _contains(values: pd.Series, wanted: str) -> pd.Series:
    def test(value: object) -> bool:
        if isinstance(value, list | tuple | np.ndarray):
            return any(str(v).strip().lower() == wanted for v in value)
        return isinstance(value, str) and wanted in value.lower()

    return values.map(test).astype(bool)


def _values(values: pd.Series) -> dict[str, str]:
    """Return the distinct values of a text or list field: lower-cased -> as first written."""
    seen: dict[str, str] = {}
    for value in values:
        items = value if isinstance(value, list | tuple | np.ndarray) else [value]
        for item in items:
            if isinstance(item, str) and item.strip():
                seen.setdefault(item.strip().lower(), item.strip())
    return seen


def _check_known(values: pd.Series, wanted: list[str], *, field: str, name: str, substring: bool) -> None:
    """Raise `ValueError` for a wanted text value that no feature's `field` holds (a typo, not an answer)."""
    known = _values(values)
    if not known:
        return
    for value in wanted:
        if value in known or (substring and any(value in k for k in known)):
            continue
        close = [known[c] for c in difflib.get_close_matches(value, list(known), n=3, cutoff=0.6)]
        hint = f"Did you mean {' or '.join(close)}? " if close else ""
        listed = ", ".join(sorted(known.values())[:_LISTED]) + (" …" if len(known) > _LISTED else "")
        msg = f"No feature of {name} has {field} {value!r}. {hint}Its values: {listed}."
        raise ValueError(msg)


def where(layer: pd.DataFrame, condition: str, *, name: str = "layer") -> pd.DataFrame:
    """Return the features of `layer` that meet `condition` (see the module docstring for the forms).

    Raises
    ------
    ValueError
        A condition that does not parse, a field the layer lacks (the message lists its fields), a text
        value the field never holds (the message names the closest), or a comparison of numbers with text.
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
    if op in ("contains", "in", "=", "==", "!="):
        wanted = [v.strip().lower() for v in value.split(",")] if op == "in" else [value.lower()]
        _check_known(values, wanted, field=field, name=name, substring=op == "contains")
        text = values.astype("string").str.strip().str.lower()
        if op == "contains":
            keep = _contains(values, wanted[0])
        elif op == "in":
            keep = text.isin(wanted).fillna(False)
        elif op == "!=":
            keep = (text != wanted[0]).fillna(True)
        else:
            keep = (text == wanted[0]).fillna(False)
    else:
        try:
            number = float(value)
        except ValueError:
            msg = f"--where {condition!r}: {op} compares numbers; {value!r} is not a number."
            raise ValueError(msg) from None
        numbers = pd.to_numeric(values, errors="coerce")
        keep = pd.Series(_NUMERIC[op](numbers.to_numpy(dtype="float64"), number), index=layer.index)
    return layer[keep.to_numpy(dtype=bool)]


def counted(
    layer: pd.DataFrame, *, name: str, kinds: str | list[str] | tuple[str, ...] | None = None
) -> tuple[pd.DataFrame, str]:
    """Return the features of `layer` an analysis counts as its subject, and a line saying which.

    A registered curated layer may count only some of its kinds by default (``campuses`` counts
    ``branch_campus`` and ``university``, not the school or the regional office it also maps):
    :attr:`geo.registry.LayerSpec.counted_kinds`. Pass `kinds` to choose (``"all"`` keeps every kind).
    A layer that is not registered, or has no ``kind`` column, is kept whole.

    Raises
    ------
    ValueError
        A kind the layer's vocabulary does not have (the message lists them).
    """
    from geo import registry

    if "kind" not in layer.columns or name not in registry.names():
        return layer, ""
    spec = registry.get(name)
    if kinds is None and not spec.counted_kinds:
        return layer, ""  # the layer counts every kind: nothing to say
    if kinds == ALL_KINDS:
        chosen: tuple[str, ...] = spec.kinds
    elif kinds is None:
        chosen = spec.counted_kinds
    else:
        items = [kinds] if isinstance(kinds, str) else list(kinds)
        chosen = tuple(part.strip() for item in items for part in item.split(",") if part.strip())
    if unknown := [k for k in chosen if k not in spec.kinds]:
        msg = f"{name} has no kind {unknown}; its kinds: {', '.join(spec.kinds)} (or 'all')."
        raise ValueError(msg)
    keep = layer["kind"].isin(chosen)
    left = layer.loc[~keep, "kind"].value_counts()
    note = f"{name}: counting kinds {', '.join(chosen)}"
    if len(left):
        note += " (left out: " + ", ".join(f"{n} {k}" for k, n in left.items()) + "; --kinds all counts them)"
    return layer[keep.to_numpy(dtype=bool)], note


def select(layers: Mapping[str, pd.DataFrame], conditions: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Return the features of each layer that meet every condition (see :func:`where`), by layer name.

    A layer without a condition's field is left out of the answer (it cannot meet it); so is a layer
    whose field never holds the value, as long as another layer's does. With no conditions, every
    layer comes back whole.

    Raises
    ------
    ValueError
        A condition no layer can answer: a field none of them has, or a value none of them holds
        (the message names the closest values of the first layer that has the field).
    """
    out = dict(layers)
    for condition in conditions:
        answered: dict[str, pd.DataFrame] = {}
        errors: list[ValueError] = []
        for name, layer in out.items():
            match = _CONDITION.match(condition)
            if match and match.group(1) not in layer.columns:
                continue
            try:
                answered[name] = where(layer, condition, name=name)
            except ValueError as error:
                errors.append(error)
        if not answered:
            if errors:
                raise errors[0]
            if len(out) < 2 or not _CONDITION.match(condition):  # noqa: PLR2004
                where(next(iter(out.values()), pd.DataFrame()), condition, name=next(iter(out), "layer"))
            field = _CONDITION.match(condition).group(1)  # type: ignore[union-attr]
            fields = ", ".join(sorted({str(c) for layer in out.values() for c in layer.columns} - {"geometry"}))
            msg = f"None of {', '.join(out)} has a field {field!r} for --where; their fields: {fields}."
            raise ValueError(msg)
        out = answered
    return out
