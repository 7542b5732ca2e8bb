"""Runs the Dagster definitions in-process for the CLI, so that ``compute-atlas refresh`` and
``ingest`` execute the same assets as the schedule and appear in the UI's run history.

The instance is ``$DAGSTER_HOME`` when set, else ``.dagster_home/`` in the repository (seeded
with the repository's ``dagster.yaml``), which ``make dev`` uses too. A refresh is a few runs:
the reference tables (only when their inputs changed), then per partition the sources' fetch
and parse steps in one run (a failed source fails its own steps only), then per partition the
rebuild of the derived tables, the last of these runs publishing too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines import steps
from pipelines.definitions import defs
from pipelines.defs.cadence import PLANS, require_partition
from pipelines.defs.derived import DOMAIN_CADENCE, PUBLISHED_KEY
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.sources import fetch_key
from pipelines.defs.tables import table_key
from pipelines.steps import ImportOutcome
from sources.archive import RawArchive
from sources.base import Cadence, Source, due_partition, partition_start
from warehouse.build import DOMAINS, Domain
from warehouse.connection import REPO_ROOT, WarehouseSettings
from warehouse.lineage import upstream
from warehouse.reference import CACHED_TABLES, inputs_fingerprint, stored_fingerprint
from warehouse.schema import ensure_schema
from warehouse.transform import partition_of

DEFAULT_HOME = REPO_ROOT / ".dagster_home"


def instance() -> dg.DagsterInstance:
    if not os.environ.get("DAGSTER_HOME"):
        DEFAULT_HOME.mkdir(exist_ok=True)
        config, template = DEFAULT_HOME / "dagster.yaml", REPO_ROOT / "dagster.yaml"
        if not config.exists() or config.read_bytes() != template.read_bytes():
            shutil.copyfile(template, config)
        os.environ["DAGSTER_HOME"] = str(DEFAULT_HOME)
    return dg.DagsterInstance.get()


@cache
def _assets() -> list:
    return [a for a in defs().assets or [] if isinstance(a, dg.AssetsDefinition)]


def _op_name(key: dg.AssetKey) -> str:
    return "__".join(key.path)


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    failures: dict[str, str] = field(default_factory=dict)  # step key -> error
    materialized: set[str] = field(default_factory=set)  # step keys of materialized assets


def _execute(selection: Sequence[dg.AssetKey], settings: WarehouseSettings, *,
             partition_key: str | None = None,
             ops_config: dict[str, Any] | None = None) -> RunOutcome:
    warehouse = WarehouseResource(data_dir=str(settings.data_dir), database=settings.database)
    result = dg.materialize(
        _assets(), selection=dg.AssetSelection.assets(*selection), partition_key=partition_key,
        instance=instance(), resources={"warehouse": warehouse}, raise_on_error=False,
        # The CLI prints its own one-line outcomes; Dagster's console logger would add a stack
        # trace per failed step (the run's events keep them for the UI).
        run_config={"ops": ops_config or {}, "loggers": {"console": {"config": {
            "log_level": os.environ.get("COMPUTE_ATLAS_DAGSTER_LOG_LEVEL", "CRITICAL")}}}},
        tags={"compute_atlas/origin": "cli"})
    failures = {}
    materialized = {_op_name(e.asset_key) for e in result.get_asset_materialization_events()}
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                message = data.user_failure_data.description
            else:
                error = data.error
                while error is not None and error.cause is not None:  # the root cause
                    error = error.cause
                message = error.message.strip() if error is not None else "failed"
            failures[event.step_key] = message
    return RunOutcome(result.run_id, result.success, failures, materialized)


def reference_is_current(settings: WarehouseSettings) -> bool:
    """True when every cached table was built from today's inputs (no run needed)."""
    current = inputs_fingerprint()
    with settings.connect(read_only=True) as con:
        return all(stored_fingerprint(con, name) == current for name in CACHED_TABLES)


def run_reference(settings: WarehouseSettings) -> RunOutcome:
    return _execute([table_key(n) for n in CACHED_TABLES], settings)


def _reference_if_stale(settings: WarehouseSettings, report: RefreshReport) -> None:
    if not reference_is_current(settings):
        report.run_ids.append(run_reference(settings).run_id)


def run_sources(settings: WarehouseSettings, sources: Sequence[Source], partition_key: str, *,
                mode: str = "auto", replay_dir: Path | None = None,
                fetch_ids: dict[str, str] | None = None) -> RunOutcome:
    """Fetch and parse ``sources`` (of one cadence) for one partition, in one run."""
    ops: dict[str, Any] = {}
    selection: list[dg.AssetKey] = []
    for source in sources:
        fetch_id = (fetch_ids or {}).get(source.name)
        if fetch_id is None:
            selection.append(fetch_key(source))
            ops[_op_name(fetch_key(source))] = {"config": {
                "mode": mode, "replay_dir": str(replay_dir) if replay_dir else None}}
        selection.append(table_key(source.raw_table))
        ops[_op_name(table_key(source.raw_table))] = {"config": {"fetch_id": fetch_id}}
    return _execute(selection, settings, partition_key=partition_key, ops_config=ops)


def run_domain(settings: WarehouseSettings, domain: Domain, partition_key: str,
               assumptions: dict[str, Any] | None = None, publish: bool = False) -> RunOutcome:
    """Rebuild a domain's tables for one partition (and publish after it, in the same run)."""
    selection = [table_key(n) for n in domain.tables] + ([PUBLISHED_KEY] if publish else [])
    return _execute(selection, settings, partition_key=partition_key,
                    ops_config={f"{domain.name}_tables": {"config": {
                        "estimation_assumptions": assumptions or {}}}})


def run_publish(settings: WarehouseSettings) -> RunOutcome:
    return _execute([PUBLISHED_KEY], settings)


# ---------------------------------------------------------------------------- a whole refresh


@dataclass
class SourceReport:
    source: str
    partition: date
    status: str  # success or failed
    mode: str = ""
    n_records: int = 0
    n_rejects: int = 0
    n_snapshots: int = 0
    skipped_fetches: str | None = None
    error: str | None = None


@dataclass
class DomainReport:
    domain: str
    partition: date
    success: bool
    table_rows: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    error: str | None = None


@dataclass
class RefreshReport:
    run_ids: list[str] = field(default_factory=list)
    sources: list[SourceReport] = field(default_factory=list)
    domains: list[DomainReport] = field(default_factory=list)
    published: Path | None = None
    publish_error: str | None = None

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status != "success"]

    @property
    def ok(self) -> bool:
        return (not self.failed_sources and all(d.success for d in self.domains)
                and self.publish_error is None)


def domains_fed_by(source: Source) -> list[Domain]:
    return [d for d in DOMAINS.values()
            if any(source.raw_table in upstream(t) for t in d.tables)]


def _source_reports(settings: WarehouseSettings, run: RunOutcome, sources: Sequence[Source],
                    partition: date) -> list[SourceReport]:
    with settings.connect(read_only=True) as con:
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT source, status, mode, n_records, n_rejects, n_snapshots, skipped_fetches, "
            "error_message FROM core.pipeline__events_source_runs "
            "WHERE run_id = ? AND status <> 'started'", [run.run_id]).fetchall()}
    reports = []
    for source in sources:
        fetch_error = run.failures.get(_op_name(fetch_key(source)))
        if fetch_error is not None:
            reports.append(SourceReport(source.name, partition, "failed", error=fetch_error))
        elif source.name in rows:
            status, mode, records, rejects, snapshots, skipped, error = rows[source.name]
            reports.append(SourceReport(source.name, partition, status, mode, records or 0,
                                        rejects or 0, snapshots or 0, skipped, error))
        else:
            error = run.failures.get(_op_name(table_key(source.raw_table)), "did not run")
            reports.append(SourceReport(source.name, partition, "failed", error=error))
    return reports


def _domain_report(settings: WarehouseSettings, run: RunOutcome, domain: Domain,
                   partition: date) -> DomainReport:
    report = DomainReport(domain.name, partition, run.success,
                          error="; ".join(run.failures.values()) or None)
    with settings.connect(read_only=True) as con:
        for name in domain.tables:
            [(column, value)] = partition_of(name, partition, domain.partition_column).items()
            report.table_rows[name] = con.execute(
                f"SELECT count(*) FROM {name} WHERE {column} = ?", [value]).fetchone()[0]
        report.quarantined = con.execute(
            "SELECT count(*) FROM core.pipeline__quarantined_rows WHERE partition_date = ? "
            "AND table_name IN (SELECT unnest(?))", [partition, list(domain.tables)]).fetchone()[0]
    return report


def refresh(settings: WarehouseSettings, sources: Sequence[Source], days: Sequence[date] | None,
            *,
            mode: str = "auto", replay_dir: Path | None = None,
            fetch_ids: dict[str, str] | None = None, publish: bool = True,
            assumptions: dict[str, Any] | None = None,
            on_start: Callable[[str, date, int], None] = lambda cadence, day, n: None,
            on_source: Callable[[SourceReport], None] = lambda report: None) -> RefreshReport:
    """Fetch and parse ``sources`` for the partitions covering ``days`` (None: each source's
    partition due today, see :func:`~sources.base.due_partition`), rebuild the derived tables
    they feed for those partitions, then publish."""
    groups: dict[tuple[Cadence, date], list[Source]] = {}
    for source in sources:
        starts = ({due_partition(source, datetime.now(UTC).date())} if days is None
                  else {partition_start(source.cadence, d) for d in days})
        for start in starts:
            groups.setdefault((source.cadence, start), []).append(source)
    for cadence, partition in groups:  # refuse before anything runs
        require_partition(cadence, partition)
    with settings.connect() as con:  # create the schema once, and fail early if locked
        ensure_schema(con)
    report = RefreshReport()
    _reference_if_stale(settings, report)
    rebuild: dict[str, set[date]] = {}
    cadences = list(dict.fromkeys(source.cadence for source in sources))  # in the given order
    for (cadence, partition), group in sorted(
            groups.items(), key=lambda g: (cadences.index(g[0][0]), g[0][1])):
        on_start(cadence, partition, len(group))
        run = run_sources(settings, group, partition.isoformat(), mode=mode,
                          replay_dir=replay_dir, fetch_ids=fetch_ids)
        report.run_ids.append(run.run_id)
        for source_report in _source_reports(settings, run, group, partition):
            report.sources.append(source_report)
            on_source(source_report)
        for source in group:
            for domain in domains_fed_by(source):
                rebuild.setdefault(domain.name, set()).add(partition)
    rebuild_and_publish(settings, report, rebuild, assumptions=assumptions, publish=publish)
    return report


def rebuild_and_publish(settings: WarehouseSettings, report: RefreshReport,
                        rebuild: dict[str, set[date]], *, assumptions: dict[str, Any] | None,
                        publish: bool) -> None:
    """Rebuild each domain partition (one run each, months in order), publishing in the last."""
    builds = [(DOMAINS[name], partition) for name, partitions in rebuild.items()
              for partition in sorted(partitions)]
    for number, (domain, partition) in enumerate(builds, start=1):
        last = number == len(builds)
        run = run_domain(settings, domain, partition.isoformat(), assumptions,
                         publish=publish and last)
        report.run_ids.append(run.run_id)
        report.domains.append(_domain_report(settings, run, domain, partition))
        if publish and last:
            _publish_outcome(report, run, settings)
    if publish and not builds:
        run = run_publish(settings)
        report.run_ids.append(run.run_id)
        _publish_outcome(report, run, settings)


def import_history(settings: WarehouseSettings, origin: str, path: Path, as_of: date, *,
                   cloud: str | None = None) -> tuple[ImportOutcome, RefreshReport]:
    """Import a history file (archived, parsed, written as backfill rows), then rebuild the
    prices tables of every day it lists and publish."""
    with settings.connect() as con:
        ensure_schema(con)
        first = PLANS[DOMAIN_CADENCE["prices"]].partitions.get_first_partition_key()
        outcome = steps.import_history(con, RawArchive(settings.archive_dir), origin, path,
                                       as_of, cloud=cloud, first_day=date.fromisoformat(first))
    for day in outcome.dates:
        require_partition(DOMAIN_CADENCE["prices"], day)
    report = RefreshReport()
    _reference_if_stale(settings, report)
    rebuild_and_publish(settings, report, {"prices": set(outcome.dates)}, assumptions=None,
                        publish=True)
    return outcome, report


def _publish_outcome(report: RefreshReport, run: RunOutcome,
                     settings: WarehouseSettings) -> None:
    error = run.failures.get(_op_name(PUBLISHED_KEY))
    if error is None and not run.success and _op_name(PUBLISHED_KEY) not in run.materialized:
        error = "not published: the rebuild before it failed"
    if error is None:
        report.published = settings.published_path
    else:
        report.publish_error = error
