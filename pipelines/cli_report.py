"""``compute-atlas report``: the daily market report from the published snapshot (one HTML
file with the charts inline, and the CSV behind each chart). Registered in
:mod:`pipelines.cli`; altair and vl-convert are imported only when the command runs, so the
CLI starts fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipelines.cli_options import DataDir, parse_day, settings_for
from pipelines.cli_output import console, fail


def report_command(
    day: Annotated[str | None, typer.Option("--date", help="Day to report (YYYY-MM-DD); "
                                            "default the newest day with live offers.")] = None,
    out: Annotated[Path | None, typer.Option(help="Output directory; default "
                                             "<data-dir>/reports/<date>/.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Write the market report (HTML with charts, plus CSVs) from the published snapshot."""
    settings = settings_for(data_dir)
    report_day = parse_day(day) if day else None
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
