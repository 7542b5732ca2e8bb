"""The data-center evidence rules (``models/reference/datacenter_terms.csv``) that classify
permit, land-use and parcel records which carry no data-center field of their own: keywords
(data center, data hall, IAD## building codes...), known operator and LLC names, and addresses
of known data-center sites (assessor parcels with a data-center use code). Patterns are
case-insensitive regular expressions; every pattern is compiled on load, so a bad one fails
with its line number."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

TERMS_CSV = Path(__file__).resolve().parent / "reference" / "datacenter_terms.csv"
TermKind = Literal["keyword", "operator", "site"]
KINDS: tuple[TermKind, ...] = ("keyword", "operator", "site")


@dataclass(frozen=True)
class Term:
    kind: TermKind
    pattern: re.Pattern[str]
    state: str | None
    name: str


@cache
def datacenter_terms(path: Path = TERMS_CSV) -> tuple[Term, ...]:
    """Every rule, in file order; ValueError naming the line for an unknown kind, a pattern
    that does not compile or a row with more cells than the header."""
    terms = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if None in row:
                raise ValueError(f"{path.name} line {number}: more cells than the header "
                                 "(quote a pattern that holds a comma)")
            if row["kind"] not in KINDS:
                raise ValueError(f"{path.name} line {number}: unknown kind {row['kind']!r} "
                                 f"(known: {', '.join(KINDS)})")
            try:
                pattern = re.compile(row["pattern"], re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{path.name} line {number}: bad pattern "
                                 f"{row['pattern']!r}: {exc}") from exc
            terms.append(Term(row["kind"], pattern, row["state"] or None, row["name"]))  # type: ignore[arg-type]
    return tuple(terms)
