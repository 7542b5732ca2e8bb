"""The ``compute-atlas`` command line: refresh, ingest, status, query, export, sources, estimate.

Analyst- and operator-facing. Orchestration proper (schedules, backfills over ranges, the UI)
is Dagster's: ``dg dev`` and ``dg launch``. The refresh here runs the same
:class:`pipelines.refresh.Refresher` as the Dagster asset. Errors exit non-zero with a readable
message, never a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from pipelines.cli_estimate import estimate_app
from pipelines.cli_output import console, fail
from pipelines.refresh import MODES, Refresher, RefreshReport, SourceOutcome
from sources.archive import RawArchive
from sources.http import ingest_file
from sources.registry import SOURCES, get_source
from warehouse.connection import WarehouseSettings
from warehouse.publish import EXPORT_FORMATS, export_table

app = typer.Typer(help="compute-atlas: what AI compute costs and where it is being built.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(estimate_app, name="estimate")

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Data directory (archive, warehouse, published snapshot). "
                       "Env: COMPUTE_ATLAS_DATA_DIR. Default: ./data in the repo.")]
Database = Annotated[str | None, typer.Option(
    "--database", help="DuckDB database string for the working warehouse. "
                       "Env: COMPUTE_ATLAS_DATABASE. Default: <data-dir>/warehouse.duckdb.")]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"not a date (YYYY-MM-DD): {value!r}") from None


def _days(day: str | None, since: str | None) -> list[date]:
    end = _parse_day(day) if day else datetime.now(UTC).date()
    if since is None:
        return [end]
    start = _parse_day(since)
    if start > end:
        raise fail(f"--since {start} is after --date {end}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _print_outcome(outcome: SourceOutcome) -> None:
    if outcome.ok:
        console.print(f"  [green]✓[/] {outcome.source} {outcome.observation_date} "
                      f"({outcome.mode}): {outcome.n_records:,} rows, {outcome.n_rejects:,} "
                      f"rejects, {outcome.n_snapshots} payloads, {outcome.seconds:.1f}s")
    else:
        console.print(f"  [red]✗[/] {outcome.source} {outcome.observation_date} "
                      f"({outcome.mode}): {outcome.error}")


def _print_report(report: RefreshReport) -> None:
    summary = Table(title=f"refresh {report.run_id}")
    for column in ("source", "date", "mode", "status", "rows", "rejects", "seconds"):
        summary.add_column(column, no_wrap=True)
    for o in report.sources:
        summary.add_row(o.source, str(o.observation_date), o.mode,
                        "[green]ok[/]" if o.ok else "[red]failed[/]", f"{o.n_records:,}",
                        f"{o.n_rejects:,}", f"{o.seconds:.1f}")
    console.print(summary)
    for o in report.failed_sources:
        console.print(f"[red]✗ {o.source} {o.observation_date}:[/] {o.error}", soft_wrap=True)
    for day in report.days:
        rows = ", ".join(f"{name} {n:,}" for name, n in day.table_rows.items())
        console.print(f"{day.observation_date}: {rows}", soft_wrap=True)
        for check in day.checks:
            if not check.passed:
                level = "[red]BLOCKING[/]" if check.blocking else "[yellow]warning[/]"
                console.print(f"  {level} {check.table} {check.name}: {check.message}",
                              soft_wrap=True)
    if report.published:
        console.print(f"published {report.published}")
    else:
        console.print(f"[yellow]not published:[/] {report.publish_skipped_reason}")
    console.print(f"refresh took {report.seconds:.1f}s")


def _run_refresh(settings: WarehouseSettings, refresher_kwargs: dict, **run_kwargs) -> None:
    console.print(f"warehouse {settings.database}; archive {settings.archive_dir}")
    refresher = Refresher(settings, on_source_done=_print_outcome,
                          on_source_start=lambda name, day: console.print(
                              f"  … {name} {day}", style="dim"),
                          **refresher_kwargs)
    report = refresher.run(**run_kwargs)
    _print_report(report)
    if report.failed_sources or report.published is None and run_kwargs.get("publish", True):
        raise typer.Exit(code=1)


@app.command()
def refresh(
    day: Annotated[str | None, typer.Option("--date", help="Observation date (YYYY-MM-DD); "
                                            "default today (UTC).")] = None,
    since: Annotated[str | None, typer.Option(help="First date of a range ending at --date "
                                              "(re-parses archived payloads: a backfill).")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Only these sources (repeatable). Default: all.")] = None,
    replay: Annotated[Path | None, typer.Option(
        help="Serve requests from this recorded archive directory instead of the network.")] = None,
    mode: Annotated[str, typer.Option(help=f"One of {', '.join(MODES)}: auto = live today, "
                                      "archive for past dates.")] = "auto",
    no_publish: Annotated[bool, typer.Option("--no-publish", help="Skip publishing.")] = False,
    data_dir: DataDir = None,
    database: Database = None,
) -> None:
    """Collect sources for a day (or a range), rebuild core/out tables, publish a snapshot."""
    settings = WarehouseSettings.from_env(data_dir, database)
    if replay is not None:
        if not (replay / "manifest.jsonl").is_file():
            raise fail(f"{replay} is not a raw archive (no manifest.jsonl)")
        mode = "replay"
    for name in source or []:
        if name not in SOURCES:
            raise fail(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    try:
        _run_refresh(settings, {"replay_dir": replay}, days=_days(day, since),
                     source_names=source, mode=mode, publish=not no_publish)
    except (ValueError, duckdb.IOException) as exc:
        raise fail(str(exc)) from None


@app.command()
def ingest(
    source_name: Annotated[str, typer.Argument(metavar="SOURCE", help="Source name.")],
    file: Annotated[Path, typer.Argument(help="A payload downloaded by hand.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Observation date (YYYY-MM-DD).")],
    data_dir: DataDir = None,
    database: Database = None,
) -> None:
    """Parse a local file as SOURCE's payload for a day, archive it, rebuild, publish."""
    try:
        source = get_source(source_name)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    if not file.is_file():
        raise fail(f"no such file: {file}")
    day = _parse_day(as_of)
    settings = WarehouseSettings.from_env(data_dir, database)
    snapshot = ingest_file(source=source.name, observation_date=day, path=file,
                           archive=RawArchive(settings.archive_dir),
                           max_bytes=source.max_response_bytes)
    _run_refresh(settings, {}, days=[day], source_names=[source.name],
                 ingested={source.name: snapshot})


@app.command()
def status(data_dir: DataDir = None, database: Database = None) -> None:
    """Last refresh per source: when, mode, rows, freshness and the last error."""
    settings = WarehouseSettings.from_env(data_dir, database)
    try:
        with settings.connect(read_only=True) as con:
            rows = con.execute(_STATUS_SQL).fetchall()
    except duckdb.IOException:  # a refresh holds the lock: fall back to the published copy
        if not settings.published_path.is_file():
            raise fail(f"{settings.database} is locked by a running refresh") from None
        console.print("[dim]working warehouse is busy; showing the published snapshot[/]")
        with duckdb.connect(str(settings.published_path), read_only=True) as con:
            rows = con.execute(_STATUS_SQL).fetchall()
    except duckdb.Error as exc:
        raise fail(f"cannot read {settings.database} ({exc}); "
                    "run `compute-atlas refresh` first") from None
    known = {r[0] for r in rows}
    out = Table(title="sources")
    for column in ("source", "last run (UTC)", "date", "mode", "status", "rows", "rejects",
                   "last success", "age (days)", "last error"):
        out.add_column(column, overflow="fold")
    for r in rows:
        out.add_row(*(("" if v is None else str(v)) for v in r[:7]),
                    str(r[7] or "never"), "" if r[8] is None else str(r[8]), r[9] or "")
    for name in SOURCES:
        if name not in known:
            out.add_row(name, "never", "", "", "", "", "", "never", "", "")
    console.print(out)


_STATUS_SQL = """
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY source ORDER BY finished_datetime DESC) AS k
    FROM core.pipeline__events_source_runs
), last_ok AS (
    SELECT source, max(observation_date) AS last_success
    FROM core.pipeline__events_source_runs WHERE status = 'success' GROUP BY source
), last_error AS (
    SELECT source, arg_max(error_message, finished_datetime) AS last_error
    FROM core.pipeline__events_source_runs WHERE status = 'failed' GROUP BY source
)
SELECT r.source, strftime(r.finished_datetime, '%Y-%m-%d %H:%M'), r.observation_date, r.mode,
       r.status, r.n_records, r.n_rejects, o.last_success,
       date_diff('day', o.last_success, current_date), e.last_error
FROM ranked r LEFT JOIN last_ok o USING (source) LEFT JOIN last_error e USING (source)
WHERE k = 1 ORDER BY r.source
"""


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run against the published snapshot.")],
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    data_dir: DataDir = None,
) -> None:
    """Run SQL on the published (read-only) snapshot; print a table, CSV or JSON."""
    settings = WarehouseSettings.from_env(data_dir)
    if not settings.published_path.is_file():
        raise fail(f"no published snapshot at {settings.published_path}; "
                    "run `compute-atlas refresh` first")
    try:
        con = duckdb.connect(str(settings.published_path), read_only=True)
        try:
            frame = con.execute(sql).df()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if output is OutputFormat.csv:
        frame.to_csv(sys.stdout, index=False)
    elif output is OutputFormat.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=2) + "\n")
    else:
        out = Table()
        for column in frame.columns:
            out.add_column(str(column))
        for row in frame.itertuples(index=False):
            out.add_row(*("" if v is None else str(v) for v in row))
        console.print(out)


@app.command()
def export(
    table_name: Annotated[str, typer.Argument(metavar="TABLE",
                                              help="e.g. out.gpu__daily_price_index")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file; default "
                                             "<data-dir>/exports/<table>.<format>")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a published table to CSV or Parquet (rows sorted by primary key)."""
    settings = WarehouseSettings.from_env(data_dir)
    if fmt not in EXPORT_FORMATS:
        raise fail(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if not settings.published_path.is_file():
        raise fail(f"no published snapshot at {settings.published_path}; "
                    "run `compute-atlas refresh` first")
    target = out or settings.exports_dir / f"{table_name}.{fmt}"
    con = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        export_table(con, table_name, fmt, target)
    except (KeyError, ValueError, duckdb.Error) as exc:
        raise fail(str(exc.args[0] if exc.args else exc)) from None
    finally:
        con.close()
    console.print(f"wrote {target}")


@app.command("sources")
def list_sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The registered sources: what, protocol, key, cadence, terms."""
    rows = [{"name": s.name, "title": s.title, "family": s.family, "protocol": s.protocol,
             "api_key_env": s.api_key_env, "api_key_required": s.api_key_required,
             "cadence": s.cadence, "raw_table": s.raw_table, "urls": list(s.urls),
             "terms": s.terms, "parser_version": s.parser_version} for s in SOURCES.values()]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    out = Table(title="sources")
    for column in ("name", "what", "family", "protocol", "API key", "cadence", "raw table"):
        out.add_column(column, overflow="fold")
    for r in rows:
        key = "none" if not r["api_key_env"] else (
            f"{r['api_key_env']} ({'required' if r['api_key_required'] else 'optional'})")
        out.add_row(r["name"], r["title"], r["family"], r["protocol"], key, r["cadence"],
                    r["raw_table"])
    console.print(out)
