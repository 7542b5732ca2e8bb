"""Publishing: the read-only snapshot analysts query, and table exports (CSV, Parquet).

The working database is locked while the pipeline writes, so analysts never open it. After a
refresh, :func:`publish_snapshot` copies the ``core`` and ``out`` schemas into a new file written
in DuckDB's v1.2.0 storage format (so DuckDB 1.x clients can open it) and renames it over the
previous snapshot: readers see the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from models.catalog import TABLES

PUBLISHED_SCHEMAS = ("core", "out")
# Oldest storage format that holds everything we write; DuckDB >= 1.2 reads it.
PUBLISHED_STORAGE_VERSION = "v1.2.0"
EXPORT_FORMATS = {"csv": "(FORMAT csv, HEADER)", "parquet": "(FORMAT parquet)"}


def publish_snapshot(con: duckdb.DuckDBPyConnection, target: Path) -> Path:
    """Write ``core`` and ``out`` tables to ``target`` atomically; returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con.execute(f"ATTACH '{tmp}' AS published (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
    try:
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"CREATE SCHEMA published.{schema}")
        for spec in TABLES.values():
            if spec.schema in PUBLISHED_SCHEMAS:
                order = ", ".join(spec.primary_key) if spec.primary_key else "ALL"
                con.execute(f"CREATE TABLE published.{spec.name} AS "
                            f"SELECT * FROM {spec.name} ORDER BY {order}")
    finally:
        con.execute("DETACH published")
    os.replace(tmp, target)
    return target


def export_table(con: duckdb.DuckDBPyConnection, table: str, fmt: str, out: Path) -> Path:
    """Export one table, rows sorted by its primary key so exports diff cleanly."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {sorted(EXPORT_FORMATS)}")
    spec = TABLES.get(table)
    if spec is None:
        raise KeyError(f"no table {table!r}; known: {', '.join(sorted(TABLES))}")
    out.parent.mkdir(parents=True, exist_ok=True)
    order = ", ".join(spec.primary_key) if spec.primary_key else "ALL"
    con.execute(f"COPY (SELECT * FROM {spec.name} ORDER BY {order}) TO '{out}' "
                f"{EXPORT_FORMATS[fmt]}")
    return out
