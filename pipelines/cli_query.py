"""``compute-atlas query`` and ``export``: SQL and table exports on the published snapshot.

``query`` prints a table only on a terminal (or with ``--format table``): at most
:data:`TABLE_MAX_ROWS` rows, saying how many it left out. Piped without ``--format`` it writes
CSV. CSV and JSON are written by DuckDB and streamed (:func:`warehouse.export.stream_query`),
with full precision. Nothing here imports pandas.

``export`` reads published tables from the snapshot and the rest (``raw.source__rejects``, the
raw tables) read-only from the working warehouse.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli_options import (
    DataDir,
    duckdb_message,
    open_published,
    parse_day,
    settings_for,
)
from pipelines.cli_output import console, fail, print_table

# A terminal shows this many rows at most (rich renders ~10k cells a second); CSV and JSON
# carry every row.
TABLE_MAX_ROWS = 100


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the published snapshot.")],
    output: Annotated[QueryFormat | None, typer.Option(
        "--format", "-f", help="table (default on a terminal), csv (default when piped) or "
                               "json (an array of objects).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run SQL on the published (read-only) snapshot; print a table, CSV or JSON."""
    import duckdb

    fmt = output or (QueryFormat.table if console.is_terminal else QueryFormat.csv)
    con = open_published(data_dir)
    try:
        relation = con.sql(sql)
        if relation is None:  # a statement without a result
            return
        if fmt is QueryFormat.table:
            _print_relation(relation)
        else:
            _stream(relation, fmt.value)
    except duckdb.Error as exc:
        raise fail(duckdb_message(exc)) from None
    finally:
        con.close()


def _print_relation(relation) -> None:
    rows = relation.limit(TABLE_MAX_ROWS + 1).fetchall()
    print_table(relation.columns, rows[:TABLE_MAX_ROWS])
    if len(rows) > TABLE_MAX_ROWS:
        total = relation.aggregate("count(*)").fetchall()[0][0]
        console.print(f"[dim]{TABLE_MAX_ROWS:,} of {total:,} rows shown; --format csv or json "
                      "prints every row[/]")


def _stream(relation, fmt: str) -> None:
    from warehouse.export import stream_query

    sys.stdout.flush()
    try:
        stream_query(relation, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # the reader stopped (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(code=0) from None


def export(
    table_name: Annotated[str, typer.Argument(metavar="TABLE",
                                              help="e.g. out.gpu__daily_price_index")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or parquet")] = (
        ExportFormat.csv),
    out: Annotated[Path | None, typer.Option(help="Output file (a directory for monthly "
                                             "Parquet); default <data-dir>/exports/<table>."
                                             "<format>")] = None,
    where: Annotated[str | None, typer.Option(help="SQL condition on the table's columns, "
                                              "e.g. \"provider = 'azure'\".")] = None,
    since: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD) of the table's "
                                              "date column (observation_date, report_month, "
                                              "partition_date).")] = None,
    until: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD), inclusive.")] = None,
    columns: Annotated[str | None, typer.Option(help="Comma-separated columns, e.g. "
                                                "observation_date,gpu_model. Default: "
                                                "all.")] = None,
    by_month: Annotated[bool | None, typer.Option(
        "--by-month/--single-file", help="Parquet as one file per month (hive layout "
        "<out>/month=YYYY-MM/). Default: by month above 1,000,000 rows.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a table to CSV or Parquet (rows sorted by primary key): published tables from
    the snapshot, raw tables and parser rejects from the working warehouse (read-only)."""
    import duckdb

    from warehouse.connection import WarehouseLockedError
    from warehouse.export import export_spec, export_table
    from warehouse.publish import PUBLISHED_SCHEMAS

    try:
        spec = export_spec(table_name)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    settings = settings_for(data_dir)
    target = out or settings.exports_dir / f"{spec.name}.{fmt.value}"
    selection = {"columns": [c.strip() for c in columns.split(",") if c.strip()] if columns
                 else None, "where": where, "since": parse_day(since) if since else None,
                 "until": parse_day(until) if until else None, "by_month": by_month}
    try:
        if spec.schema in PUBLISHED_SCHEMAS:
            con = open_published(data_dir)
            try:
                result = export_table(con, spec.name, fmt.value, target, **selection)
            finally:
                con.close()
        else:
            with settings.connect(read_only=True) as con:
                result = export_table(con, spec.name, fmt.value, target, **selection)
    except WarehouseLockedError:
        raise fail(f"{spec.name} is not published and the working warehouse is busy "
                   "(a refresh is running); try again when it ends") from None
    except (ValueError, duckdb.Error) as exc:
        raise fail(duckdb_message(exc)) from None
    layout = " (one Parquet file per month)" if result.by_month else ""
    console.print(f"wrote {result.path}: {result.rows:,} rows{layout}")
