"""ERCOT Generator Interconnection Status (GIS) report, MIS report type 15933: every generation
interconnection request past the full-interconnection-study request, monthly.

Live path (keyless): the MIS document listing
``https://www.ercot.com/misapp/servlets/IceDocListJsonWS?reportTypeId=15933`` returns
``{"ListDocsByRptTypeRes": {"DocumentList": [{"Document": {"DocID", "FriendlyName",
"PublishDate", "Extension", ...}}]}}``; the report of a month is then
``https://www.ercot.com/misdownload/servlets/mirDownload?doclookupId=<DocID>``. The FriendlyName
names the month (``GIS_Report_November2025``, ``GIS_Report_December_2018``); a name without a
month falls back to the publish date (the report is run in the first days of the next month).
The listing holds every vintage back to December 2018, so a backfill fetches one month each.

Layout drift (sheet names, header rows, ``GINR``/``GIM Study Phase``) is in
``layouts/*.csv``: up to 2021 one sheet ``Project Details``; from 2022 ``Project Details -
Large Gen`` and ``Project Details - Small Gen``. Rows of the large-generation (or only) project
sheet are ``large_gen``, rows of the small-generation sheet ``small_gen``; ``capacity_mw`` is
the report's ``Capacity (MW)`` (repowerings are net changes, so 0 or negative is kept; text
such as "TBD" is unknown, NULL, and the project is kept, so counts match the report).
The ``Inactive Projects`` sheet (from 2020; projects ERCOT or the developer designated
inactive after the FIS request) is read too, as role ``inactive``: status ``suspended`` in core,
``status_raw`` "inactive since <date>", request class from its Size Category (Large/Small; all
large before 2022). Continuation header rows, blank separators and the footnotes under a table
are rejected with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from models.records.power import ErcotGisProject
from sources.base import ParseResult, Source
from sources.buildout.cells import day, number_or_unknown
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import days, label, parse_workbooks, texts, value
from sources.errors import FetchError
from sources.http import MIB, FetchSession
from sources.parsing import load_json, require_field, require_rows
from sources.snapshot import Snapshot

NAME = "ercot_gis"
REPORT_TYPE_ID = 15933
LISTING_URL = "https://www.ercot.com/misapp/servlets/IceDocListJsonWS"
DOWNLOAD_URL = "https://www.ercot.com/misdownload/servlets/mirDownload"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# 'November2025', 'December_2018', 'Sept 2021': a month name (or its abbreviation), a year
_NAMED_MONTH = re.compile(r"(" + "|".join(_MONTHS) + r")[a-z]*\.?[\s_-]*(\d{4})",
                          re.IGNORECASE)
_DATE_FIELDS = ("proposed_cod", "screening_study_started_date", "fis_requested_date",
                "ia_signed_date", "construction_start_date", "construction_end_date",
                "energization_approved_date", "synchronization_approved_date")


def document_month(document: dict[str, Any]) -> date | None:
    """The report month of a listing entry: from its name, else the month before publishing."""
    match = _NAMED_MONTH.search(str(document.get("FriendlyName") or "")) or _NAMED_MONTH.search(
        str(document.get("ConstructedName") or ""))
    if match:
        return date(int(match.group(2)), _MONTHS.index(match.group(1).lower()[:3]) + 1, 1)
    try:
        published = datetime.fromisoformat(str(document.get("PublishDate"))).date()
    except ValueError:
        return None
    return date(published.year - (published.month == 1), (published.month - 2) % 12 + 1, 1)


def listing_documents(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The ``Document`` objects of a listing response (ParseError if the envelope changed)."""
    payload = require_field(snapshot, load_json(snapshot), "ListDocsByRptTypeRes")
    entries = require_rows(snapshot, require_field(snapshot, payload, "DocumentList"),
                           "ListDocsByRptTypeRes.DocumentList")
    return [entry["Document"] for entry in entries if isinstance(entry.get("Document"), dict)]


def fetch(session: FetchSession) -> None:
    """The listing, then the workbook of the session's report month."""
    listing = session.get(LISTING_URL, params={"reportTypeId": REPORT_TYPE_ID})
    month = session.observation_date.replace(day=1)
    documents = [d for d in listing_documents(listing) if document_month(d) == month
                 and str(d.get("Extension") or "xlsx").lower() in ("xlsx", "xls")]
    if not documents:
        raise FetchError(f"{NAME}: the report type {REPORT_TYPE_ID} listing has no GIS report "
                         f"for {month:%B %Y} (listing archived as {listing.sha256[:12]})")
    newest = max(documents, key=lambda d: str(d.get("PublishDate") or ""))
    session.get(DOWNLOAD_URL, params={"doclookupId": newest["DocID"]})


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    if layout.sheet == "inactive":
        since = day(value(row, "inactive_date"))
        return {
            **texts(row, "project_id", "project_name", "fuel_raw", "county"),
            "capacity_mw": number_or_unknown(value(row, "capacity_mw")),
            "request_type_raw": label(row, "size_category"),
            "status_raw": f"inactive since {since}" if since else "inactive",
            "state": "TX",
        }
    return {
        **texts(row, "project_id", "project_name", "developer", "study_phase", "fuel_raw",
                "technology_raw", "county", "zone", "poi_name"),
        "capacity_mw": number_or_unknown(value(row, "capacity_mw")),
        **days(row, *_DATE_FIELDS),
        "request_type_raw": layout.sheet,
        "state": "TX",
    }


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_workbooks(NAME, snapshots, ErcotGisProject, _build, skip_urls=(LISTING_URL,))


SOURCE = Source(
    name=NAME,
    title="ERCOT Generator Interconnection Status report (monthly)",
    family="buildout",
    protocol="excel_csv",
    homepage="https://www.ercot.com/mp/data-products/data-product-details?id=PG7-200-ER",
    urls=(f"{LISTING_URL}?reportTypeId={REPORT_TYPE_ID}", DOWNLOAD_URL),
    cadence="monthly",
    terms="Public ERCOT MIS report (no login, no key); ERCOT's website terms of use apply.",
    parser_version="1",
    record_model=ErcotGisProject,
    raw_table="raw.ercot_gis__projects",
    fetch=fetch,
    parse=parse,
    # the listing (archive) keeps every monthly vintage, so past months can still be fetched
    fetches_history=True,
    # a month's report is run on the first days of the next month
    publication_lag_months=1,
    max_response_bytes=64 * MIB,
)
