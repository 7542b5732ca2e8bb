"""EIA-860M: the real May 2016 workbook against the counts its provenance records, the old
(real, cut) and current (documented) layouts giving the same generators, bad inputs, and the
current-then-archive URL fallback of the live path."""

from __future__ import annotations

from collections import Counter
from datetime import date

import httpx
import pytest
import respx

from sources.archive import RawArchive
from sources.buildout import eia860m
from sources.errors import FetchError, ParseError
from sources.http import FetchSession, build_client
from tests.conftest import FIXTURES
from tests.sources.conftest import FAST_HTTP
from tests.sources.power_helpers import edit_xlsx, find_cell, month_snapshot
from tests.sources.results import records, rejects

OLD = FIXTURES / "eia860m" / "eia860m_2016-05_cut.xlsx"
CURRENT = FIXTURES / "eia860m" / "eia860m_2025-10_layout.xlsx"
MAY_2016, OCT_2025 = date(2016, 5, 1), date(2025, 10, 1)


def parse(body: bytes, month: date):
    return eia860m.parse([month_snapshot("eia860m", body, month)])


def per_sheet(result) -> dict[str, tuple[int, float]]:
    out: dict[str, tuple[int, float]] = {}
    for r in records(result):
        n, mw = out.get(r.sheet, (0, 0.0))
        out[r.sheet] = (n + 1, round(mw + (r.nameplate_capacity_mw or 0), 1))
    return out


@pytest.mark.shared_data
def test_real_may_2016_workbook(shared_data):
    path = shared_data / "buildout" / "power" / "eia860m_generator_inventory_2016-05.xlsx"
    result = parse(path.read_bytes(), MAY_2016)
    # counts and nameplate sums as shared/data/buildout/PROVENANCE.md records them
    sheets = per_sheet(result)
    assert sheets["operating"] == (20187, 1167975.9)
    assert sheets["planned"] == (1074, 111042.9)
    assert (sheets["retired"][0], sheets["canceled"][0]) == (3272, 787)
    planned = [r for r in records(result) if r.sheet == "planned"]
    assert Counter(r.status_code for r in planned) == {
        "TS": 37, "V": 211, "U": 230, "T": 172, "L": 249, "P": 175}
    assert round(sum(r.nameplate_capacity_mw for r in planned
                     if r.status_code in ("U", "V", "TS")), 1) == 47110.9
    # the NOTES cell closing each sheet is refused with its reason, nothing else
    assert [r.reason.split(":")[0] for r in rejects(result)] == [
        "operating row 20190", "planned row 1077", "retired row 3275", "canceled row 790"]


def test_old_and_current_layouts_read_the_same_generators():
    old, current = parse(OLD.read_bytes(), MAY_2016), parse(CURRENT.read_bytes(), OCT_2025)
    assert per_sheet(old) == per_sheet(current) == {
        "operating": (15, 2917.4), "planned": (15, 2854.5), "retired": (15, 1150.2),
        "canceled": (15, 2186.2)}
    skip = {"report_month", "row_number", "balancing_authority_code", "net_winter_capacity_mw",
            "status_raw", "status_code"}
    assert [r.model_dump(exclude=skip) for r in records(old)] == [
        r.model_dump(exclude=skip) for r in records(current)]


def test_fields_of_a_planned_generator():
    planned = [r for r in records(parse(CURRENT.read_bytes(), OCT_2025))
               if r.sheet == "planned"][0]
    assert (planned.plant_id, planned.generator_id, planned.plant_name) == (404, "4",
                                                                           "Scattergood")
    assert (planned.status_code, planned.planned_operation_month) == ("TS", date(2016, 6, 1))
    assert (planned.state, planned.balancing_authority_code, planned.energy_source_code) == (
        "CA", "CISO", "NG")
    assert (planned.nameplate_capacity_mw, planned.net_summer_capacity_mw) == (216.9, 214.4)


def test_operating_and_retired_months():
    result = parse(OLD.read_bytes(), MAY_2016)
    operating = next(r for r in records(result) if r.sheet == "operating" and r.plant_id == 3)
    assert (operating.operating_month, operating.retirement_month) == (
        date(1954, 2, 1), date(2019, 12, 1))
    assert operating.status_code == "OP"
    retired = next(r for r in records(result) if r.sheet == "retired")
    assert (retired.retirement_month, retired.operating_month) == (date(2016, 5, 1),
                                                                   date(1954, 6, 1))


@pytest.mark.parametrize(("status", "code"), [
    ("(U) Under construction, less than or equal to 50 percent complete", "U"),
    ("(TS) Construction complete, but not yet in commercial operation", "TS"),
    ("OP", "OP"), ("Operating", None), (None, None)])
def test_status_code(status, code):
    assert eia860m.status_code(status) == code


def test_moved_header_parses_the_same():
    moved = parse(edit_xlsx(CURRENT.read_bytes(),
                            lambda book: book["Planned"].insert_rows(1, amount=4)), OCT_2025)
    assert per_sheet(moved) == per_sheet(parse(CURRENT.read_bytes(), OCT_2025))


def test_renamed_required_column_is_a_parse_error():
    def rename(book):
        find_cell(book["Retired"], "Generator ID").value = "Gen"
    with pytest.raises(ParseError, match=r"sheet 'Retired'.*lacks generator_id"):
        parse(edit_xlsx(CURRENT.read_bytes(), rename), OCT_2025)


def test_missing_sheet_is_a_parse_error():
    def drop(book):
        del book["Canceled or Postponed"]
    with pytest.raises(ParseError, match="no sheet matching.*canceled"):
        parse(edit_xlsx(CURRENT.read_bytes(), drop), OCT_2025)


def test_truncated_and_html_bodies_are_parse_errors():
    body = CURRENT.read_bytes()
    with pytest.raises(ParseError, match="truncated or corrupt"):
        parse(body[: len(body) - 2000], OCT_2025)
    with pytest.raises(ParseError, match="HTML page"):
        parse(b"\n<html><head><title>EIA - Page not found</title></head></html>", OCT_2025)


def test_bad_cells_are_rejected_with_reasons():
    def damage(book):
        sheet = book["Planned"]
        sheet.cell(4, 11).value = "two hundred"  # Nameplate Capacity (MW)
        sheet.cell(5, 9).value = None  # Generator ID
    result = parse(edit_xlsx(CURRENT.read_bytes(), damage), OCT_2025)
    reasons = [r.reason for r in rejects(result) if r.reason.startswith("planned row 4:")
               or r.reason.startswith("planned row 5:")]
    assert reasons == ["planned row 4: 'two hundred' is not a number",
                       "planned row 5: invalid row: generator_id: Input should be a valid "
                       "string"]


def test_workbook_urls():
    assert eia860m.workbook_urls(date(2016, 5, 1)) == [
        "https://www.eia.gov/electricity/data/eia860m/xls/may_generator2016.xlsx",
        "https://www.eia.gov/electricity/data/eia860m/archive/xls/may_generator2016.xlsx"]


@pytest.fixture
def session(tmp_path):
    client = build_client(FAST_HTTP)
    yield FetchSession(source="eia860m", observation_date=MAY_2016, client=client,
                       archive=RawArchive(tmp_path / "archive"), mode="live",
                       settings=FAST_HTTP)
    client.close()


@respx.mock
def test_fetch_falls_back_to_the_archive(session):
    current, archived = eia860m.workbook_urls(MAY_2016)
    respx.get(current).respond(404, text="not found")
    respx.get(archived).respond(content=OLD.read_bytes())
    eia860m.fetch(session)
    assert [(s.url, s.status_code) for s in session.snapshots] == [(current, 404),
                                                                   (archived, 200)]
    assert per_sheet(eia860m.parse(session.snapshots))["planned"] == (15, 2854.5)


@respx.mock
def test_fetch_treats_an_html_answer_as_missing(session):
    current, archived = eia860m.workbook_urls(MAY_2016)
    respx.get(current).respond(200, html="<html>We could not find that page</html>")
    respx.get(archived).mock(return_value=httpx.Response(404))
    with pytest.raises(FetchError, match="no EIA-860M workbook for May 2016.*not a workbook"):
        eia860m.fetch(session)
