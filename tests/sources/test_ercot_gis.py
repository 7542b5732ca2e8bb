"""ERCOT GIS report: the five real vintages against an independent openpyxl count, the cut-down
fixtures of both layouts, layout drift (moved header, renamed columns), bad inputs, and the live
listing -> monthly workbook path over a mocked network."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
import pytest
import respx
from openpyxl import load_workbook

from sources.archive import RawArchive
from sources.buildout import ercot_gis
from sources.errors import FetchError, ParseError
from sources.http import FetchSession, build_client
from tests.conftest import FIXTURES
from tests.sources.conftest import FAST_HTTP
from tests.sources.power_helpers import edit_xlsx, find_cell, find_row, month_snapshot
from tests.sources.results import records, rejects

FIXTURE_2018 = FIXTURES / "ercot_gis" / "gis_report_2018-12_cut.xlsx"
FIXTURE_2022 = FIXTURES / "ercot_gis" / "gis_report_2022-12_cut.xlsx"
DEC_2018, DEC_2022 = date(2018, 12, 1), date(2022, 12, 1)
LARGE_2022 = "Project Details - Large Gen"


def parse(body: bytes, month: date):
    return ercot_gis.parse([month_snapshot("ercot_gis", body, month)])


def summary(result) -> dict[str, tuple[int, float]]:
    out: dict[str, tuple[int, float]] = {}
    for record in records(result):
        n, mw = out.get(record.sheet, (0, 0.0))
        out[record.sheet] = (n + 1, round(mw + (record.capacity_mw or 0), 2))
    return out


# --- the five real vintages ------------------------------------------------------------------

# Project rows and total MW per sheet, counted independently of the parser: openpyxl
# (read-only) reads each "Project Details*" and "Inactive Projects" sheet, finds the header row
# by its "INR" cell, and counts the rows whose first cell looks like an INR id (\d\dINR\d{4}),
# summing the "Capacity (MW)" column (Inactive Projects: "MW **"). Computed 2026-12-02; the test
# below recomputes it.
VINTAGES = {
    "GIS_Report_December_2018.xlsx": (DEC_2018, {"large_gen": (367, 70633.63)}),
    "GIS_Report_December_2020.xlsx": (date(2020, 12, 1), {"large_gen": (581, 112564.83),
                                                          "inactive": (51, 11495.96)}),
    "GIS_Report_December_2022.xlsx": (DEC_2022, {"large_gen": (1083, 209699.84),
                                                 "small_gen": (8, 77.05),
                                                 "inactive": (69, 13008.02)}),
    "GIS_Report_December2024.xlsx": (date(2024, 12, 1), {"large_gen": (1697, 341474.21),
                                                         "small_gen": (46, 424.79),
                                                         "inactive": (125, 29306.49)}),
    "GIS_Report_November2025.xlsx": (date(2025, 11, 1), {"large_gen": (1809, 399836.03),
                                                         "small_gen": (57, 533.37),
                                                         "inactive": (149, 32071.76)}),
}


def independent_count(path: Path) -> dict[str, tuple[int, float]]:
    book = load_workbook(path, read_only=True, data_only=True)
    out = {}
    try:
        for sheet in book.worksheets:
            if sheet.title.startswith("Inactive"):
                role, mw_header = "inactive", "MW **"
            elif sheet.title.startswith("Project Details"):
                role = "small_gen" if "Small" in sheet.title else "large_gen"
                mw_header = "Capacity (MW)"
            else:
                continue
            n, mw, capacity = 0, 0.0, None
            for row in sheet.iter_rows(values_only=True):
                if capacity is None:
                    if row and row[0] == "INR":
                        capacity = list(row).index(mw_header)
                    continue
                if row and row[0] and re.match(r"\d{2}INR\d{4}", str(row[0]).strip()):
                    n, mw = n + 1, mw + (row[capacity] or 0)
            out[role] = (n, round(mw, 2))
    finally:
        book.close()
    return out


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(VINTAGES))
def test_real_vintage_counts_and_mw(shared_data, name):
    path = shared_data / "buildout" / "queues" / "ercot_gis" / name
    month, expected = VINTAGES[name]
    result = parse(path.read_bytes(), month)
    assert summary(result) == expected
    assert independent_count(path) == expected
    assert {r.report_month for r in records(result)} == {month}
    # only the header's continuation rows and the inactive sheet's footnotes are refused
    assert rejects(result) and all(
        "continuation header row" in r.reason
        or (r.reason.startswith("inactive") and "not a data row" in r.reason)
        for r in rejects(result))


# --- fixtures of both layouts ----------------------------------------------------------------

def test_old_layout_fixture():
    result = parse(FIXTURE_2018.read_bytes(), DEC_2018)
    assert summary(result) == {"large_gen": (12, 2687.84)}
    first = records(result)[0]
    assert (first.project_id, first.project_name, first.study_phase) == (
        "08INR0019b", "Grandview 5 W", "SS Completed, FIS Started, No IA")
    assert (first.fuel_raw, first.technology_raw, first.capacity_mw) == ("WIN", "WT", 249.0)
    assert (first.county, first.zone, first.state) == ("Gray", "PANHANDLE", "TX")
    assert first.proposed_cod == date(2020, 12, 15)
    assert first.screening_study_started_date == date(2006, 7, 21)
    assert first.ia_signed_date is None
    assert (first.request_type_raw, first.row_number) == ("large_gen", 26)
    assert [r.reason for r in rejects(result)] == [
        f"large_gen row {n}: continuation header row (no project_id)" for n in (23, 24, 25)]


def test_new_layout_fixture_has_large_and_small_gen():
    result = parse(FIXTURE_2022.read_bytes(), DEC_2022)
    assert summary(result) == {"large_gen": (12, 2676.31), "small_gen": (8, 77.05),
                               "inactive": (12, 2385.8)}
    by_id = {(r.sheet, r.project_id): r for r in records(result)}
    goodnight = by_id["large_gen", "14INR0033"]
    # the 2022 layout has an extra milestone column before 'Screening Study Started'
    assert goodnight.screening_study_started_date == date(2012, 7, 24)
    assert goodnight.ia_signed_date == date(2019, 8, 18)
    small = by_id["small_gen", "22INR0573"]
    assert (small.study_phase, small.capacity_mw, small.technology_raw) == (None, 9.95, "BA")
    inactive = by_id["inactive", "16INR0044"]
    assert (inactive.project_name, inactive.fuel_raw, inactive.capacity_mw) == (
        "Halyard Wharton", "Gas", 484.0)
    assert (inactive.status_raw, inactive.request_type_raw) == ("inactive since 2019-08-30",
                                                                "Large")


def test_placeholder_dates_are_unknown():
    # 14INR0033 carries 1900-01-01 in a milestone column: no date, not a date in 1900
    result = parse(FIXTURE_2022.read_bytes(), DEC_2022)
    dates = [getattr(r, f) for r in records(result) for f in type(r).model_fields
             if f.endswith("_date") or f == "proposed_cod"]
    assert all(d is None or d.year > 1990 for d in dates)


# --- layout drift and bad input --------------------------------------------------------------

def test_moved_header_parses_the_same():
    def move(book):
        book[LARGE_2022].insert_rows(1, amount=7)
    moved = parse(edit_xlsx(FIXTURE_2022.read_bytes(), move), DEC_2022)
    original = parse(FIXTURE_2022.read_bytes(), DEC_2022)
    strip = [r.model_dump(exclude={"row_number"}) for r in records(original)]
    assert [r.model_dump(exclude={"row_number"}) for r in records(moved)] == strip
    assert records(moved)[0].row_number == records(original)[0].row_number + 7


def test_known_alias_of_a_renamed_column_is_read():
    def rename(book):
        find_cell(book[LARGE_2022], "GIM Study Phase").value = "GINR Study Phase"
    result = parse(edit_xlsx(FIXTURE_2022.read_bytes(), rename), DEC_2022)
    assert records(result)[0].study_phase == "SS Completed, FIS Started, IA"


def test_unknown_name_of_a_required_column_is_a_parse_error():
    def rename(book):
        find_cell(book[LARGE_2022], "Capacity (MW)").value = "Size"
    with pytest.raises(ParseError, match=r"no header row found.*lacks capacity_mw"):
        parse(edit_xlsx(FIXTURE_2022.read_bytes(), rename), DEC_2022)


def test_missing_project_sheet_is_a_parse_error():
    def drop(book):
        del book[LARGE_2022]
    with pytest.raises(ParseError, match=r"no sheet matching .*large_gen.*sheets: "):
        parse(edit_xlsx(FIXTURE_2022.read_bytes(), drop), DEC_2022)


def test_small_gen_sheet_is_required_from_december_2022_only():
    def drop(book):
        del book["Project Details - Small Gen"]
    body = edit_xlsx(FIXTURE_2022.read_bytes(), drop)
    with pytest.raises(ParseError, match="small_gen"):
        parse(body, DEC_2022)
    assert summary(parse(body, date(2022, 3, 1))) == {"large_gen": (12, 2676.31),
                                                      "inactive": (12, 2385.8)}


def test_truncated_workbook_is_a_parse_error():
    body = FIXTURE_2022.read_bytes()
    with pytest.raises(ParseError, match="truncated or corrupt"):
        parse(body[: len(body) // 2], DEC_2022)


def test_html_error_page_is_a_parse_error():
    page = b"<!DOCTYPE html><html><body>Service Unavailable</body></html>"
    with pytest.raises(ParseError, match="HTML page"):
        parse(page, DEC_2022)


def test_junk_rows_are_rejected_with_reasons():
    def junk(book):
        sheet = book[LARGE_2022]
        at = find_row(sheet, "15INR0059")
        sheet.insert_rows(at)  # a blank separator between two projects
        sheet.cell(find_row(sheet, "16INR0104"), 11).value = "TBD"
        sheet.cell(find_row(sheet, "17INR0022"), 1).value = "17INR0022 "
        sheet.append(["Total", None, None, None, None, None, None, None, None, None, 9999])
        sheet.append([])
    result = parse(edit_xlsx(FIXTURE_2022.read_bytes(), junk), DEC_2022)
    reasons = [r.reason for r in rejects(result)
               if r.reason.startswith("large_gen") and "continuation" not in r.reason]
    assert reasons == [
        "large_gen row 37: blank separator row",
        "large_gen row 49: no project_id matching '^\\d{2}INR\\d{4}' (not a data row: a note, "
        "subtotal or footer)",
    ]
    # text in the MW column is unknown MW, not a lost project
    assert summary(result)["large_gen"] == (12, 2276.31)
    assert next(r for r in records(result) if r.project_id == "16INR0104").capacity_mw is None
    assert "17INR0022" in {r.project_id for r in records(result)}


def test_duplicate_inr_in_one_sheet_is_rejected():
    def duplicate(book):
        sheet = book[LARGE_2022]
        row = find_row(sheet, "15INR0059")
        sheet.append([c.value for c in sheet[row]])
    result = parse(edit_xlsx(FIXTURE_2022.read_bytes(), duplicate), DEC_2022)
    assert [r.reason for r in rejects(result) if "duplicate" in r.reason] == [
        "large_gen row 48: duplicate id '15INR0059' in the same sheet"]


# --- live path ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("document", "month"), [
    ({"FriendlyName": "GIS_Report_November2025"}, date(2025, 11, 1)),
    ({"FriendlyName": "GIS_Report_December_2018"}, date(2018, 12, 1)),
    ({"FriendlyName": "GIS_Report_Sept_2021"}, date(2021, 9, 1)),
    ({"FriendlyName": "x", "ConstructedName": "rpt.00015933.GIS_Report_Jan2020.xlsx"},
     date(2020, 1, 1)),
    ({"FriendlyName": "GIS Report", "PublishDate": "2021-01-04T10:30:00-06:00"},
     date(2020, 12, 1)),
    ({"FriendlyName": "GIS Report", "PublishDate": "2021-06-02T10:30:00-05:00"},
     date(2021, 5, 1)),
    ({"FriendlyName": "GIS Report", "PublishDate": "soon"}, None),
])
def test_document_month(document, month):
    assert ercot_gis.document_month(document) == month


@pytest.fixture
def session_for(tmp_path):
    clients = []

    def make(month: date) -> FetchSession:
        client = build_client(FAST_HTTP)
        clients.append(client)
        return FetchSession(source="ercot_gis", observation_date=month, client=client,
                            archive=RawArchive(tmp_path / "archive"), mode="live",
                            settings=FAST_HTTP)

    yield make
    for client in clients:
        client.close()


@respx.mock
def test_fetch_downloads_the_report_of_the_partition_month(session_for):
    listing = respx.get(ercot_gis.LISTING_URL, params={"reportTypeId": "15933"}).respond(
        content=(FIXTURES / "ercot_gis" / "listing.json").read_bytes(),
        headers={"content-type": "application/json"})
    download = respx.get(ercot_gis.DOWNLOAD_URL, params={"doclookupId": "650000003"}).respond(
        content=FIXTURE_2018.read_bytes())
    session = session_for(DEC_2018)
    ercot_gis.fetch(session)
    assert listing.call_count == download.call_count == 1
    assert [s.url.split("?")[0] for s in session.snapshots] == [ercot_gis.LISTING_URL,
                                                                ercot_gis.DOWNLOAD_URL]
    # parse skips the listing and reads the workbook the archive holds
    assert summary(ercot_gis.parse(session.snapshots)) == {"large_gen": (12, 2687.84)}


@respx.mock
def test_fetch_of_a_month_missing_from_the_listing_fails_clearly(session_for):
    respx.get(ercot_gis.LISTING_URL).respond(
        content=(FIXTURES / "ercot_gis" / "listing.json").read_bytes())
    with pytest.raises(FetchError, match="no GIS report for March 2019"):
        ercot_gis.fetch(session_for(date(2019, 3, 1)))


@respx.mock
def test_fetch_retries_a_server_error_then_archives_the_report(session_for):
    respx.get(ercot_gis.LISTING_URL).mock(side_effect=[
        httpx.Response(503, text="busy"),
        httpx.Response(200, content=(FIXTURES / "ercot_gis" / "listing.json").read_bytes())])
    respx.get(ercot_gis.DOWNLOAD_URL).respond(content=FIXTURE_2018.read_bytes())
    session = session_for(DEC_2018)
    ercot_gis.fetch(session)
    assert [s.status_code for s in session.snapshots] == [200, 200]


def test_source_registration():
    from sources.registry import get_source
    source = get_source("ercot_gis")
    assert (source.cadence, source.family, source.raw_table) == (
        "monthly", "buildout", "raw.ercot_gis__projects")


def test_ingested_file_is_archived_then_parsed_under_its_report_month(tmp_path):
    from sources.http import ingest_file
    archive = RawArchive(tmp_path / "archive")
    snapshot = ingest_file(source="ercot_gis", observation_date=date(2019, 4, 1),
                           path=FIXTURE_2018, archive=archive,
                           max_bytes=ercot_gis.SOURCE.max_response_bytes)
    assert snapshot.blob is not None and snapshot.data is None  # read back from the archive
    result = ercot_gis.parse(archive.latest_fetch("ercot_gis", date(2019, 4, 1)))
    assert {r.report_month for r in records(result)} == {date(2019, 4, 1)}
    assert summary(result) == {"large_gen": (12, 2687.84)}
