"""cloud-gpus.com's hand-curated table (``cloud-gpus/cloud-gpus.github.io``, ``cloud_gpu.json``,
2021-2025) as history: one per-GPU-hour price per provider and GPU.

Format: ``{"data": [{name, url, cost<gpu>: "$1.10" | "-", credits, ssh, region, reserved?,
...}]}``. The ``cost*`` keys change over the years (``costa100`` splits into ``costa100_40`` and
``costa100_80``; ``costh100``, ``costb200``, ``costmi300x``... appear): every ``cost*`` key is
read, and :data:`GPU_KEYS` names the GPU of the known ones (an unknown key keeps its own name,
so new GPUs stay visible as unmapped rather than dropped). "-" and "" mean not offered.

Price types are not in the data: AWS and GCP columns held **spot** prices from 2022-02-09 to
2023-10-05 (:data:`SPOT_PERIOD`, documented in the shared PROVENANCE notes) and on-demand
otherwise; other providers are on-demand, except a provider flagged ``reserved: true`` (the
2021 Paperspace row listed 3-year-commitment prices, cloud-gpus PR #71): reserved, 36 months.
Every price is per GPU-hour (price_basis ``gpu``, gpu_count 1), region as the row says.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sources.base import ParseResult
from sources.history import HistoryOffer
from sources.parsing import (
    load_json,
    reject_duplicates,
    require_field,
    require_records,
    require_rows,
)
from sources.prices.offers import add_offer
from sources.snapshot import Snapshot

SPOT_PERIOD = (date(2022, 2, 9), date(2023, 10, 5))
NOT_OFFERED = {"-", ""}
GPU_KEYS = {
    "costk80": "K80", "costm60": "M60", "costp4": "Tesla P4", "costp100": "Tesla P100",
    "costv100": "V100", "costt4": "T4", "costa10": "A10", "costa30": "A30", "costa40": "A40",
    "costa100": "A100 40GB", "costa100_40": "A100 40GB", "costa100_80": "A100 80GB",
    "costh100": "H100", "costh200": "H200", "costb200": "B200", "costhb200": "HGX B200",
    "costl4": "L4", "costl40": "L40", "costl40s": "L40S", "costa5000": "RTX A5000",
    "costa6000": "RTX A6000", "costrtx6000ada": "RTX 6000 Ada", "costrtxpro6000":
    "RTX PRO 6000", "cost3080": "RTX 3080", "cost3090": "RTX 3090", "cost4090": "RTX 4090",
    "cost5090": "RTX 5090", "cost2080": "RTX 2080", "cost1080": "GTX 1080",
    "costrtx4000": "Quadro RTX 4000", "costrtx5000": "Quadro RTX 5000",
    "costrtx6000": "Quadro RTX 6000", "costp4000": "Quadro P4000", "costp5000": "Quadro P5000",
    "costp6000": "Quadro P6000", "costmi250x": "MI250X", "costmi300x": "MI300X",
    "costmi325x": "MI325X",
}
_SPOT_PROVIDERS = re.compile(r"\b(AWS|Amazon|Google|GCP)\b")


def parse(snapshot: Snapshot, *, as_of: date, cloud: str | None = None) -> ParseResult:
    providers = require_rows(snapshot, require_field(snapshot, load_json(snapshot), "data"),
                             "data")
    result = ParseResult()
    cells = 0
    for provider in providers:
        for key, value in provider.items():
            if key.startswith("cost") and key != "costml100":  # costml100: ML-100 bundles
                cells += 1
                _add_cell(snapshot, provider, key, value, as_of, result)
    reject_duplicates(result, lambda o: (o.provider, o.sku, o.region, o.price_type))
    require_records(result, [snapshot], cells)
    return result


def price_type_of(provider: dict[str, Any], as_of: date) -> tuple[str, float]:
    """(price type, commitment months) of a provider's prices on ``as_of``."""
    name = str(provider.get("name", ""))
    if _SPOT_PROVIDERS.search(name) and SPOT_PERIOD[0] <= as_of < SPOT_PERIOD[1]:
        return "spot", 0
    if provider.get("reserved") is True:
        return "reserved", 36
    return "on_demand", 0


def _add_cell(snapshot: Snapshot, provider: dict[str, Any], key: str, value: Any,
              as_of: date, result: ParseResult) -> None:
    if isinstance(value, str) and value.strip() in NOT_OFFERED:
        result.exclude("not offered")
        return
    name = str(provider.get("name") or "unknown")
    gpu = GPU_KEYS.get(key, key.removeprefix("cost"))
    price_type, months = price_type_of(provider, as_of)
    add_offer(result, snapshot, {"provider": name, "key": key, "value": value},
              listed_price=value, listed_unit="USD/hour", price_basis="gpu", gpu_count=1,
              commitment_months=months, model=HistoryOffer, provider=name,
              observed_date=as_of, sku=f"{name} {gpu}",
              region=str(provider.get("region") or "unknown"), seller=None,
              provider_gpu_name=gpu, gpu_memory_gb=None, vcpus=None, memory_gb=None,
              price_type=price_type, available=None, offer_id=None)
