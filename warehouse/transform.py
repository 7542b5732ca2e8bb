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

A roll-up table (:data:`ROLLUPS`: a daily table summarised by week or month) is partitioned by
the first day of its period; rebuilding any day recomputes the whole period holding it, with one
query shared by every period, run with ``$period_start`` and ``$period_end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"


@dataclass(frozen=True)
class Rollup:
    """A table holding the ``week`` (from Monday) or ``month`` around each rebuilt day, built
    by the shared ``query``."""

    query: str
    period: Literal["week", "month"]

    def bounds(self, day: date) -> tuple[date, date]:
        """The first day of the period holding ``day`` and the first day of the next one."""
        if self.period == "week":
            start = day - timedelta(days=day.weekday())
            return start, start + timedelta(days=7)
        start = day.replace(day=1)
        return start, (start + timedelta(days=31)).replace(day=1)

    def partition(self, day: date) -> dict[str, date]:
        return {"period_start_date": self.bounds(day)[0]}


ROLLUPS: dict[str, Rollup] = {
    "out.gpu__weekly_price_index": Rollup("out.gpu__price_index_by_period", "week"),
    "out.gpu__monthly_price_index": Rollup("out.gpu__price_index_by_period", "month"),
}


def sql_path(query_name: str) -> Path:
    """``core.x`` -> ``sql/core/x.sql`` (or the folder ``sql/core/x/``); ``inputs.y`` ->
    ``sql/inputs/y.sql``; a roll-up table -> its shared query's file."""
    if query_name in ROLLUPS:
        query_name = ROLLUPS[query_name].query
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



def partition_of(query_name: str, value: date,
                 column: str = "observation_date") -> dict[str, Any]:
    """The partition of ``query_name``'s table that rebuilding ``column = value`` replaces:
    that partition itself, or for a roll-up the period holding it."""
    if query_name in ROLLUPS:
        return ROLLUPS[query_name].partition(value)
    return {column: value}


def select_partition(con: duckdb.DuckDBPyConnection, query_name: str, value: date,
                     column: str = "observation_date") -> pd.DataFrame:
    """Run a named query for one partition (a roll-up: for the period holding ``value``) and
    return its rows (not written)."""
    if query_name in ROLLUPS:
        start, end = ROLLUPS[query_name].bounds(value)
        parameters: dict[str, Any] = {"period_start": start, "period_end": end}
    else:
        parameters = {column: value}
    return con.execute(query_text(query_name), parameters).df()
