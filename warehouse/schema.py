"""Creates the warehouse schemas and tables from the catalog, and checks they still match it.

DDL is generated from :mod:`models.catalog`; nothing here spells a column by hand.
"""

from __future__ import annotations

import duckdb

from models.catalog import TABLES, TableSpec
from warehouse.write import transaction


class SchemaMismatchError(RuntimeError):
    """A table in the database no longer has the columns its catalog declaration says."""


def ensure_schema(con: duckdb.DuckDBPyConnection,
                  tables: dict[str, TableSpec] | None = None) -> None:
    """Create missing schemas and tables; fail loudly if an existing table has drifted."""
    tables = TABLES if tables is None else tables
    existing: dict[str, list[str]] = {}
    for schema, name, column in con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() ORDER BY column_index").fetchall():
        existing.setdefault(f"{schema}.{name}", []).append(column)
    missing = [spec for spec in tables.values() if spec.name not in existing]
    if missing:
        with transaction(con):
            for schema in sorted({t.schema for t in missing}):
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            for spec in missing:
                con.execute(spec.create_sql())
    for spec in tables.values():
        if spec.name in existing and tuple(existing[spec.name]) != spec.column_names:
            raise SchemaMismatchError(
                f"{spec.name} in the database has columns {existing[spec.name]}, but the "
                f"catalog declares "
                f"{list(spec.column_names)}. Rebuild it from the raw archive: drop the table "
                f"(or the database file) and re-run `compute-atlas refresh --date ...` for the "
                f"affected dates.")
