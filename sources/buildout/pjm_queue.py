"""PJM new-services (generation interconnection) queue: every project since the A queue, with
status, fuel, MW and milestone dates.

Live path: ``POST https://services.pjm.com/PJMPlanningApi/api/Queue/ExportToXls`` (the export
button of pjm.com's interconnection-queues page) returns an XLSX with sheets ``Data`` (one row
per project, header in the first row) and ``Definitions-Mapping``. The API wants an
``api-subscription-key`` header; pjm.com's page script carries a public one (research notes:
gridstatus ``pjm.py``). The key is configuration, not code: set ``PJM_QUEUE_SUBSCRIPTION_KEY``
(the session passes it as ``session.api_key``); it is redacted from the archive like any key.

``capacity_mw`` is ``MW Energy`` (the requested energy injection), falling back to ``MFO``;
``project_name`` is the commercial name where there is one, else PJM's ``Name`` (which is the
POI-style project title, also kept as ``poi_name``). ``proposed_cod`` is the revised (or, in
older exports, projected) in-service date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import QueueRequest
from sources.base import ParseResult, Source
from sources.buildout.cells import day, number
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, parse_workbooks, texts, value
from sources.errors import FetchError
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "pjm_queue"
EXPORT_URL = "https://services.pjm.com/PJMPlanningApi/api/Queue/ExportToXls"
KEY_ENV = "PJM_QUEUE_SUBSCRIPTION_KEY"


def fetch(session: FetchSession) -> None:
    if not session.api_key and session.mode == "live":
        raise FetchError(f"{NAME}: set {KEY_ENV} to the public api-subscription-key of "
                         "pjm.com's interconnection-queues page")
    key = {"api-subscription-key": session.api_key} if session.api_key else {}
    session.request("POST", EXPORT_URL, headers={
        **key, "Origin": "https://www.pjm.com", "Referer": "https://www.pjm.com/"})


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    name = label(row, "name")
    energy = number(value(row, "mw_energy"))
    return {
        **texts(row, "project_id", "status_raw", "fuel_raw", "state", "county",
                "transmission_owner"),
        **days(row, "queue_date", "withdrawn_date"),
        "project_name": label(row, "commercial_name") or name,
        "request_type_raw": label(row, "project_type"),
        "capacity_mw": energy if energy is not None else number(value(row, "mfo")),
        "summer_capacity_mw": number(value(row, "mw_capacity")),
        "poi_name": name,
        "proposed_cod": day(value(row, "revised_in_service"))
        or day(value(row, "projected_in_service")),
        "in_service_date": day(value(row, "actual_in_service")),
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_workbooks(NAME, snapshots, QueueRequest, _build)


SOURCE = Source(
    name=NAME,
    title="PJM interconnection queue export (Planning API)",
    family="buildout",
    protocol="excel_csv",
    homepage="https://www.pjm.com/planning/services-requests/interconnection-queues",
    urls=(EXPORT_URL,),
    cadence="monthly",
    terms="Public PJM queue export behind pjm.com's queue page; the subscription key is the "
          "one that page ships to every browser. PJM's terms of use apply.",
    parser_version="1",
    record_model=QueueRequest,
    raw_table="raw.pjm_queue__projects",
    fetch=fetch,
    parse=parse,
    api_key_env=KEY_ENV,
    api_key_required=True,
    max_response_bytes=128 * MIB,
)
