"""What a source is: :class:`Source` (registry entry + fetch/parse) and :class:`ParseResult`.

A source module defines ``SOURCE = Source(...)`` with two functions:

* ``fetch(session)`` issues the requests through a :class:`~sources.http.FetchSession` (which
  archives every response) and follows paging; it returns nothing, the session keeps the
  snapshots;
* ``parse(snapshots)`` turns the snapshots of one complete fetch into records plus rejects,
  raising :class:`~sources.errors.ParseError` when the payload does not have the expected shape
  (so a layout change is a red run, never zero rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from models.records.base import Reject
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

Family = Literal["gpu_prices", "token_prices", "buildout"]
AccessProtocol = Literal["json_api", "graphql", "bulk_file", "html", "excel_csv", "socrata",
                         "arcgis", "overpass"]
# How often a source publishes: its partitions (daily observation dates; weekly; monthly report
# months), its schedule and its freshness window follow from this (pipelines.defs.cadence).
Cadence = Literal["daily", "weekly", "monthly", "on_demand"]


@dataclass
class ParseResult:
    """What a parse produced: records and rejects, each paired with the snapshot it came from
    (so every row can cite its payload), plus counts of rows excluded by policy."""

    records: list[tuple[Snapshot, BaseModel]] = field(default_factory=list)
    rejects: list[tuple[Snapshot, Reject]] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)

    def add(self, snapshot: Snapshot, record: BaseModel) -> None:
        self.records.append((snapshot, record))

    def reject(self, snapshot: Snapshot, reason: str, row: dict[str, Any]) -> None:
        self.rejects.append((snapshot, Reject(reason=reason, record=row)))

    def exclude(self, reason: str) -> None:
        self.excluded[reason] += 1


@dataclass(frozen=True)
class Source:
    """A registry entry: identity, politeness and licence facts, and the two functions."""

    name: str
    title: str
    family: Family
    protocol: AccessProtocol
    homepage: str
    urls: tuple[str, ...]
    cadence: Cadence
    terms: str
    parser_version: str
    record_model: type[BaseModel]
    raw_table: str
    fetch: Callable[[FetchSession], None]
    parse: Callable[[Sequence[Snapshot]], ParseResult]
    api_key_env: str | None = None
    api_key_required: bool = False
    # Largest body accepted from one response (and from `compute-atlas ingest`); bulk files
    # (AWS price lists, EIA workbooks) set several GB.
    max_response_bytes: int = 64 * MIB
    # Longest one request may take, body included.
    deadline_s: float = 600.0
    # True when past partitions can still be fetched (a listing of every monthly report);
    # otherwise only the current partition is fetched and past ones are re-parsed from the
    # archive.
    fetches_history: bool = False
    # Monthly reports that describe a month and appear during the next one (ERCOT's GIS
    # report, EIA-860M, Loudoun's issued-permit workbook): 1, so the partition due on a day is
    # the month before its own (see due_partition). The current month's report cannot exist.
    publication_lag_months: Literal[0, 1] = 0


# How late a source's newest partition may be before it counts as stale: a daily price feed by
# a day; a monthly report describes a month and appears during the next one.
FRESHNESS_GRACE_DAYS: dict[Cadence, int | None] = {"daily": 1, "weekly": 7, "monthly": 45,
                                                    "on_demand": None}


def due_partition(source: Source, day: date) -> date:
    """The newest partition of ``source`` that can be published on ``day``: the partition the
    day falls in, or for a report published the month after the one it describes, the month
    before."""
    start = partition_start(source.cadence, day)
    if source.publication_lag_months and source.cadence == "monthly":
        return (start - timedelta(days=1)).replace(day=1)
    return start


def partition_start(cadence: Cadence, day: date) -> date:
    """The partition a day falls in: the day itself (daily, on demand), the Monday of its week
    (weekly), or the first day of its month (monthly: a report month)."""
    if cadence == "monthly":
        return day.replace(day=1)
    if cadence == "weekly":
        return day - timedelta(days=day.weekday())
    return day
