"""Builds core and out partitions from SQL files, and loads reference CSVs into core tables.

``warehouse/sql/<schema>/<table>.sql`` holds one SELECT per table, parameterised by
``$observation_date``; :func:`build_partition` runs it and replaces that day's partition.
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
    """``core.x`` -> ``sql/core/x.sql``; ``inputs.y`` -> ``sql/inputs/y.sql``."""
    folder, name = query_name.split(".", 1)
    return SQL_DIR / folder / f"{name}.sql"


def select_partition(con: duckdb.DuckDBPyConnection, query_name: str,
                     observation_date: date) -> pd.DataFrame:
    """Run a named SQL file for one day and return the rows (not written)."""
    query = sql_path(query_name).read_text(encoding="utf-8")
    return con.execute(query, {"observation_date": observation_date}).df()


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
