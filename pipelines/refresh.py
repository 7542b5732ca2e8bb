"""The daily refresh as plain Python: collect each source, build core and out, check, publish.

Both front ends call :class:`Refresher`: the ``compute-atlas`` CLI and the Dagster asset in
``pipelines.defs.daily_refresh`` (which turns its report into materializations and asset
checks). Nothing here imports dagster.

How a source is collected for a day depends on the mode:

* ``live`` — fetch from the network (only meaningful for today);
* ``replay`` — fetch through a recorded archive directory instead of the network;
* ``archive`` — re-parse the newest complete fetch already in our own archive (a backfill);
* ``file`` — parse a payload the user downloaded by hand (``compute-atlas ingest``);
* ``auto`` — ``live`` for today (UTC), ``archive`` for past days.

Every source is collected independently: one failing records its error in
``core.pipeline__events_source_runs`` and the others go on. A failed source writes nothing for
that day, so its previous rows (if any) stay as they were.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from models.catalog import TABLES, table
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.calibration import calibration_projected_vs_measured
from models.estimation.tables import (
    cost_per_1k_tokens,
    market_vs_projected,
    usd_per_effective_tflop,
)
from sources.archive import RawArchive
from sources.base import ParseResult, Source
from sources.errors import SourceError
from sources.http import FetchSession, HttpSettings, ReplayTransport, build_client
from sources.registry import SOURCES
from sources.snapshot import Snapshot
from warehouse import reference
from warehouse.checks import CheckOutcome, run_checks
from warehouse.connection import WarehouseSettings
from warehouse.publish import publish_snapshot
from warehouse.schema import ensure_schema
from warehouse.transform import build_partition, select_partition
from warehouse.write import PartitionWrite, append_rows, replace_partitions, replace_table

log = logging.getLogger(__name__)

MODES = ("auto", "live", "replay", "archive", "file")
CORE_TABLES = ("core.cloud__daily_gpu_offers", "core.gpu__daily_unmapped_names",
               "core.llm__daily_token_prices")
OUT_TABLES = ("out.gpu__daily_price_index",)
ESTIMATE_TABLES = ("out.gpu__daily_usd_per_effective_tflop", "out.llm__daily_cost_per_1k_tokens",
                   "out.llm__daily_market_vs_projected")
CALIBRATION_TABLE = "out.llm__calibration_projected_vs_measured"


@dataclass
class SourceOutcome:
    source: str
    observation_date: date
    mode: str
    status: str = "success"
    n_snapshots: int = 0
    n_records: int = 0
    n_rejects: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    fetch_id: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "success"


@dataclass
class DayOutcome:
    observation_date: date
    table_rows: dict[str, int] = field(default_factory=dict)
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.blocking and not c.passed]


@dataclass
class RefreshReport:
    run_id: str
    sources: list[SourceOutcome] = field(default_factory=list)
    days: list[DayOutcome] = field(default_factory=list)
    published: Path | None = None
    publish_skipped_reason: str | None = None
    seconds: float = 0.0

    @property
    def failed_sources(self) -> list[SourceOutcome]:
        return [s for s in self.sources if not s.ok]


def resolve_mode(mode: str, day: date) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode != "auto":
        return mode
    return "live" if day == datetime.now(UTC).date() else "archive"


def _records_frame(source: Source, result: ParseResult) -> pd.DataFrame:
    rows = [record.model_dump() | _provenance(snapshot, source) for snapshot, record in
            result.records]
    return pd.DataFrame(rows, columns=list(table(source.raw_table).column_names))


def _rejects_frame(source: Source, result: ParseResult) -> pd.DataFrame:
    rows = [
        {"source": source.name, "reject_number": i, "reason": reject.reason,
         "record_json": json.dumps(reject.record, default=str, sort_keys=True)}
        | _provenance(snapshot, source)
        for i, (snapshot, reject) in enumerate(result.rejects)
    ]
    return pd.DataFrame(rows, columns=list(table("raw.source__rejects").column_names))


def _empty(table_name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(table(table_name).column_names))


def _provenance(snapshot: Snapshot, source: Source) -> dict:
    return {
        "observation_date": snapshot.observation_date,
        "fetched_datetime": snapshot.fetched_at.astimezone(UTC).replace(tzinfo=None),
        "source_url": snapshot.url,
        "snapshot_sha256": snapshot.sha256,
        "parser_version": source.parser_version,
    }


class Refresher:
    """Runs refreshes against one warehouse; see the module docstring."""

    def __init__(self, settings: WarehouseSettings, *, http: HttpSettings | None = None,
                 replay_dir: Path | None = None, run_id: str | None = None,
                 assumptions: EstimationAssumptions | None = None,
                 on_source_done: Callable[[SourceOutcome], None] | None = None,
                 on_source_start: Callable[[str, date], None] | None = None) -> None:
        self.settings = settings
        self.http = http or HttpSettings()
        self.replay_dir = replay_dir
        self.assumptions = assumptions or EstimationAssumptions()
        self.run_id = run_id or f"cli-{uuid.uuid4().hex[:12]}"
        self.archive = RawArchive(settings.archive_dir)
        self._on_done = on_source_done or (lambda outcome: None)
        self._on_start = on_source_start or (lambda name, day: None)

    # ------------------------------------------------------------------ whole refresh

    def run(self, days: Sequence[date], source_names: Sequence[str] | None = None,
            mode: str = "auto", ingested: dict[str, Snapshot] | None = None,
            publish: bool = True) -> RefreshReport:
        """Collect the sources for each day, rebuild core/out for those days, then publish
        unless a blocking check failed."""
        started = time.monotonic()
        report = RefreshReport(run_id=self.run_id)
        names = list(source_names or SOURCES)
        unknown = [n for n in names if n not in SOURCES]
        if unknown:
            raise KeyError(f"unknown sources {unknown}; known: {', '.join(SOURCES)}")
        with self.settings.connect() as con:
            ensure_schema(con)
            reference.load_all(con)
            replace_table(con, table(CALIBRATION_TABLE), calibration_projected_vs_measured())
            for day in days:
                for name in names:
                    report.sources.append(self.collect(con, SOURCES[name], day, mode,
                                                       (ingested or {}).get(name)))
                report.days.append(self.build_day(con, day))
            blocked = [f"{c.table} {c.name} on {d.observation_date}: {c.message}"
                       for d in report.days for c in d.blocking_failures]
            if not publish:
                report.publish_skipped_reason = "publishing not requested"
            elif blocked:
                report.publish_skipped_reason = "blocking checks failed: " + "; ".join(blocked)
            else:
                report.published = publish_snapshot(con, self.settings.published_path)
        report.seconds = time.monotonic() - started
        return report

    # ------------------------------------------------------------------ one source

    def collect(self, con: duckdb.DuckDBPyConnection, source: Source, day: date, mode: str,
                ingested: Snapshot | None = None) -> SourceOutcome:
        """Fetch (or re-read) and parse one source for one day and write its raw partition.
        Never raises for a source problem: the outcome carries the error."""
        resolved = "file" if ingested is not None else resolve_mode(mode, day)
        outcome = SourceOutcome(source=source.name, observation_date=day, mode=resolved)
        started_at = datetime.now(UTC)
        started = time.monotonic()
        self._on_start(source.name, day)
        try:
            snapshots = self._snapshots(source, day, resolved, ingested, outcome)
            result = source.parse(snapshots)
            raw_frame = _records_frame(source, result)
            replace_partitions(con, [
                PartitionWrite(table(source.raw_table), raw_frame, {"observation_date": day}),
                PartitionWrite(table("raw.source__rejects"), _rejects_frame(source, result),
                               {"source": source.name, "observation_date": day}),
            ])
            outcome.n_records, outcome.n_rejects = len(raw_frame), len(result.rejects)
            outcome.excluded = dict(result.excluded)
        except SourceError as exc:
            outcome.status, outcome.error = "failed", str(exc)
        except Exception as exc:  # a bug in one source must not stop the others
            log.exception("%s: unexpected error", source.name)
            outcome.status, outcome.error = "failed", f"{type(exc).__name__}: {exc}"
        outcome.seconds = time.monotonic() - started
        self._record_run(con, outcome, started_at)
        self._on_done(outcome)
        return outcome

    def _snapshots(self, source: Source, day: date, mode: str, ingested: Snapshot | None,
                   outcome: SourceOutcome) -> list[Snapshot]:
        if mode == "file":
            snapshots = [ingested]
        elif mode == "archive":
            snapshots = self.archive.latest_fetch(source.name, day)
            if not snapshots:
                raise SourceError(
                    f"{source.name}: the archive {self.archive.root} holds no complete fetch "
                    f"for {day}; past days can only be re-parsed from the archive, not fetched")
        else:
            snapshots = self._fetch(source, day, mode)
        outcome.n_snapshots = len(snapshots)
        outcome.fetch_id = snapshots[0].fetch_id
        return snapshots

    def _fetch(self, source: Source, day: date, mode: str) -> list[Snapshot]:
        api_key = os.environ.get(source.api_key_env) if source.api_key_env else None
        if source.api_key_required and not api_key:
            raise SourceError(f"{source.name}: set the environment variable "
                              f"{source.api_key_env} (an API key is required)")
        if mode == "replay":
            if self.replay_dir is None:
                raise ValueError("replay mode needs a replay directory")
            transport, settings = ReplayTransport(RawArchive(self.replay_dir)), \
                HttpSettings(min_interval_s=0, retries=0)
        else:
            transport, settings = None, self.http
        with build_client(settings, transport=transport) as client:
            session = FetchSession(source=source.name, observation_date=day, client=client,
                                   archive=self.archive, mode=mode, settings=settings,
                                   api_key=api_key, check_robots=source.protocol == "html")
            try:
                source.fetch(session)
            except SourceError as exc:
                n = len(session.snapshots)
                raise type(exc)(f"{exc} ({n} response{'s' * (n != 1)} archived)") from exc
        if not session.snapshots:
            raise SourceError(f"{source.name}: fetch made no request")
        return session.snapshots

    def _record_run(self, con: duckdb.DuckDBPyConnection, outcome: SourceOutcome,
                    started_at: datetime) -> None:
        append_rows(con, TABLES["core.pipeline__events_source_runs"], pd.DataFrame([{
            "run_id": self.run_id,
            "source": outcome.source,
            "observation_date": outcome.observation_date,
            "mode": outcome.mode,
            "status": outcome.status,
            "started_datetime": started_at.replace(tzinfo=None),
            "finished_datetime": datetime.now(UTC).replace(tzinfo=None),
            "fetch_id": outcome.fetch_id,
            "n_snapshots": outcome.n_snapshots,
            "n_records": outcome.n_records,
            "n_rejects": outcome.n_rejects,
            "error_message": outcome.error,
        }]))

    # ------------------------------------------------------------------ core and out

    def build_day(self, con: duckdb.DuckDBPyConnection, day: date) -> DayOutcome:
        """Rebuild every core and out table for one day from the raw tables, then check."""
        outcome = DayOutcome(observation_date=day)
        for name in (*CORE_TABLES, *OUT_TABLES):
            outcome.table_rows[name] = build_partition(con, name, day)
        outcome.table_rows |= self.build_estimates(con, day)
        outcome.checks = run_checks(con, day)
        return outcome

    def build_estimates(self, con: duckdb.DuckDBPyConnection, day: date) -> dict[str, int]:
        """$ per effective TFLOP, projected $ per 1k tokens and market vs projected for one day,
        computed at ``self.assumptions`` (which every row records)."""
        offers = select_partition(con, "inputs.gpu__offers_for_tflop", day)
        price_basis = select_partition(con, "inputs.llm__price_basis", day)
        token_prices = select_partition(con, "inputs.llm__token_prices", day)
        tflop_table, cost_table, market_table = ESTIMATE_TABLES
        per_tflop = (usd_per_effective_tflop(offers, assumptions=self.assumptions)
                     if not offers.empty else _empty(tflop_table))
        projected = (cost_per_1k_tokens(price_basis, assumptions=self.assumptions)
                     if not price_basis.empty else _empty(cost_table))
        market = (market_vs_projected(token_prices, projected, assumptions=self.assumptions)
                  if not (token_prices.empty or projected.empty) else _empty(market_table))
        frames = dict(zip(ESTIMATE_TABLES, (per_tflop, projected, market), strict=True))
        written = replace_partitions(con, [
            PartitionWrite(table(name), frame, {"observation_date": day})
            for name, frame in frames.items()])
        return dict(zip(ESTIMATE_TABLES, written, strict=True))
