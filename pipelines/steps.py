"""The pipeline's steps as plain Python: fetch one source, parse one source's partition, rebuild
derived tables, publish. The Dagster assets in ``pipelines/defs`` call these (and the CLI runs
those assets), so nothing here imports dagster.

* :func:`fetch_source` archives one fetch of one source for one partition. It never opens
  DuckDB, so it runs while another process holds the warehouse's write lock. It records how it
  ended in the archive's fetch log.
* :func:`parse_source` parses the newest archived fetch of the partition that parses (saying
  which newer ones it skipped and why) and replaces the source's raw partition, its rejects and
  its run-log row in one transaction. A 'started' row is committed first, so a crash leaves a
  trace.

Modes: ``live`` fetches from the network; ``replay`` serves requests from a recorded archive
directory; ``archive`` fetches nothing (past partitions are re-parsed, a backfill); ``auto`` is
``live`` for a source's current partition (any partition, for a source whose listing keeps its
history) and ``archive`` otherwise; ``file`` is a payload filed by ``compute-atlas ingest``.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import httpx
import pandas as pd

from models.catalog import TABLES, TableSpec, table
from models.catalog.spec import PROVENANCE
from pipelines.text import cut
from sources.archive import RawArchive
from sources.base import ParseResult, Source, due_partition
from sources.errors import SourceError
from sources.http import FetchSession, HttpSettings, ReplayTransport, build_client
from sources.registry import SOURCES
from sources.secrets import redact_text, register_environment_secrets
from sources.snapshot import Snapshot
from warehouse.write import (
    PartitionWrite,
    append_rows,
    split_duplicate_keys,
    transaction,
    write_partition,
)

log = logging.getLogger(__name__)

MODES = ("auto", "live", "replay", "archive", "file")
RUNS = "core.pipeline__events_source_runs"
REJECTS = "raw.source__rejects"
# Terminal and log output cut long values (a 10 MB name in a payload) to this many characters.
MAX_MESSAGE_CHARS = 2000

register_environment_secrets(s.api_key_env for s in SOURCES.values())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def short(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` redacted and cut to ``limit`` characters."""
    return cut(redact_text(text), limit)


def resolve_mode(mode: str, source: Source, partition: date) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode != "auto":
        return mode
    due = due_partition(source, datetime.now(UTC).date())
    return "live" if source.fetches_history or partition >= due else "archive"


# ---------------------------------------------------------------------------- fetch


@dataclass
class FetchOutcome:
    source: str
    partition: date
    mode: str
    status: str = "success"  # success, failed, or skipped (nothing to fetch in archive mode)
    fetch_id: str | None = None
    n_snapshots: int = 0
    bytes_archived: int = 0
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def fetch_source(archive: RawArchive, source: Source, partition: date, mode: str = "auto", *,
                 replay_dir: Path | None = None, http: HttpSettings | None = None,
                 network: httpx.BaseTransport | None = None) -> FetchOutcome:
    """Fetch one source for one partition into the archive. Never raises for a source problem:
    the outcome carries the (redacted) error, and the fetch log records it. ``network`` stands
    for the internet in live mode (default: httpx's own transport)."""
    resolved = resolve_mode(mode, source, partition)
    outcome = FetchOutcome(source.name, partition, resolved)
    if resolved in ("archive", "file"):
        outcome.status = "skipped"
        return outcome
    started = time.monotonic()
    settings = replace(http or HttpSettings(), max_response_bytes=source.max_response_bytes,
                       deadline_s=source.deadline_s)
    transport = network
    if resolved == "replay":
        if replay_dir is None:
            raise ValueError("replay mode needs a replay directory")
        transport = ReplayTransport(RawArchive(replay_dir))
        settings = replace(settings, min_interval_s=0, retries=0)
    api_key = os.environ.get(source.api_key_env) if source.api_key_env else None
    session: FetchSession | None = None
    try:
        if source.api_key_required and not api_key and resolved == "live":
            raise SourceError(f"{source.name}: set the environment variable "
                              f"{source.api_key_env} (an API key is required)")
        with build_client(settings, transport=transport) as client:
            session = FetchSession(source=source.name, observation_date=partition, client=client,
                                   archive=archive, mode=resolved, settings=settings,
                                   api_key=api_key, check_robots=source.protocol == "html")
            outcome.fetch_id = session.fetch_id
            archive.log_fetch({"source": source.name, "partition": partition,
                               "fetch_id": session.fetch_id, "mode": resolved,
                               "status": "started", "at": _now()})
            source.fetch(session)
        if not session.snapshots:
            raise SourceError(f"{source.name}: fetch made no request")
    except SourceError as exc:
        outcome.status, outcome.error = "failed", short(str(exc))
    except Exception as exc:  # a bug in one source must not stop the others
        log.exception("%s: unexpected error while fetching", source.name)
        outcome.status, outcome.error = "failed", short(f"{type(exc).__name__}: {exc}")
    if session is not None:
        outcome.n_snapshots = len(session.snapshots)
        outcome.bytes_archived = sum(s.size_bytes for s in session.snapshots)
    if outcome.error and session is not None and session.snapshots:
        n = len(session.snapshots)
        outcome.error += f" ({n} response{'s' * (n != 1)} archived)"
    outcome.seconds = time.monotonic() - started
    archive.log_fetch({"source": source.name, "partition": partition,
                       "fetch_id": outcome.fetch_id, "mode": resolved, "status": outcome.status,
                       "error": outcome.error, "responses": outcome.n_snapshots,
                       "bytes": outcome.bytes_archived, "at": _now()})
    return outcome


def last_fetch(archive: RawArchive, source: str, partition: date) -> dict | None:
    """The newest finished fetch-log line of a source's partition."""
    finished = [r for r in archive.fetch_log() if r.get("source") == source
                and r.get("partition") == partition.isoformat() and r.get("status") != "started"]
    return finished[-1] if finished else None


# ---------------------------------------------------------------------------- parse


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
    skipped: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "success"


PROVENANCE_COLUMNS = tuple(c.name for c in PROVENANCE)


def _provenance(snapshot: Snapshot, parser_version: str) -> dict:
    return {
        "observation_date": snapshot.observation_date,
        "fetched_datetime": snapshot.fetched_at.astimezone(UTC).replace(tzinfo=None),
        "source_url": snapshot.url,
        "snapshot_sha256": snapshot.sha256,
        "parser_version": parser_version,
    }


def _without_duplicates(rows: pd.DataFrame, spec: TableSpec, result: ParseResult,
                        parser_version: str
                        ) -> tuple[pd.DataFrame, list[tuple[str, dict, dict]]]:
    """``rows`` without those repeating an earlier row's key, and every reject of the parse
    as (reason, record, provenance), the repeated rows among them."""
    rows, duplicates = split_duplicate_keys(rows, spec.primary_key)
    key = ", ".join(spec.primary_key)
    rejects = [(reject.reason, reject.record, _provenance(snapshot, parser_version))
               for snapshot, reject in result.rejects]
    for row in duplicates.to_dict("records"):
        values = {k: row[k] for k in spec.primary_key}
        rejects.append((f"duplicate key ({key}) = {values}: an earlier row of the payload "
                        "has the same key and was kept",
                        {k: v for k, v in row.items() if k not in PROVENANCE_COLUMNS},
                        {c: row[c] for c in PROVENANCE_COLUMNS}))
    return rows, rejects


def _reject_frame(source: str, partition: date,
                  rejects: list[tuple[str, dict, dict]]) -> pd.DataFrame:
    """Rejects as rows of ``raw.source__rejects`` (reasons and records cut to size)."""
    return pd.DataFrame(
        [{"source": source, "reject_number": i, "reason": short(reason, 500),
          "record_json": short(json.dumps(record, default=str, sort_keys=True), 20_000)}
         | provenance | {"observation_date": partition}
         for i, (reason, record, provenance) in enumerate(rejects)],
        columns=list(table(REJECTS).column_names))


def _run_row(run_id: str, attempt_id: str, outcome: SourceOutcome, started: datetime,
             status: str) -> pd.DataFrame:
    final = status != "started"
    return pd.DataFrame([{
        "run_id": run_id, "attempt_id": attempt_id, "source": outcome.source,
        "observation_date": outcome.observation_date, "mode": outcome.mode, "status": status,
        "started_datetime": started, "finished_datetime": _now() if final else None,
        "fetch_id": outcome.fetch_id if final else None,
        "n_snapshots": outcome.n_snapshots if final else None,
        "n_records": outcome.n_records if final else None,
        "n_rejects": outcome.n_rejects if final else None,
        "skipped_fetches": "; ".join(outcome.skipped) or None if final else None,
        "error_message": outcome.error if final else None,
    }], columns=list(TABLES[RUNS].column_names))


def _candidates(archive: RawArchive, source: Source, partition: date,
                fetch_id: str | None) -> list[list[Snapshot]]:
    fetches = list(archive.fetches(source.name, partition))
    if fetch_id is not None:
        fetches = [f for f in fetches if f[0].fetch_id == fetch_id]
        if not fetches:
            raise SourceError(f"{source.name}: fetch {fetch_id} of {partition} is not a "
                              "complete fetch in the archive")
    if not fetches:
        last = last_fetch(archive, source.name, partition)
        why = (f"; its last fetch failed: {last.get('error')}"
               if last and last.get("status") == "failed" else "")
        raise SourceError(f"{source.name}: the archive {archive.root} holds no complete fetch "
                          f"for {partition}{why}")
    return fetches


def parse_source(con: duckdb.DuckDBPyConnection, archive: RawArchive, source: Source,
                 partition: date, *, run_id: str, fetch_id: str | None = None,
                 fresh_since: datetime | None = None) -> SourceOutcome:
    """Parse the newest archived fetch of ``partition`` that parses (or exactly ``fetch_id``)
    into the source's raw partition. Never raises for a source problem: the outcome (and the
    run log) carries the error, and the raw partition keeps its previous rows.

    The run log's mode is how the parsed payload arrived (live, replay, file) when it was
    fetched since ``fresh_since`` (this run), else ``archive`` (a re-parse)."""
    outcome = SourceOutcome(source.name, partition, "archive")
    attempt_id, started, clock = uuid.uuid4().hex, _now(), time.monotonic()
    append_rows(con, TABLES[RUNS], _run_row(run_id, attempt_id, outcome, started, "started"))
    try:
        for snapshots in _candidates(archive, source, partition, fetch_id):
            try:
                result = source.parse(snapshots)
            except SourceError as exc:
                why = short(str(exc), 300)
                outcome.skipped.append(f"fetch {snapshots[0].fetch_id[:12]}: {why}")
                log.warning("%s %s: skipping fetch %s: %s", source.name, partition,
                            snapshots[0].fetch_id, exc)
                continue
            outcome.fetch_id, outcome.n_snapshots = snapshots[0].fetch_id, len(snapshots)
            fetched = snapshots[0].fetched_at.astimezone(UTC).replace(tzinfo=None)
            if fetch_id is not None or (fresh_since is not None and fetched >= fresh_since):
                outcome.mode = snapshots[0].mode
            break
        else:
            raise SourceError(f"{source.name}: no archived fetch of {partition} parses: "
                              + "; ".join(outcome.skipped))
        spec = table(source.raw_table)
        records = pd.DataFrame(
            [record.model_dump() | _provenance(snapshot, source.parser_version)
             | {"observation_date": partition} for snapshot, record in result.records],
            columns=list(spec.column_names))
        records, refused = _without_duplicates(records, spec, result, source.parser_version)
        rejects = _reject_frame(source.name, partition, refused)
        outcome.n_records, outcome.n_rejects = len(records), len(rejects)
        outcome.excluded = dict(result.excluded)
        with transaction(con):
            write_partition(con, PartitionWrite(spec, records, {"observation_date": partition}))
            write_partition(con, PartitionWrite(table(REJECTS), rejects,
                                                {"source": source.name,
                                                 "observation_date": partition}))
            outcome.seconds = time.monotonic() - clock
            append_rows(con, TABLES[RUNS], _run_row(run_id, attempt_id, outcome, started,
                                                    "success"))
        return outcome
    except SourceError as exc:
        outcome.status, outcome.error = "failed", short(str(exc))
    except Exception as exc:  # a bug in one parser must not stop the others
        log.exception("%s: unexpected error while parsing", source.name)
        outcome.status, outcome.error = "failed", short(f"{type(exc).__name__}: {exc}")
    outcome.n_records = outcome.n_rejects = 0
    outcome.seconds = time.monotonic() - clock
    append_rows(con, TABLES[RUNS], _run_row(run_id, attempt_id, outcome, started, "failed"))
    return outcome


# ---------------------------------------------------------------------------- history imports

HISTORY = "raw.history__gpu_offers"
HISTORY_PARSER_VERSION = "1"


@dataclass
class ImportOutcome:
    origin: str
    snapshot_sha256: str
    dates: list[date] = field(default_factory=list)
    n_records: int = 0
    n_rejects: int = 0


def history_source_name(origin: str) -> str:
    """The archive's source name of a history format (``cloud-gpus`` -> ``history_cloud_gpus``)."""
    return "history_" + origin.replace("-", "_")


def import_history(con: duckdb.DuckDBPyConnection, archive: RawArchive, origin: str, path: Path,
                   as_of: date, *, cloud: str | None = None, first_day: date | None = None,
                   max_bytes: int = 2 * 1024**3) -> ImportOutcome:
    """Archive a third-party history file, parse it, and replace the rows of its origin for
    every provider and day it lists, with its rejects, in one transaction (so one cloud's
    SkyPilot catalog never replaces another's of the same day); offers dated before
    ``first_day`` (the first partition) are rejected with that reason. Raises SourceError
    (ParseError, FetchError) for a file that cannot be read."""
    from sources.history import ORIGINS, cloud_gpus, skypilot, sooddvs
    from sources.http import ingest_file

    parsers = dict(zip(ORIGINS, (skypilot.parse, cloud_gpus.parse, sooddvs.parse), strict=True))
    if origin not in parsers:
        raise ValueError(f"unknown history format {origin!r}; choose one of "
                         f"{', '.join(ORIGINS)}")
    name = history_source_name(origin)
    snapshot = ingest_file(source=name, observation_date=as_of, path=path, archive=archive,
                           max_bytes=max_bytes)
    result = parsers[origin](snapshot, as_of=as_of, cloud=cloud)
    if first_day is not None:
        early = [(s, r) for s, r in result.records if r.observed_date < first_day]
        result.records = [(s, r) for s, r in result.records if r.observed_date >= first_day]
        for snapshot_of, record in early:
            result.reject(snapshot_of, f"dated {record.observed_date}, before the first daily "
                                       f"partition {first_day}", record.model_dump())
    spec = table(HISTORY)
    provenance = _provenance(snapshot, HISTORY_PARSER_VERSION) | {"origin": origin}
    rows = pd.DataFrame([record.model_dump() | provenance
                         | {"observation_date": record.observed_date}
                         for _, record in result.records], columns=list(spec.column_names))
    rows, refused = _without_duplicates(rows, spec, result, HISTORY_PARSER_VERSION)
    rejects = _reject_frame(name, as_of, refused)
    outcome = ImportOutcome(origin, snapshot.sha256, sorted(set(rows["observation_date"])),
                            len(rows), len(rejects))
    with transaction(con):
        for (provider, day), offers in rows.groupby(["provider", "observation_date"]):
            write_partition(con, PartitionWrite(spec, offers, {
                "origin": origin, "provider": provider, "observation_date": day}))
        write_partition(con, PartitionWrite(table(REJECTS), rejects,
                                            {"source": name, "observation_date": as_of}))
    return outcome
