"""EIA-860M, the monthly update to the annual generator inventory: every US generator of 1 MW
or more, in four sheets (Operating, Planned, Retired, Canceled or Postponed). The planned
pipeline (status P, L, T, U, V, TS) is only here; the EIA API v2 has operable units only.

Live path (keyless): the workbook of month M is ``https://www.eia.gov/electricity/data/eia860m/
xls/<month>_generator<year>.xlsx`` while it is the latest release, and moves to ``.../archive/
xls/`` afterwards (e.g. ``archive/xls/may_generator2016.xlsx``). ``fetch`` asks for the current
location first and falls back to the archive; EIA answers a missing month with an HTML page
(status 200), so an answer that is not a zip file counts as missing too. Workbooks are about
14 MB; the raw table keeps one row per generator per sheet.

Layout drift (``layouts/*.csv``): the header is found by its ``Entity ID`` / ``Plant ID`` /
``Generator ID`` cells (row 1 up to 2020, row 2 from 2021); old vintages write headers with
leading line breaks, blanks as a single space, Generator ID as text, a NOTES cell at the end of
each sheet (rejected with its reason); newer ones add Balancing Authority Code, Net Winter
Capacity, Unit Code. Status cells are the full label, e.g. ``(U) Under construction, less than
or equal to 50 percent complete``; ``status_code`` keeps the code in the parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from models.records.power import Eia860mGenerator
from sources.base import ParseResult, Source
from sources.buildout.cells import CellError, month_year, number
from sources.buildout.layout import Row, SheetLayout
from sources.buildout.queue import label, parse_workbooks, value
from sources.errors import FetchError
from sources.http import MIB, FetchSession
from sources.parsing import require_snapshots
from sources.snapshot import Snapshot

NAME = "eia860m"
BASE_URL = "https://www.eia.gov/electricity/data/eia860m"
_STATUS_CODE = re.compile(r"^\(?([A-Z]{1,3})\)")
_PLAIN_CODE = re.compile(r"^[A-Z]{1,3}$")


def workbook_urls(month: date) -> list[str]:
    """Where the workbook of ``month`` lives: the current release first, then the archive."""
    name = f"{month:%B}".lower() + f"_generator{month:%Y}.xlsx"
    return [f"{BASE_URL}/xls/{name}", f"{BASE_URL}/archive/xls/{name}"]


def _is_zip(snapshot: Snapshot) -> bool:
    with snapshot.open() as stream:
        return stream.read(4) == b"PK\x03\x04"


def fetch(session: FetchSession) -> None:
    month = session.observation_date.replace(day=1)
    tried = []
    for url in workbook_urls(month):
        try:
            snapshot = session.get(url)
        except FetchError as exc:
            tried.append(f"{url}: {exc}")
            continue
        if _is_zip(snapshot):
            return
        tried.append(f"{url}: not a workbook (an HTML page?), archived as "
                     f"{snapshot.sha256[:12]}")
    raise FetchError(f"{NAME}: no EIA-860M workbook for {month:%B %Y}: " + "; ".join(tried))


def status_code(status: str | None) -> str | None:
    """'(U) Under construction, ...' -> 'U'; a bare code stays as it is."""
    if status is None:
        return None
    match = _STATUS_CODE.match(status)
    if match:
        return match.group(1)
    return status if _PLAIN_CODE.match(status) else None


def _int(row: Row, name: str) -> int | None:
    out = number(value(row, name))
    if out is not None and not out.is_integer():
        raise CellError(f"{name} {value(row, name)!r} is not a whole number")
    return None if out is None else int(out)


def _build(layout: SheetLayout, row: Row, month: date) -> dict[str, Any]:
    status = label(row, "status")
    fields: dict[str, Any] = {
        "entity_id": _int(row, "entity_id"),
        "plant_id": _int(row, "plant_id"),
        "generator_id": label(row, "generator_id"),
        "status_raw": status,
        "status_code": status_code(status),
        "nameplate_capacity_mw": number(value(row, "nameplate_capacity_mw")),
        "net_summer_capacity_mw": number(value(row, "net_summer_capacity_mw")),
        "net_winter_capacity_mw": number(value(row, "net_winter_capacity_mw")),
        "latitude": number(value(row, "latitude")),
        "longitude": number(value(row, "longitude")),
        "operating_month": month_year(value(row, "operating_month"),
                                      value(row, "operating_year")),
        "planned_operation_month": month_year(value(row, "planned_operation_month"),
                                              value(row, "planned_operation_year")),
        "retirement_month": month_year(value(row, "retirement_month"),
                                       value(row, "retirement_year")),
    }
    for name in ("entity_name", "plant_name", "sector", "state", "county",
                 "balancing_authority_code", "unit_code", "technology", "energy_source_code",
                 "prime_mover_code"):
        fields[name] = label(row, name)
    fields["generator_key"] = f"{fields['plant_id']}/{fields['generator_id']}"
    return fields


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    """Parse the workbook: the last successful response of the fetch (earlier ones are the
    locations that did not have it)."""
    require_snapshots(NAME, snapshots)
    answered = [s for s in snapshots if s.ok] or list(snapshots)
    return parse_workbooks(NAME, answered[-1:], Eia860mGenerator, _build)


SOURCE = Source(
    name=NAME,
    title="EIA-860M monthly generator inventory (operating, planned, retired, canceled)",
    family="buildout",
    protocol="excel_csv",
    homepage=f"{BASE_URL}/",
    urls=tuple(workbook_urls(date(2025, 10, 1))),
    cadence="monthly",
    terms="U.S. Energy Information Administration data, public domain; cite EIA Form "
          "EIA-860M. No key.",
    parser_version="1",
    record_model=Eia860mGenerator,
    raw_table="raw.eia860m__generators",
    fetch=fetch,
    parse=parse,
    # the listing (archive) keeps every monthly vintage, so past months can still be fetched
    fetches_history=True,
    # a month's workbook is published during the next month (about four weeks later)
    publication_lag_months=1,
    max_response_bytes=256 * MIB,
)
