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
from sources.buildout.cells import day
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, numbers, parse_tables, texts, value
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "spp_queue"
ACTIVE_CSV_URL = "https://opsportal.spp.org/Studies/GenerateActiveCSV"


def fetch(session: FetchSession) -> None:
    session.get(ACTIVE_CSV_URL)


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    generation_type = label(row, "generation_type")
    return {
        **texts(row, "project_id", "study_phase", "status_raw", "state", "county", "zone",
                "poi_name", "transmission_owner"),
        **numbers(row, "capacity_mw", "summer_capacity_mw", "winter_capacity_mw"),
        **days(row, "queue_date", "withdrawn_date"),
        "request_type_raw": label(row, "service_type"),
        "fuel_raw": label(row, "fuel_type") or generation_type,
        "technology_raw": generation_type,
        "proposed_cod": day(value(row, "cod")) or day(value(row, "in_service")),
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
