"""Builds core and out partitions from SQL files, and loads reference CSVs into core tables.

``warehouse/sql/<schema>/<table>.sql`` holds one SELECT per table, parameterised by its
partition column (``$observation_date``, ``$report_month``); :func:`build_partition` runs it and
replaces that partition. A table fed by many sources is a folder instead,
``warehouse/sql/<schema>/<table>/<source>.sql``, one SELECT per source, combined with
``UNION ALL BY NAME``: adding a source adds a file, and edits no shared query.
``warehouse/sql/inputs/`` holds the SELECTs that feed tables computed in Python (the estimation
outputs); :func:`select_partition` runs those.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from models.catalog import table
from warehouse.write import replace_partition, replace_table

SQL_DIR = Path(__file__).parent / "sql"


def sql_path(query_name: str) -> Path:
    """``core.x`` -> ``sql/core/x.sql`` (or the folder ``sql/core/x/``); ``inputs.y`` ->
    ``sql/inputs/y.sql``."""
    folder, name = query_name.split(".", 1)
    per_source = SQL_DIR / folder / name
    return per_source if per_source.is_dir() else SQL_DIR / folder / f"{name}.sql"


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def query_text(query_name: str) -> str:
    """The SELECT that builds ``query_name``: its file, or its per-source files joined by
    ``UNION ALL BY NAME`` (each in parentheses, so each may have its own WITH clause)."""
    path = sql_path(query_name)
    if not path.is_dir():
        return path.read_text(encoding="utf-8")
    parts = [f"({_strip_comments(p.read_text(encoding='utf-8')).strip()})"
             for p in sorted(path.glob("*.sql"))]
    if not parts:
        raise FileNotFoundError(f"{path} holds no .sql file")
    return "\nUNION ALL BY NAME\n".join(parts)


def select_partition(con: duckdb.DuckDBPyConnection, query_name: str,
                     observation_date: date) -> pd.DataFrame:
    """Run a named SQL file for one day and return the rows (not written)."""
    return con.execute(query_text(query_name), {"observation_date": observation_date}).df()


def build_partition(con: duckdb.DuckDBPyConnection, table_name: str,
                    observation_date: date) -> int:
    """Recompute one day of a SQL-defined table; returns rows written."""
    frame = select_partition(con, table_name, observation_date)
    return replace_partition(con, table(table_name), frame,
                             {"observation_date": observation_date})


def load_reference(con: duckdb.DuckDBPyConnection, table_name: str,
                   frame: pd.DataFrame) -> int:
    """Replace a reference table (GPU specs, aliases, VM sizes...) with ``frame``."""
    return replace_table(con, table(table_name), frame)
