"""Linode (Akamai Cloud): hourly prices of Linode's GPU plans, from its public API.

Endpoint (keyless): ``GET https://api.linode.com/v4/linode/types`` with ``page`` and
``page_size`` (500, the API's maximum). Paging: the envelope ``{data, page, pages, results}``
says how many pages there are; :func:`fetch` requests pages 1..``pages`` and :func:`parse`
refuses a fetch that misses one. Docs: https://techdocs.akamai.com/linode-api/reference/get-linode-types

Format: ``data[]`` of ``{id, label, class, gpus, vcpus, memory (MB), price{hourly, monthly},
region_prices[{id, hourly, monthly}]}``. Prices are USD per instance-hour; ``region_prices``
lists the regions that charge something else (Jakarta, São Paulo surcharges).

Kept: plans of ``class`` "gpu" (other classes are excluded by policy): one record at the base
price with region ``global`` (every region without its own price) plus one per
``region_prices`` entry. The GPU is named in the label ("Dedicated 32GB + RTX6000 GPU x1":
the Quadro RTX 6000; "RTX4000 Ada" for the newer plans); the count is ``gpus``.
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
    rows_at,
)
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "linode"
TYPES_URL = "https://api.linode.com/v4/linode/types"
PAGE_SIZE = 500
MAX_PAGES = 50
_GPU_IN_LABEL = re.compile(r"\+\s*(?P<gpu>.+?)\s+GPU\b", re.IGNORECASE)


def fetch(session: FetchSession) -> None:
    page, pages = 1, 1
    while page <= pages:
        envelope = load_json(session.get(TYPES_URL, params={"page": str(page),
                                                            "page_size": str(PAGE_SIZE)}))
        reported = envelope.get("pages") if isinstance(envelope, dict) else None
        pages = min(reported, MAX_PAGES) if isinstance(reported, int) else page
        page += 1


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    result = parse_offers(NAME, snapshots, rows_at("data"), _add_plan)
    envelopes = [load_json(snapshot) for snapshot in snapshots]
    pages = envelopes[-1].get("pages")
    pages = pages if isinstance(pages, int) else 1
    missing = sorted(set(range(1, pages + 1)) - {e.get("page", 1) for e in envelopes})
    if missing:
        raise payload_error(snapshots[-1], f"incomplete paging: page(s) {missing} of {pages} "
                                           "not fetched")
    return result


def _add_plan(snapshot: Snapshot, plan: dict[str, Any], result: ParseResult) -> None:
    if plan.get("class") != "gpu":
        result.exclude("not a GPU plan")
        return
    label = plan.get("label") if isinstance(plan.get("label"), str) else ""
    gpu = _GPU_IN_LABEL.search(label)
    price = plan.get("price")
    if not isinstance(price, dict):
        result.reject(snapshot, "no price object", plan)
        return
    regional = [("global", price.get("hourly"))] + [
        (entry.get("id"), entry.get("hourly")) for entry in plan.get("region_prices") or []
        if isinstance(entry, dict)]
    for region, hourly in regional:
        add_offer(result, snapshot, {"region": region, **plan}, listed_price=hourly,
                  listed_unit="USD/hour", price_basis="instance", gpu_count=plan.get("gpus"),
                  sku=plan.get("id"), region=region, seller=None,
                  provider_gpu_name=gpu.group("gpu") if gpu else None, gpu_memory_gb=None,
                  vcpus=optional_number(plan.get("vcpus")),
                  memory_gb=optional_number(plan.get("memory"), 1 / 1024),
                  price_type="on_demand", available=None, offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="Linode (Akamai) GPU plans and hourly prices",
    protocol="json_api",
    homepage="https://www.linode.com/pricing/",
    urls=(TYPES_URL,),
    terms="Linode API v4, public endpoint without a key; Akamai's Acceptable Use Policy and "
          "API terms apply. USD per instance-hour, with regional surcharges listed per region.",
    fetch=fetch,
    parse=parse,
)
