"""Cell coercion for spreadsheet and CSV sources: text, numbers and dates as publishers write them.

Publishers put text in numeric columns ("N/A", "1,234", " "), dates as datetimes, Excel serial
numbers, "MM/DD/YYYY", "MM-YYYY" or ISO strings, and placeholders ("Date Not Available",
1900-01-01). These helpers turn a cell into a value or None (unknown) and raise
:class:`CellError` only for a value that is present but cannot mean anything, so the caller can
reject the row with the reason.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

# Words publishers use for "no value" in numeric and date columns.
BLANKS = frozenset({"", "-", "--", "n/a", "na", "none", "null", "tbd", "unknown", "#n/a",
                    "date not available", "not available", "nan"})
# Excel's day zero; 1900-01-01 (serial 1) is used by several reports as "no date".
_EXCEL_EPOCH = date(1899, 12, 30)
_PLACEHOLDER_DATES = frozenset({date(1900, 1, 1), date(1899, 12, 30), date(1899, 12, 31)})
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%m-%d-%Y", "%d-%b-%Y", "%d-%b-%y",
                 "%b %d, %Y", "%B %d, %Y")
_MONTH_FORMATS = ("%m/%Y", "%m-%Y", "%Y-%m", "%b-%Y", "%b-%y", "%B %Y", "%b %Y")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]")


class CellError(ValueError):
    """A cell holds a value that cannot be read as the type the column needs."""


def text(value: object) -> str | None:
    """A cell as trimmed text (whitespace collapsed); None when blank. Whole floats lose '.0'."""
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    out = " ".join(str(value).split())
    return out or None


def is_blank(value: object) -> bool:
    out = text(value)
    return out is None or out.lower() in BLANKS


def number(value: object) -> float | None:
    """A number (MW, ids); None when blank or a no-value word; CellError for other text."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else float(value)
    if is_blank(value):
        return None
    raw = text(value) or ""
    cleaned = raw.replace(",", "").replace("$", "").strip()
    try:
        out = float(cleaned)
    except ValueError:
        raise CellError(f"{raw!r} is not a number") from None
    if not math.isfinite(out):
        raise CellError(f"{raw!r} is not a number")
    return out


def number_or_unknown(value: object) -> float | None:
    """A number, or None for text that is no number ('TBD (up to 435)'): for MW columns whose
    free text means 'not known yet' rather than a broken row."""
    try:
        return number(value)
    except CellError:
        return None


def day(value: object) -> date | None:
    """A date from a datetime, date, Excel serial or date text; None when blank, a placeholder
    (1900-01-01, 'Date Not Available') or other text no reader could mean as a date.

    Text that is not a date is unknown rather than an error: milestone columns hold notes such
    as 'I/S' or 'Complete'. ``MM/YYYY``-style month text becomes the first day of that month.
    """
    out: date | None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        out = value.date()
    elif isinstance(value, date):
        out = value
    elif isinstance(value, int | float):
        if not math.isfinite(value) or not 1 < value < 200_000:
            return None
        out = _EXCEL_EPOCH + timedelta(days=int(value))
    else:
        out = _parse_date_text(text(value))
    if out is None or out in _PLACEHOLDER_DATES:
        return None
    return out


def _parse_date_text(raw: str | None) -> date | None:
    if raw is None or raw.lower() in BLANKS:
        return None
    if _ISO_DATETIME.match(raw):
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date().replace(day=1)
        except ValueError:
            continue
    return None


def month_year(month: object, year: object) -> date | None:
    """First day of the month from separate month and year cells (EIA-860M); None if either is
    blank or out of range."""
    try:
        m, y = number(month), number(year)
    except CellError:
        return None
    if m is None or y is None or not (1 <= m <= 12 and 1800 <= y <= 2200):
        return None
    return date(int(y), int(m), 1)
