"""MISO GI queue: the real CSV export (junk row AA1234 rejected with its reason), the JSON API
shape giving the same records, bad inputs, and the live API path."""

from __future__ import annotations

from datetime import date

import pytest
import respx

from sources.archive import RawArchive
from sources.buildout import miso_queue
from sources.errors import ParseError
from sources.http import FetchSession, build_client
from tests.conftest import FIXTURES
from tests.sources.conftest import FAST_HTTP
from tests.sources.power_helpers import month_snapshot
from tests.sources.results import records, rejects

CSV = FIXTURES / "miso_queue" / "gi_interactive_queue_2025-01_cut.csv"
JSON = FIXTURES / "miso_queue" / "getprojects_2025-01_from_cut.json"
JAN_2025 = date(2025, 1, 1)
JUNK = ("projects row 2: unknown request status 'fish mango watermelon' (known: active, "
        "archived, done, withdrawn); not a queue project")
NO_ID = "no project_id matching '^[A-Z]+-?\\d+$'"


def parse(body: bytes):
    return miso_queue.parse([month_snapshot("miso_queue", body, JAN_2025)])


@pytest.mark.shared_data
def test_real_export(shared_data):
    body = (shared_data / "buildout" / "queues" / "miso_GI_Interactive_Queue_2025-01.csv"
            ).read_bytes()
    result = parse(body)
    # 3,273 data rows: the junk test row and the one request without a number are refused
    assert len(records(result)) == 3272
    assert round(sum(r.capacity_mw or 0 for r in records(result)), 2) == 546823.41
    assert [r.reason for r in rejects(result)][0] == JUNK
    assert NO_ID in rejects(result)[1].reason and rejects(result)[1].record["Project #"] == "N/A"
    assert len(rejects(result)) == 2


def test_csv_fixture():
    result = parse(CSV.read_bytes())
    assert len(records(result)) == 24
    assert [r.record["Project #"] for r in rejects(result)] == ["AA1234", "N/A"]
    assert rejects(result)[0].reason == JUNK
    first = records(result)[0]
    assert (first.project_id, first.status_raw, first.fuel_raw, first.technology_raw) == (
        "J1000", "Done / In Service", "Solar", "Photovoltaic")
    assert (first.capacity_mw, first.winter_capacity_mw, first.state, first.county) == (
        50.0, 50.0, "WI", "Grant County")
    assert (first.queue_date, first.proposed_cod) == (date(2018, 3, 12), date(2023, 3, 27))
    assert first.study_phase == "DPP-2018-APR / GIA"


def test_json_api_shape_reads_the_same_records():
    from_csv, from_json = parse(CSV.read_bytes()), parse(JSON.read_bytes())
    skip = {"row_number"}
    assert [r.model_dump(exclude=skip) for r in records(from_json)] == [
        r.model_dump(exclude=skip) for r in records(from_csv)]
    assert [r.record["projectNumber"] for r in rejects(from_json)] == ["AA1234", "N/A"]


def test_withdrawn_request_keeps_its_dates():
    withdrawn = next(r for r in records(parse(CSV.read_bytes())) if r.withdrawn_date)
    assert withdrawn.status_raw.startswith("Withdrawn")


def test_renamed_required_column_is_a_parse_error():
    body = CSV.read_bytes().replace(b'"Summer MW"', b'"Summer Capacity"')
    with pytest.raises(ParseError, match="lacks summer_capacity_mw"):
        parse(body)


def test_moved_header_is_found():
    body = b'"MISO GI Interactive Queue export"\r\n\r\n' + CSV.read_bytes()
    assert len(records(parse(body))) == 24


def test_truncated_csv_rejects_the_cut_row():
    body = CSV.read_bytes()
    cut = body[: body.index(b"\r\n", len(body) // 2) - 40]
    result = parse(cut)
    assert "cells, the header 24 (cut short?)" in rejects(result)[-1].reason
    assert len(records(result)) < 24


def test_truncated_json_is_a_parse_error():
    body = JSON.read_bytes()
    with pytest.raises(ParseError, match="malformed JSON"):
        parse(body[: len(body) // 2])


def test_json_envelope_change_is_a_parse_error():
    with pytest.raises(ParseError, match="expected a JSON array of projects"):
        parse(b'{"projects": [], "groups": []}')


def test_html_page_is_a_parse_error():
    with pytest.raises(ParseError, match="HTML page"):
        parse(b"<!DOCTYPE html><html><title>Just a moment...</title></html>")


@respx.mock
def test_fetch_archives_the_api_response(tmp_path):
    route = respx.get(miso_queue.API_URL).respond(
        content=JSON.read_bytes(), headers={"content-type": "application/json"})
    client = build_client(FAST_HTTP)
    try:
        session = FetchSession(source="miso_queue", observation_date=JAN_2025, client=client,
                               archive=RawArchive(tmp_path / "archive"), mode="live",
                               settings=FAST_HTTP)
        miso_queue.fetch(session)
    finally:
        client.close()
    assert route.call_count == 1
    assert route.calls[0].request.headers["accept"] == "application/json"
    assert len(records(miso_queue.parse(session.snapshots))) == 24
