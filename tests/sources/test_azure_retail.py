"""Azure Retail Prices: golden parse of the two-page fixture, the price-type and unit rules, paging
over a mocked API, and the real D2s_v3 page from shared/data."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import httpx
import pytest
import respx

from sources.archive import RawArchive
from sources.errors import FetchError, ParseError
from sources.prices import azure_retail
from tests.conftest import DEMO_DATE, FIXTURES
from tests.sources.results import records, rejects

PAGES = ("azure_retail/page_1.json", "azure_retail/page_2.json")
H100 = "Standard_ND96isr_H100_v5"


def by_key(records):
    return {(r.arm_region_name, r.arm_sku_name, r.price_type, r.commitment_months): r
            for r in records}


@pytest.fixture
def parsed(fixture_snapshots):
    return azure_retail.parse(fixture_snapshots(azure_retail.SOURCE, *PAGES))


def test_fixture_counts_records_rejects_and_exclusions(parsed):
    assert len(records(parsed)) == 13
    assert Counter(r.reason.split(" of meter")[0] for r in rejects(parsed)) == {
        "price is 0": 1, "superseded duplicate": 1}
    assert parsed.excluded == {"Windows licence included": 3, "DevTestConsumption price": 1,
                               "Low Priority meter": 1, "Dedicated Host product": 1}
    assert Counter(r.price_type for r in records(parsed)) == {
        "on_demand": 6, "spot": 3, "reserved": 4}


def test_consumption_prices_are_per_vm_hour(parsed):
    on_demand = by_key(records(parsed))[("eastus", H100, "on_demand", 0)]
    assert on_demand.usd_per_hour == on_demand.retail_price == 98.32  # the 8-GPU VM, not a GPU
    assert on_demand.unit_of_measure == "1 Hour"
    assert on_demand.azure_price_type == "Consumption"
    assert on_demand.reservation_term is None
    assert on_demand.product_name == "Virtual Machines NDsr H100 v5 Series"
    assert on_demand.effective_start_date == date(2023, 8, 1)
    assert on_demand.is_primary_meter_region is True


def test_spot_is_the_consumption_meter_whose_sku_name_ends_in_spot(parsed):
    spot = by_key(records(parsed))[("westeurope", H100, "spot", 0)]
    assert spot.sku_name == "ND96isr H100 v5 Spot"
    assert spot.usd_per_hour == 51.1264


@pytest.mark.parametrize(("region", "size", "months", "term", "term_price", "hourly"), [
    ("eastus", H100, 12, "1 Year", 543_492.0, 62.0),
    ("eastus", H100, 36, "3 Years", 1_183_410.0, 45.0),
    ("westeurope", H100, 36, "3 Years", 1_525_284.0, 58.0),
    ("eastus", "Standard_NC40ads_H100_v5", 12, "1 Year", 39_447.0, 4.5),
])
def test_reservation_price_is_the_whole_term_spread_over_its_hours(
        parsed, region, size, months, term, term_price, hourly):
    reserved = by_key(records(parsed))[(region, size, "reserved", months)]
    assert reserved.retail_price == term_price
    assert reserved.reservation_term == term
    assert reserved.usd_per_hour == pytest.approx(hourly)
    assert reserved.usd_per_hour == pytest.approx(term_price / (months / 12 * 365.25 * 24))


def test_policy_exclusions_leave_no_record(parsed):
    assert not [r for r in records(parsed) if "Win" in r.product_name
                or "Low Priority" in r.sku_name or "Dedicated Host" in r.product_name]
    assert {r.azure_price_type for r in records(parsed)} == {"Consumption", "Reservation"}
    assert not [r for r in rejects(parsed) if "Win" in r.record["productName"]]


def test_zero_price_is_rejected_with_its_row(parsed):
    [zero] = [r for r in rejects(parsed) if r.reason == "price is 0"]
    assert zero.record["armSkuName"] == "Standard_NC80adis_H100_v5"
    assert ("westeurope", "Standard_NC80adis_H100_v5", "on_demand", 0) not in by_key(
        records(parsed))


def test_duplicate_meter_keeps_the_latest_effective_date(parsed):
    kept = by_key(records(parsed))[("eastus", "Standard_NC24ads_A100_v4", "on_demand", 0)]
    assert (kept.usd_per_hour, kept.effective_start_date) == (3.673, date(2024, 3, 1))
    [superseded] = [r for r in rejects(parsed) if r.reason.startswith("superseded duplicate")]
    assert superseded.record["retailPrice"] == 3.85
    assert kept.meter_id in superseded.reason and "2024-03-01" in superseded.reason


def test_rows_cite_the_page_they_came_from(fixture_snapshots):
    page_1, page_2 = fixture_snapshots(azure_retail.SOURCE, *PAGES)
    result = azure_retail.parse([page_1, page_2])
    cited = {(record.arm_sku_name, record.price_type, record.commitment_months): snapshot
             for snapshot, record in result.records if record.arm_region_name == "eastus"}
    assert cited[(H100, "on_demand", 0)] is page_1
    assert cited[("Standard_NC40ads_H100_v5", "reserved", 12)] is page_2
    assert {reject.reason: snapshot for snapshot, reject in result.rejects}["price is 0"] is page_2


def page_with(make_snapshot, *extra_items: dict) -> list:
    """A one-page fetch: one valid on-demand meter from the fixture plus ``extra_items``."""
    envelope = json.loads((FIXTURES / PAGES[1]).read_text())
    valid = next(i for i in envelope["Items"] if i["armSkuName"] == "Standard_NC40ads_H100_v5")
    envelope["Items"] = [valid, *extra_items]
    return [make_snapshot("azure_retail", json.dumps(envelope).encode(),
                          url=azure_retail.API_URL)]


def meter(**changes) -> dict:
    envelope = json.loads((FIXTURES / PAGES[0]).read_text())
    return envelope["Items"][0] | changes


@pytest.mark.parametrize(("item", "reason"), [
    (meter(unitOfMeasure="10 Hours"), "unitOfMeasure '10 Hours' is not '1 Hour'"),
    (meter(type="Reservation", reservationTerm="2 Years"), "unknown reservationTerm '2 Years'"),
    (meter(type="SavingsPlan"), "unknown price type 'SavingsPlan'"),
    (meter(retailPrice=None), "retailPrice is missing or not a number (None)"),
    (meter(retailPrice=-1.0), "price is negative (-1.0)"),
    (meter(meterId=None), "invalid row: meter_id: Input should be a valid string"),
])
def test_unusable_meters_are_rejected_with_a_reason(make_snapshot, item, reason):
    result = azure_retail.parse(page_with(make_snapshot, item))
    assert [r.reason for r in rejects(result)] == [reason]
    assert rejects(result)[0].record == item


@pytest.mark.parametrize(("item", "exclusion"), [
    (meter(currencyCode="EUR"), "not priced in USD"),
    (meter(productName="Cloud Services NDsr H100 v5 Series"), "Cloud Services product"),
    (meter(productName="Virtual Machines NCCadsv5 Srs Win"), "Windows licence included"),
    (meter(armSkuName="Standard_D2s_v3"), "not a GPU size"),
])
def test_policy_exclusions_are_counted_not_rejected(make_snapshot, item, exclusion):
    result = azure_retail.parse(page_with(make_snapshot, item))
    assert result.excluded == {exclusion: 1}
    assert rejects(result) == []


def test_five_year_reservation(make_snapshot):
    five_years = meter(type="Reservation", reservationTerm="5 Years", retailPrice=438_300.0)
    [_, reserved] = records(azure_retail.parse(page_with(make_snapshot, five_years)))
    assert (reserved.commitment_months, reserved.usd_per_hour) == (60, pytest.approx(10.0))


def test_incomplete_paging_is_refused(fixture_snapshots):
    with pytest.raises(ParseError, match=r"azure_retail: incomplete paging.*\$skip=1000"):
        azure_retail.parse(fixture_snapshots(azure_retail.SOURCE, PAGES[0]))


def test_renamed_items_envelope_is_refused(fixture_snapshots):
    snapshots = fixture_snapshots(azure_retail.SOURCE, "azure_retail/bad/items_renamed.json")
    with pytest.raises(ParseError, match=r"no 'Items' field .*'PriceItems'.*prices\.azure\.com"):
        azure_retail.parse(snapshots)


def test_a_fetch_with_nothing_usable_is_refused(make_snapshot):
    windows_only = meter(productName="Virtual Machines NDsr H100 v5 Series Windows")
    envelope = {"Items": [windows_only], "NextPageLink": None}
    snapshot = make_snapshot("azure_retail", json.dumps(envelope).encode(),
                             url=azure_retail.API_URL)
    with pytest.raises(ParseError, match="no usable rows.*1 rows read, 0 rejected"):
        azure_retail.parse([snapshot])


# ---------------------------------------------------------------------------- live path


def serve_pages(request: httpx.Request) -> httpx.Response:
    page = PAGES[1] if request.url.params.get("$skip") else PAGES[0]
    return httpx.Response(200, content=(FIXTURES / page).read_bytes())


def test_fetch_follows_next_page_link_and_archives_every_page(live_session, archive_dir):
    with respx.mock(assert_all_called=True) as network:
        route = network.get(url__startswith=azure_retail.API_URL).mock(side_effect=serve_pages)
        azure_retail.fetch(live_session(azure_retail.SOURCE))

    first, second = (call.request for call in route.calls)
    assert first.url.params["api-version"] == "2023-01-01-preview"
    assert first.url.params["$filter"] == (
        "serviceName eq 'Virtual Machines' and contains(armSkuName, 'Standard_N')")
    assert second.url.params["$skip"] == "1000"
    entries = RawArchive(archive_dir).entries("azure_retail")
    assert [e.sequence for e in entries] == [0, 1]
    assert len({e.fetch_id for e in entries}) == 1
    snapshots = RawArchive(archive_dir).latest_fetch("azure_retail", DEMO_DATE)
    assert len(records(azure_retail.parse(snapshots))) == 13


@pytest.mark.parametrize(("next_link", "problem"), [
    ("https://prices.example.net/api/retail/prices?$skip=1000", "leaves https://prices.azure.com"),
    ("http://prices.azure.com/api/retail/prices?$skip=1000", "leaves https://prices.azure.com"),
    ("https://prices.azure.com:443/api/retail/prices?api-version=2023-01-01-preview&$filter="
     "serviceName%20eq%20%27Virtual%20Machines%27%20and%20contains(armSkuName,%20%27Standard_N"
     "%27)", "repeats a page already fetched"),
])
def test_fetch_refuses_a_next_page_link_that_loops_or_leaves_azure(
        live_session, archive_dir, next_link, problem):
    page = json.loads((FIXTURES / PAGES[0]).read_text()) | {"NextPageLink": next_link}
    with respx.mock as network, pytest.raises(FetchError, match=problem):
        network.get(url__startswith=azure_retail.API_URL).respond(200, json=page)
        azure_retail.fetch(live_session(azure_retail.SOURCE))
    assert len(RawArchive(archive_dir).entries("azure_retail")) == 1


# ---------------------------------------------------------------------------- real payload


@pytest.mark.shared_data
def test_real_page_envelope_and_exclusions(shared_data, make_snapshot):
    """The real D2s_v3 page (a non-GPU size, so the GPU test is relaxed to read it): 9 meters, of
    which only the Linux on-demand and Linux Spot prices survive the policy."""
    path = shared_data / "prices/azure/azure_retail_api_page_eastus_Standard_D2s_v3_nofilter.json"
    snapshot = make_snapshot("azure_retail", path.read_bytes(), url=azure_retail.API_URL)

    result = azure_retail.parse([snapshot], is_gpu_size=lambda arm_sku_name: True)

    assert result.excluded == {"DevTestConsumption price": 3, "Low Priority meter": 2,
                               "Windows licence included": 2}
    assert rejects(result) == []
    assert sorted((r.price_type, r.usd_per_hour, r.product_name) for r in records(result)) == [
        ("on_demand", 0.096, "Virtual Machines DSv3 Series"),
        ("spot", 0.018816, "Virtual Machines DSv3 Series")]
    with pytest.raises(ParseError, match="no usable rows"):
        azure_retail.parse([snapshot])  # with the real N-series test, nothing is a GPU size
