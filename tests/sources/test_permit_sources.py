"""The permit, land-use and parcel sources (jurisdictions.csv rows): every protocol adapter on
its committed fixtures and on the real payloads, live fetch paths (paging, app token, retries)
over a mocked network, and bad input per protocol: malformed JSON, an ArcGIS error body, a SODA
error, an empty response, a renamed or missing column, a retried 429 and a dead 500."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import httpx
import pytest
import respx

from models.catalog.permits import JURISDICTIONS_CSV
from models.datacenter_terms import datacenter_terms
from sources.buildout import arcgis, excel_report, socrata
from sources.buildout.filings import parse_filings
from sources.buildout.jurisdictions import jurisdictions
from sources.errors import FetchError, ParseError
from sources.registry import SOURCES
from tests.conftest import FIXTURES
from tests.sources.power_helpers import month_snapshot

PERMITS = FIXTURES / "permits"
MONTH = date(2026, 11, 1)
BY_NAME = {j.name: j for j in jurisdictions()}


def snapshots(source: str, *files: str, url: str = "https://example.test/payload"):
    return [month_snapshot(source, (PERMITS / f).read_bytes(), MONTH, url=url, sequence=i)
            for i, f in enumerate(files)]


def parsed(source: str, *files: str):
    result = SOURCES[source].parse(snapshots(source, *files))
    return result, {r.record_id: r for _, r in result.records}


# source, fixture files, (records, rejects, excluded), one record id and what it must say
CASES = [
    ("loudoun_permits", ["loudoun_permits_issued_cut.xlsx"], (4, 0, 4), "BLDC-2023-017645",
     {"use_type": "Data Center", "square_feet": 58444.0, "estimated_cost_usd": 3042000.0,
      "applicant": "DPR Construction", "record_type": "Alteration", "latitude": None,
      "classification_method": "field_value"}),
    ("loudoun_lola", ["loudoun_lola_cut.csv"], (3, 0, 0), "BDCOR-2023-0009",
     {"title": "IAD 12 & IAD 13 Data Center", "filed_date": date(2023, 8, 23),
      "classification_method": "keyword", "kind": "land_use_application"}),
    ("loudoun_lola", ["loudoun_lola_page_1.json", "loudoun_lola_page_2.json"], (3, 0, 0),
     "BDCOR-2023-0009",
     {"filed_date": date(2023, 8, 23), "location_precision": "parcel",
      "latitude": pytest.approx(39.015), "longitude": pytest.approx(-77.455)}),
    ("maricopa_parcels", ["maricopa_parcels_cut.json"], (3, 0, 0), "30433005S",
     {"applicant": "PLATYPUS DEVELOPMENT LLC", "address": "3740 S SIGNAL BUTTE RD MESA",
      "use_type": "DATA CENTERS", "square_feet": 3622949.0, "location_precision": "parcel",
      "classification_evidence": "PropertyUseDescription = 'DATA CENTERS'"}),
    ("mesa_permits", ["mesa_permits_page.json"], (4, 0, 1), "PMT26-11828",
     {"address": "3856 S EVERTON TERR", "classification_method": "known_site",
      "latitude": None, "county": "Maricopa", "state": "AZ"}),
    ("chicago_permits", ["chicago_permits_page.json"], (2, 0, 1), "101110001",
     {"address": "2200 S LOOMIS ST", "estimated_cost_usd": 95000000.0,
      "issued_date": date(2025, 9, 18), "status_raw": "ACTIVE", "applicant": None,
      "classification_evidence": "description: 'DATA CENTER' (data center (also truncated or "
                                 "glued: DATA CEN / DATA CTR / PROPOSEDDATA CENTER))"}),
    ("austin_permits", ["austin_permits_page.json"], (2, 0, 0), "2025-101001 BP",
     {"record_type": "Building Permit New", "square_feet": 250000.0,
      "title": "Example Data Center Campus Bldg 1"}),
    ("pwc_datacenter_buildings", ["pwc_datacenter_buildings_page.json"], (3, 0, 0),
     "{6F1C2A10-0003-4C2B-9E11-0A1B2C3D4E03}",
     {"description": "Planned", "square_feet": None, "status_raw": "Planned",
      "latitude": 38.7911, "location_precision": "building", "classification_method": "dataset"}),
    ("loudoun_byright_parcels", ["loudoun_byright_parcels_page.geojson"], (2, 0, 1),
     "061376284000",
     {"latitude": pytest.approx(39.013), "longitude": pytest.approx(-77.451),
      "use_type": "Data Center", "record_type": "IP"}),
]


@pytest.mark.parametrize(("source", "files", "counts", "record_id", "expected"), CASES,
                         ids=[f"{c[0]}:{c[1][0]}" for c in CASES])
def test_fixture_parses_to_classified_filings(source, files, counts, record_id, expected):
    result, by_id = parsed(source, *files)
    assert (len(result.records), len(result.rejects), sum(result.excluded.values())) == counts
    record = by_id[record_id].model_dump()
    assert {k: record[k] for k in expected} == expected
    assert all(r.report_month == MONTH and r.classification_evidence
               for _, r in result.records)


def test_every_configured_jurisdiction_has_a_fixture_case():
    assert {c[0] for c in CASES} == set(BY_NAME)


def test_loudoun_contact_names_never_reach_a_record_or_a_reject():
    for fixture in ("loudoun_permits_issued_cut.xlsx", "bad/loudoun_cost_not_a_number.xlsx"):
        result, _ = parsed("loudoun_permits", fixture)
        dumped = json.dumps([r.model_dump(mode="json") for _, r in result.records]
                            + [r.model_dump(mode="json") for _, r in result.rejects])
        assert "Alex" not in dumped and "Example" not in dumped and "First Name" not in dumped
    [(_, reject)] = result.rejects
    assert "'see plans' is not a number" in reject.reason
    assert reject.record["Contact Company Name"] == "DPR Construction"


def test_contact_columns_of_a_socrata_row_are_dropped_from_its_reject():
    rows = json.loads((PERMITS / "chicago_permits_page.json").read_text())
    rows[0]["reported_cost"] = "ninety million"
    snapshot = month_snapshot("chicago_permits", json.dumps(rows).encode(), MONTH)
    [(_, reject)] = SOURCES["chicago_permits"].parse([snapshot]).rejects
    assert "'ninety million' is not a number" in reject.reason
    assert reject.record["permit_"] == "101110001" and "contact_1_name" not in reject.record


def test_loudoun_structure_type_alone_decides_a_permit_keywords_do_not():
    # BLDC-2025-003064 "IAD 058 RACK INSTALLATIONS" is Structure Type "Other - Public": the
    # workbook does not label it a data center, so it is excluded, not guessed in.
    _, by_id = parsed("loudoun_permits", "loudoun_permits_issued_cut.xlsx")
    assert "BLDC-2025-003064" not in by_id and "BLDC-2024-026920" not in by_id


@pytest.mark.parametrize(("source", "fixture", "problem"), [
    ("loudoun_permits", "bad/loudoun_structure_type_missing.xlsx", "lacks use_type"),
    ("loudoun_lola", "bad/loudoun_lola_plan_name_renamed.csv",
     r"layout changed: no source field for title \(PlanName\)"),
    ("mesa_permits", "bad/mesa_permit_number_renamed.json",
     r"no source field for record_id \(permit_number\)"),
    ("maricopa_parcels", "bad/arcgis_error.json",
     r"ArcGIS error 400: Unable to complete operation. \('where' parameter is invalid\)"),
    ("loudoun_byright_parcels", "bad/arcgis_error.json", "ArcGIS error 400"),
    ("mesa_permits", "bad/socrata_error.json", "SODA error query.soql.no-such-column: No such "
                                               "column: permit_numbr"),
    ("chicago_permits", "bad/truncated.json", "malformed JSON"),
    ("pwc_datacenter_buildings", "bad/truncated.json", "malformed JSON"),
    ("mesa_permits", "bad/empty_page.json", "no usable rows in 1 response"),
    ("loudoun_permits", "bad/empty_page.json", "not an Excel workbook"),
])
def test_bad_input_is_a_parse_error_that_says_why(source, fixture, problem):
    with pytest.raises(ParseError, match=problem):
        SOURCES[source].parse(snapshots(source, fixture))


def test_an_unreadable_date_or_geometry_is_a_reject_with_its_reason():
    payload = json.loads((PERMITS / "pwc_datacenter_buildings_page.json").read_text())
    payload["features"][0]["geometry"] = {"paths": [[[0, 0], [1, 1]]]}
    payload["features"][1]["attributes"]["GFA"] = "about 250k"
    snapshot = month_snapshot("pwc_datacenter_buildings", json.dumps(payload).encode(), MONTH)
    result = SOURCES["pwc_datacenter_buildings"].parse([snapshot])
    reasons = sorted(r.reason for _, r in result.rejects)
    assert len(result.records) == 1 and reasons == [
        "feature 1: geometry of an unsupported kind (keys ['paths'])",
        "row 2: 'about 250k' is not a number"]
    with pytest.raises(ValueError, match="not epoch milliseconds"):
        arcgis.epoch_ms_date(-5)


def test_polygon_centroid_is_area_weighted_and_subtracts_holes():
    outer = [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]]  # clockwise, as Esri writes outer rings
    hole = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]   # counter-clockwise: a hole
    assert arcgis.esri_point({"rings": [outer]}) == pytest.approx((2.0, 2.0))
    assert arcgis.esri_point({"rings": [outer, hole]}) == pytest.approx((7 / 3, 7 / 3))
    assert arcgis.geojson_point({"type": "Point", "coordinates": [-77.5, 39.0]}) == (39.0, -77.5)
    assert arcgis.esri_point(None) is None


# -------------------------------------------------------------------- live fetch paths


def test_socrata_pages_in_a_stable_order_until_a_short_page_with_the_token_in_a_header(
        live_session):
    rows = json.loads((PERMITS / "mesa_permits_page.json").read_text())
    jurisdiction = replace(BY_NAME["mesa_permits"], page_size=3)
    source = SOURCES["mesa_permits"]
    with respx.mock(assert_all_called=True) as network:
        route = network.get(jurisdiction.endpoint).mock(side_effect=lambda request: (
            httpx.Response(200, json=rows[int(request.url.params["$offset"]):][:3])))
        session = live_session(source, api_key="app-token-1234567890")
        socrata.fetch(jurisdiction, session)
    offsets = [call.request.url.params["$offset"] for call in route.calls]
    assert offsets == ["0", "3"]
    first = route.calls[0].request
    assert first.url.params["$order"] == ":id" and first.url.params["$limit"] == "3"
    assert first.url.params["$where"] == "permit_type = 'COM'"
    assert first.headers["X-App-Token"] == "app-token-1234567890"
    assert all("app-token" not in s.url for s in session.snapshots)
    result = parse_filings(jurisdiction, session.snapshots)
    assert len(result.records) == 4


def test_arcgis_pages_while_the_server_says_exceeded_transfer_limit(live_session):
    jurisdiction = BY_NAME["loudoun_lola"]
    pages = [(PERMITS / f"loudoun_lola_page_{n}.json").read_bytes() for n in (1, 2)]
    with respx.mock(assert_all_called=True) as network:
        route = network.get(f"{jurisdiction.endpoint}/query").mock(side_effect=[
            httpx.Response(429, headers={"Retry-After": "0"}, text="slow down"),
            httpx.Response(200, content=pages[0]), httpx.Response(200, content=pages[1])])
        session = live_session(SOURCES["loudoun_lola"])
        SOURCES["loudoun_lola"].fetch(session)
    params = [call.request.url.params for call in route.calls]
    assert [p["resultOffset"] for p in params] == ["0", "0", "2"]
    assert params[0]["outSR"] == "4326" and params[0]["f"] == "json"
    assert params[0]["orderByFields"] == "PlanNumber"
    assert params[0]["outFields"].split(",")[:2] == ["PlanNumber", "PlanName"]
    result = SOURCES["loudoun_lola"].parse(session.snapshots)  # the 429 is archived, not parsed
    assert len(session.snapshots) == 2 and len(result.records) == 3


def test_arcgis_error_body_with_http_200_stops_the_fetch(live_session):
    jurisdiction = BY_NAME["maricopa_parcels"]
    with respx.mock as network:
        network.get(f"{jurisdiction.endpoint}/query").respond(
            200, content=(PERMITS / "bad/arcgis_error.json").read_bytes())
        with pytest.raises(ParseError, match="ArcGIS error 400"):
            SOURCES["maricopa_parcels"].fetch(live_session(SOURCES["maricopa_parcels"]))


def test_a_server_that_keeps_failing_is_a_fetch_error_after_retries(live_session):
    jurisdiction = BY_NAME["chicago_permits"]
    with respx.mock as network:
        route = network.get(jurisdiction.endpoint).respond(500, text="upstream down")
        with pytest.raises(FetchError, match="HTTP 500"):
            SOURCES["chicago_permits"].fetch(live_session(SOURCES["chicago_permits"]))
    assert route.call_count == 3  # the first try and two retries (FAST_HTTP)


LISTING = ('<ul><li><a href="/DocumentCenter/View/9001/Permits---Issued-Building-Report-'
           'OCTOBER-2026">October 2026</a></li><li><a href="/DocumentCenter/View/9002/Permits---'
           'Issued-Building-Report-NOVEMBER-2026">Permits - Issued Building Report November '
           '2026</a></li></ul>')


def test_excel_report_fetch_finds_the_report_month_on_the_listing(live_session):
    source = SOURCES["loudoun_permits"]
    workbook = (PERMITS / "loudoun_permits_issued_cut.xlsx").read_bytes()
    report = ("https://www.loudoun.gov/DocumentCenter/View/9002/Permits---Issued-Building-"
              "Report-NOVEMBER-2026")
    with respx.mock(assert_all_called=True) as network:
        network.get(source.urls[0]).respond(200, text=LISTING,
                                            headers={"content-type": "text/html"})
        network.get(report).respond(200, content=workbook)
        session = live_session(source)
        source.fetch(session)
    assert [s.url for s in session.snapshots] == [source.urls[0], report]
    assert len(source.parse(session.snapshots).records) == 4


def test_excel_report_fetch_without_the_month_names_the_months_listed(live_session):
    source = SOURCES["loudoun_permits"]
    october_only = LISTING.split("<li>")[1]
    with respx.mock as network:
        network.get(source.urls[0]).respond(200, text=october_only)
        with pytest.raises(FetchError, match=r"no report for November 2026 \(it lists: "
                                             r"October 2026\)"):
            source.fetch(live_session(source))
    assert excel_report.report_link(LISTING, date(2026, 10, 1), "https://x.test/a/") == (
        "https://x.test/DocumentCenter/View/9001/Permits---Issued-Building-Report-OCTOBER-2026")


# ------------------------------------------------------------------------ real payloads


@pytest.mark.parametrize(("source", "path", "records", "excluded"), [
    ("loudoun_permits", "permits/loudoun_issued_building_permits_2024-01_2025-10.xlsx", 332,
     15420),
    ("loudoun_lola", "permits/loudoun_lola_data_center_plan_applications.csv", 522, 0),
    ("mesa_permits", "permits/mesa_az_socrata_commercial_permits_east_valley.json", 9, 91),
    ("maricopa_parcels", "arcgis/maricopa_assessor_parcels_data_centers_query.json", 14, 0),
])
def test_real_payload(shared_data, source, path, records, excluded):
    body = (shared_data / "buildout" / path).read_bytes()
    result = SOURCES[source].parse([month_snapshot(source, body, MONTH)])
    assert len(result.records) == records and not result.rejects
    assert sum(result.excluded.values()) == excluded


def test_a_terms_row_with_an_unquoted_comma_is_refused(tmp_path):
    terms = tmp_path / "datacenter_terms.csv"
    terms.write_text("kind,pattern,state,name,source\nkeyword,\\bIAD \\d{1,3}\\b,,IAD,\n",
                     encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: more cells than the header"):
        datacenter_terms(terms)


def test_configuration_errors_name_the_row(tmp_path):
    text = JURISDICTIONS_CSV.read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "jurisdictions.csv"
    bad.write_text(text + "\nx,t,J,,,socrata,building_permit,h,e,,,,,record_id=id,,"
                   "keyword:nonsense,,,terms\n", encoding="utf-8")
    with pytest.raises(ValueError, match="x: rule 'keyword:nonsense' reads no or unknown"):
        jurisdictions(bad)
