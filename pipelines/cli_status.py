"""``compute-atlas status`` and ``sources``: what the pipeline collects and how fresh it is.

``status`` reads the run log of the working warehouse (or, while a refresh holds its lock, the
published snapshot) and the archive's fetch log, and labels each source's newest partition
against the partition its cadence expects by now.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pipelines.cli_options import Database, DataDir, duckdb_message, settings_for
from pipelines.cli_output import console, fail
from pipelines.text import cut

if TYPE_CHECKING:
    import duckdb

    from sources.archive import RawArchive
    from sources.base import Source


def status(data_dir: DataDir = None, database: Database = None) -> None:
    """Per source: cadence, last fetch, last parse, newest partition against the one its
    cadence expects, crashed attempts, last error; and the quarantined rows."""
    import duckdb

    from pipelines.steps import short
    from sources.archive import RawArchive
    from sources.base import FRESHNESS_GRACE_DAYS
    from sources.registry import SOURCES
    from warehouse.connection import WarehouseLockedError

    settings = settings_for(data_dir, database)
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
        raise fail(f"cannot read {settings.database} ({short(duckdb_message(exc), 200)}); "
                   "run `compute-atlas refresh` first") from None
    fetches = _last_fetches(RawArchive(settings.archive_dir))
    grace = ", ".join(f"{cadence} {days} days" for cadence, days in FRESHNESS_GRACE_DAYS.items()
                      if days is not None)
    out = Table(title="sources", title_justify="left", caption_justify="left",
                caption="freshness: the newest partition parsed against the partition the "
                        f"cadence expects by now (a partition is due after: {grace})")
    for column in ("source", "cadence", "last fetch (UTC)", "last parse (UTC)",
                   "newest partition", "expected by now", "freshness", "last error"):
        out.add_column(column, overflow="fold")
    today = datetime.now(UTC).date()
    for name, source in SOURCES.items():
        parse = rows.get(name, {})
        fetch = fetches.get(name, {})
        newest = parse.get("last_success")
        expected = expected_partition(source, today)
        crashed = parse.get("crashed")
        out.add_row(name, source.cadence,
                    f"{fetch.get('at', 'never')[:16]} {fetch.get('status', '')}".strip(),
                    f"{str(parse.get('last_run') or 'never')[:16]} {parse.get('status') or ''}"
                    + (f" [red]({crashed} crashed)[/]" if crashed else ""),
                    str(newest or "none"), str(expected or "on demand"),
                    freshness_label(source, newest, today),
                    cut(parse.get("last_error") or fetch.get("error") or "", 160))
    console.print(out)
    if quarantined:
        console.print(f"[yellow]{sum(n for _, n in quarantined)} rows quarantined[/] (never "
                      "published): " + ", ".join(f"{t} {n}" for t, n in quarantined)
                      + ". Export: compute-atlas export core.pipeline__quarantined_rows",
                      soft_wrap=True)


def expected_partition(source: Source, today: date) -> date | None:
    """The newest partition the source's cadence promises by ``today`` (None: on demand)."""
    from sources.base import FRESHNESS_GRACE_DAYS, partition_start

    grace = FRESHNESS_GRACE_DAYS[source.cadence]
    if grace is None:
        return None
    return partition_start(source.cadence, today - timedelta(days=grace))


def freshness_label(source: Source, newest: date | None, today: date) -> str:
    """fresh; late, by how many days or months; never collected; or on demand."""
    expected = expected_partition(source, today)
    if newest is None:
        return "[red]never collected[/]"
    if expected is None:
        return "on demand"
    if newest >= expected:
        return "[green]fresh[/]"
    if source.cadence == "monthly":
        months = (expected.year - newest.year) * 12 + expected.month - newest.month
        return f"[yellow]late: {months} month{'s' * (months != 1)} behind[/]"
    days = (expected - newest).days
    return f"[yellow]late: {days} day{'s' * (days != 1)} behind[/]"


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


def list_sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The registered sources: what, protocol, key, cadence, terms."""
    from sources.registry import SOURCES

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
