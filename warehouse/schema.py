"""Creates the warehouse schemas and tables from the catalog, and checks they still match it.

DDL is generated from :mod:`models.catalog`; nothing here spells a column by hand.
"""

from __future__ import annotations

import duckdb

from models.catalog import TABLES, TableSpec


class SchemaMismatchError(RuntimeError):
    """A table in the database no longer has the columns its catalog declaration says."""


def ensure_schema(con: duckdb.DuckDBPyConnection,
                  tables: dict[str, TableSpec] | None = None) -> None:
    """Create missing schemas and tables; fail loudly if an existing table has drifted."""
    tables = TABLES if tables is None else tables
    for schema in sorted({t.schema for t in tables.values()}):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for spec in tables.values():
        con.execute(spec.create_sql())
        existing = [row[0] for row in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [spec.schema, spec.name.split(".", 1)[1]]).fetchall()]
        if tuple(existing) != spec.column_names:
            raise SchemaMismatchError(
                f"{spec.name} in the database has columns {existing}, but the catalog declares "
                f"{list(spec.column_names)}. Rebuild it from the raw archive: drop the table "
                f"(or the database file) and re-run `compute-atlas refresh --date ...` for the "
                f"affected dates.")
