"""``compute-atlas report``: the daily market report from the published snapshot (one HTML
file with the charts inline, and the CSV behind each chart). Registered in
:mod:`pipelines.cli`; altair and vl-convert are imported only when the command runs, so the
CLI starts fast."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli_output import console, fail
from warehouse.connection import WarehouseSettings


def report_command(
    day: Annotated[str | None, typer.Option("--date", help="Day to report (YYYY-MM-DD); "
                                            "default the newest day with live offers.")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory; default "
                                             "<data-dir>/reports/<date>/.")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Data directory holding the published snapshot. "
                           "Env: COMPUTE_ATLAS_DATA_DIR. Default: ./data in the repo.")] = None,
) -> None:
    """Write the market report (HTML with charts, plus CSVs) from the published snapshot."""
    settings = WarehouseSettings.from_env(data_dir)
    try:
        report_day = date.fromisoformat(day) if day else None
    except ValueError:
        raise fail(f"not a date (YYYY-MM-DD): {day!r}") from None
    import duckdb

    from warehouse.report import NothingPublishedError, latest_day, write_report

    try:
        published = settings.require_published()
        if report_day is None:
            with duckdb.connect(str(published), read_only=True) as con:
                report_day = latest_day(con)
        report = write_report(published, out or settings.reports_dir / report_day.isoformat(),
                              report_day)
    except (NothingPublishedError, duckdb.Error, OSError) as exc:
        raise fail(str(exc).splitlines()[0]) from None
    for section in report.sections:
        mark = "[green]✓[/]" if section.svg else "[yellow]–[/]"
        detail = f"{section.rows:,} rows, {section.dates}" if section.svg else section.note
        console.print(f"  {mark} {section.section.title}: {detail}", soft_wrap=True)
    console.print(f"wrote {report.html} ({report.charts} charts, "
                  f"{len(report.sections) - report.charts} without)", soft_wrap=True)
