"""CAISO public generation interconnection queue report: active, completed and withdrawn
projects, one sheet each.

Live path (keyless): ``GET http://www.caiso.com/PublishedDocuments/PublicQueueReport.xlsx``.
Each sheet has the run date in row 1, a title in row 2, and a two-row header (group labels such
as ``Generating Facility`` / ``MWs`` / ``Location`` above the column labels); the layout map
matches a column on either header row. Up to three resource types, fuels and MW per project
(``Type-1..3``, ``Fuel-1..3``, ``MW-1..3``); ``fuel_raw`` joins the fuels with `` + `` (two
fuels normalize to ``hybrid``), ``capacity_mw`` is ``Net MWs to Grid``. The withdrawn sheet
names projects ``Project Name - Confidential``. A footer of fuel keys and a disclaimer close
each sheet and are rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import QueueRequest
from sources.base import ParseResult, Source
from sources.buildout.cells import day
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, numbers, parse_workbooks, texts, value
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "caiso_queue"
REPORT_URL = "http://www.caiso.com/PublishedDocuments/PublicQueueReport.xlsx"


def fetch(session: FetchSession) -> None:
    session.get(REPORT_URL)


def joined(row: Row, *names: str) -> str | None:
    """Non-blank values of several columns, de-duplicated, joined with ' + '."""
    parts = []
    for name in names:
        part = label(row, name)
        if part and part not in parts:
            parts.append(part)
    return " + ".join(parts) or None


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    status = label(row, "status_raw")
    suspension = label(row, "suspension_status")
    return {
        **texts(row, "project_id", "project_name", "state", "county", "zone", "poi_name",
                "transmission_owner"),
        **numbers(row, "capacity_mw"),
        **days(row, "withdrawn_date"),
        "request_type_raw": label(row, "study_process"),
        "study_phase": label(row, "study_process"),
        "status_raw": f"{status} / {suspension}" if status and suspension else status,
        "fuel_raw": joined(row, "fuel_1", "fuel_2", "fuel_3"),
        "technology_raw": joined(row, "type_1", "type_2", "type_3"),
        "queue_date": day(value(row, "queue_date")) or day(value(row, "request_received")),
        "proposed_cod": day(value(row, "current_online")),
        "in_service_date": day(value(row, "actual_online")),
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_workbooks(NAME, snapshots, QueueRequest, _build)


SOURCE = Source(
    name=NAME,
    title="CAISO public queue report (active, completed, withdrawn)",
    family="buildout",
    protocol="excel_csv",
    homepage="https://www.caiso.com/generation-transmission/generation/"
             "generator-interconnection",
    urls=(REPORT_URL,),
    cadence="monthly",
    terms="Public CAISO report, no key; CAISO's website terms of use apply (contents subject "
          "to change without notice).",
    parser_version="1",
    record_model=QueueRequest,
    raw_table="raw.caiso_queue__projects",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
