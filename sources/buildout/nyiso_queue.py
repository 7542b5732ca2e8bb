"""NYISO interconnection queue: active projects, 2024 cluster projects, withdrawn projects
(serial and cluster) and projects in service, one sheet each. Type/Fuel ``L`` marks load
requests (data centres, fabs, crypto mining among them).

Live path (keyless): ``GET https://www.nyiso.com/documents/20142/1407078/
NYISO-Interconnection-Queue.xlsx`` (updated monthly; the footer counts the month's new and
withdrawn projects).

Layout drift (``layouts/*.csv``): up to 2024 three sheets (Interconnection Queue, Withdrawn,
In Service); from the 2024 cluster reform also `` Cluster Projects`` (the name starts with a
space) and ``Cluster Projects-Withdrawn``. Renamed columns (``Owner/Developer`` ->
``Developer/Interconnection Customer``, ``Interconnection Point`` -> ``Points of
Interconnection``) are aliases. ``In Service`` keeps a two-row header (``Queue`` / ``Pos.``).
Queue positions are text with leading zeros; In Service mixes numbers (``1.0``) and text.
Dates of the proposed columns are ``MM/YYYY`` or ``MM-YYYY`` (first of the month) or words
(``I/S``, ``N/A``: unknown). ``S`` is NYISO's status code (0 withdrawn, 14 in service, ...),
kept as ``status_raw`` with the sheet deciding withdrawn and in service. The footer (notes,
keys, the DPS link) is rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import QueueRequest
from sources.base import ParseResult, Source
from sources.buildout.cells import day, number_or_unknown, text
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, parse_workbooks, texts, value
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "nyiso_queue"
QUEUE_URL = ("https://www.nyiso.com/documents/20142/1407078/"
             "NYISO-Interconnection-Queue.xlsx")


def fetch(session: FetchSession) -> None:
    session.get(QUEUE_URL)


def queue_position(cell: object) -> str | None:
    """'0276' stays '0276'; a number (In Service writes 1.0, 205.0) gets NYISO's four digits."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return f"{int(cell):04d}" if float(cell).is_integer() else text(cell)
    return text(cell)


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    type_fuel = label(row, "type_fuel")
    return {
        **texts(row, "project_name", "developer", "state", "county", "zone", "poi_name",
                "transmission_owner"),
        **days(row, "queue_date"),
        "project_id": queue_position(value(row, "project_id")),
        "request_type_raw": type_fuel,
        "status_raw": label(row, "status_code"),
        "fuel_raw": type_fuel,
        "capacity_mw": number_or_unknown(value(row, "summer_capacity_mw")),
        "summer_capacity_mw": number_or_unknown(value(row, "summer_capacity_mw")),
        "winter_capacity_mw": number_or_unknown(value(row, "winter_capacity_mw")),
        "proposed_cod": day(value(row, "proposed_cod"))
        or day(value(row, "proposed_in_service")),
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_workbooks(NAME, snapshots, QueueRequest, _build)


SOURCE = Source(
    name=NAME,
    title="NYISO interconnection queue (active, cluster, withdrawn, in service)",
    family="buildout",
    protocol="excel_csv",
    homepage="https://www.nyiso.com/interconnections",
    urls=(QUEUE_URL,),
    cadence="monthly",
    terms="Public NYISO posting, no key; NYISO's legal notice applies (no licence in the "
          "content is conferred; keep attribution).",
    parser_version="1",
    record_model=QueueRequest,
    raw_table="raw.nyiso_queue__projects",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
