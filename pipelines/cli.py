"""The ``compute-atlas`` command line: refresh, ingest, status, query, export, sources, estimate.

Analyst- and operator-facing. Orchestration proper (automation, backfills over ranges, the UI)
is Dagster's: ``dg dev`` and ``dg launch``. ``refresh`` and ``ingest`` run the same Dagster
assets in-process (:mod:`pipelines.runner`, imported only by them, so the other commands start
fast). Errors exit non-zero with one readable line, never a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer
from rich.table import Table

from pipelines.cli_estimate import estimate_app
from pipelines.cli_output import console, fail
from pipelines.cli_report import report_command
from pipelines.steps import MODES, short
from sources.archive import RawArchive
from sources.base import FRESHNESS_GRACE_DAYS, Source, partition_start
from sources.errors import SourceError
from sources.http import ingest_file
from sources.registry import SOURCES, get_source
from warehouse.connection import WarehouseLockedError, WarehouseSettings
from warehouse.publish import EXPORT_FORMATS, export_table
from warehouse.schema import SchemaMismatchError

if TYPE_CHECKING:
    from pipelines.runner import RefreshReport, SourceReport

app = typer.Typer(help="compute-atlas: what AI compute costs and where it is being built.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(estimate_app, name="estimate")
app.command("report")(report_command)

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


def _print_source(report: SourceReport) -> None:
    if report.status == "success":
        console.print(f"  [green]✓[/] {report.source} {report.partition} ({report.mode}): "
                      f"{report.n_records:,} rows, {report.n_rejects:,} rejects, "
                      f"{report.n_snapshots} payloads", soft_wrap=True)
        if report.skipped_fetches:
            console.print(f"    [yellow]skipped newer fetches that did not parse:[/] "
                          f"{short(report.skipped_fetches, 300)}", soft_wrap=True)
    else:
        console.print(f"  [red]✗[/] {report.source} {report.partition}: "
                      f"{short(report.error or 'failed', 500)}", soft_wrap=True)


def _print_start(cadence: str, partition: date, n_sources: int) -> None:
    console.print(f"  … fetching and parsing {n_sources} {cadence} source"
                  f"{'s' * (n_sources != 1)} for {partition}", style="dim")


def _print_report(report: RefreshReport) -> None:
    if report.sources:
        summary = Table(title="refresh", title_justify="left")
        for column in ("source", "partition", "mode", "status", "rows", "rejects"):
            summary.add_column(column, no_wrap=True)
        for s in report.sources:
            summary.add_row(s.source, str(s.partition), s.mode,
                            "[green]ok[/]" if s.status == "success" else "[red]failed[/]",
                            f"{s.n_records:,}", f"{s.n_rejects:,}")
        console.print(summary)
    for d in report.domains:
        rows = ", ".join(f"{name} {n:,}" for name, n in d.table_rows.items())
        state = "" if d.success else f" [red]rebuild failed: {short(d.error or '', 300)}[/]"
        console.print(f"{d.domain} {d.partition}: {rows}{state}", soft_wrap=True)
        if d.quarantined:
            console.print(f"  [yellow]{d.quarantined} rows quarantined[/] (failed a blocking "
                          "check; see `compute-atlas status` and core.pipeline__quarantined_rows)",
                          soft_wrap=True)
    if report.published:
        console.print(f"published {report.published}")
    elif report.publish_error:
        console.print(f"[red]not published:[/] {short(report.publish_error, 500)}",
                      soft_wrap=True)
    console.print(f"dagster runs: {', '.join(r[:8] for r in report.run_ids)}", style="dim")


def _run_refresh(settings: WarehouseSettings, sources: list[Source], days: list[date],
                 **kwargs) -> None:
    console.print(f"warehouse {settings.database}; archive {settings.archive_dir}")
    from pipelines import runner  # Dagster loads in seconds: only for the commands that run it

    started = time.monotonic()
    try:
        report = runner.refresh(settings, sources, days, on_source=_print_source,
                                on_start=_print_start, **kwargs)
    except (WarehouseLockedError, SchemaMismatchError, ValueError) as exc:
        raise fail(str(exc)) from None
    _print_report(report)
    console.print(f"refresh took {time.monotonic() - started:.1f}s")
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def refresh(
    day: Annotated[str | None, typer.Option("--date", help="Observation date (YYYY-MM-DD); "
                                            "default today (UTC).")] = None,
    since: Annotated[str | None, typer.Option(help="First date of a range ending at --date "
                                              "(re-parses archived payloads: a backfill; "
                                              "sources whose listing keeps history fetch "
                                              "past months).")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Only these sources (repeatable). Default: all.")] = None,
    replay: Annotated[Path | None, typer.Option(
        help="Serve requests from this recorded archive directory instead of the network.")] = None,
    mode: Annotated[str, typer.Option(help=f"One of {', '.join(MODES)}: auto = live for the "
                                      "current partition, archive for past ones.")] = "auto",
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
    if mode not in MODES:
        raise fail(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    for name in source or []:
        if name not in SOURCES:
            raise fail(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    chosen = [SOURCES[n] for n in (source or SOURCES)]
    _run_refresh(settings, chosen, _days(day, since), mode=mode, replay_dir=replay,
                 publish=not no_publish)


@app.command()
def ingest(
    source_name: Annotated[str, typer.Argument(metavar="SOURCE", help="Source name.")],
    file: Annotated[Path, typer.Argument(help="A payload downloaded by hand.")],
    as_of: Annotated[str, typer.Option("--as-of", help="Observation date (YYYY-MM-DD); for a "
                                       "monthly source, any day of the month the report "
                                       "describes.")],
    data_dir: DataDir = None,
    database: Database = None,
) -> None:
    """Parse a local file as SOURCE's payload for a day (or month), archive it, rebuild, publish."""
    try:
        source = get_source(source_name)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    if not file.is_file():
        raise fail(f"no such file: {file}")
    partition = partition_start(source.cadence, _parse_day(as_of))
    settings = WarehouseSettings.from_env(data_dir, database)
    try:
        snapshot = ingest_file(source=source.name, observation_date=partition, path=file,
                               archive=RawArchive(settings.archive_dir),
                               max_bytes=source.max_response_bytes)
    except (SourceError, OSError) as exc:
        raise fail(short(str(exc), 500)) from None
    _run_refresh(settings, [source], [partition], fetch_ids={source.name: snapshot.fetch_id})


@app.command("import-history")
def import_history(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT",
                                       help="skypilot, cloud-gpus or sooddvs")],
    file: Annotated[Path, typer.Argument(help="A history file (catalog CSV, JSON, tracker CSV).")],
    as_of: Annotated[str, typer.Option("--as-of", help="The day the file describes "
                                       "(YYYY-MM-DD); rows with their own date keep it.")],
    cloud: Annotated[str | None, typer.Option(help="The cloud a SkyPilot catalog is for (the "
                                              "file does not say).")] = None,
    data_dir: DataDir = None,
    database: Database = None,
) -> None:
    """Import a third-party price snapshot as backfill offers (is_backfill, origin = FORMAT):
    archived like any payload, then the prices tables of its days rebuilt and published."""
    from pipelines import runner

    if not file.is_file():
        raise fail(f"no such file: {file}")
    day = _parse_day(as_of)
    settings = WarehouseSettings.from_env(data_dir, database)
    try:
        outcome, report = runner.import_history(settings, fmt, file, day, cloud=cloud)
    except (SourceError, ValueError, WarehouseLockedError, SchemaMismatchError) as exc:
        raise fail(short(str(exc), 500)) from None
    days = outcome.dates
    span = f"{days[0]} to {days[-1]}" if days else "no day"
    console.print(f"imported {outcome.n_records:,} offers ({fmt}, {len(days)} days: {span}), "
                  f"{outcome.n_rejects:,} rejects; archived as {outcome.snapshot_sha256[:12]}")
    _print_report(report)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def status(data_dir: DataDir = None, database: Database = None) -> None:
    """Per source: cadence, last fetch, last parse, freshness, crashed attempts, quarantine."""
    settings = WarehouseSettings.from_env(data_dir, database)
    try:
        with settings.connect(read_only=True) as con:
            rows, quarantined = _status_rows(con)
    except (WarehouseLockedError, duckdb.IOException):
        if not settings.published_path.is_file():
            raise fail(f"{settings.database} is locked by a running refresh and nothing is "
                       "published yet") from None
        console.print("[dim]working warehouse is busy; showing the published snapshot[/]")
        with duckdb.connect(str(settings.published_path), read_only=True) as con:
            rows, quarantined = _status_rows(con)
    except duckdb.Error as exc:
        raise fail(f"cannot read {settings.database} ({short(str(exc), 200)}); "
                   "run `compute-atlas refresh` first") from None
    fetches = _last_fetches(RawArchive(settings.archive_dir))
    out = Table(title="sources", title_justify="left")
    for column in ("source", "cadence", "last fetch", "last parse", "newest data",
                   "freshness", "last error"):
        out.add_column(column, overflow="fold")
    today = datetime.now(UTC).date()
    for name, source in SOURCES.items():
        parse = rows.get(name, {})
        fetch = fetches.get(name, {})
        newest = parse.get("last_success")
        out.add_row(name, source.cadence,
                    f"{fetch.get('at', 'never')[:16]} {fetch.get('status', '')}".strip(),
                    f"{str(parse.get('last_run') or 'never')[:16]} {parse.get('status') or ''}"
                    + (" [red](crashed)[/]" if parse.get("crashed") else ""),
                    str(newest or "none"), _freshness(source, newest, today),
                    short(parse.get("last_error") or fetch.get("error") or "", 160))
    console.print(out)
    if quarantined:
        console.print(f"[yellow]{sum(n for _, n in quarantined)} rows quarantined[/] (never "
                      "published): " + ", ".join(f"{t} {n}" for t, n in quarantined)
                      + ". Export: compute-atlas export core.pipeline__quarantined_rows",
                      soft_wrap=True)


def _freshness(source: Source, newest: date | None, today: date) -> str:
    """fresh, or how far the newest partition is behind the one the cadence expects by now."""
    if newest is None:
        return "[red]never collected[/]"
    grace = FRESHNESS_GRACE_DAYS[source.cadence]
    if grace is None:
        return "on demand"
    expected = partition_start(source.cadence, today - timedelta(days=grace))
    if newest >= expected:
        return "[green]fresh[/]"
    return f"[yellow]stale: expected {expected}, newest {newest}[/]"


_STATUS_SQL = """
WITH finals AS (
    SELECT * FROM core.pipeline__events_source_runs WHERE status <> 'started'
), crashed AS (
    SELECT source, count(*) AS n FROM core.pipeline__events_source_runs
    WHERE status = 'started' AND attempt_id NOT IN (SELECT attempt_id FROM finals)
    GROUP BY source
), last_final AS (
    SELECT source, max(finished_datetime) AS last_run,
           arg_max(status, finished_datetime) AS status,
           max(observation_date) FILTER (WHERE status = 'success') AS last_success,
           arg_max(error_message, finished_datetime) FILTER (WHERE status = 'failed')
               AS last_error
    FROM finals GROUP BY source
)
SELECT source, l.last_run, l.status, l.last_success, l.last_error, coalesce(c.n, 0)
FROM (SELECT DISTINCT source FROM core.pipeline__events_source_runs)
LEFT JOIN last_final l USING (source) LEFT JOIN crashed c USING (source)
"""


def _status_rows(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, dict], list]:
    rows = {r[0]: {"last_run": r[1], "status": r[2], "last_success": r[3], "last_error": r[4],
                   "crashed": r[5]} for r in con.execute(_STATUS_SQL).fetchall()}
    quarantined = con.execute("SELECT table_name, count(*) FROM core.pipeline__quarantined_rows "
                              "GROUP BY ALL ORDER BY 1").fetchall()
    return rows, quarantined


def _last_fetches(archive: RawArchive) -> dict[str, dict]:
    last: dict[str, dict] = {}
    for record in archive.fetch_log():
        if record.get("status") != "started" and isinstance(record.get("source"), str):
            last[record["source"]] = {"at": str(record.get("at", "")),
                                      "status": str(record.get("status", "")),
                                      "error": record.get("error")}
    return last


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
            out.add_row(*("" if _missing(v) else short(str(v), 120) for v in row))
        console.print(out)


def _missing(value: object) -> bool:
    """None, and the NaN/NaT pandas puts where SQL said NULL."""
    return value is None or (isinstance(value, float) and value != value) or str(value) == "NaT"


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
