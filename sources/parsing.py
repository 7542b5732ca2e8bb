"""Parse helpers every source shares: decoding JSON with errors that name the payload, envelope
checks, and turning one raw row into either a record or a reject.

Only source-independent mechanics belong here; what a field means stays in the source module.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from sources.base import ParseResult
from sources.errors import ParseError
from sources.snapshot import Snapshot

# Nesting deeper than this is not a price list but an attack on the parser (RecursionError).
MAX_JSON_DEPTH = 64


def load_json(snapshot: Snapshot) -> Any:
    """Decode a JSON body, with an error that says which payload and what it looked like."""
    body = snapshot.body
    if not body.strip():
        raise ParseError(f"{snapshot.source}: empty body from {snapshot.url} "
                         f"(snapshot {snapshot.sha256[:12]})")
    try:
        payload = json.loads(body, parse_constant=_refuse_constant)
    except RecursionError:
        raise ParseError(f"{snapshot.label}: JSON nested too deeply to be a price list") from None
    except (UnicodeDecodeError, ValueError) as exc:
        head = body[:80].decode("utf-8", "replace").replace("\n", " ")
        kind = "an HTML page" if head.lstrip().lower().startswith(("<!doctype", "<html")) \
            else "malformed JSON"
        raise ParseError(f"{snapshot.source}: expected JSON from {snapshot.url} but got {kind} "
                         f"(snapshot {snapshot.sha256[:12]}, starts {head!r}): {exc}") from exc
    if _depth_exceeds(payload, MAX_JSON_DEPTH):
        raise ParseError(f"{snapshot.label}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return payload


def _refuse_constant(name: str) -> float:
    # NaN and Infinity are not JSON; Python's decoder would accept them as floats.
    raise ValueError(f"{name} is not valid JSON")


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def starts_like_json(snapshot: Snapshot) -> bool:
    """Whether a body is a JSON document rather than CSV text (for sources that accept both);
    an empty body is a :class:`ParseError`."""
    head = snapshot.head().lstrip()[:1]
    if not head:
        raise payload_error(snapshot, "an empty body")
    return head in (b"{", b"[")


def require_snapshots(source: str, snapshots: Sequence[Snapshot]) -> None:
    """Refuse to parse an empty fetch (nothing was archived, so there is nothing to load)."""
    if not snapshots:
        raise ParseError(f"{source}: no snapshots to parse")


def payload_error(snapshot: Snapshot, problem: str) -> ParseError:
    """A :class:`ParseError` that says which source, which request and which stored body."""
    return ParseError(f"{snapshot.source}: {problem} in the response to {snapshot.method} "
                      f"{snapshot.url} (snapshot {snapshot.sha256[:12]})")


def require_field(snapshot: Snapshot, payload: Any, key: str) -> Any:
    """``payload[key]`` of a JSON object, or a :class:`ParseError` listing the keys it has."""
    if not isinstance(payload, dict):
        raise payload_error(snapshot, f"expected a JSON object with '{key}', "
                                      f"got {type(payload).__name__}")
    if key not in payload:
        raise payload_error(snapshot, f"no '{key}' field (fields: {sorted(payload)[:12]})")
    return payload[key]


def require_rows(snapshot: Snapshot, value: Any, where: str) -> list[dict[str, Any]]:
    """A JSON array of objects found at ``where``, or a :class:`ParseError`."""
    if not isinstance(value, list):
        raise payload_error(snapshot, f"expected a list at {where}, got {type(value).__name__}")
    not_objects = [row for row in value if not isinstance(row, dict)]
    if not_objects:
        raise payload_error(snapshot, f"{len(not_objects)} entries of {where} are not objects "
                                      f"(first: {not_objects[0]!r:.80})")
    return value


def validated(model: type[BaseModel], fields: dict[str, Any]) -> BaseModel | str:
    """``fields`` as a ``model`` record, or pydantic's reasons why not, worded as a reject."""
    try:
        return model(**fields)
    except ValidationError as exc:
        return "invalid row: " + "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors())


def add_validated(result: ParseResult, snapshot: Snapshot, model: type[BaseModel],
                  fields: dict[str, Any], raw: dict[str, Any]) -> None:
    """Add ``fields`` as a record of ``snapshot``, or reject ``raw`` with the reasons."""
    outcome = validated(model, fields)
    if isinstance(outcome, str):
        result.reject(snapshot, outcome, raw)
    else:
        result.add(snapshot, outcome)


def require_records(result: ParseResult, snapshots: Sequence[Snapshot], rows_read: int) -> None:
    """Refuse a parse that produced nothing: a layout change must be a red run, never zero rows."""
    if result.records:
        return
    first = snapshots[0]
    raise ParseError(f"{first.source}: no usable rows in {len(snapshots)} response(s) from "
                     f"{first.method} {first.url}: {rows_read} rows read, "
                     f"{len(result.rejects)} rejected, the rest excluded")


def price_number(value: Any, *, allow_zero: bool = False) -> float | str:
    """A listed price as a float, or the reason it cannot be one (worded for a reject).

    Accepts JSON numbers and decimal strings ("1.10", "$1.10", "1,234.50"); refuses booleans
    (``True`` is not a price although Python counts it as 1), text, NaN and infinities,
    negatives and, unless ``allow_zero``, zero (a 0 price is a placeholder, not free compute).
    """
    if value is None:
        return "price is missing"
    if isinstance(value, bool):
        return f"price is a boolean ({value!r})"
    if isinstance(value, str):
        text = value.strip().lstrip("$").replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return f"price is not a number ({value!r})"
    elif isinstance(value, int | float):
        number = float(value)
    else:
        return f"price is not a number ({value!r:.60})"
    if not math.isfinite(number):
        return f"price is not finite ({value!r})"
    if number < 0:
        return f"price is negative ({value!r})"
    if number == 0 and not allow_zero:
        return "price is 0"
    return number


def reject_duplicates(result: ParseResult, key: Callable[[BaseModel], Hashable]) -> None:
    """Keep the first record of each ``key`` (a raw or core table's key); reject the others as
    duplicates, so a payload listing one thing twice cannot break a primary key."""
    seen: set[Hashable] = set()
    kept = []
    for snapshot, record in result.records:
        identity = key(record)
        if identity in seen:
            result.reject(snapshot, f"duplicate of an earlier record for {identity!r}",
                          record.model_dump(mode="json"))
        else:
            seen.add(identity)
            kept.append((snapshot, record))
    result.records = kept


def parse_each(name: str, snapshots: Sequence[Snapshot],
               rows_of: Callable[[Snapshot], Iterable[Any]],
               add_row: Callable[[Snapshot, Any, ParseResult], None]) -> tuple[ParseResult, int]:
    """The usual parse loop: ``add_row`` on every row ``rows_of`` finds in each snapshot.
    Returns the result and the number of rows read (for :func:`require_records`)."""
    require_snapshots(name, snapshots)
    result = ParseResult()
    rows_read = 0
    for snapshot in snapshots:
        for row in rows_of(snapshot):
            rows_read += 1
            add_row(snapshot, row, result)
    return result, rows_read


def rows_at(key: str) -> Callable[[Snapshot], list[dict[str, Any]]]:
    """A ``rows_of`` for :func:`parse_each`: the array of objects under ``key`` of a JSON body."""
    def rows(snapshot: Snapshot) -> list[dict[str, Any]]:
        return require_rows(snapshot, require_field(snapshot, load_json(snapshot), key), key)
    return rows


def csv_rows(snapshot: Snapshot, required: Sequence[str], what: str,
             body: bytes | None = None) -> list[dict[str, str]]:
    """The rows of a small CSV body (a few MB at most) as dicts keyed by header name, so files
    whose columns move between versions read the same; a ParseError names ``what`` the file
    should have been when a ``required`` column is missing or the body is not UTF-8 text.
    ``body`` is the snapshot's own unless given (a file inside an archived zip)."""
    try:
        text = (snapshot.body if body is None else body).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise payload_error(snapshot, f"not a UTF-8 CSV ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise payload_error(snapshot, f"not {what}: no {missing} column(s) "
                                      f"(header {reader.fieldnames!r:.120})")
    return list(reader)
