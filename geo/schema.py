"""Validate a curated layer against its spec: a pandera schema built from the layer registry.

Validation collects every problem before raising, and names the layer, the feature ids and the
fields at fault. pandera is imported only when a layer is validated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo import precision
from geo.errors import LayerSchemaError
from geo.registry import CONFIDENCE, EVENT_STATUSES, SOURCE_TYPES, UK_LINK_KINDS, LayerSpec

if TYPE_CHECKING:
    import geopandas as gpd
    from pandera.errors import SchemaErrors

__all__ = ["DATE_PATTERN", "list_columns", "sources_problem", "validate_curated"]

_SHOWN = 5  # feature ids named per problem
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"
_SOURCE_KEYS = {"title", "publisher", "url", "date", "type"}
#: Whether loading refuses a source with neither a URL nor an ``offline`` reason (``geo data audit`` always does).
NEED_URL = True


def sources_problem(value: Any, *, need_url: bool = True) -> str | None:  # noqa: PLR0911
    """Return what is wrong with a ``sources`` list, or ``None`` if it is well formed.

    Each source needs a title, a publisher, a date (``YYYY[-MM[-DD]]`` or empty), a URL (http or https)
    and a ``type`` from :data:`geo.registry.SOURCE_TYPES`; with `need_url`, a source without a URL must say
    why in ``offline`` (a print or offline document).
    """
    if not isinstance(value, list) or not value:
        return "no sources"
    for src in value:
        if not isinstance(src, dict) or not _SOURCE_KEYS <= set(src) or not str(src.get("title", "")).strip():
            return f"a source lacks one of {sorted(_SOURCE_KEYS)}"
        url, date = str(src.get("url") or ""), str(src.get("date") or "")
        if url and not re.match(r"^https?://\S+$", url):
            return f"url {url!r} is not http(s)"
        if need_url and not url and not str(src.get("offline") or "").strip():
            return f"source {src.get('title')!r} has no url and no 'offline' reason"
        if date and not re.match(DATE_PATTERN, date):
            return f"date {date!r} is not YYYY[-MM[-DD]]"
        if src.get("type") not in SOURCE_TYPES:
            return f"source {src.get('title')!r} has type {src.get('type')!r}; use one of {list(SOURCE_TYPES)}"
    return None


def _readings_ok(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict) and r.get("claim") and r.get("confidence") in CONFIDENCE and r.get("source") for r in value
    )


def _owners_ok(value: Any) -> bool:
    def share_ok(share: Any) -> bool:
        return share is None or (isinstance(share, int | float) and 0 <= share <= 100)  # noqa: PLR2004

    return isinstance(value, list) and all(
        isinstance(r, dict) and str(r.get("name") or "").strip() and share_ok(r.get("share_pct")) for r in value
    )


def _events_ok(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict)
        and re.match(DATE_PATTERN, str(r.get("date") or ""))
        and r.get("status") in EVENT_STATUSES
        and str(r.get("source") or "").strip()
        for r in value
    )


def _uk_link_ok(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict)
        and r.get("kind") in UK_LINK_KINDS
        and str(r.get("note") or "").strip()
        and str(r.get("source") or "").startswith("http")
        for r in value
    )


def _records_ok(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)


#: Element checks for record fields with a known shape: (check, what a good value is).
_RECORD_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "sources": (
        lambda v: sources_problem(v, need_url=NEED_URL) is None,
        "one or more sources, each with title, publisher, url (http(s); if empty, an 'offline' reason), date and "
        f"a type from {list(SOURCE_TYPES)}",
    ),
    "readings": (_readings_ok, "readings need claim, confidence H/M/L and source"),
    "owners": (_owners_ok, "owners need a name and a share_pct between 0 and 100 (or none)"),
    "uk_link": (_uk_link_ok, f"uk_link entries need a kind from {list(UK_LINK_KINDS)}, a note and a source URL"),
    "events": (_events_ok, f"events need a date (YYYY[-MM[-DD]]), a status from {list(EVENT_STATUSES)} and a source"),
}


def list_columns(spec: LayerSpec) -> list[str]:
    """Return the columns of `spec` holding lists (of strings or of records)."""
    return [f.name for f in spec.all_fields if f.type in ("list", "records")]


def _text_checks(spec: LayerSpec, name: str, ftype: str, *, required: bool) -> list[Any]:
    import pandera.pandas as pa

    special = {
        "id": lambda: pa.Check.str_matches(_SLUG),
        "layer": lambda: pa.Check.eq(spec.name),
        "kind": lambda: pa.Check.isin(spec.kinds),
        "location_precision": lambda: pa.Check.isin(tuple(precision.LEVELS)),
    }
    if name in special:
        return [special[name]()]
    if ftype == "date":
        return [pa.Check.str_matches(DATE_PATTERN)]
    return [pa.Check.str_length(min_value=1)] if required else []


def _list_column(values: tuple[str, ...] | None, *, required: bool) -> Any:
    import pandera.pandas as pa

    allowed = set(values) if values is not None else None

    def list_ok(v: Any) -> bool:
        if not isinstance(v, list) or (required and not v):
            return False
        return all(isinstance(x, str) and x and (allowed is None or x in allowed) for x in v)

    what = "a list of names" + (f" from {sorted(allowed)}" if allowed else "")
    return pa.Column(object, pa.Check(list_ok, element_wise=True, error=what))


def _column(
    spec: LayerSpec, name: str, ftype: str, *, required: bool, values: tuple[str, ...] | None, minimum: float | None
) -> Any:
    import pandera.pandas as pa

    if ftype in ("text", "date"):
        checks = _text_checks(spec, name, ftype, required=required)
        if values is not None:
            checks.append(pa.Check.isin(values))
        return pa.Column(str, checks, nullable=not required, unique=name == "id", coerce=False)
    if ftype in ("int", "float"):
        checks = [pa.Check.ge(minimum)] if minimum is not None else []
        return pa.Column("Int64" if ftype == "int" else float, checks, nullable=True)
    if ftype == "bool":
        return pa.Column(bool)
    if ftype == "list":
        return _list_column(values, required=required)
    check, what = _RECORD_CHECKS.get(name, (_records_ok, "a list of tables"))
    return pa.Column(object, pa.Check(check, element_wise=True, error=what))


def _schema(spec: LayerSpec) -> Any:
    import pandera.pandas as pa

    columns = {}
    for f in spec.all_fields:
        part = f.type == "quantity"
        for col, ftype in f.columns():
            minimum = f.minimum if not part or col.endswith("_value") else (1900 if col.endswith("_year") else None)
            columns[col] = _column(
                spec, col, ftype, required=f.required and not part, values=None if part else f.values, minimum=minimum
            )
    return pa.DataFrameSchema(columns, strict=False, name=spec.name)


def _describe(errors: SchemaErrors, ids: pd.Series) -> Iterable[str]:
    cases = errors.failure_cases
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
        rows = [int(i) for i in group["index"].dropna().unique()]
        who = ", ".join(repr(ids.iloc[i]) for i in rows[:_SHOWN] if i < len(ids)) or "the layer"
        more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
        yield f"field {column!r} fails {check} for {who}{more}"


def validate_curated(gdf: gpd.GeoDataFrame, *, spec: LayerSpec, path: str) -> gpd.GeoDataFrame:
    """Validate a curated layer against its spec; raise one error listing every problem.

    Parameters
    ----------
    gdf
        The resolved layer.
    spec
        Its spec in the layer registry.
    path
        The source file, named in the message.

    Returns
    -------
    gpd.GeoDataFrame
        `gdf`, unchanged.

    Raises
    ------
    LayerSchemaError
        Listing the fields and feature ids at fault.
    """
    from pandera.errors import SchemaErrors

    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    try:
        _schema(spec).validate(frame, lazy=True)
    except SchemaErrors as err:
        problems = list(_describe(err, frame["id"] if "id" in frame else pd.Series(dtype=str)))
        msg = f"Curated layer {spec.name!r} ({path}) failed validation: " + "; ".join(problems) + "."
        raise LayerSchemaError(msg) from None
    return gdf
