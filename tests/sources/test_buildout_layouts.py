"""The per-vintage layout maps are data: check they stay well-formed (every row complete, every
pattern compiles, vintage ranges are YYYY-MM and do not overlap, every sheet role has its key
column mapped), plus the cell readers they rely on and the normalization codes."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime

import pytest

from models.power_reference import power_codes
from sources.buildout import layout
from sources.buildout.cells import CellError, day, month_year, number, number_or_unknown, text
from sources.buildout.jurisdictions import jurisdictions
from sources.errors import ParseError
from sources.registry import SOURCES

MONTH = re.compile(r"^(\d{4}-(0[1-9]|1[0-2]))?$")


def rows(name: str) -> list[dict[str, str]]:
    with (layout.LAYOUT_DIR / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        out = list(reader)
    assert all(None not in row and None not in row.values() for row in out), \
        f"{name}: a row has more or fewer fields than the header (an unquoted comma?)"
    return out


def overlaps(a: dict[str, str], b: dict[str, str]) -> bool:
    lo = max(a["first_month"] or "0000-00", b["first_month"] or "0000-00")
    hi = min(a["last_month"] or "9999-99", b["last_month"] or "9999-99")
    return lo <= hi


def test_sheet_rows_are_well_formed():
    sheets = rows("sheets.csv")
    for row in sheets:
        assert MONTH.match(row["first_month"]) and MONTH.match(row["last_month"]), row
        re.compile(row["sheet_pattern"])
        re.compile(row["key_pattern"])
        assert row["required"] in ("true", "false") and int(row["header_rows"]) in (1, 2), row
    for i, a in enumerate(sheets):
        for b in sheets[i + 1:]:
            if (a["source"], a["sheet"]) == (b["source"], b["sheet"]):
                assert not overlaps(a, b), f"{a['source']}/{a['sheet']}: overlapping vintages"


def test_column_rows_are_well_formed_and_keys_are_mapped():
    sheets, columns = rows("sheets.csv"), rows("columns.csv")
    roles = {(s["source"], s["sheet"]) for s in sheets}
    for row in columns:
        assert MONTH.match(row["first_month"]) and MONTH.match(row["last_month"]), row
        assert row["required"] in ("true", "false") and row["aliases"].strip(), row
        assert row["sheet"] == "*" or all((row["source"], r) in roles
                                          for r in row["sheet"].split("|")), row
    for sheet in sheets:
        keyed = [c for c in columns if c["source"] == sheet["source"]
                 and c["field"] == sheet["key_field"] and c["required"] == "true"
                 and (c["sheet"] == "*" or sheet["sheet"] in c["sheet"].split("|"))]
        assert keyed, f"{sheet['source']}/{sheet['sheet']}: key {sheet['key_field']} unmapped"


def test_every_buildout_source_has_a_layout_and_every_layout_a_source():
    # the power records, and the permit sources that read monthly Excel reports, parse
    # through layout maps (Socrata and ArcGIS sources map fields in jurisdictions.csv)
    buildout = {name for name, s in SOURCES.items()
                if s.record_model.__module__ == "models.records.power"}
    buildout |= {j.name for j in jurisdictions() if j.protocol == "excel_report"}
    assert {row["source"] for row in rows("sheets.csv")} == buildout


def test_a_month_no_layout_covers_is_a_parse_error():
    with pytest.raises(ParseError, match="no layout .* covers report month 2001-01"):
        layout.sheet_layouts("ercot_gis", date(2001, 1, 1))


@pytest.mark.parametrize(("label", "normalized"), [
    ("\nNameplate Capacity (MW)", "nameplatecapacity(mw)"),
    ("\n \nNet Summer Capacity (MW)", "netsummercapacity(mw)"),
    ("Capacity(MW)", "capacity(mw)"), ("MW **", "mw"),
    ("Proposed  In-Service", "proposedin-service"), ("Type / Fuel", "type/fuel"), (None, "")])
def test_header_labels_compare_loosely(label, normalized):
    assert layout.normalize_label(label) == normalized


@pytest.mark.parametrize(("cell", "expected"), [
    (249.0, 249.0), ("1,234.5", 1234.5), (" ", None), ("N/A", None), ("", None), (None, None),
    (7, 7.0), ("-3.2", -3.2)])
def test_number(cell, expected):
    assert number(cell) == expected


@pytest.mark.parametrize("cell", ["about 200", "inf", True])
def test_number_refuses_text(cell):
    with pytest.raises(CellError):
        number(cell)
    assert number_or_unknown(cell) is None


@pytest.mark.parametrize(("cell", "expected"), [
    (datetime(2024, 3, 1, 7, 0), date(2024, 3, 1)), (date(2023, 12, 30), date(2023, 12, 30)),
    ("12/31/2020", date(2020, 12, 31)), ("03-2026", date(2026, 3, 1)),
    ("11/2023", date(2023, 11, 1)), ("2018-03-12T04:00:00+00:00", date(2018, 3, 12)),
    ("4/1/1997", date(1997, 4, 1)), (45000.0, date(2023, 3, 15)),
    (date(1900, 1, 1), None), ("Date Not Available", None), ("I/S", None), ("TBD", None),
    ("", None), (None, None)])
def test_day(cell, expected):
    assert day(cell) == expected


def test_month_year_and_text():
    assert month_year(7.0, 1963.0) == date(1963, 7, 1)
    assert month_year(" ", " ") is None and month_year(13, 2020) is None
    assert (text(2.0), text("  a \n b "), text(" "), text(1.5)) == ("2", "a b", None, "1.5")


def test_normalization_codes_load_and_refuse_bad_rows(tmp_path):
    codes = power_codes()
    assert set(codes["dimension"]) == {"fuel", "status", "request_class", "eia_status",
                                       "ladder_status"}
    bad = tmp_path / "codes.csv"
    bad.write_text("source,dimension,pattern,normalized,priority,note\n"
                   "*,fuel,solar,sunshine,10,\n")
    with pytest.raises(ValueError, match="'sunshine' is not a fuel value"):
        power_codes(bad)
    bad.write_text("source,dimension,pattern,normalized,priority,note\n*,fuel,(solar,solar,10,\n")
    with pytest.raises(ValueError, match="bad pattern"):
        power_codes(bad)


def test_queue_sources_write_the_raw_tables_the_core_sql_reads():
    from pathlib import Path

    from models.catalog.power import QUEUE_SOURCES
    sql = (Path(__file__).resolve().parents[2] / "warehouse" / "sql" / "core"
           / "power__interconnection_queue_projects.sql").read_text()
    for source, (raw, iso, _) in QUEUE_SOURCES.items():
        assert SOURCES[source].raw_table == raw
        assert f"SELECT '{source}' AS source, '{iso}' AS iso, * FROM {raw}" in sql
