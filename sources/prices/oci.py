"""Oracle Cloud Infrastructure (OCI): pay-as-you-go prices of OCI's GPU compute, per GPU-hour,
from Oracle's public price list API.

Endpoint (keyless): ``GET https://apexapps.oracle.com/pls/apex/cetools/api/v1/products/?
currencyCode=USD``, one response with every OCI product (a few hundred). Docs:
https://docs.oracle.com/en-us/iaas/Content/Billing/Concepts/pricing.htm (price list API used by
Oracle's cost estimator).

Format: ``{items: [{partNumber, displayName, metricName, serviceCategory,
currencyCodeLocalizations: [{currencyCode, prices: [{model, value}]}]}], hasMore?}``. GPU
compute is priced per GPU: ``metricName`` "GPU Per Hour" (CPU shapes are "OCPU Per Hour"). A
response with ``hasMore`` true is an incomplete list and raises a ParseError.

Kept: items whose ``metricName`` is "GPU Per Hour" (everything else is excluded by policy), with
their USD ``PAY_AS_YOU_GO`` price: price_basis ``gpu``, gpu_count 1, price_type on_demand,
region ``global`` (OCI charges the same price in every commercial region). The accelerator is
read from ``displayName`` ("Compute - GPU - H100", "Compute - Bare Metal GPU - A100 - 80 GB")
by :data:`GPU_NAMES`. Preemptible capacity (a flat 50 % of these prices) is not listed as its
own price and is not derived here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import (
    load_json,
    payload_error,
    require_field,
    require_rows,
)
from sources.prices.offers import add_offer, offer_source, parse_offers
from sources.snapshot import Snapshot

NAME = "oci"
PRODUCTS_URL = "https://apexapps.oracle.com/pls/apex/cetools/api/v1/products/"
GPU_METRIC = "GPU Per Hour"
# (pattern in displayName, accelerator name), most specific first.
GPU_NAMES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name) for pattern, name in (
        (r"\bGB300\b", "GB300"), (r"\bGB200\b", "GB200"), (r"\bB300\b", "B300"),
        (r"\bB200\b", "B200"), (r"\bH200\b", "H200"), (r"\bH100\b", "H100 SXM"),
        (r"\bA100\b.*\b80\s*GB\b", "A100 SXM4 80GB"), (r"\bA100\b", "A100 SXM4 40GB"),
        (r"\bL40S\b", "L40S"), (r"\bA10\b", "A10"), (r"\bV100\b", "V100 SXM2 16GB"),
        (r"\bP100\b", "P100"), (r"\bMI355X\b", "MI355X"), (r"\bMI300X\b", "MI300X"),
    ))


def fetch(session: FetchSession) -> None:
    session.get(PRODUCTS_URL, params={"currencyCode": "USD"})


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, _items, _add_item)


def _items(snapshot: Snapshot) -> list[dict[str, Any]]:
    payload = load_json(snapshot)
    items = require_rows(snapshot, require_field(snapshot, payload, "items"), "items")
    if payload.get("hasMore") is True:
        raise payload_error(snapshot, "hasMore is true: the product list is incomplete")
    return items


def gpu_name(display_name: str) -> str | None:
    for pattern, name in GPU_NAMES:
        if pattern.search(display_name):
            return name
    return None


def _add_item(snapshot: Snapshot, item: dict[str, Any], result: ParseResult) -> None:
    if item.get("metricName") != GPU_METRIC:
        result.exclude("not priced per GPU hour")
        return
    display = item.get("displayName") if isinstance(item.get("displayName"), str) else ""
    prices = [price for localization in item.get("currencyCodeLocalizations") or []
              if isinstance(localization, dict) and localization.get("currencyCode") == "USD"
              for price in localization.get("prices") or []
              if isinstance(price, dict) and price.get("model") == "PAY_AS_YOU_GO"]
    if len(prices) != 1:
        result.reject(snapshot, f"{len(prices)} USD pay-as-you-go prices, expected 1", item)
        return
    add_offer(result, snapshot, item, listed_price=prices[0].get("value"),
              listed_unit="USD/hour", price_basis="gpu", gpu_count=1,
              sku=f"{item.get('partNumber')} {display}".strip(), region="global", seller=None,
              provider_gpu_name=gpu_name(display) or display, gpu_memory_gb=None,
              vcpus=None, memory_gb=None, price_type="on_demand", available=None,
              offer_id=item.get("partNumber"))


SOURCE = offer_source(
    name=NAME,
    title="Oracle Cloud price list: GPU compute per GPU-hour",
    protocol="json_api",
    homepage="https://www.oracle.com/cloud/price-list/",
    urls=(PRODUCTS_URL,),
    terms="Oracle's public, keyless price list API behind its cost estimator; Oracle website "
          "terms apply. Pay-as-you-go list prices in USD per GPU-hour, the same in every "
          "commercial region.",
    fetch=fetch,
    parse=parse,
)
