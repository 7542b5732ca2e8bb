"""Where the SQL that builds each core and out table lives, and its text.

``warehouse/sql/<schema>/<table>.sql`` holds one SELECT per table, parameterised by its
partition column (``$observation_date``, ``$report_month``); :mod:`warehouse.build` runs it and
replaces that partition. A table fed by many sources is a folder instead,
``warehouse/sql/<schema>/<table>/<source>.sql``, one SELECT per source, combined with
``UNION ALL BY NAME``: adding a source adds a file, and edits no shared query. What every source
of such a table shares (a code mapping applied to all rows) goes in the folder's ``_conform.sql``,
a SELECT over ``per_source``, the per-source rows united.
``warehouse/sql/inputs/`` holds the SELECTs that feed tables computed in Python (the estimation
outputs). :mod:`warehouse.lineage` derives table dependencies from the same text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"


def sql_path(query_name: str) -> Path:
    """``core.x`` -> ``sql/core/x.sql`` (or the folder ``sql/core/x/``); ``inputs.y`` ->
    ``sql/inputs/y.sql``."""
    folder, name = query_name.split(".", 1)
    per_source = SQL_DIR / folder / name
    return per_source if per_source.is_dir() else SQL_DIR / folder / f"{name}.sql"


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


CONFORM_SQL = "_conform.sql"


def query_text(query_name: str) -> str:
    """The SELECT that builds ``query_name``: its file, or its per-source files joined by
    ``UNION ALL BY NAME`` (each in parentheses, so each may have its own WITH clause), read
    through the folder's ``_conform.sql`` as ``per_source`` when there is one."""
    path = sql_path(query_name)
    if not path.is_dir():
        return path.read_text(encoding="utf-8")
    parts = [f"({_strip_comments(p.read_text(encoding='utf-8')).strip()})"
             for p in sorted(path.glob("*.sql")) if p.name != CONFORM_SQL]
    if not parts:
        raise FileNotFoundError(f"{path} holds no .sql file")
    united = "\nUNION ALL BY NAME\n".join(parts)
    conform = path / CONFORM_SQL
    if not conform.exists():
        return united
    return (f"WITH per_source AS (\n{united}\n)\n"
            + _strip_comments(conform.read_text(encoding="utf-8")).strip())



def select_partition(con: duckdb.DuckDBPyConnection, query_name: str, value: date,
                     column: str = "observation_date") -> pd.DataFrame:
    """Run a named query for one partition and return its rows (not written)."""
    return con.execute(query_text(query_name), {column: value}).df()
