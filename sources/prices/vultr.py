"""Vultr: hourly prices of Vultr's cloud GPU plans (whole and fractional GPUs), from its public
plans API.

Endpoint (keyless): ``GET https://api.vultr.com/v2/plans`` with ``type=vcg`` (Cloud GPU) and
``per_page=500``. Paging is by cursor: ``meta.links.next`` is the cursor of the next page (empty
on the last), sent back as ``cursor``; :func:`fetch` follows it and refuses a cursor that
repeats, and :func:`parse` refuses a fetch whose last page still has a next cursor. Docs:
https://www.vultr.com/api/#tag/plans/operation/list-plans

Format: ``{plans: [{id, vcpu_count, ram (MB), disk, monthly_cost, hourly_cost, type, locations[],
gpu_vram_gb, gpu_type ("NVIDIA_A100")}], meta: {total, links: {next, prev}}}``. Prices are
USD per instance; ``hourly_cost`` is used, and when a payload lacks it (older API versions) the
``monthly_cost`` is converted at 730.5 hours a month (listed_unit says which).

Vultr sells fractions of a GPU (``vcg-a100-1c-6g-4vram`` is 4 GB of an 80 GB A100): the GPU
count is ``gpu_vram_gb`` over the memory of one whole GPU of that type
(:data:`GPU_MEMORY_GB`), so 0.05 there and 2 for a 96 GB L40S plan. A plan whose GPU type is not
in that table is rejected (its count cannot be known). Plans without ``gpu_type`` are excluded.
Region ``global`` (one price everywhere); ``available`` says whether any location sells it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.errors import FetchError
from sources.http import FetchSession
from sources.parsing import (
    load_json,
    payload_error,
    rows_at,
)
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "vultr"
PLANS_URL = "https://api.vultr.com/v2/plans"
MAX_PAGES = 50
# memory of one whole GPU per Vultr gpu_type, GB (vendor datasheets)
GPU_MEMORY_GB = {"NVIDIA_A100": 80, "NVIDIA_A40": 48, "NVIDIA_A16": 16, "NVIDIA_L40S": 48,
                 "NVIDIA_H100": 80, "NVIDIA_GH200": 96, "NVIDIA_B200": 180,
                 "AMD_MI300X": 192, "AMD_MI325X": 256, "NVIDIA_A10": 24}


def fetch(session: FetchSession) -> None:
    cursors: set[str] = set()
    params = {"type": "vcg", "per_page": "500"}
    while True:
        page = load_json(session.get(PLANS_URL, params=params))
        cursor = _next_cursor(page)
        if not cursor:
            return
        if cursor in cursors or len(cursors) >= MAX_PAGES:
            raise FetchError(f"{NAME}: paging does not end (cursor {cursor!r})")
        cursors.add(cursor)
        params = {**params, "cursor": cursor}


def _next_cursor(page: Any) -> str:
    try:
        return page["meta"]["links"]["next"] or ""
    except (KeyError, TypeError):
        return ""


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    result = parse_offers(NAME, snapshots, rows_at("plans"), _add_plan)
    if _next_cursor(load_json(snapshots[-1])):
        raise payload_error(snapshots[-1], "incomplete paging: the last page has a next cursor")
    return result


def _add_plan(snapshot: Snapshot, plan: dict[str, Any], result: ParseResult) -> None:
    gpu_type = plan.get("gpu_type")
    if not gpu_type:
        result.exclude("no GPU")
        return
    whole = GPU_MEMORY_GB.get(gpu_type)
    vram = optional_number(plan.get("gpu_vram_gb"))
    if whole is None or vram is None:
        result.reject(snapshot, f"GPU count unknown for gpu_type {gpu_type!r} with "
                                f"gpu_vram_gb {plan.get('gpu_vram_gb')!r}", plan)
        return
    if "hourly_cost" in plan:
        price, unit = plan["hourly_cost"], "USD/hour"
    else:
        price, unit = plan.get("monthly_cost"), "USD/month"
    add_offer(result, snapshot, plan, listed_price=price, listed_unit=unit,
              price_basis="instance", gpu_count=vram / whole, sku=plan.get("id"),
              region="global", seller=None, provider_gpu_name=str(gpu_type).replace("_", " "),
              gpu_memory_gb=float(whole) if vram >= whole else vram,
              vcpus=optional_number(plan.get("vcpu_count")),
              memory_gb=optional_number(plan.get("ram"), 1 / 1024),
              price_type="on_demand", available=bool(plan.get("locations")), offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="Vultr Cloud GPU plans and prices",
    protocol="json_api",
    homepage="https://www.vultr.com/pricing/#cloud-gpu",
    urls=(PLANS_URL,),
    terms="Vultr API v2 plans list, public without a key (HTTP 429 above 30 requests/s); "
          "Vultr's Terms of Service apply. USD per instance, fractional GPU plans included.",
    fetch=fetch,
    parse=parse,
)
