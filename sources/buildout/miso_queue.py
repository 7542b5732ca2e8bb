"""MISO generator interconnection queue: every request (active, withdrawn, done) with its study
cycle, phase, MW and dates.

Live path (keyless): ``GET https://www.misoenergy.org/api/giqueue/getprojects`` returns one
JSON array (about 2.3 MB, ~3,800 projects) of objects ``{projectNumber, applicationStatus,
queueDate, withdrawnDate, doneDate, inService, negInService, transmissionOwner, county, state,
studyCycle, studyGroup, studyPhase, svcType, poiName, summerNetMW, winterNetMW, fuelType,
facilityType, postGIAStatus, dp1ErisMw, ...}``. The GI Interactive Queue page's CSV export
holds the same fields under display names (``Project #``, ``Request Status``, ``Summer MW``,
...); both map through one layout (``layouts/*.csv``), so an archived export can be ingested
too. The API describes the queue of the day it is called; the partition is the month.

``capacity_mw`` is the summer net MW. ``status_raw`` joins the request status and the post-GIA
status (``Done / In Service``), which is what tells a finished project from one still being
built. MISO's own export carries a junk test row (``AA1234``, status "fish mango watermelon"):
a request status outside :data:`STATUSES` is rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import QueueRequest
from sources.base import ParseResult, Source
from sources.buildout.cells import CellError, day, number
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, numbers, parse_tables, texts, value
from sources.http import MIB, FetchSession
from sources.snapshot import Snapshot

NAME = "miso_queue"
API_URL = "https://www.misoenergy.org/api/giqueue/getprojects"
STATUSES = frozenset({"active", "withdrawn", "done", "archived"})


def fetch(session: FetchSession) -> None:
    session.get(API_URL, headers={"Accept": "application/json"})


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    status = label(row, "application_status")
    if status is None or status.lower() not in STATUSES:
        raise CellError(f"unknown request status {status!r} (known: "
                        f"{', '.join(sorted(STATUSES))}); not a queue project")
    post_gia = label(row, "post_gia_status")
    return {
        **texts(row, "project_id", "fuel_raw", "technology_raw", "state", "county", "zone",
                "poi_name", "transmission_owner"),
        **numbers(row, "summer_capacity_mw", "winter_capacity_mw"),
        **days(row, "queue_date", "withdrawn_date"),
        "request_type_raw": label(row, "service_type"),
        "study_phase": " / ".join(p for p in (label(row, "study_cycle"),
                                              label(row, "study_phase")) if p) or None,
        "status_raw": f"{status} / {post_gia}" if post_gia else status,
        "capacity_mw": number(value(row, "summer_capacity_mw")),
        "proposed_cod": day(value(row, "negotiated_in_service"))
        or day(value(row, "requested_in_service")),
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_tables(NAME, snapshots, QueueRequest, _build)


SOURCE = Source(
    name=NAME,
    title="MISO generator interconnection queue (GI interactive queue API)",
    family="buildout",
    protocol="json_api",
    homepage="https://www.misoenergy.org/planning/resource-utilization/GI_Queue/"
             "gi-interactive-queue/",
    urls=(API_URL,),
    cadence="monthly",
    terms="Public MISO web API behind the GI Interactive Queue page, no key; MISO's website "
          "terms of use apply.",
    parser_version="1",
    record_model=QueueRequest,
    raw_table="raw.miso_queue__projects",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
