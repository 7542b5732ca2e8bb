"""Getting rows out of DuckDB: table exports (CSV, Parquet, monthly Parquet partitions) and
query results streamed to a byte stream (CSV, JSON).

DuckDB's own writers do the formatting, so a result is never held whole in Python: an export
is one ``COPY`` to a file or directory, and :func:`stream_query` runs ``COPY`` into a pipe
whose other end is copied to the caller's stream chunk by chunk. Full precision is kept (no
rounding: that is the terminal's business).

Parquet exports of tables with a date column are split into one file per month (hive layout,
``<out>/month=YYYY-MM/data_0.parquet``) when the selection holds more than
:data:`PARTITION_ROWS` rows, or when asked; readers see ``month`` as a column
(``read_parquet('<out>/**/*.parquet', hive_partitioning = true)``).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import duckdb

from models.catalog import TABLES, TableSpec
from models.name_matching import unknown_name_message

EXPORT_FORMATS = {"csv": "(FORMAT csv, HEADER)", "parquet": "(FORMAT parquet)"}
STREAM_FORMATS = {"csv": EXPORT_FORMATS["csv"], "json": "(FORMAT json, ARRAY true)"}
# Above this many rows a Parquet export is written as one file per month: a year of daily
# offers (~1M rows) stays one file, a multi-year history splits into files readers can prune.
PARTITION_ROWS = 1_000_000
MONTH_COLUMN = "month"
_MONTH_DIR = "month="
CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    by_month: bool


def sort_order(spec: TableSpec) -> str:
    """ORDER BY of a table's rows: its primary key, so exports and copies diff cleanly."""
    return ", ".join(spec.primary_key) if spec.primary_key else "ALL"


def date_column(spec: TableSpec) -> str | None:
    """The DATE column ``--since``/``--until`` and monthly partitions apply to: the table's
    date partition column (observation_date, report_month, partition_date), else
    observation_date when declared."""
    for name in (*spec.partition_by, "observation_date"):
        if name in spec.column_names and spec.column(name).type == "DATE":
            return name
    return None


def export_spec(table: str) -> TableSpec:
    """The catalog declaration of ``table``; a KeyError lists the closest names."""
    spec = TABLES.get(table)
    if spec is None:
        raise KeyError(unknown_name_message("table", table, TABLES))
    return spec


def _selection(spec: TableSpec, columns: Sequence[str] | None, where: str | None,
               since: date | None, until: date | None) -> tuple[str, str]:
    """SELECT list and WHERE clause of an export."""
    for column in columns or ():
        if column not in spec.column_names:
            raise ValueError(unknown_name_message(f"column of {spec.name}", column,
                                                  spec.column_names))
    conditions = [f"({where})"] if where else []
    if since is not None or until is not None:
        column = date_column(spec)
        if column is None:
            raise ValueError(f"{spec.name} has no date column for --since/--until")
        if since is not None:
            conditions.append(f"{column} >= DATE '{since.isoformat()}'")
        if until is not None:
            conditions.append(f"{column} <= DATE '{until.isoformat()}'")
    return ", ".join(columns) if columns else "*", " AND ".join(conditions) or "true"


def export_table(con: duckdb.DuckDBPyConnection, table: str, fmt: str, out: Path, *,
                 columns: Sequence[str] | None = None, where: str | None = None,
                 since: date | None = None, until: date | None = None,
                 by_month: bool | None = None) -> ExportResult:
    """Export a table's rows (optionally a column subset, a SQL condition and a date range),
    sorted by its primary key. ``by_month`` None decides by size (Parquet only)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {sorted(EXPORT_FORMATS)}")
    spec = export_spec(table)
    select, condition = _selection(spec, columns, where, since, until)
    rows = con.execute(f"SELECT count(*) FROM {spec.name} WHERE {condition}").fetchone()[0]
    month_of = date_column(spec)
    if by_month and (fmt != "parquet" or month_of is None):
        raise ValueError("monthly partitions need --format parquet and a table with a date "
                         f"column ({spec.name}: {month_of or 'none'})")
    if by_month is None:
        by_month = fmt == "parquet" and month_of is not None and rows > PARTITION_ROWS
    query = f"SELECT {select} FROM {spec.name} WHERE {condition} ORDER BY {sort_order(spec)}"
    if not by_month:
        out.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY ({query}) TO '{out}' {EXPORT_FORMATS[fmt]}")
        return ExportResult(out, rows, by_month=False)
    _write_months(con, f"SELECT *, strftime({month_of}, '%Y-%m') AS {MONTH_COLUMN} "
                       f"FROM ({query})", spec, out, month_of)
    return ExportResult(out, rows, by_month=True)


def _write_months(con: duckdb.DuckDBPyConnection, query: str, spec: TableSpec, out: Path,
                  month_of: str) -> None:
    """Write ``month=YYYY-MM/`` Parquet directories into ``out``, replacing a previous
    monthly export there (and nothing else: another non-empty directory is refused)."""
    if out.exists() and not _is_monthly_export(out):
        raise ValueError(f"{out} exists and is not a monthly export; choose another --out")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        con.execute(f"COPY ({query}) TO '{tmp}' (FORMAT parquet, PARTITION_BY ({MONTH_COLUMN}))")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _is_monthly_export(path: Path) -> bool:
    return path.is_dir() and all(p.is_dir() and p.name.startswith(_MONTH_DIR)
                                 for p in path.iterdir())


def stream_query(relation: duckdb.DuckDBPyRelation, fmt: str, out: BinaryIO) -> None:
    """Write a query's rows to ``out`` as CSV (with a header) or a JSON array, formatted by
    DuckDB and passed through a pipe in chunks, so memory stays flat whatever the size.

    DuckDB's error (a bad query) is raised after the pipe drained; an error writing ``out``
    (a closed pipe: ``| head``) ends the copy and is raised."""
    if fmt not in STREAM_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {sorted(STREAM_FORMATS)}")
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def copy(query_result: duckdb.DuckDBPyRelation) -> None:
        # DuckDB finds the relation by its variable name (a replacement scan).
        try:
            query_result.query("query_result", f"COPY query_result TO '/dev/fd/{write_fd}' "
                                               f"{STREAM_FORMATS[fmt]}")
        except BaseException as exc:  # handed to the reading thread, raised there
            failure.append(exc)
        finally:
            os.close(write_fd)

    writer = threading.Thread(target=copy, args=(relation,), name="duckdb-copy", daemon=True)
    writer.start()
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            while chunk := pipe.read(CHUNK_BYTES):
                out.write(chunk)
    finally:
        writer.join()
    if failure:
        raise failure[0]
