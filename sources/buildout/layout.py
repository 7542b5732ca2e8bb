"""Per-vintage layout maps and the one generic reader that applies them to a workbook or CSV.

Layout knowledge is data, not code (the PUDL EIA-860M ``column_maps`` idea), kept in two CSVs
under ``layouts/``:

* ``sheets.csv``: per source, sheet role and vintage range (report months, inclusive, open when
  empty): a regular expression the sheet name must match, whether the sheet must exist, how
  many rows the header spans, and the key column whose value marks a data row (field and
  regular expression);
* ``columns.csv``: per source, sheet role (``*`` = every role) and vintage range: canonical
  field, the header labels that mean it (``|``-separated aliases) and whether it is required.

The header is found, never assumed at a fixed row: the first row (within the first
:data:`MAX_HEADER_SCAN` rows) whose cells contain an alias of every required field. Labels are
compared normalized (case, whitespace and trailing ``*`` ignored). For a
two-row header a column may match on either row or on both joined.

Rows after the header are classified: a row whose key cell matches the key pattern is data;
every other row is reported with a reason (a continuation header row, a blank separator, a note
below the table, a row without a project id), so nothing is dropped silently. Only blank rows
after the last data row (the sheet's trailing used range) are counted as excluded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from sources.buildout.cells import text
from sources.errors import CorruptBlobError, ParseError
from sources.parsing import load_json, require_rows
from sources.snapshot import Snapshot

LAYOUT_DIR = Path(__file__).parent / "layouts"
MAX_HEADER_SCAN = 200
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def normalize_label(value: object) -> str:
    """A header label compared loosely: lowercase, whitespace (line breaks, doubled or missing
    spaces) ignored, trailing footnote '*' dropped: 'Capacity (MW)' = 'capacity(MW)'."""
    return "".join((text(value) or "").lower().split()).rstrip("*")


@dataclass(frozen=True)
class ColumnLayout:
    field: str
    aliases: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class SheetLayout:
    source: str
    sheet: str
    pattern: re.Pattern[str]
    required: bool
    header_rows: int
    key_field: str
    key_pattern: re.Pattern[str]
    columns: tuple[ColumnLayout, ...]

    def matches(self, sheet_name: str) -> bool:
        return bool(self.pattern.fullmatch(sheet_name.strip()))


def _in_range(row: dict[str, str], month: date) -> bool:
    key = month.strftime("%Y-%m")
    first, last = row["first_month"].strip(), row["last_month"].strip()
    return (not first or first <= key) and (not last or key <= last)


@cache
def _layout_rows(name: str) -> tuple[dict[str, str], ...]:
    with (LAYOUT_DIR / name).open(encoding="utf-8", newline="") as handle:
        return tuple(row for row in csv.DictReader(handle) if not row["source"].startswith("#"))


def sheet_layouts(source: str, month: date) -> list[SheetLayout]:
    """The sheet layouts of ``source`` that apply to the report month ``month``, in file order."""
    layouts = []
    for row in _layout_rows("sheets.csv"):
        if row["source"] != source or not _in_range(row, month):
            continue
        columns = tuple(
            ColumnLayout(field=c["field"],
                         aliases=tuple(normalize_label(a) for a in c["aliases"].split("|")),
                         required=c["required"].strip().lower() == "true")
            for c in _layout_rows("columns.csv")
            if c["source"] == source and _in_range(c, month)
            and (c["sheet"] == "*" or row["sheet"] in c["sheet"].split("|")))
        layouts.append(SheetLayout(
            source=source, sheet=row["sheet"],
            pattern=re.compile(row["sheet_pattern"], re.IGNORECASE),
            required=row["required"].strip().lower() == "true",
            header_rows=int(row["header_rows"]), key_field=row["key_field"],
            key_pattern=re.compile(row["key_pattern"]), columns=columns))
    if not layouts:
        raise ParseError(f"{source}: no layout in sources/buildout/layouts/sheets.csv covers "
                         f"report month {month:%Y-%m}")
    return layouts


@dataclass(frozen=True)
class Row:
    """A data row: canonical field -> cell value; ``raw`` (the row as labelled cells, for
    rejects) is built only when asked for."""

    number: int
    values: dict[str, Any]
    cells: Sequence[Any]
    names: Sequence[str]

    @property
    def raw(self) -> dict[str, Any]:
        return _raw(self.cells, self.names)


@dataclass(frozen=True)
class Skipped:
    """A row that is not data, with the reason; ``trailing`` marks blank rows after the table."""

    number: int
    reason: str
    raw: dict[str, Any]
    trailing: bool = False


def _labels(rows: Sequence[Sequence[Any]], column: int) -> set[str]:
    cells = [normalize_label(r[column]) if column < len(r) else "" for r in rows]
    labels = {c for c in cells if c}
    joined = "".join(c for c in cells if c)
    if joined:
        labels.add(joined)
    return labels


def _match_header(block: Sequence[Sequence[Any]], layout: SheetLayout
                  ) -> tuple[dict[str, int], list[str]]:
    """Field -> column index for a candidate header block, and the required fields missing."""
    width = max((len(r) for r in block), default=0)
    labels = [_labels(block, j) for j in range(width)]
    found: dict[str, int] = {}
    for column in layout.columns:
        for j, cell_labels in enumerate(labels):
            if j not in found.values() and cell_labels & set(column.aliases):
                found[column.field] = j
                break
    missing = [c.field for c in layout.columns if c.required and c.field not in found]
    return found, missing


def _header_names(block: Sequence[Sequence[Any]]) -> list[str]:
    width = max((len(r) for r in block), default=0)
    names = []
    for j in range(width):
        parts = [text(r[j]) for r in block if j < len(r) and text(r[j])]
        names.append(" ".join(p for p in parts if p) or f"column_{j + 1}")
    return names


def _raw(row: Sequence[Any], names: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for j, cell in enumerate(row):
        value = text(cell)
        if value is not None:
            name = names[j] if j < len(names) else f"column_{j + 1}"
            out[name if name not in out else f"{name} ({j + 1})"] = value
    return out


def map_rows(rows: Iterable[Sequence[Any]], layout: SheetLayout, where: str,
             strict_width: bool = False) -> Iterator[Row | Skipped]:
    """Apply ``layout`` to a stream of rows: find the header, then yield data rows and skipped
    rows with reasons. ``where`` names the payload and sheet in errors. ``strict_width`` rejects
    rows shorter than the header (a CSV cut short)."""
    iterator = iter(rows)
    head: list[Sequence[Any]] = []
    header_at = None
    best: tuple[int, list[str]] | None = None
    for index, row in enumerate(iterator):
        head.append(row)
        start = len(head) - layout.header_rows
        if start < 0:
            continue
        found, missing = _match_header(head[start:], layout)
        if not missing:
            header_at = start
            break
        if any(f in found for f in (c.field for c in layout.columns if c.required)) and (
                best is None or len(missing) < len(best[1])):
            best = (start, missing)
        if index >= MAX_HEADER_SCAN:
            break
    if header_at is None:
        detail = (f"; the closest row ({best[0] + 1}) lacks {', '.join(best[1])}" if best
                  else "")
        wanted = "; ".join(f"{c.field} ({' | '.join(c.aliases)})"
                           for c in layout.columns if c.required)
        raise ParseError(f"{where}: no header row found in the first {len(head)} rows "
                         f"(looking for {wanted}){detail}")
    block = head[header_at:]
    columns, _ = _match_header(block, layout)
    names = _header_names(block)
    width = len([n for n in names if not n.startswith("column_")])
    number = header_at + layout.header_rows  # 0-based index of the first row after the header
    pending: list[Skipped] = []
    seen_data = False

    def rows_after_header() -> Iterator[Sequence[Any]]:
        yield from head[header_at + layout.header_rows:]
        yield from iterator

    key_column = columns[layout.key_field]
    for row in rows_after_header():
        number += 1  # 1-based sheet row number
        key = text(row[key_column]) if key_column < len(row) else None
        if key is not None and layout.key_pattern.search(key):
            yield from pending
            pending.clear()
            if strict_width and len(row) < width:
                yield Skipped(number, f"row has {len(row)} cells, the header {width} (cut "
                                      "short?)", _raw(row, names))
                continue
            seen_data = True
            yield Row(number, {f: (row[j] if j < len(row) else None)
                               for f, j in columns.items()}, row, names)
            continue
        raw = _raw(row, names)
        if not raw:
            reason = "blank separator row"
        elif not seen_data:
            reason = "continuation header row (no " + layout.key_field + ")"
        else:
            reason = (f"no {layout.key_field} matching '{layout.key_pattern.pattern}' "
                      f"(not a data row: a note, subtotal or footer)")
        pending.append(Skipped(number, reason, raw))
    for skipped in pending:
        if skipped.raw:
            yield skipped
        else:
            yield Skipped(skipped.number, skipped.reason, skipped.raw, trailing=True)


def check_magic(snapshot: Snapshot, head: bytes, expected: str) -> None:
    """Refuse an HTML error page or an empty body before a reader sees it."""
    stripped = head.lstrip()
    if not head:
        raise ParseError(f"{snapshot.label}: empty body, expected {expected}")
    if stripped[:1] == b"<" or stripped[:15].lower().startswith((b"<!doctype", b"<html")):
        raise ParseError(f"{snapshot.label}: expected {expected} but got an HTML page "
                         f"(starts {stripped[:60]!r}); an error page served with status 200?")


@contextmanager
def workbook(snapshot: Snapshot) -> Iterator[CalamineWorkbook]:
    """The snapshot as a calamine workbook, after checking it is a spreadsheet at all."""
    with snapshot.open() as stream:
        head = stream.read(8)
    check_magic(snapshot, head, "an Excel workbook")
    if not head.startswith((_XLSX_MAGIC, _XLS_MAGIC)):
        raise ParseError(f"{snapshot.label}: not an Excel workbook (starts {head!r})")
    suffix = ".xls" if head.startswith(_XLS_MAGIC) else ".xlsx"
    with snapshot.local_file(suffix=suffix) as path:
        try:
            book = CalamineWorkbook.from_path(str(path))
        except (CalamineError, OSError, ValueError) as exc:
            raise ParseError(f"{snapshot.label}: cannot open the workbook (truncated or "
                             f"corrupt?): {type(exc).__name__}: {exc}") from exc
        try:
            yield book
        finally:
            book.close()


def mapped_sheets(snapshot: Snapshot, source: str, month: date
                  ) -> Iterator[tuple[SheetLayout, Iterator[Row | Skipped]]]:
    """Each sheet layout of ``source`` for the report month found in the workbook, with its
    rows mapped (an optional sheet that is absent is passed over). The workbook stays open
    while a sheet's rows are read, so read them before asking for the next sheet."""
    with workbook(snapshot) as book:
        for layout in sheet_layouts(source, month):
            name = find_sheet(book, layout, snapshot)
            if name is None:
                continue
            where = f"{snapshot.label}, sheet {name!r}"
            yield layout, map_rows(sheet_rows(book, name, snapshot), layout, where)


def find_sheet(book: CalamineWorkbook, layout: SheetLayout, snapshot: Snapshot) -> str | None:
    """The name of the sheet ``layout`` describes; None if absent and optional, else ParseError.

    When several sheets match (a loose pattern such as ``.*`` for one-table workbooks), the
    first whose rows hold the header wins, so a cover or notes sheet in front is passed over."""
    names = [name for name in book.sheet_names if layout.matches(name)]
    if len(names) > 1:
        for name in names:
            if has_header(sheet_rows(book, name, snapshot), layout):
                return name
    if names:
        return names[0]
    if layout.required:
        raise ParseError(f"{snapshot.label}: no sheet matching {layout.pattern.pattern!r} "
                         f"({layout.sheet}); sheets: {book.sheet_names}")
    return None


def has_header(rows: Iterable[Sequence[Any]], layout: SheetLayout) -> bool:
    """Whether the header of ``layout`` is in the first rows of ``rows``."""
    head: list[Sequence[Any]] = []
    for index, row in enumerate(rows):
        head.append(row)
        if len(head) >= layout.header_rows and not _match_header(
                head[-layout.header_rows:], layout)[1]:
            return True
        if index >= MAX_HEADER_SCAN:
            break
    return False


def sheet_rows(book: CalamineWorkbook, name: str, snapshot: Snapshot) -> Iterator[list[Any]]:
    """Rows of one sheet, one at a time; a corrupt sheet is a ParseError."""
    try:
        sheet = book.get_sheet_by_name(name)
        yield from sheet.iter_rows()
    except (CalamineError, OSError, ValueError) as exc:
        raise ParseError(f"{snapshot.label}: cannot read sheet {name!r} (truncated or "
                         f"corrupt?): {type(exc).__name__}: {exc}") from exc


def json_rows(snapshot: Snapshot) -> Iterator[list[Any]]:
    """A JSON array of objects as rows: the keys (in first-seen order) as the header row, then
    one row per object, so JSON APIs share the layout maps of their CSV exports."""
    payload = load_json(snapshot)
    if isinstance(payload, dict):
        lists = [v for v in payload.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise ParseError(f"{snapshot.label}: expected a JSON array of projects, got an "
                             f"object with keys {sorted(payload)[:10]}")
        payload = lists[0]
    objects = require_rows(snapshot, payload, "the top level")
    keys: dict[str, None] = {}
    for item in objects:
        keys.update(dict.fromkeys(item))
    header = list(keys)
    yield header
    for item in objects:
        yield [item.get(key) for key in header]


def csv_rows(snapshot: Snapshot) -> Iterator[list[str]]:
    """Rows of a CSV body, streamed; an HTML page or undecodable bytes is a ParseError."""
    with snapshot.open() as stream:
        check_magic(snapshot, stream.peek(64)[:64], "a CSV file")
        reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
        try:
            yield from reader
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ParseError(f"{snapshot.label}: unreadable CSV: {exc}") from exc
        except CorruptBlobError:
            raise
