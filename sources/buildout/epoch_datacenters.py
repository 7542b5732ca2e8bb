"""Epoch AI's frontier data centers and their dated timelines (IT power, facility power,
H100-equivalents, capital cost, construction status).

Live path (keyless, two requests, one fetch): ``GET https://epoch.ai/data/data_centers/
data_centers.csv`` (one row per site: Name, Current H100 equivalents, Current power (MW) -
which is IT power -, Owner, Users, Selected Sources, ..., Country, Address) and ``GET
.../data_center_timelines.csv`` (one row per site and date: Data center, Date, Construction
status, Buildings operational, IT power (MW), Power (MW) - facility power -, H100 equivalents,
capital costs, Water use (MGD)). Cells are quoted CSV with line breaks inside (the Selected
Sources markdown lists, multi-paragraph construction notes); the csv module reads them.

Each file is recognised by its header, so either can also be ingested alone, and so can
Epoch's bundle ``data_centers.zip`` (both CSVs in one download; its other members, such as
``data_center_chip_quantities.csv``, are not read). A record is a
timeline row joined with its site's row; a listed site without any dated row is one record
with no date, and a dated row whose site is not listed keeps ``site_listed`` false.

Epoch gives an address, not coordinates, and geocoding is out of scope offline: ``state`` is
read from a US address only when it names one state (:func:`models.geography.
state_from_address`), else unknown. Epoch AI data, CC BY 4.0: credit Epoch AI.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from models.geography import state_from_address
from models.records.inventories import EpochTimelineRow
from sources.base import ParseResult, Source
from sources.buildout.cells import CellError, day, number, text
from sources.http import MIB, FetchSession
from sources.parsing import (
    add_validated,
    csv_rows,
    payload_error,
    require_records,
    require_snapshots,
)
from sources.snapshot import Snapshot

NAME = "epoch_datacenters"
BASE_URL = "https://epoch.ai/data/data_centers"
SITES_URL = f"{BASE_URL}/data_centers.csv"
TIMELINES_URL = f"{BASE_URL}/data_center_timelines.csv"

SITE_COLUMNS = {"Name": "data_center", "Current power (MW)": "current_it_mw",
                "Current H100 equivalents": "current_h100e",
                "Current total capital cost (2025 USD billions)": "current_capital_cost_busd",
                "Owner": "owner", "Users": "users", "Project": "project",
                "Current chip types": "current_chip_types",
                "Energy companies": "energy_companies", "Country": "country",
                "Address": "address"}
TIMELINE_COLUMNS = {"Data center": "data_center", "Date": "timeline_date",
                    "Construction status": "construction_status_raw",
                    "Buildings operational": "buildings_operational",
                    "IT power (MW)": "it_mw", "Power (MW)": "facility_mw",
                    "H100 equivalents": "h100e",
                    "Total capital cost (2025 USD billions)": "capital_cost_busd",
                    "Water use (MGD)": "water_use_mgd"}
NUMERIC = frozenset({"current_it_mw", "current_h100e", "current_capital_cost_busd",
                     "buildings_operational", "it_mw", "facility_mw", "h100e",
                     "capital_cost_busd", "water_use_mgd"})


BUNDLED_FILES = ("data_centers.csv", "data_center_timelines.csv")
MAX_BUNDLED_FILE_BYTES = 64 * MIB


def fetch(session: FetchSession) -> None:
    session.get(SITES_URL)
    session.get(TIMELINES_URL)


def _renamed(row: dict[str, str], columns: dict[str, str]) -> dict[str, Any]:
    """A row under the record's field names, cells typed; CellError for a non-number."""
    out: dict[str, Any] = {}
    for header, name in columns.items():
        value = text(row.get(header))
        if name in NUMERIC:
            out[name] = number(value)
        elif name == "timeline_date":
            out[name] = day(value)
            if value is not None and out[name] is None:
                raise CellError(f"Date {value!r} is not a date")
        else:
            out[name] = value
    return out


def _site_fields(site: dict[str, Any] | None) -> dict[str, Any]:
    if site is None:
        return {"site_listed": False}
    us = site["country"] in (None, "United States")
    return {**site, "site_listed": True,
            "state": state_from_address(site["address"]) if us else None}


def csv_files(snapshot: Snapshot) -> list[bytes]:
    """The CSV bodies a snapshot holds: its own body, or the two CSVs of a zip bundle."""
    body = snapshot.body
    if not body.startswith(b"PK\x03\x04"):
        return [body]
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as bundle:
            members = [m for m in bundle.infolist()
                       if m.filename.rsplit("/", 1)[-1] in BUNDLED_FILES]
            if not members:
                raise payload_error(snapshot, f"a zip holding none of {BUNDLED_FILES} "
                                              f"(members: {bundle.namelist()[:10]})")
            for member in members:
                if member.file_size > MAX_BUNDLED_FILE_BYTES:
                    raise payload_error(snapshot, f"{member.filename} unpacks to "
                                                  f"{member.file_size:,} bytes")
            return [bundle.read(member) for member in members]
    except zipfile.BadZipFile as exc:
        raise payload_error(snapshot, f"a broken zip ({exc})") from exc


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    require_snapshots(NAME, snapshots)
    result = ParseResult()
    sites: dict[str, tuple[Snapshot, dict[str, Any]]] = {}
    timelines: list[tuple[Snapshot, dict[str, str], dict[str, Any]]] = []
    rows_read = 0
    for snapshot, body in ((s, b) for s in snapshots for b in csv_files(s)):
        header = body[:200].decode("utf-8-sig", "replace")
        is_timeline = header.startswith(("Data center,", '"Data center",'))
        columns = TIMELINE_COLUMNS if is_timeline else SITE_COLUMNS
        what = "Epoch's data_center_timelines.csv" if is_timeline else \
            "Epoch's data_centers.csv"
        rows = csv_rows(snapshot, tuple(columns), what, body)
        rows_read += len(rows)
        for row in rows:
            try:
                fields = _renamed(row, columns)
            except CellError as exc:
                result.reject(snapshot, f"invalid row: {exc}", row)
                continue
            if is_timeline:
                timelines.append((snapshot, row, fields))
            elif fields["data_center"] in sites:
                result.reject(snapshot, f"duplicate site name {fields['data_center']!r}", row)
            elif fields["data_center"]:
                sites[fields["data_center"]] = (snapshot, fields)
            else:
                result.reject(snapshot, "no Name", row)
    dated = set()
    for snapshot, row, fields in timelines:
        site = sites.get(fields["data_center"])
        dated.add(fields["data_center"])
        add_validated(result, snapshot, EpochTimelineRow,
                      {**_site_fields(site[1] if site else None), **fields}, row)
    for name, (snapshot, site) in sites.items():
        if name not in dated:
            add_validated(result, snapshot, EpochTimelineRow, _site_fields(site), site)
    require_records(result, snapshots, rows_read)
    return result


SOURCE = Source(
    name=NAME,
    title="Epoch AI frontier data centers and their dated timelines",
    family="buildout",
    protocol="excel_csv",
    homepage="https://epoch.ai/data/data-centers",
    urls=(SITES_URL, TIMELINES_URL),
    cadence="monthly",
    terms="Epoch AI, 'Frontier Data Centers', CC BY 4.0: credit Epoch AI "
          "(https://epoch.ai/data/data-centers). Keyless CSV downloads.",
    parser_version="1",
    record_model=EpochTimelineRow,
    raw_table="raw.epoch_datacenters__timelines",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
