"""``compute-atlas refresh``, ``ingest`` and ``import-history``: the commands that run the
pipeline.

They run the same Dagster assets the automation runs, in-process (:mod:`pipelines.runner`).
Dagster, pandas and the source registry load in seconds, so they are imported inside the
commands: ``--help`` and the analyst's commands never pay for them.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pipelines.cli_options import Database, DataDir, parse_day, settings_for
from pipelines.cli_output import console, fail

if TYPE_CHECKING:
    from pipelines.runner import RefreshReport, SourceReport
    from sources.base import Source
    from warehouse.connection import WarehouseSettings


def _days(day: str | None, since: str | None) -> list[date] | None:
    """The days named by --date/--since; None for neither: each source's partition due today."""
    if day is None and since is None:
        return None
    end = parse_day(day) if day else datetime.now(UTC).date()
    if since is None:
        return [end]
    start = parse_day(since)
    if start > end:
        raise fail(f"--since {start} is after --date {end}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _print_source(report: SourceReport) -> None:
    from pipelines.steps import short

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
    from pipelines.steps import short

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


def _run_refresh(settings: WarehouseSettings, sources: list[Source], days: list[date] | None,
                 **kwargs) -> None:
    console.print(f"warehouse {settings.database}; archive {settings.archive_dir}")
    from pipelines import runner  # Dagster loads in seconds: only for the commands that run it
    from warehouse.connection import WarehouseLockedError
    from warehouse.schema import SchemaMismatchError

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
    mode: Annotated[str, typer.Option(help="auto (live for the current partition, archive "
                                      "for past ones), live, replay, archive or "
                                      "file.")] = "auto",
    no_publish: Annotated[bool, typer.Option("--no-publish", help="Skip publishing.")] = False,
    data_dir: DataDir = None,
    database: Database = None,
) -> None:
    """Collect sources for a day (or a range), rebuild core/out tables, publish a snapshot."""
    from models.name_matching import unknown_name_message
    from pipelines.steps import MODES
    from sources.registry import SOURCES

    settings = settings_for(data_dir, database)
    if replay is not None:
        if not (replay / "manifest.jsonl").is_file():
            raise fail(f"{replay} is not a raw archive (no manifest.jsonl)")
        mode = "replay"
    if mode not in MODES:
        raise fail(unknown_name_message("mode", mode, MODES))
    for name in source or []:
        if name not in SOURCES:
            raise fail(unknown_name_message("source", name, SOURCES))
    chosen = [SOURCES[n] for n in (source or SOURCES)]
    _run_refresh(settings, chosen, _days(day, since), mode=mode, replay_dir=replay,
                 publish=not no_publish)


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
    from pipelines.steps import short
    from sources.archive import RawArchive
    from sources.base import partition_start
    from sources.errors import SourceError
    from sources.http import ingest_file
    from sources.registry import get_source

    try:
        source = get_source(source_name)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from None
    if not file.is_file():
        raise fail(f"no such file: {file}")
    partition = partition_start(source.cadence, parse_day(as_of))
    settings = settings_for(data_dir, database)
    try:
        snapshot = ingest_file(source=source.name, observation_date=partition, path=file,
                               archive=RawArchive(settings.archive_dir),
                               max_bytes=source.max_response_bytes)
    except (SourceError, OSError) as exc:
        raise fail(short(str(exc), 500)) from None
    _run_refresh(settings, [source], [partition], fetch_ids={source.name: snapshot.fetch_id})


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
    from pipelines.steps import short
    from sources.errors import SourceError
    from warehouse.connection import WarehouseLockedError
    from warehouse.schema import SchemaMismatchError

    if not file.is_file():
        raise fail(f"no such file: {file}")
    day = parse_day(as_of)
    settings = settings_for(data_dir, database)
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
