"""The ``compute-atlas`` command line: refresh, ingest, import-history, status, query, export,
sources, gpus, estimate.

Analyst- and operator-facing. Orchestration proper (automation, backfills over ranges, the UI)
is Dagster's: ``dg dev`` and ``dg launch``. This module only registers the commands; each lives
in a module of its own (``cli_pipeline``, ``cli_status``, ``cli_query``, ``cli_gpus``,
``cli_estimate``) that imports at its top only what its options need, and pandas, Dagster and
the source registry inside the commands that use them, so ``--help``, ``gpus`` and ``query``
start fast. Errors exit non-zero with one readable line, never a traceback.
"""

from __future__ import annotations

import typer

from pipelines import cli_gpus, cli_pipeline, cli_query, cli_report, cli_status
from pipelines.cli_estimate import estimate_app

app = typer.Typer(help="compute-atlas: what AI compute costs and where it is being built.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command()(cli_pipeline.refresh)
app.command()(cli_pipeline.ingest)
app.command("import-history")(cli_pipeline.import_history)
app.command()(cli_status.status)
app.command()(cli_query.query)
app.command()(cli_query.export)
app.command("sources")(cli_status.list_sources)
app.command()(cli_gpus.gpus)
app.command("report")(cli_report.report_command)
app.add_typer(estimate_app, name="estimate")
