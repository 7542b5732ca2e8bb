"""SPP generation interconnection queue: the active requests (cluster, status, MW, fuel, dates).

Live path (keyless): ``GET https://opsportal.spp.org/Studies/GenerateActiveCSV`` returns the
active requests as CSV (``GenerateSummaryCSV`` is the summary of every request). The same table
saved as a workbook (``SPP GI_ActiveRequest.xlsx``: row 1 ``Last Updated On``, header in row 2)
parses through the same layout, so archived XLSX copies can be ingested too.

``capacity_mw`` is ``Capacity``; ``fuel_raw`` is ``Fuel Type`` where SPP gives one (thermal
units) and the ``Generation Type`` otherwise (Wind, Solar, Battery/Storage, Hybrid, ...), which
is also kept as ``technology_raw``. ``proposed_cod`` is the commercial operation date, else
the in-service date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import QueueRequest
from sources.base import ParseResult, Source
from sources.buildout.cells import day, number
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import label, parse_tables, value
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "spp_queue"
ACTIVE_CSV_URL = "https://opsportal.spp.org/Studies/GenerateActiveCSV"


def fetch(session: FetchSession) -> None:
    session.get(ACTIVE_CSV_URL)


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    generation_type = label(row, "generation_type")
    return {
        "project_id": label(row, "project_id"),
        "project_name": None,
        "developer": None,
        "request_type_raw": label(row, "service_type"),
        "study_phase": label(row, "study_phase"),
        "status_raw": label(row, "status_raw"),
        "fuel_raw": label(row, "fuel_type") or generation_type,
        "technology_raw": generation_type,
        "capacity_mw": number(value(row, "capacity_mw")),
        "summer_capacity_mw": number(value(row, "summer_capacity_mw")),
        "winter_capacity_mw": number(value(row, "winter_capacity_mw")),
        "state": label(row, "state"),
        "county": label(row, "county"),
        "zone": label(row, "zone"),
        "poi_name": label(row, "poi_name"),
        "transmission_owner": label(row, "transmission_owner"),
        "queue_date": day(value(row, "queue_date")),
        "proposed_cod": day(value(row, "cod")) or day(value(row, "in_service")),
        "withdrawn_date": day(value(row, "withdrawn_date")),
        "in_service_date": None,
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_tables(NAME, snapshots, QueueRequest, _build)


SOURCE = Source(
    name=NAME,
    title="SPP generation interconnection active requests",
    family="buildout",
    protocol="excel_csv",
    homepage="https://opsportal.spp.org/Studies/GIActive",
    urls=(ACTIVE_CSV_URL,),
    cadence="monthly",
    terms="Public SPP OASIS/ops portal report, no key; SPP's website terms of use apply.",
    parser_version="1",
    record_model=QueueRequest,
    raw_table="raw.spp_queue__projects",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
