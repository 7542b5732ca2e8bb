"""The power normalization codes (``models/reference/power_codes.csv``) as a frame for
``core.power__codes_normalization``, checked on load: every pattern compiles and every
normalized value is one the issue-8 contract allows (and, for ``ladder_status``, a step of the
buildout status ladder of issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from models.catalog.buildout import STATUS_LADDER

CODES_CSV = Path(__file__).resolve().parent / "reference" / "power_codes.csv"
ALLOWED: dict[str, frozenset[str]] = {
    "fuel": frozenset({"solar", "wind", "storage", "gas", "nuclear", "hybrid", "coal", "hydro",
                       "other"}),
    "status": frozenset({"active", "withdrawn", "operational", "suspended"}),
    "request_class": frozenset({"large_gen", "small_gen", "load"}),
    "eia_status": frozenset({"operating", "standby", "out_of_service", "planned",
                             "under_construction", "retired", "canceled"}),
    "ladder_status": frozenset(STATUS_LADDER),
}


def power_codes(path: Path = CODES_CSV) -> pd.DataFrame:
    """The codes table; ValueError naming the row for an unknown dimension or value, or a
    pattern that does not compile."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for number, row in enumerate(frame.itertuples(index=False), start=2):
        allowed = ALLOWED.get(row.dimension)
        if allowed is None:
            raise ValueError(f"{path.name} line {number}: unknown dimension {row.dimension!r}")
        if row.normalized not in allowed:
            raise ValueError(f"{path.name} line {number}: {row.normalized!r} is not a "
                             f"{row.dimension} value ({sorted(allowed)})")
        try:
            re.compile(row.pattern)
        except re.error as exc:
            raise ValueError(f"{path.name} line {number}: bad pattern {row.pattern!r}: "
                             f"{exc}") from exc
    frame["priority"] = frame["priority"].astype(int)
    frame["note"] = frame["note"].replace("", None)
    return frame
