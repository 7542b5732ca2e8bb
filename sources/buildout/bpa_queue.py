"""BPA line/load interconnection queue: project-level requests to connect load (``LL``; data
centres among them, e.g. L0673 "DOE Data Center", 2,750 MW) and generation (``GI``) to the
Bonneville transmission system.

Live path (keyless): ``GET https://www.bpa.gov/-/media/Aep/transmission-media-documents/
InterconnectionQueueOutput.xlsx``. No copy of the workbook was available to build the parser
against; its columns are known from public readers of it (research notes; reports of the
2026-09/10 file): Request Number, Request Date, Project Name, Requestor, Connection Type (LL or
GI), State, County, Status (RECEIVED, STUDY, STUDY COMPLETED, CONST AGRMT EXE, ENERGIZED, BPA
COMPLETED, WITHDRAWN, ...), Original Requested In-Service Date, Agreed To: (Blank=TBD), Max
Summer / Max Winter Interconnection Service MW, Point of Interconnection, under a title cell
with the run date. The header is found by those labels wherever it sits; the first sheet
holding them is read.

``request_type_raw`` is the connection type (``LL`` -> request class ``load``); ``capacity_mw``
is the max summer interconnection service MW as requested (a request, not a contract or a
measured load); ``proposed_cod`` is the agreed in-service date, else the original requested
one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import QueueRequest
from sources.base import ParseResult, Source
from sources.buildout.cells import day, number
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, numbers, parse_workbooks, texts, value
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "bpa_queue"
QUEUE_URL = ("https://www.bpa.gov/-/media/Aep/transmission-media-documents/"
             "InterconnectionQueueOutput.xlsx")


def fetch(session: FetchSession) -> None:
    session.get(QUEUE_URL)


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    return {
        **texts(row, "project_id", "project_name", "developer", "status_raw", "fuel_raw",
                "state", "county", "poi_name"),
        **numbers(row, "summer_capacity_mw", "winter_capacity_mw"),
        **days(row, "queue_date"),
        "request_type_raw": label(row, "connection_type"),
        "capacity_mw": number(value(row, "summer_capacity_mw")),
        "proposed_cod": day(value(row, "agreed_in_service"))
        or day(value(row, "requested_in_service")),
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_workbooks(NAME, snapshots, QueueRequest, _build)


SOURCE = Source(
    name=NAME,
    title="BPA line/load interconnection request queue (load and generation requests)",
    family="buildout",
    protocol="excel_csv",
    homepage="https://www.bpa.gov/energy-and-services/transmission/interconnection",
    urls=(QUEUE_URL,),
    cadence="monthly",
    terms="U.S. federal (Bonneville Power Administration) public posting, no key.",
    parser_version="1",
    record_model=QueueRequest,
    raw_table="raw.bpa_queue__requests",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
