"""Permit, land-use and parcel sources built from configuration: one :class:`~sources.base.Source`
per row of ``jurisdictions.csv``, its fetch and row reader taken from the row's protocol adapter,
and the parse every one of them shares: classify each row as data-center related (keeping the
method and the evidence), build a :class:`~models.records.permits.PermitFiling` from the rows
that are, and count the rest as excluded (not data-center related), never as rejects.

Classification (rules of the row, first match wins):

* ``field_value``: the source labels it (Loudoun Structure Type "Data Center", Maricopa use
  "DATA CENTERS" / code 1507);
* ``dataset``: the layer lists data centers only (Prince William's data-center buildings);
* ``keyword``, ``operator``, ``known_site``: a keyword, a known operator or LLC name, or the
  address of a known data-center parcel (``models/reference/datacenter_terms.csv``).

Values are read as the sources write them: a square footage or cost of 0 is "not given"
(NULL), never zero; a point is kept only with both coordinates, with the row's
``location_precision``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from functools import partial
from types import ModuleType
from typing import Any

from models.datacenter_terms import Term, datacenter_terms
from models.records.permits import PermitFiling
from sources.base import ParseResult, Source
from sources.buildout import arcgis, excel_report, socrata
from sources.buildout.cells import CellError, day, number, text
from sources.buildout.jurisdictions import DATE_FIELDS, Jurisdiction, Rule, jurisdictions
from sources.buildout.layout import Skipped
from sources.buildout.queue import payload_snapshots, report_month
from sources.http import MIB
from sources.parsing import add_validated, reject_duplicates, require_records, require_snapshots
from sources.snapshot import Snapshot

log = logging.getLogger(__name__)

ADAPTERS: dict[str, ModuleType] = {"socrata": socrata, "arcgis": arcgis,
                                   "excel_report": excel_report}
ACCESS_PROTOCOL = {"socrata": "socrata", "arcgis": "arcgis", "excel_report": "excel_csv"}
TEXT_FIELDS = ("record_type", "use_type", "title", "description", "status_raw", "applicant",
               "address", "parcel_id", "county", "state")
# Quantities whose 0 means "not given" in permit reports.
SIZE_FIELDS = ("square_feet", "estimated_cost_usd")
TERM_KIND = {"keyword": "keyword", "operator": "operator", "known_site": "site"}
NOT_DATACENTER = "not classified as data-center related"


def _term_match(rule: Rule, terms: Sequence[Term], texts: dict[str, str | None]
                ) -> tuple[str, str] | None:
    for field in rule.fields:
        value = texts.get(field)
        if not value:
            continue
        for term in terms:
            found = term.pattern.search(value)
            if found:
                return rule.method, f"{field}: '{found.group(0)}' ({term.name})"
    return None


def classify(jurisdiction: Jurisdiction, texts: dict[str, str | None]
             ) -> tuple[str, str] | None:
    """(classification_method, classification_evidence) of the first rule that matches, or
    None when the record is not data-center related."""
    for rule in jurisdiction.rules:
        if rule.method == "dataset":
            return "dataset", (f"every feature of {jurisdiction.endpoint} is a data center "
                               "(the publisher's data-center layer)")
        if rule.method == "field_value":
            for field in rule.fields:
                value = texts.get(field)
                if value and value.lower() in rule.values:
                    label = "+".join(jurisdiction.fields.get(field, (field,)))
                    return "field_value", f"{label} = '{value}'"
            continue
        terms = [t for t in datacenter_terms() if t.kind == TERM_KIND[rule.method]
                 and (t.state is None or t.state == jurisdiction.state)]
        hit = _term_match(rule, terms, texts)
        if hit:
            return hit
    return None


def _size(value: Any) -> float | None:
    out = number(value)
    return out if out is not None and out > 0 else None


def record_fields(jurisdiction: Jurisdiction, values: dict[str, Any],
                  point: tuple[float, float] | None, month: date,
                  texts: dict[str, str | None], classified: tuple[str, str]) -> dict[str, Any]:
    """The record's fields; CellError for a value present but unreadable."""
    latitude, longitude = number(values.get("latitude")), number(values.get("longitude"))
    if (latitude is None or longitude is None) and point is not None:
        latitude, longitude = point
    located = latitude is not None and longitude is not None
    return {
        **texts,
        "report_month": month, "kind": jurisdiction.kind,
        "jurisdiction": jurisdiction.jurisdiction,
        "record_id": text(values.get("record_id")),
        "county": texts["county"] or jurisdiction.county,
        "state": texts["state"] or jurisdiction.state,
        **{field: _size(values.get(field)) for field in SIZE_FIELDS},
        **{field: day(values.get(field)) for field in DATE_FIELDS},
        "latitude": latitude if located else None,
        "longitude": longitude if located else None,
        "location_precision": jurisdiction.location_precision if located else None,
        "classification_method": classified[0], "classification_evidence": classified[1],
    }


def parse_filings(jurisdiction: Jurisdiction, snapshots: Sequence[Snapshot]) -> ParseResult:
    """Every payload snapshot's rows, classified; records, rejects with reasons, and the count
    of rows excluded as not data-center related."""
    require_snapshots(jurisdiction.name, snapshots)
    listing = (jurisdiction.endpoint,) if jurisdiction.protocol == "excel_report" else ()
    payloads = [s for s in payload_snapshots(snapshots)
                if not listing or s.url not in listing]
    require_snapshots(jurisdiction.name, payloads)
    adapter = ADAPTERS[jurisdiction.protocol]
    result, rows_read = ParseResult(), 0
    for snapshot in payloads:
        month = report_month(snapshot)
        for row in adapter.rows(jurisdiction, snapshot):
            rows_read += 1
            if isinstance(row, Skipped):
                if row.trailing:
                    result.exclude("blank row below the table")
                else:
                    result.reject(snapshot, row.reason, row.raw)
                continue
            texts = {field: text(row.values.get(field)) for field in TEXT_FIELDS}
            classified = classify(jurisdiction, texts)
            if classified is None:
                result.exclude(NOT_DATACENTER)
                continue
            try:
                fields = record_fields(jurisdiction, row.values, row.point, month, texts,
                                       classified)
            except CellError as exc:
                result.reject(snapshot, f"row {row.number}: {exc}", row.raw)
                continue
            add_validated(result, snapshot, PermitFiling, fields, row.raw)
    reject_duplicates(result, lambda record: record.record_id)
    require_records(result, payloads, rows_read)
    log.info("%s: %d records, %d rejects, %d excluded", jurisdiction.name,
             len(result.records), len(result.rejects), sum(result.excluded.values()))
    return result


def source(jurisdiction: Jurisdiction) -> Source:
    """The registry entry of a configured jurisdiction."""
    adapter = ADAPTERS[jurisdiction.protocol]
    return Source(
        name=jurisdiction.name, title=jurisdiction.title, family="buildout",
        protocol=ACCESS_PROTOCOL[jurisdiction.protocol],  # type: ignore[arg-type]
        homepage=jurisdiction.homepage, urls=(jurisdiction.endpoint,), cadence="monthly",
        terms=jurisdiction.terms, parser_version="1", record_model=PermitFiling,
        raw_table=jurisdiction.raw_table, fetch=partial(adapter.fetch, jurisdiction),
        parse=partial(parse_filings, jurisdiction),
        api_key_env=socrata.APP_TOKEN_ENV if jurisdiction.protocol == "socrata" else None,
        max_response_bytes=64 * MIB,
        # a monthly workbook report is posted during the next month, and the listing keeps
        # every past month's
        fetches_history=jurisdiction.protocol == "excel_report",
        publication_lag_months=1 if jurisdiction.protocol == "excel_report" else 0)


SOURCES: tuple[Source, ...] = tuple(source(j) for j in jurisdictions())
