"""The power core/out SQL on DuckDB: two ERCOT vintages parsed from the fixture (one edited the
way a month changes a queue), normalized through the codes table, then the changelog and the
monthly summary; and EIA-860M statuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from models.catalog import table
from models.power_reference import power_codes
from sources.buildout import ercot_gis
from tests.conftest import FIXTURES
from tests.sources.power_helpers import edit_xlsx, find_row, month_snapshot, raw_frame
from warehouse.schema import ensure_schema
from warehouse.write import replace_partition, replace_table

SQL = Path(__file__).resolve().parents[2] / "warehouse" / "sql"
NOV, DEC = date(2022, 11, 1), date(2022, 12, 1)
LARGE = "Project Details - Large Gen"


def build(con, name: str, month: date) -> int:
    schema, table_name = name.split(".")
    frame = con.execute((SQL / schema / f"{table_name}.sql").read_text(),
                        {"report_month": month}).df()
    return replace_partition(con, table(name), frame, {"report_month": month})


def load_raw(con, source, body: bytes, month: date) -> None:
    result = source.parse([month_snapshot(source.name, body, month)])
    replace_partition(con, table(source.raw_table), raw_frame(source, result),
                      {"observation_date": month})


def next_month(book) -> None:
    """What a month does to a queue: one project gone, one COD slipped, one MW change, one new,
    one designated inactive."""
    sheet = book[LARGE]
    sheet.delete_rows(find_row(sheet, "15INR0059"))
    sheet.delete_rows(find_row(sheet, "17INR0027b"))
    book["Inactive Projects"].append(["17INR0027b", "Large", "Coyote Wind", "Wind", "Scurry",
                                      date(2022, 12, 15), 242.6])
    sheet.cell(find_row(sheet, "14INR0033"), 8).value = date(2024, 3, 31)  # was 2023-12-30
    sheet.cell(find_row(sheet, "16INR0104"), 11).value = 150.5
    new = [c.value for c in sheet[find_row(sheet, "17INR0022")]]
    new[0], new[1] = "22INR9999", "New Storage"
    sheet.append(new)


def new_warehouse(path: Path):
    connection = duckdb.connect(str(path))
    ensure_schema(connection)
    replace_table(connection, table("core.power__codes_normalization"), power_codes())
    return connection


@pytest.fixture
def con(tmp_path):
    connection = new_warehouse(tmp_path / "power.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def two_vintages(con):
    body = (FIXTURES / "ercot_gis" / "gis_report_2022-12_cut.xlsx").read_bytes()
    load_raw(con, ercot_gis.SOURCE, body, NOV)
    load_raw(con, ercot_gis.SOURCE, edit_xlsx(body, next_month), DEC)
    for month in (NOV, DEC):
        build(con, "core.power__interconnection_queue_projects", month)
    return con


def test_core_rows_are_normalized(two_vintages):
    rows = two_vintages.execute(
        "SELECT project_id, iso, request_class, fuel, fuel_raw, status, capacity_mw "
        "FROM core.power__interconnection_queue_projects WHERE report_month = ? "
        "AND project_id IN ('14INR0033', '15INR0059', '17INR0022', '22INR0573') "
        "ORDER BY project_id", [NOV]).fetchall()
    assert rows == [
        ("14INR0033", "ERCOT", "large_gen", "wind", "WIN", "active", 531.0),
        ("15INR0059", "ERCOT", "large_gen", "solar", "SOL", "active", 108.0),
        ("17INR0022", "ERCOT", "large_gen", "gas", "GAS", "active", 11.0),
        ("22INR0573", "ERCOT", "small_gen", "storage", "OTH", "active", 9.95),
    ]
    n, unclassified = two_vintages.execute(
        "SELECT count(*), count(*) FILTER (WHERE fuel IS NULL OR status IS NULL "
        "OR request_class IS NULL) FROM core.power__interconnection_queue_projects "
        "WHERE report_month = ?", [NOV]).fetchone()
    assert (n, unclassified) == (32, 0)
    inactive = two_vintages.execute(
        "SELECT request_class, fuel, status, status_raw FROM "
        "core.power__interconnection_queue_projects WHERE report_month = ? "
        "AND project_id = '16INR0044'", [NOV]).fetchone()
    assert inactive == ("large_gen", "gas", "suspended", "inactive since 2019-08-30")


def test_changes_between_consecutive_vintages(two_vintages):
    assert build(two_vintages, "out.power__queue_changes", DEC) == 5
    rows = two_vintages.execute(
        "SELECT previous_report_month, project_id, event, previous_value, current_value, "
        "months_slipped, mw_delta FROM out.power__queue_changes WHERE report_month = ? "
        "ORDER BY event, project_id", [DEC]).fetchall()
    assert rows == [
        (NOV, "22INR9999", "added", None, "active", None, None),
        (NOV, "14INR0033", "cod_slipped", "2023-12-30", "2024-03-31", 3, None),
        (NOV, "16INR0104", "mw_changed", "400.0", "150.5", None, -249.5),
        (NOV, "17INR0027b", "status_changed", "active", "suspended", None, None),
        (NOV, "15INR0059", "withdrawn", "active", "no longer listed", None, None),
    ]


def test_first_vintage_has_no_changes(two_vintages):
    assert build(two_vintages, "out.power__queue_changes", NOV) == 0


def test_monthly_summary(two_vintages):
    build(two_vintages, "out.power__monthly_queue_summary", DEC)
    rows = two_vintages.execute(
        "SELECT request_class, fuel, status, n_projects, round(capacity_mw, 2) "
        "FROM out.power__monthly_queue_summary WHERE report_month = ? ORDER BY ALL",
        [DEC]).fetchall()
    core = two_vintages.execute(
        "SELECT count(*), round(sum(capacity_mw), 2) FROM "
        "core.power__interconnection_queue_projects WHERE report_month = ?", [DEC]).fetchone()
    assert sum(r[3] for r in rows) == core[0] == 32
    assert round(sum(r[4] for r in rows), 2) == core[1]
    assert {(r[0], r[1]) for r in rows} >= {("large_gen", "wind"), ("small_gen", "storage")}


def test_rebuilding_a_partition_gives_the_same_rows(two_vintages):
    query = "SELECT * FROM out.power__queue_changes ORDER BY ALL"
    build(two_vintages, "out.power__queue_changes", DEC)
    first = two_vintages.execute(query).fetchall()
    build(two_vintages, "out.power__queue_changes", DEC)
    assert two_vintages.execute(query).fetchall() == first


def test_eia860m_generators_get_a_normalized_status(con):
    from sources.buildout import eia860m
    month = date(2025, 10, 1)
    body = (FIXTURES / "eia860m" / "eia860m_2025-10_layout.xlsx").read_bytes()
    load_raw(con, eia860m.SOURCE, body, month)
    assert build(con, "core.power__eia860m_generators", month) == 60
    rows = con.execute(
        "SELECT sheet, status, count(*) FROM core.power__eia860m_generators "
        "WHERE report_month = ? GROUP BY ALL ORDER BY ALL", [month]).fetchall()
    planned = con.execute(
        "SELECT status_code, status FROM core.power__eia860m_generators "
        "WHERE report_month = ? AND sheet = 'planned' GROUP BY ALL ORDER BY ALL",
        [month]).fetchall()
    assert [r for r in rows if r[0] != "planned"] == [
        ("canceled", "canceled", 15), ("operating", "operating", 15), ("retired", "retired", 15)]
    assert all(status == {"TS": "under_construction", "U": "under_construction",
                          "V": "under_construction", "P": "planned", "L": "planned",
                          "T": "planned"}[code] for code, status in planned)


QUEUE_FIXTURES = {
    "miso_queue": ("miso_queue/gi_interactive_queue_2025-01_cut.csv", ),
    "pjm_queue": ("pjm_queue/pjm_queue_export_2025-01_cut.xlsx", ),
    "caiso_queue": ("caiso_queue/caiso_public_queue_report_2025-01-23_cut.xlsx", ),
    "spp_queue": ("spp_queue/spp_gi_active_requests_2025-01-22_cut.xlsx", ),
    "nyiso_queue": ("nyiso_queue/nyiso_queue_2025-01_cut.xlsx", ),
    "bpa_queue": ("bpa_queue/interconnection_queue_output_layout.xlsx", ),
}


@pytest.fixture(scope="module")
def every_queue(tmp_path_factory):
    from sources.registry import get_source
    con = new_warehouse(tmp_path_factory.mktemp("queues") / "power.duckdb")
    month = date(2025, 1, 1)
    for name, (path,) in QUEUE_FIXTURES.items():
        load_raw(con, get_source(name), (FIXTURES / path).read_bytes(), month)
    build(con, "core.power__interconnection_queue_projects", month)
    yield con
    con.close()


def one(con, iso: str, project_id: str):
    return con.execute(
        "SELECT request_class, fuel, status FROM core.power__interconnection_queue_projects "
        "WHERE iso = ? AND project_id = ?", [iso, project_id]).fetchone()


@pytest.mark.parametrize(("iso", "project_id", "expected"), [
    ("MISO", "J1000", ("large_gen", "solar", "operational")),  # Done / In Service
    ("PJM", "A01", ("large_gen", "gas", "operational")),
    ("CAISO", "22", ("large_gen", "hybrid", "active")),  # wind + battery
    ("CAISO", "1A", ("large_gen", "gas", "operational")),  # completed sheet
    ("CAISO", "5", ("large_gen", "gas", "withdrawn")),  # withdrawn sheet
    ("SPP", "GEN-2024-SR9", ("large_gen", "storage", "active")),
    ("NYISO", "1719", ("load", "other", "active")),  # Type/Fuel L: an AI data centre
    ("NYISO", "C24-001", ("large_gen", "wind", "active")),  # offshore wind, cluster sheet
    ("NYISO", "0001", ("large_gen", "other", "operational")),  # In Service sheet, AC
    ("BPA", "L0673", ("load", None, "active")),
    ("BPA", "L0588", ("load", None, "operational")),  # ENERGIZED
    ("BPA", "G0610", ("large_gen", None, "withdrawn")),
])
def test_every_queue_is_normalized(every_queue, iso, project_id, expected):
    assert one(every_queue, iso, project_id) == expected


def test_every_queue_row_has_a_class_and_a_status(every_queue):
    missing = every_queue.execute(
        "SELECT iso, count(*) FROM core.power__interconnection_queue_projects "
        "WHERE status IS NULL OR request_class IS NULL GROUP BY ALL").fetchall()
    assert missing == []
    keys = every_queue.execute(
        "SELECT count(*), count(DISTINCT (source, project_id)) "
        "FROM core.power__interconnection_queue_projects").fetchone()
    assert keys[0] == keys[1]
