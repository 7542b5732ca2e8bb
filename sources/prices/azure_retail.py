"""Azure Retail Prices API: Microsoft's list prices of its GPU virtual machines (N-series).

Endpoint (keyless): ``GET https://prices.azure.com/api/retail/prices`` with
``api-version=2023-01-01-preview`` and an OData ``$filter`` selecting Virtual Machines whose
``armSkuName`` contains ``Standard_N`` (NC, ND, NG and NV are Azure's GPU families), in every
region and for every price type at once, so one paged stream holds on-demand, spot, dev/test and
reservation meters. Filter values are case-sensitive in this API version. Docs:
https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices

Format: an envelope ``{BillingCurrency, CustomerEntityId, CustomerEntityType, Items, NextPageLink,
Count}``. ``NextPageLink`` is the absolute URL of the next page (a ``$skip`` offset) and null on
the last page. :func:`fetch` follows it, refusing a link that repeats a page or leaves
https://prices.azure.com, and gives up after :data:`MAX_PAGES`. :func:`parse` refuses a page
without ``Items`` and a fetch whose last page still has a ``NextPageLink`` (paging cut short), so
a half-read price list never loads.

Kept: Linux meters priced in USD, of type ``Consumption`` (on_demand, or spot when ``skuName`` ends
in "Spot") and ``Reservation`` (reserved; ``reservationTerm`` "1 Year"/"3 Years"/"5 Years" gives
commitment_months 12/36/60).

Excluded by policy, counted in ``ParseResult.excluded`` and not rejected (they are good data
about other products): Windows meters (``productName`` containing "Windows" or ending " Win",
as in "... Srs Win": the price includes a Windows licence); "Low Priority" meters (the older
evictable offer kept for Azure Batch; Spot is the evictable price we keep); ``DevTestConsumption``
(rates only for Dev/Test subscriptions; Azure lists them under the Windows product at the Linux
price, which makes Windows look free of licence cost if the type is ignored); Dedicated Host
products (a whole host, not a VM); classic Cloud Services products; prices not in USD; sizes that
are not N-series. When several apply, the first in :data:`POLICY_EXCLUSIONS` names the row.

Units: every price is for the whole VM, never per GPU (the GPU count comes from
``models/reference/azure_vm_skus.csv`` at the core layer). ``Consumption`` prices are per hour
(``unitOfMeasure`` "1 Hour"; any other unit is rejected). For ``Reservation`` rows Azure also says
"1 Hour", but ``retailPrice`` is the price of the WHOLE TERM (six figures for a one-year
ND96isr H100 v5), so ``usd_per_hour`` = ``retail_price`` / hours in the term, a year being
365.25 × 24 hours.

Rejected, with a reason: a missing, zero or negative price; an unknown type, term or unit; a row
failing validation; and duplicates. Several meters can price one (region, size, price type,
term); the one with the latest ``effectiveStartDate`` (then the primary meter region, then the
first listed) is kept and the others are rejected as superseded duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import httpx

from models.records.prices import AzureRetailPrice
from sources.base import ParseResult, Source
from sources.errors import FetchError
from sources.http import FetchSession
from sources.parsing import (
    load_json,
    payload_error,
    require_field,
    require_records,
    require_rows,
    require_snapshots,
    validated,
)
from sources.snapshot import Snapshot

log = logging.getLogger(__name__)

NAME = "azure_retail"
API_URL = "https://prices.azure.com/api/retail/prices"
API_HOST = "prices.azure.com"
API_VERSION = "2023-01-01-preview"
GPU_VM_FILTER = "serviceName eq 'Virtual Machines' and contains(armSkuName, 'Standard_N')"
# The GPU stream is a few hundred pages at most; a longer chain means the API is looping.
MAX_PAGES = 1000
HOURS_PER_YEAR = 365.25 * 24
RESERVATION_TERM_MONTHS = {"1 Year": 12, "3 Years": 36, "5 Years": 60}


def is_n_series_size(arm_sku_name: str) -> bool:
    """Whether a VM size belongs to Azure's GPU families (NC, ND, NG, NV)."""
    return arm_sku_name.startswith("Standard_N")


class Priced(NamedTuple):
    """A meter that passed policy and validation, waiting for the duplicate check."""

    snapshot: Snapshot
    record: AzureRetailPrice
    item: dict[str, Any]


# (reason, test) in the order they are checked; the first that matches names the exclusion.
# Price type first, then meter, then product: a Windows dev/test row counts as dev/test.
POLICY_EXCLUSIONS: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    ("DevTestConsumption price", lambda item: item.get("type") == "DevTestConsumption"),
    ("Low Priority meter", lambda item: "Low Priority" in _text(item, "skuName")
     or "Low Priority" in _text(item, "meterName")),
    ("Windows licence included", lambda item: "Windows" in _text(item, "productName")
     or _text(item, "productName").endswith(" Win")),
    ("Dedicated Host product", lambda item: "Dedicated Host" in _text(item, "productName")),
    ("Cloud Services product", lambda item: "Cloud Services" in _text(item, "productName")),
    ("not priced in USD", lambda item: item.get("currencyCode") != "USD"),
)


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------------------- fetch


def fetch(session: FetchSession) -> None:
    """Request the first page, then follow ``NextPageLink`` until it is null."""
    url: str = API_URL
    params: dict[str, str] | None = {"api-version": API_VERSION, "$filter": GPU_VM_FILTER}
    requested: set[tuple] = set()
    while True:
        snapshot = session.get(url, params=params)
        requested.add(_page_identity(httpx.URL(snapshot.url)))
        next_link = _envelope(snapshot).get("NextPageLink")
        if not next_link:
            return
        next_url = httpx.URL(next_link)
        if next_url.scheme != "https" or next_url.host != API_HOST:
            raise FetchError(f"{NAME}: NextPageLink leaves https://{API_HOST}: {next_link}")
        if _page_identity(next_url) in requested:
            raise FetchError(f"{NAME}: NextPageLink repeats a page already fetched: {next_link}")
        if len(requested) >= MAX_PAGES:
            raise FetchError(f"{NAME}: still paging after {MAX_PAGES} pages (next: {next_link})")
        url, params = next_link, None


def _page_identity(url: httpx.URL) -> tuple:
    """Path and decoded query of a page URL, so two spellings of one page compare equal."""
    return url.path, tuple(sorted(url.params.multi_items()))


def _envelope(snapshot: Snapshot) -> dict[str, Any]:
    payload = load_json(snapshot)
    require_rows(snapshot, require_field(snapshot, payload, "Items"), "Items")
    return payload


# ---------------------------------------------------------------------------- parse


def parse(snapshots: Sequence[Snapshot], *,
          is_gpu_size: Callable[[str], bool] = is_n_series_size) -> ParseResult:
    """Records for the Linux USD GPU-VM meters of one complete paged fetch.

    ``is_gpu_size`` decides which ``armSkuName`` values count as GPU sizes; the default is the
    N-series test the fetch filter uses.
    """
    require_snapshots(NAME, snapshots)
    envelopes = [(snapshot, _envelope(snapshot)) for snapshot in snapshots]
    last, last_envelope = envelopes[-1]
    if last_envelope.get("NextPageLink"):
        raise payload_error(last, f"incomplete paging: the last of {len(snapshots)} page(s) "
                                  f"still has NextPageLink {last_envelope['NextPageLink']}")
    result = ParseResult()
    priced: list[Priced] = []
    rows_read = 0
    for snapshot, envelope in envelopes:
        for item in envelope["Items"]:
            rows_read += 1
            exclusion = _exclusion(item, is_gpu_size)
            if exclusion:
                result.exclude(exclusion)
                continue
            outcome = _price(item)
            if isinstance(outcome, str):
                result.reject(snapshot, outcome, item)
            else:
                priced.append(Priced(snapshot, outcome, item))
    _keep_latest_per_key(priced, result)
    require_records(result, snapshots, rows_read)
    log.info("%s: %d records, %d rejects, excluded %s", NAME, len(result.records),
             len(result.rejects), dict(result.excluded))
    return result


def _exclusion(item: dict[str, Any], is_gpu_size: Callable[[str], bool]) -> str | None:
    for reason, applies in POLICY_EXCLUSIONS:
        if applies(item):
            return reason
    if not is_gpu_size(_text(item, "armSkuName")):
        return "not a GPU size"
    return None


def _price(item: dict[str, Any]) -> AzureRetailPrice | str:
    """The record of one kept meter, or the reason its price cannot be used."""
    azure_type = item.get("type")
    term = item.get("reservationTerm")
    if azure_type == "Consumption":
        unit = item.get("unitOfMeasure")
        if unit != "1 Hour":
            return f"unitOfMeasure {unit!r} is not '1 Hour'"
        price_type = "spot" if _text(item, "skuName").endswith("Spot") else "on_demand"
        commitment_months, hours_priced, term = 0, 1.0, None
    elif azure_type == "Reservation":
        if term not in RESERVATION_TERM_MONTHS:
            return f"unknown reservationTerm {term!r}"
        price_type = "reserved"
        commitment_months = RESERVATION_TERM_MONTHS[term]
        hours_priced = commitment_months / 12 * HOURS_PER_YEAR
    else:
        return f"unknown price type {azure_type!r}"
    price = item.get("retailPrice")
    if isinstance(price, bool) or not isinstance(price, int | float):
        return f"retailPrice is missing or not a number ({price!r})"
    if price <= 0:
        return "price is 0" if price == 0 else f"price is negative ({price})"
    fields = {
        "arm_region_name": item.get("armRegionName"),
        "location": item.get("location"),
        "arm_sku_name": item.get("armSkuName"),
        "sku_name": item.get("skuName"),
        "meter_name": item.get("meterName"),
        "meter_id": item.get("meterId"),
        "sku_id": item.get("skuId"),
        "product_name": item.get("productName"),
        "azure_price_type": azure_type,
        "price_type": price_type,
        "reservation_term": term,
        "commitment_months": commitment_months,
        "currency_code": item.get("currencyCode"),
        "retail_price": price,
        "unit_of_measure": item.get("unitOfMeasure"),
        "usd_per_hour": price / hours_priced,
        "effective_start_date": _date_part(item.get("effectiveStartDate")),
        "is_primary_meter_region": item.get("isPrimaryMeterRegion"),
    }
    return validated(AzureRetailPrice, fields)


def _date_part(value: Any) -> date | Any:
    """The date of an ISO ``effectiveStartDate``; anything else is left for validation to judge."""
    try:
        return datetime.fromisoformat(value).date()
    except (TypeError, ValueError):
        return value


def _keep_latest_per_key(priced: list[Priced], result: ParseResult) -> None:
    """One record per (region, size, price type, term): the newest meter; the rest rejected."""
    groups: dict[tuple, list[Priced]] = {}
    for row in priced:
        record = row.record
        key = (record.arm_region_name, record.arm_sku_name, record.price_type,
               record.commitment_months)
        groups.setdefault(key, []).append(row)
    for group in groups.values():
        # max() keeps the first of equals, so ties go to the row listed first.
        kept = max(group, key=lambda row: (row.record.effective_start_date or date.min,
                                           row.record.is_primary_meter_region is True))
        result.add(kept.snapshot, kept.record)
        for row in group:
            if row is not kept:
                result.reject(row.snapshot, f"superseded duplicate of meter "
                              f"{kept.record.meter_id} ({kept.record.sku_name!r}, effective "
                              f"{kept.record.effective_start_date})", row.item)


SOURCE = Source(
    name=NAME,
    title="Azure Retail Prices API: GPU virtual machines",
    family="gpu_prices",
    protocol="json_api",
    homepage="https://learn.microsoft.com/rest/api/cost-management/retail-prices/"
             "azure-retail-prices",
    urls=(API_URL,),
    cadence="daily",
    terms="Microsoft's public, unauthenticated retail price API (no key, no published quota; "
          "answers HTTP 429 when throttled). Prices are Microsoft's USD list prices, published "
          "for customers to estimate costs; use is subject to the Microsoft APIs Terms of Use.",
    parser_version="1",
    record_model=AzureRetailPrice,
    raw_table="raw.azure_retail__gpu_prices",
    fetch=fetch,
    parse=parse,
)
