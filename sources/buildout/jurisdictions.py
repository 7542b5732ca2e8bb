"""Permit, land-use and parcel jurisdictions as configuration: ``jurisdictions.csv`` holds one
row per source, and this module reads it into :class:`Jurisdiction` values that the protocol
adapters (:mod:`~sources.buildout.socrata`, :mod:`~sources.buildout.arcgis`,
:mod:`~sources.buildout.excel_report`) and :mod:`~sources.buildout.filings` share. Also here:
:class:`SourceRow`, one row of a payload mapped onto record fields, and the helpers every
adapter uses to map attributes and to check that the payload still has the mapped fields.

Columns of ``jurisdictions.csv``:

* ``name, title, jurisdiction, county, state, homepage, terms``: identity and licence;
* ``protocol`` (``socrata``, ``arcgis``, ``excel_report``), ``kind`` (``building_permit``,
  ``land_use_application``, ``parcel``, ``zoning_parcel``: a parcel zoned for data centers,
  capacity for future builds, never a site);
* ``endpoint`` (SODA resource URL, ArcGIS layer URL, or the page listing monthly workbooks),
  ``query`` (SODA ``$where`` / ArcGIS ``where``), ``format`` (ArcGIS ``json`` or ``geojson``),
  ``page_size``, ``order_by`` (SODA ``$order``, ArcGIS ``orderByFields``);
* ``fields``: ``record_field=source_field`` pairs joined by ``;``; ``a+b`` joins several source
  fields with spaces (an address in parts). Excel reports map their columns through
  ``layouts/*.csv`` instead;
* ``required``: record fields whose source fields must be in every payload (a renamed column is
  a ParseError, never a column of NULLs);
* ``rules``: how a record is classified as data-center related, tried in order, ``;``-separated:
  ``field:<field>=<value>|<value>`` (the source labels it; case-insensitive), ``dataset`` (the
  layer lists only data centers), ``keyword:<fields>``, ``operator:<fields>`` and
  ``site:<fields>`` (the keyword, operator and known-site rules of
  ``models/reference/datacenter_terms.csv``, the last limited to the row's state);
* ``private``: source columns that hold personal names; they are never read into a record and
  are removed from rejected rows;
* ``location_precision``: what a point of this source stands for (parcel, building, address).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from models.catalog.permits import ENTITIES, JURISDICTIONS_CSV, raw_filings_table_name
from models.records.permits import PermitFiling
from sources.buildout.cells import text
from sources.buildout.layout import check_magic, normalize_label
from sources.errors import ParseError
from sources.parsing import payload_error
from sources.snapshot import Snapshot

PROTOCOLS = ("socrata", "arcgis", "excel_report")
RULE_METHODS = {"field": "field_value", "dataset": "dataset", "keyword": "keyword",
                "operator": "operator", "site": "known_site"}
# Record fields a source may fill; the rest (report month, kind, classification) are derived.
MAPPABLE = frozenset(PermitFiling.model_fields) - {
    "report_month", "kind", "jurisdiction", "location_precision", "classification_method",
    "classification_evidence"}
DATE_FIELDS = ("filed_date", "issued_date")


@dataclass(frozen=True)
class Rule:
    """One classification rule: the method it records, the record fields it reads and, for a
    field rule, the values (lowercase) that mark a data center."""

    method: str
    fields: tuple[str, ...]
    values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    title: str
    jurisdiction: str
    county: str | None
    state: str | None
    protocol: str
    kind: str
    homepage: str
    endpoint: str
    query: str | None
    format: str | None
    page_size: int | None
    order_by: str | None
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    rules: tuple[Rule, ...]
    private: frozenset[str]
    location_precision: str | None
    terms: str

    @property
    def raw_table(self) -> str:
        return raw_filings_table_name(self.name, self.kind)

    @property
    def source_fields(self) -> tuple[str, ...]:
        """Every source field the map reads, in map order (an ArcGIS ``outFields``)."""
        return tuple(dict.fromkeys(part for parts in self.fields.values() for part in parts))

    def is_private(self, label: str) -> bool:
        return normalize_label(label) in self.private


@dataclass(frozen=True)
class SourceRow:
    """A payload row mapped onto record fields: ``values`` (record field -> cell as the source
    wrote it), the geometry's point (latitude, longitude) if any, and the row as the source
    labels it (private columns removed), built only for a reject."""

    number: int
    values: dict[str, Any]
    raw_of: Callable[[], dict[str, Any]]
    point: tuple[float, float] | None = None

    @property
    def raw(self) -> dict[str, Any]:
        return self.raw_of()


def _split(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def _rule(name: str, spec: str) -> Rule:
    method, _, argument = spec.partition(":")
    if method not in RULE_METHODS:
        raise ValueError(f"{name}: unknown rule {spec!r} (known: {', '.join(RULE_METHODS)})")
    if method == "dataset":
        return Rule("dataset", ())
    if method == "field":
        field, _, values = argument.partition("=")
        fields, wanted = (field.strip(),), frozenset(v.lower() for v in _split(values, "|"))
        if not wanted:
            raise ValueError(f"{name}: rule {spec!r} names no value")
    else:
        fields, wanted = tuple(_split(argument, "|")), frozenset()
    unknown = [f for f in fields if f not in MAPPABLE]
    if not fields or unknown:
        raise ValueError(f"{name}: rule {spec!r} reads no or unknown record fields {unknown}")
    return Rule(RULE_METHODS[method], fields, wanted)


def _jurisdiction(row: dict[str, str]) -> Jurisdiction:
    name = row["name"]
    if None in row:
        raise ValueError(f"{name}: more cells than the header (quote a value holding a comma)")
    if row["protocol"] not in PROTOCOLS:
        raise ValueError(f"{name}: unknown protocol {row['protocol']!r} ({PROTOCOLS})")
    if row["kind"] not in ENTITIES:
        raise ValueError(f"{name}: unknown kind {row['kind']!r} ({', '.join(ENTITIES)})")
    fields = {}
    for pair in _split(row["fields"], ";"):
        field, _, source = pair.partition("=")
        if field not in MAPPABLE or not source:
            raise ValueError(f"{name}: bad field map entry {pair!r} (record fields: "
                             f"{', '.join(sorted(MAPPABLE))})")
        fields[field] = tuple(_split(source, "+"))
    if row["protocol"] != "excel_report" and "record_id" not in fields:
        raise ValueError(f"{name}: the field map has no record_id")
    required = tuple(_split(row["required"], "|"))
    if set(required) - set(fields):
        raise ValueError(f"{name}: required fields {sorted(set(required) - set(fields))} are "
                         "not in the field map")
    rules = tuple(_rule(name, spec) for spec in _split(row["rules"], ";"))
    if not rules:
        raise ValueError(f"{name}: no classification rule")
    return Jurisdiction(
        name=name, title=row["title"], jurisdiction=row["jurisdiction"],
        county=row["county"] or None, state=row["state"] or None, protocol=row["protocol"],
        kind=row["kind"], homepage=row["homepage"], endpoint=row["endpoint"],
        query=row["query"] or None, format=row["format"] or None,
        page_size=int(row["page_size"]) if row["page_size"] else None,
        order_by=row["order_by"] or None, fields=fields, required=required, rules=rules,
        private=frozenset(normalize_label(p) for p in _split(row["private"], "|")),
        location_precision=row["location_precision"] or None, terms=row["terms"])


@cache
def jurisdictions(path: Path = JURISDICTIONS_CSV) -> tuple[Jurisdiction, ...]:
    """Every configured jurisdiction, in file order; ValueError naming the row for a bad one."""
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(_jurisdiction(row) for row in csv.DictReader(handle))


def mapped(jurisdiction: Jurisdiction, attributes: dict[str, Any]) -> dict[str, Any]:
    """Record field -> value of one row's attributes; several source fields are joined by
    spaces, blanks left out."""
    values: dict[str, Any] = {}
    for field, parts in jurisdiction.fields.items():
        if len(parts) == 1:
            values[field] = attributes.get(parts[0])
        else:
            values[field] = " ".join(t for t in (text(attributes.get(p)) for p in parts) if t) \
                or None
    return values


def public(jurisdiction: Jurisdiction, attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes without the private (personal name) columns, for a reject."""
    return {k: v for k, v in attributes.items() if not jurisdiction.is_private(k)}


def require_source_fields(jurisdiction: Jurisdiction, snapshot: Snapshot,
                          available: set[str]) -> None:
    """ParseError when a required field's source column is not in the payload."""
    missing = [f"{field} ({'+'.join(jurisdiction.fields[field])})"
               for field in jurisdiction.required
               if not set(jurisdiction.fields[field]) <= available]
    if missing:
        raise payload_error(snapshot, f"the layout changed: no source field for "
                                      f"{', '.join(missing)} (fields: "
                                      f"{', '.join(sorted(available)[:30])})")


def csv_attribute_rows(jurisdiction: Jurisdiction, snapshot: Snapshot
                       ) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, attributes) of a CSV export of a layer or dataset, after checking that the
    header still holds the required fields."""
    with snapshot.open() as stream:
        check_magic(snapshot, stream.peek(64)[:64], "a CSV file")
        reader = csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
        try:
            require_source_fields(jurisdiction, snapshot, set(reader.fieldnames or ()))
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise payload_error(snapshot, f"CSV row {number} has more cells than the "
                                                  "header")
                yield number, row
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ParseError(f"{snapshot.label}: unreadable CSV: {exc}") from exc
