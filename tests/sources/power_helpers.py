"""Helpers for the power-source tests: snapshots of a report month, and workbooks edited or
built with openpyxl (moved headers, renamed columns, missing sheets, junk rows)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook

from sources.snapshot import Snapshot


def month_snapshot(source: str, body: bytes, month: date, *, url: str = "file://report",
                   sequence: int = 0, content_type: str | None = None) -> Snapshot:
    """A snapshot of ``body`` filed under the report month ``month`` (as `ingest --as-of`)."""
    return Snapshot.from_bytes(
        body, source=source, observation_date=month, fetch_id="test-fetch", sequence=sequence,
        mode="file", method="GET", url=url, request_body_sha256=None, status_code=200,
        content_type=content_type, fetched_at=datetime(2026, 12, 1, 6, tzinfo=UTC))


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """A workbook with the given sheets and rows."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit_xlsx(body: bytes, edit: Callable[[Workbook], None]) -> bytes:
    """``body`` loaded with openpyxl, changed by ``edit``, saved again."""
    book = load_workbook(io.BytesIO(body))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def find_cell(sheet, value: str):
    """The first cell of ``sheet`` whose value is ``value`` (AssertionError if none)."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"no cell {value!r} in sheet {sheet.title!r}")


def find_row(sheet, first_cell: str) -> int:
    """The 1-based row whose first cell is ``first_cell``."""
    for row in sheet.iter_rows(max_col=1):
        if row[0].value == first_cell:
            return row[0].row
    raise AssertionError(f"no row starting {first_cell!r} in sheet {sheet.title!r}")


def raw_frame(source, result) -> Any:
    """The raw-table rows of a parse (records plus provenance), as the pipeline writes them."""
    import pandas as pd

    from models.catalog import table

    rows = [record.model_dump() | {
        "observation_date": snapshot.observation_date,
        "fetched_datetime": snapshot.fetched_at.astimezone(UTC).replace(tzinfo=None),
        "source_url": snapshot.url, "snapshot_sha256": snapshot.sha256,
        "parser_version": source.parser_version} for snapshot, record in result.records]
    return pd.DataFrame(rows, columns=list(table(source.raw_table).column_names))
