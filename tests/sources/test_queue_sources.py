"""PJM, CAISO, SPP, NYISO and BPA queues: real payloads against the counts their provenance
records, the repo's cut-down fixtures, the same bad inputs for every source (moved header,
renamed column, missing sheet, truncated file, HTML error page), and each live path over a
mocked network."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import respx
from python_calamine import CalamineWorkbook

from sources.archive import RawArchive
from sources.buildout import bpa_queue, caiso_queue, nyiso_queue, pjm_queue, spp_queue
from sources.errors import FetchError, ParseError
from sources.http import FetchSession, build_client
from tests.conftest import FIXTURES
from tests.sources.conftest import FAST_HTTP
from tests.sources.power_helpers import edit_xlsx, find_cell, month_snapshot
from tests.sources.results import records, rejects

JAN_2025, OCT_2020, DEC_2024 = date(2025, 1, 1), date(2020, 10, 1), date(2024, 12, 1)


@dataclass(frozen=True)
class Case:
    module: object
    fixture: Path
    month: date
    sheet: str  # a sheet every vintage must have
    required_label: str  # a header cell of that sheet the layout requires
    expected: dict[str, int]  # records per sheet role in the fixture


CASES = {
    "pjm": Case(pjm_queue, FIXTURES / "pjm_queue" / "pjm_queue_export_2025-01_cut.xlsx",
                JAN_2025, "Data", "MW Energy", {"projects": 80}),
    "caiso": Case(caiso_queue,
                  FIXTURES / "caiso_queue" / "caiso_public_queue_report_2025-01-23_cut.xlsx",
                  JAN_2025, "Completed Generation Projects", "Net MWs to Grid",
                  {"active": 16, "completed": 8, "withdrawn": 8}),
    "spp": Case(spp_queue,
                FIXTURES / "spp_queue" / "spp_gi_active_requests_2025-01-22_cut.xlsx",
                JAN_2025, "SPP GI_ActiveRequest", "Capacity", {"active": 296}),
    "nyiso_2020": Case(nyiso_queue, FIXTURES / "nyiso_queue" / "nyiso_queue_2020-11_cut.xlsx",
                       OCT_2020, "Withdrawn", "SP (MW)",
                       {"active": 18, "withdrawn": 8, "in_service": 8}),
    "nyiso_2025": Case(nyiso_queue, FIXTURES / "nyiso_queue" / "nyiso_queue_2025-01_cut.xlsx",
                       DEC_2024, " Cluster Projects", "Type/ Fuel",
                       {"active": 36, "cluster": 8, "withdrawn": 8, "cluster_withdrawn": 5,
                        "in_service": 8}),
    "bpa": Case(bpa_queue,
                FIXTURES / "bpa_queue" / "interconnection_queue_output_layout.xlsx",
                JAN_2025, "Queue", "Max Summer Interconnection Service MW", {"requests": 8}),
}


def parse(case: Case, body: bytes | None = None, month: date | None = None):
    body = case.fixture.read_bytes() if body is None else body
    return case.module.parse([month_snapshot(case.module.NAME, body, month or case.month)])


def per_sheet(result) -> dict[str, int]:
    return dict(Counter(r.sheet for r in records(result)))


def mw_per_sheet(result) -> dict[str, tuple[int, float]]:
    counts: Counter[str] = Counter()
    mw: Counter[str] = Counter()
    for r in records(result):
        counts[r.sheet] += 1
        mw[r.sheet] += r.capacity_mw or 0
    return {sheet: (n, round(mw[sheet], 2)) for sheet, n in counts.items()}


# --- the same bad inputs for every source ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_counts(name):
    assert per_sheet(parse(CASES[name])) == CASES[name].expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_moved_header_reads_the_same_records(name):
    case = CASES[name]

    def move(book):
        book[case.sheet].insert_rows(1, amount=3)
    moved, original = parse(case, edit_xlsx(case.fixture.read_bytes(), move)), parse(case)
    skip = {"row_number"}
    assert [r.model_dump(exclude=skip) for r in records(moved)] == [
        r.model_dump(exclude=skip) for r in records(original)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_renamed_required_column_is_a_parse_error(name):
    case = CASES[name]

    def rename(book):
        find_cell(book[case.sheet], case.required_label).value = "Something Else"
    with pytest.raises(ParseError, match="no header row found"):
        parse(case, edit_xlsx(case.fixture.read_bytes(), rename))


@pytest.mark.parametrize("name", sorted(CASES))
def test_missing_sheet_is_a_parse_error(name):
    case = CASES[name]

    def drop(book):
        book.create_sheet("Notes").append(["This report has moved."])
        book.move_sheet("Notes", offset=-len(book.sheetnames))
        del book[case.sheet]
    with pytest.raises(ParseError, match="no sheet matching|no header row found"):
        parse(case, edit_xlsx(case.fixture.read_bytes(), drop))


@pytest.mark.parametrize("name", sorted(CASES))
def test_truncated_file_is_a_parse_error(name):
    body = CASES[name].fixture.read_bytes()
    with pytest.raises(ParseError, match="truncated or corrupt"):
        parse(CASES[name], body[: len(body) * 2 // 3])


@pytest.mark.parametrize("name", sorted(CASES))
def test_html_error_page_is_a_parse_error(name):
    with pytest.raises(ParseError, match="HTML page"):
        parse(CASES[name], b"<html><body><h1>403 Forbidden</h1></body></html>")


# --- what each source means --------------------------------------------------------------------

def test_pjm_fields():
    result = parse(CASES["pjm"])
    first = records(result)[0]
    assert (first.project_id, first.project_name, first.poi_name) == (
        "A01", "Ironwood", "South Lebanon 230 KV")
    assert (first.status_raw, first.fuel_raw, first.capacity_mw) == ("In Service",
                                                                     "Natural Gas", 720.0)
    assert (first.queue_date, first.in_service_date) == (date(1997, 4, 1), date(2002, 4, 1))
    assert Counter(r.status_raw for r in records(result)) == {
        "Suspended": 50, "In Service": 18, "Withdrawn": 12}


def test_caiso_two_row_header_and_three_sheets():
    result = parse(CASES["caiso"])
    first = records(result)[0]
    assert (first.project_id, first.project_name, first.sheet) == (
        "22", "MONTEZUMA (HIGH WINDS III)", "active")
    assert (first.fuel_raw, first.technology_raw) == ("Wind Turbine + Battery",
                                                      "Wind Turbine + Storage")
    assert (first.capacity_mw, first.county, first.state) == (38.0, "SOLANO", "CA")
    assert first.proposed_cod == date(2024, 4, 1)
    completed = next(r for r in records(result) if r.sheet == "completed")
    assert (completed.project_id, completed.in_service_date) == ("1A", date(2009, 10, 2))
    assert any(r.status_raw == "ACTIVE / Suspended" for r in records(result))
    # the fuel key and the disclaimer under each table are refused with the reason
    assert all("not a data row" in r.reason for r in rejects(result))
    assert len(rejects(result)) == 7


def test_spp_fields():
    first = records(parse(CASES["spp"]))[0]
    assert (first.project_id, first.status_raw, first.technology_raw, first.fuel_raw) == (
        "GEN-2024-SR9", "IA PENDING", "Battery/Storage", "Battery/Storage")
    assert (first.capacity_mw, first.state, first.county, first.proposed_cod) == (
        150.0, "OK", "Beaver County", date(2027, 1, 1))


def test_spp_live_csv_reads_like_the_workbook():
    book = CalamineWorkbook.from_path(str(CASES["spp"].fixture))
    rows = list(book.get_sheet_by_name("SPP GI_ActiveRequest").iter_rows())
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows[1:]:  # the CSV starts at the header
        writer.writerow(["" if c is None else (c.strftime("%m/%d/%Y") if isinstance(c, date)
                                               else c) for c in row])
    from_csv = parse(CASES["spp"], out.getvalue().encode())
    from_xlsx = parse(CASES["spp"])
    skip = {"row_number"}
    assert [r.model_dump(exclude=skip) for r in records(from_csv)] == [
        r.model_dump(exclude=skip) for r in records(from_xlsx)]


def test_nyiso_load_requests_and_layout_drift():
    old, new = parse(CASES["nyiso_2020"]), parse(CASES["nyiso_2025"])
    loads_2020 = [r for r in records(old) if r.sheet == "active" and r.fuel_raw == "L"]
    assert len(loads_2020) == 6
    loads = {r.project_id: r for r in records(new) if r.sheet == "active" and r.fuel_raw == "L"}
    assert len(loads) == 24
    assert round(sum(r.capacity_mw or 0 for r in loads.values()), 1) == 4209.1
    assert (loads["1719"].project_name, loads["1719"].capacity_mw) == (
        "NY State Artificial Intelligence Data Center", 300.0)
    # renamed columns read through their aliases
    assert loads["0979"].developer == "North Country Data Center"
    assert loads["0979"].poi_name == "Reynolds 115kV"
    # 'MM-YYYY' proposed dates are the first of that month
    homer = next(r for r in records(new) if r.project_id == "0276")
    assert homer.proposed_cod == date(2026, 4, 1)
    # In Service writes queue positions as numbers: they keep NYISO's four digits
    in_service = [r.project_id for r in records(new) if r.sheet == "in_service"]
    assert in_service[0] == "0001" and all(len(p) >= 4 for p in in_service)


def test_nyiso_cluster_sheet_is_required_after_the_reform_only():
    def drop(book):
        del book[" Cluster Projects"]
        del book["Cluster Projects-Withdrawn"]
    body = edit_xlsx(CASES["nyiso_2025"].fixture.read_bytes(), drop)
    with pytest.raises(ParseError, match="cluster"):
        parse(CASES["nyiso_2025"], body)
    assert "cluster" not in per_sheet(parse(CASES["nyiso_2025"], body, month=date(2024, 6, 1)))


def test_bpa_load_requests():
    result = parse(CASES["bpa"])
    by_id = {r.project_id: r for r in records(result)}
    doe = by_id["L0673"]
    assert (doe.project_name, doe.request_type_raw, doe.capacity_mw, doe.status_raw) == (
        "DOE Data Center", "LL", 2750.0, "STUDY")
    assert (doe.state, doe.county, doe.queue_date, doe.proposed_cod) == (
        "WA", "Benton", date(2024, 3, 4), date(2028, 12, 1))
    # the agreed in-service date wins over the requested one; 'TBD' is unknown
    assert by_id["L0701"].proposed_cod == date(2027, 10, 1)
    assert by_id["L0699"].proposed_cod is None and by_id["L0699"].capacity_mw == 45.5
    assert Counter(r.request_type_raw for r in records(result)) == {"LL": 6, "GI": 2}
    assert [r.reason.split(": ", 1)[1][:30] for r in rejects(result)] == [
        "no project_id matching '^[A-Z]"]


def test_bpa_unreadable_mw_is_rejected_with_the_reason():
    def damage(book):
        find_cell(book["Queue"], 400).value = "about 400"
    result = parse(CASES["bpa"], edit_xlsx(CASES["bpa"].fixture.read_bytes(), damage))
    assert "'about 400' is not a number" in rejects(result)[0].reason
    assert "L0701" not in {r.project_id for r in records(result)}


# --- real payloads -----------------------------------------------------------------------------

REAL = {
    # counts as ../shared/data/buildout/PROVENANCE.md records them (PJM 8,190 rows; NYISO
    # 347/658/115 and 192/302/1,392/74/146 rows; SPP 910 rows minus the date row and header);
    # MW totals pinned from this parser (2026-12-02)
    "pjm": ("queues/pjm_queue_export_2025-01.xlsx", JAN_2025,
            {"projects": (8190, 833687.11)}),
    "caiso": ("queues/caiso_public_queue_report_2025-01-23.xlsx", JAN_2025,
              {"active": (393, 108272.07), "completed": (220, 30045.43),
               "withdrawn": (1666, 354174.57)}),
    "spp": ("queues/spp_gi_active_requests_2025-01-22.xlsx", JAN_2025,
            {"active": (908, 171308.43)}),
    "nyiso_2020": ("power/nyiso_interconnection_queue_2020-11.xlsx", OCT_2020,
                   {"active": (347, 71919.18), "withdrawn": (658, 117218.2),
                    "in_service": (115, 13748.6)}),
    "nyiso_2025": ("power/nyiso_interconnection_queue_2025-01.xlsx", DEC_2024,
                   {"active": (192, 19298.9), "cluster": (302, 61529.18),
                    "withdrawn": (1392, 316818.55), "cluster_withdrawn": (74, 15397.05),
                    "in_service": (146, 15103.6)}),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_payload(shared_data, name):
    path, month, expected = REAL[name]
    result = parse(CASES[name], (shared_data / "buildout" / path).read_bytes(), month)
    assert mw_per_sheet(result) == expected
    # whatever is refused is a note or footer row, each with its reason
    assert all("not a data row" in r.reason for r in rejects(result))


@pytest.mark.shared_data
def test_real_nyiso_load_requests(shared_data):
    for path, month, n, mw in (("nyiso_interconnection_queue_2020-11.xlsx", OCT_2020, 6, 900.0),
                               ("nyiso_interconnection_queue_2025-01.xlsx", DEC_2024, 24,
                                4209.1)):
        result = parse(CASES["nyiso_2025"],
                       (shared_data / "buildout" / "power" / path).read_bytes(), month)
        loads = [r for r in records(result) if r.sheet == "active" and r.fuel_raw == "L"]
        assert (len(loads), round(sum(r.capacity_mw or 0 for r in loads), 1)) == (n, mw)


# --- live paths --------------------------------------------------------------------------------

@pytest.fixture
def session_for(tmp_path):
    clients = []

    def make(name: str, month: date, api_key: str | None = None) -> FetchSession:
        client = build_client(FAST_HTTP)
        clients.append(client)
        return FetchSession(source=name, observation_date=month, client=client,
                            archive=RawArchive(tmp_path / "archive"), mode="live",
                            settings=FAST_HTTP, api_key=api_key)

    yield make
    for client in clients:
        client.close()


@respx.mock
@pytest.mark.parametrize(("name", "url"), [
    ("caiso", caiso_queue.REPORT_URL), ("spp", spp_queue.ACTIVE_CSV_URL),
    ("nyiso_2025", nyiso_queue.QUEUE_URL), ("bpa", bpa_queue.QUEUE_URL)])
def test_live_get_is_archived_and_parses(session_for, name, url):
    case = CASES[name]
    route = respx.get(url).respond(content=case.fixture.read_bytes())
    session = session_for(case.module.NAME, case.month)
    case.module.fetch(session)
    assert route.call_count == 1
    assert per_sheet(case.module.parse(session.snapshots)) == case.expected


@respx.mock
def test_pjm_export_posts_with_the_configured_key(session_for):
    route = respx.post(pjm_queue.EXPORT_URL).respond(content=CASES["pjm"].fixture.read_bytes())
    session = session_for("pjm_queue", JAN_2025, api_key="test-subscription-key")
    pjm_queue.fetch(session)
    assert route.calls[0].request.headers["api-subscription-key"] == "test-subscription-key"
    assert per_sheet(pjm_queue.parse(session.snapshots)) == {"projects": 80}
    # the key never reaches the archive's manifest
    assert "test-subscription-key" not in session.snapshots[0].url


def test_pjm_without_a_key_fails_before_any_request(session_for):
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(pjm_queue.EXPORT_URL)
        with pytest.raises(FetchError, match="PJM_QUEUE_SUBSCRIPTION_KEY"):
            pjm_queue.fetch(session_for("pjm_queue", JAN_2025))
        assert route.call_count == 0


@respx.mock
def test_live_server_error_is_retried_then_archived(session_for):
    route = respx.get(caiso_queue.REPORT_URL).respond(503, text="maintenance")
    with pytest.raises(FetchError, match="HTTP 503"):
        caiso_queue.fetch(session_for("caiso_queue", JAN_2025))
    assert route.call_count == FAST_HTTP.retries + 1


def test_a_cover_sheet_in_front_is_passed_over():
    def cover(book):
        book.create_sheet("Read Me").append(["BPA interconnection queue, see the next sheet"])
        book.move_sheet("Read Me", offset=-len(book.sheetnames))
    body = edit_xlsx(CASES["bpa"].fixture.read_bytes(), cover)
    assert per_sheet(parse(CASES["bpa"], body)) == {"requests": 8}
