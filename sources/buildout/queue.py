"""What every monthly power source shares: the report month of a snapshot, and the loop that
applies the layout map of a workbook or CSV and turns its rows into records or rejects.

A source module supplies only the meaning of its fields (a ``build`` function from a mapped row
to record fields); sheets, headers and aliases come from ``layouts/*.csv``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel

from sources.base import ParseResult
from sources.buildout.cells import CellError, day, number, text
from sources.buildout.layout import (
    Row,
    SheetLayout,
    Skipped,
    csv_rows,
    json_rows,
    map_rows,
    mapped_sheets,
    sheet_layouts,
)
from sources.parsing import require_records, require_snapshots, validated
from sources.snapshot import Snapshot

log = logging.getLogger(__name__)

# Builds record fields from a mapped row; raises CellError for an unusable cell.
Build = Callable[[SheetLayout, Row, date], dict[str, Any]]


def report_month(snapshot: Snapshot) -> date:
    """The partition of a monthly source is the first day of the report month."""
    return snapshot.observation_date.replace(day=1)


def payload_snapshots(snapshots: Sequence[Snapshot], skip_urls: Iterable[str] = ()
                      ) -> list[Snapshot]:
    """The snapshots that hold report payloads: successful responses that are not listings
    (``skip_urls`` are URL prefixes of listing pages fetched on the way)."""
    prefixes = tuple(skip_urls)
    return [s for s in snapshots if s.ok and not (prefixes and s.url.startswith(prefixes))]


class RowSink:
    """Collects one source's records and rejects, refusing duplicate ids within a sheet."""

    def __init__(self, source: str, model: type[BaseModel], build: Build) -> None:
        self.source = source
        self.model = model
        self.build = build
        self.result = ParseResult()
        self.rows_read = 0

    def take(self, snapshot: Snapshot, layout: SheetLayout, rows: Iterable[Row | Skipped],
             month: date) -> None:
        seen: set[str] = set()
        for item in rows:
            self.rows_read += 1
            if isinstance(item, Skipped):
                if item.trailing:
                    self.result.exclude(f"{layout.sheet}: blank row below the table")
                else:
                    self.result.reject(snapshot, f"{layout.sheet} row {item.number}: "
                                                 f"{item.reason}", item.raw)
                continue
            try:
                fields = self.build(layout, item, month)
            except CellError as exc:
                self.result.reject(snapshot, f"{layout.sheet} row {item.number}: {exc}",
                                   item.raw)
                continue
            key = str(fields.get("project_id") or fields.get("generator_key") or "")
            if key and key in seen:
                self.result.reject(snapshot, f"{layout.sheet} row {item.number}: duplicate id "
                                             f"{key!r} in the same sheet", item.raw)
                continue
            seen.add(key)
            fields.pop("generator_key", None)
            fields.update(report_month=month, sheet=layout.sheet, row_number=item.number)
            outcome = validated(self.model, fields)
            if isinstance(outcome, str):
                self.result.reject(snapshot, f"{layout.sheet} row {item.number}: {outcome}",
                                   item.raw)
            else:
                self.result.add(snapshot, outcome)

    def finish(self, snapshots: Sequence[Snapshot]) -> ParseResult:
        require_records(self.result, snapshots, self.rows_read)
        log.info("%s: %d records, %d rejects", self.source, len(self.result.records),
                 len(self.result.rejects))
        return self.result


def parse_workbooks(source: str, snapshots: Sequence[Snapshot], model: type[BaseModel],
                    build: Build, skip_urls: Iterable[str] = ()) -> ParseResult:
    """Parse every workbook snapshot with the layouts of its report month."""
    require_snapshots(source, snapshots)
    payloads = payload_snapshots(snapshots, skip_urls)
    require_snapshots(source, payloads)
    sink = RowSink(source, model, build)
    for snapshot in payloads:
        _take_workbook(sink, snapshot, report_month(snapshot))
    return sink.finish(payloads)


def parse_tables(source: str, snapshots: Sequence[Snapshot], model: type[BaseModel],
                 build: Build, skip_urls: Iterable[str] = ()) -> ParseResult:
    """Parse workbooks, JSON arrays of objects and CSV files, whichever each snapshot holds
    (a JSON API and its CSV export share one layout: its first sheet role)."""
    require_snapshots(source, snapshots)
    payloads = payload_snapshots(snapshots, skip_urls)
    require_snapshots(source, payloads)
    sink = RowSink(source, model, build)
    for snapshot in payloads:
        month = report_month(snapshot)
        head = snapshot.head().lstrip()
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            _take_workbook(sink, snapshot, month)
            continue
        layout = sheet_layouts(source, month)[0]
        if head.startswith((b"[", b"{")):
            rows, strict = json_rows(snapshot), False
        else:
            rows, strict = csv_rows(snapshot), True
        sink.take(snapshot, layout, map_rows(rows, layout, snapshot.label, strict_width=strict),
                  month)
    return sink.finish(payloads)


def _take_workbook(sink: RowSink, snapshot: Snapshot, month: date) -> None:
    for layout, rows in mapped_sheets(snapshot, sink.source, month):
        sink.take(snapshot, layout, rows, month)


def value(row: Row, name: str) -> Any:
    """A mapped cell, None when the layout did not find that (optional) column."""
    return row.values.get(name)


def label(row: Row, name: str) -> str | None:
    return text(value(row, name))


def texts(row: Row, *names: str) -> dict[str, str | None]:
    """Fields read as text under their own names (``state``, ``county``, ...)."""
    return {name: label(row, name) for name in names}


def numbers(row: Row, *names: str) -> dict[str, float | None]:
    """Fields read as numbers under their own names; CellError for text that is no number."""
    return {name: number(value(row, name)) for name in names}


def days(row: Row, *names: str) -> dict[str, date | None]:
    """Fields read as dates under their own names (unknown when not a date)."""
    return {name: day(value(row, name)) for name in names}
