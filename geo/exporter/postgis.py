"""PostGIS: the layers, their provenance table and their QGIS styles, in one transaction.

``geo.export(layers, "postgresql://user@host/db")`` (CLI: ``geo export -f postgis "postgresql://…"``)
writes each layer as a table in the connection's current schema with geopandas ``to_postgis``
(SQLAlchemy, GeoAlchemy2, psycopg 3): geometry typed (``Point``, ``MultiPolygon`` ...) with its SRID
and a spatial index, ``id`` as primary key where it is unique, booleans as booleans and list and record
fields as ``jsonb`` (so QGIS and SQL see arrays, not text). Beside the tables:

- ``layer_styles``: the layers' default QGIS styles, in the table QGIS itself uses, so QGIS draws
  them as the web map does when it opens them (styles you saved yourself stay, no longer the default);
- ``geo_provenance``: one row per layer (:mod:`geo.exporter.provenance_table`).

It matches the file formats: an existing table is an error unless ``overwrite=True``, checked before
any work; everything happens in **one transaction**, and each table is read back and counted before it
commits, so an export writes all its layers or none. Passwords never appear in messages.

Needs the optional dependencies: ``pip install 'centralasia-geo[postgis]'``.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import ExportError
from geo.exporter.extra_tables import flatten
from geo.exporter.json_fields import lists_to_json
from geo.exporter.losses import Losses
from geo.exporter.provenance_table import provenance_table
from geo.exporter.qgis import qml_document
from geo.exporter.split import AREAS_SUFFIX, declared_geometry_type, part_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

__all__ = ["PROVENANCE_TABLE", "STYLES_TABLE", "check_database", "read_postgis", "write_postgis"]

logger = logging.getLogger(__name__)

PROVENANCE_TABLE = "geo_provenance"
STYLES_TABLE = "layer_styles"
_MAX_NAME_BYTES = 63  # PostgreSQL truncates longer identifiers silently
_STYLE_NAME = "centralasia-geo"
_INSTALL = "PostGIS needs the postgis extra (SQLAlchemy, GeoAlchemy2, psycopg): pip install 'centralasia-geo[postgis]'."

_CREATE_STYLES = f"""CREATE TABLE IF NOT EXISTS {STYLES_TABLE} (
  id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar,
  f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean,
  description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,
  update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"""
_CREATE_PROVENANCE = f"""CREATE TABLE IF NOT EXISTS {PROVENANCE_TABLE} (
  layer text PRIMARY KEY, source_layer text, part text, title text, kind text, features integer,
  precision jsonb, sources text, licence text, source_file text, source_sha256 text, geo_version text,
  exported_at timestamptz DEFAULT now())"""
_QGIS_GEOMETRY = {"Point": "Point", "MultiPoint": "Point", "LineString": "Line", "MultiLineString": "Line"}


def redact(url: str) -> str:
    """Return the URL with its password hidden, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: show the scheme only
        return url.split("://", 1)[0] + "://…"


def _engine(url: str) -> Engine:
    try:
        import geoalchemy2  # noqa: F401 (to_postgis needs it)
        import psycopg  # noqa: F401
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError
        from sqlalchemy.pool import NullPool
    except ImportError as exc:
        raise ExportError(_INSTALL) from exc
    try:
        parsed = make_url(url.strip()).set(drivername="postgresql+psycopg")
    except ArgumentError as exc:
        msg = f"Cannot read the database URL {redact(url)!r}: use postgresql://user:password@host:port/database."
        raise ExportError(msg) from exc
    return create_engine(parsed, poolclass=NullPool, connect_args={"connect_timeout": 10})


@contextlib.contextmanager
def _database(url: str, *, transaction: bool) -> Iterator[Connection]:
    """Yield a connection (in one transaction if asked); database errors become one-line `ExportError`s."""
    engine = _engine(url)  # first: without the postgis extra this is the one-line error naming it
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.begin() if transaction else engine.connect() as conn:
            yield conn
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        msg = f"PostGIS export to {redact(url)} failed, nothing was written: {reason}"
        raise ExportError(msg) from exc
    finally:
        engine.dispose()


def _check_names(names: Sequence[str]) -> None:
    for name in names:
        if len(name.encode("utf-8")) > _MAX_NAME_BYTES or name in (PROVENANCE_TABLE, STYLES_TABLE):
            msg = f"Layer name {name!r} cannot be a PostgreSQL table: use at most 63 bytes and not a geo table name."
            raise ExportError(msg)


def _existing(conn: Connection, names: Sequence[str]) -> tuple[str, list[str]]:
    from sqlalchemy import text

    version = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")).scalar()
    if version is None:
        database = conn.execute(text("SELECT current_database()")).scalar()
        msg = (
            f"Database {database!r} has no PostGIS: run `CREATE EXTENSION postgis;` in it "
            "(as a user allowed to), then export again."
        )
        raise ExportError(msg)
    schema = str(conn.execute(text("SELECT current_schema()")).scalar())
    rows = conn.execute(
        text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s AND table_name = ANY(:n)"),
        {"s": schema, "n": list(names)},
    )
    return schema, sorted(r[0] for r in rows)


def check_database(url: str, names: Sequence[str], *, overwrite: bool) -> None:
    """Check a PostGIS target before any work: reachable, PostGIS installed, tables free (or `overwrite`).

    Raises
    ------
    ExportError
        Missing libraries, a bad URL, no connection, no PostGIS, an unfit name, or an existing table
        without `overwrite`.
    """
    _check_names(names)
    with _database(url, transaction=False) as conn:
        schema, taken = _existing(conn, names)
    if taken and not overwrite:
        msg = (
            f"Table {schema}.{taken[0]} already exists in {redact(url)}; "
            "pass overwrite=True (CLI: --overwrite) to replace it."
        )
        raise ExportError(msg)


def _write_table(conn: Connection, name: str, gdf: gpd.GeoDataFrame, *, overwrite: bool) -> None:
    from geoalchemy2 import Geometry
    from sqlalchemy import text
    from sqlalchemy.dialects.postgresql import JSONB

    flat, json_cols = lists_to_json(gdf)
    flat = flat.set_geometry(_one_type(flat.geometry))
    flat.attrs = {}
    quote = conn.dialect.identifier_preparer.quote
    table, geom = quote(name), quote(gdf.geometry.name)
    if_exists: Literal["replace", "fail"] = "replace" if overwrite else "fail"
    if len(flat) and flat.geometry.isna().all():  # features with no location only: to_postgis needs a geometry
        attributes = pd.DataFrame(flat.drop(columns=flat.geometry.name))
        attributes.to_sql(name, conn, if_exists=if_exists, index=False, dtype=dict.fromkeys(json_cols, JSONB))
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {geom} geometry"))
        conn.execute(text(f"CREATE INDEX ON {table} USING GIST ({geom})"))
    else:
        flat.to_postgis(name, conn, if_exists=if_exists, index=False, dtype=dict.fromkeys(json_cols, JSONB))
    types = set(flat.geom_type.dropna())
    declared = declared_geometry_type(name, gdf) or (types.pop() if len(types) == 1 else None)
    srid = gdf.crs.to_epsg() if gdf.crs is not None else None
    if declared and srid:  # an empty half, or one with unlocated rows, still gets its geometry type
        column_type = Geometry(geometry_type=declared.upper(), srid=srid).compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE {table} ALTER COLUMN {geom} TYPE {column_type}"))
    if "id" in gdf and gdf["id"].notna().all() and gdf["id"].is_unique:
        conn.execute(text(f"ALTER TABLE {table} ADD PRIMARY KEY ({quote('id')})"))


_MULTI = {
    "Point": shapely.MultiPoint,
    "LineString": shapely.MultiLineString,
    "Polygon": shapely.MultiPolygon,
}


def _one_type(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Single and multi parts of one kind (Polygon and MultiPolygon) as multi, so a table has one geometry type."""
    types = set(geoms.geom_type.dropna())
    single = next((t for t in _MULTI if types == {t, f"Multi{t}"}), None)
    if single is None:
        return geoms
    multi = _MULTI[single]
    return geoms.map(lambda g: multi([g]) if g is not None and g.geom_type == single else g)


def _geometry_type(gdf: gpd.GeoDataFrame, name: str) -> str:
    """QGIS's word for a layer's geometry (``Point``, ``Line``, ``Polygon``), as ``layer_styles.type`` holds it."""
    declared = declared_geometry_type(name, gdf)
    types = {declared} if declared else set(gdf.geom_type.dropna())
    return next((_QGIS_GEOMETRY.get(t, "Polygon") for t in sorted(types)), "Point")


def _write_styles(conn: Connection, schema: str, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    from sqlalchemy import text

    conn.execute(text(_CREATE_STYLES))
    conn.execute(text(f"ALTER TABLE {STYLES_TABLE} ADD COLUMN IF NOT EXISTS type varchar"))
    where = "f_table_catalog = current_database() AND f_table_schema = :schema AND f_table_name = :name"
    for name, gdf in frames.items():
        params = {"schema": schema, "name": name, "geom": gdf.geometry.name}
        conn.execute(
            text(f"DELETE FROM {STYLES_TABLE} WHERE {where} AND stylename = :style"), params | {"style": _STYLE_NAME}
        )
        conn.execute(text(f"UPDATE {STYLES_TABLE} SET useasdefault = false WHERE {where}"), params)
        conn.execute(
            text(
                f"INSERT INTO {STYLES_TABLE} (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "stylename, styleqml, useasdefault, description, type) VALUES (current_database(), :schema, :name, "
                ":geom, :style, XMLPARSE(DOCUMENT :qml), true, :description, :type)"
            ),
            params
            | {
                "style": _STYLE_NAME,
                "qml": qml_document(name, gdf, lists="native"),
                "description": f"Default style for {name}, written by centralasia-geo",
                "type": _geometry_type(gdf, name),
            },
        )


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _write_provenance(conn: Connection, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    from sqlalchemy import text

    conn.execute(text(_CREATE_PROVENANCE))
    conn.execute(text(f"DELETE FROM {PROVENANCE_TABLE} WHERE layer = ANY(:n)"), {"n": list(frames)})
    table = provenance_table(frames).astype(object)
    rows: list[dict[str, Any]] = [
        {str(k): (None if _is_missing(v) else v) for k, v in r.items()} for r in table.to_dict("records")
    ]
    columns = ", ".join(table.columns)
    values = ", ".join(f"CAST(:{c} AS jsonb)" if c == "precision" else f":{c}" for c in table.columns)
    for row in rows:
        conn.execute(text(f"INSERT INTO {PROVENANCE_TABLE} ({columns}) VALUES ({values})"), row)


def _read_layers(conn: Connection, names: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    quote = conn.dialect.identifier_preparer.quote
    out = {}
    for name in names:
        gdf = gpd.read_postgis(f"SELECT * FROM {quote(name)}", conn, geom_col="geometry")
        out[name] = gdf
    return out


def _drop_stale_areas(conn: Connection, schema: str, frames: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Drop the ``<name>_areas`` table an earlier export wrote for a layer that now needs none (overwrite only).

    Only a table the provenance table records as the area part of that same layer is dropped.
    """
    from sqlalchemy import inspect, text

    whole = [name for name, gdf in frames.items() if part_of(name, gdf) in ((name, "points"), (name, "areas"))]
    stale = [f"{name}{AREAS_SUFFIX}" for name in whole if f"{name}{AREAS_SUFFIX}" not in frames]
    if not stale or not inspect(conn).has_table(PROVENANCE_TABLE, schema=schema):
        return
    quote = conn.dialect.identifier_preparer.quote
    rows = conn.execute(
        text(f"SELECT layer, source_layer FROM {PROVENANCE_TABLE} WHERE layer = ANY(:n)"), {"n": stale}
    ).fetchall()
    for layer, source in rows:
        if f"{source}{AREAS_SUFFIX}" != layer:
            continue
        conn.execute(text(f"DROP TABLE IF EXISTS {quote(layer)}"))
        conn.execute(text(f"DELETE FROM {PROVENANCE_TABLE} WHERE layer = :n"), {"n": layer})
        if inspect(conn).has_table(STYLES_TABLE, schema=schema):
            conn.execute(text(f"DELETE FROM {STYLES_TABLE} WHERE f_table_name = :n"), {"n": layer})
        logger.info("Dropped %s: the layer %s now has no area-only features", layer, source)


def write_postgis(
    frames: Mapping[str, gpd.GeoDataFrame],
    url: str,
    *,
    overwrite: bool,
    losses: Losses,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, int]:
    """Write `frames`, their styles and provenance in one transaction; return the counts read back.

    Raises
    ------
    ExportError
        As :func:`check_database`; or a count read back differs (the transaction is rolled back).
    """
    _check_names(list(frames))
    with _database(url, transaction=True) as conn:
        schema, taken = _existing(conn, list(frames))
        if taken and not overwrite:
            msg = f"Table {schema}.{taken[0]} already exists in {redact(url)}; pass overwrite=True (CLI: --overwrite)."
            raise ExportError(msg)
        for name, gdf in frames.items():
            _write_table(conn, name, gdf, overwrite=overwrite)
        if overwrite:
            _drop_stale_areas(conn, schema, frames)
        for name, table in (tables or {}).items():  # non-spatial tables (the agreements), in the same transaction
            flatten(table).to_sql(name, conn, if_exists="replace" if overwrite else "fail", index=False)
        _write_styles(conn, schema, frames)
        _write_provenance(conn, frames)
        counts = {name: len(gdf) for name, gdf in _read_layers(conn, list(frames)).items()}
        expected = {name: len(gdf) for name, gdf in frames.items()}
        if counts != expected:
            msg = f"PostGIS export to {redact(url)} read back {counts} features, expected {expected}; rolled back."
            raise ExportError(msg)
    logger.info("Wrote %d tables to %s (schema %s)", len(frames), redact(url), schema)
    return counts


def read_postgis(url: str, *, layers: Sequence[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    """Read an export back from PostGIS: the layers its provenance table lists (or `layers`).

    List and record fields come back as Python lists (``jsonb``); booleans as booleans.
    """
    from sqlalchemy import text

    with _database(url, transaction=False) as conn:
        if layers is None:
            rows = conn.execute(text(f"SELECT layer FROM {PROVENANCE_TABLE} ORDER BY exported_at, layer"))
            layers = [r[0] for r in rows]
        return _read_layers(conn, layers)


def styles(url: str) -> dict[str, dict[str, Any]]:
    """Return the default styles in a database's ``layer_styles``: ``{table: {qml, type, geometry_column}}``."""
    from sqlalchemy import text

    with _database(url, transaction=False) as conn:
        rows = conn.execute(
            text(
                f"SELECT f_table_name, styleqml::text, type, f_geometry_column FROM {STYLES_TABLE} "
                "WHERE useasdefault AND f_table_catalog = current_database() AND f_table_schema = current_schema()"
            )
        )
        return {r[0]: {"qml": r[1], "type": r[2], "geometry_column": r[3]} for r in rows}
