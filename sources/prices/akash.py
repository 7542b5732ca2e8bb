"""Akash Network: the spread of GPU prices on Akash's decentralised marketplace, per GPU model,
from the Akash Console API.

Endpoint (keyless): ``GET https://console-api.akash.network/v1/gpu-prices``, one response.

Format: ``{availability: {total, available}, models: [{vendor, model, ram ("80Gi"), interface
("SXM5", "PCIe"), availability: {total, available}, providerAvailability: {total, available},
price: {currency, min, max, avg, weightedAverage, med} | null}]}``. Prices are USD per GPU-hour
derived by Akash from providers' recent bids; ``price`` is null for a model nobody has bid on
(excluded by policy as "no bids").

Akash is a marketplace with no list price, so the distribution is kept: each model gives one
record per statistic (min, med, weightedAverage, max), price_type ``marketplace``, the statistic
in the sku ("nvidia h100 80Gi SXM5 (med)"); price_basis ``gpu``, gpu_count 1, region
``global``; ``available`` is whether any GPU of the model is free. The GPU name is model,
interface and memory in GB ("H100 SXM5 80GB"); ``ram`` is in GiB as Kubernetes writes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import rows_at
from sources.prices.offers import add_offer, offer_source, parse_offers
from sources.snapshot import Snapshot

NAME = "akash"
GPU_PRICES_URL = "https://console-api.akash.network/v1/gpu-prices"
STATISTICS = ("min", "med", "weightedAverage", "max")
_GI = re.compile(r"^(?P<amount>\d+(?:\.\d+)?)\s*Gi$")


def fetch(session: FetchSession) -> None:
    session.get(GPU_PRICES_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, rows_at("models"), _add_model)


def _memory_gb(ram: Any) -> float | None:
    match = _GI.match(ram) if isinstance(ram, str) else None
    return round(float(match.group("amount"))) if match else None


def _add_model(snapshot: Snapshot, model: dict[str, Any], result: ParseResult) -> None:
    if "price" not in model:
        result.reject(snapshot, "no price field (renamed?)", model)
        return
    price = model["price"]
    if price is None:
        result.exclude("no bids")
        return
    if not isinstance(price, dict) or price.get("currency", "USD") != "USD":
        result.reject(snapshot, f"price is not a USD statistics object ({price!r:.60})", model)
        return
    memory = _memory_gb(model.get("ram"))
    name = " ".join(str(part) for part in (str(model.get("model", "")).upper(),
                                           model.get("interface"),
                                           f"{memory:g}GB" if memory else None) if part)
    label = " ".join(str(model.get(key)) for key in ("vendor", "model", "ram", "interface"))
    availability = model.get("availability") if isinstance(model.get("availability"),
                                                           dict) else {}
    free = availability.get("available")
    for statistic in STATISTICS:
        add_offer(result, snapshot, {"statistic": statistic, **model},
                  listed_price=price.get(statistic), listed_unit="USD/hour",
                  price_basis="gpu", gpu_count=1, sku=f"{label} ({statistic})",
                  region="global", seller=None, provider_gpu_name=name or None,
                  gpu_memory_gb=memory, vcpus=None, memory_gb=None,
                  price_type="marketplace",
                  available=free > 0 if isinstance(free, int) else None, offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="Akash Network GPU marketplace prices (min/median/weighted/max per model)",
    protocol="json_api",
    homepage="https://akash.network/pricing/gpus/",
    urls=(GPU_PRICES_URL,),
    terms="Akash Console API, public and keyless; Akash Network's terms apply. Prices are "
          "statistics of recent provider bids in USD per GPU-hour, not list prices.",
    fetch=fetch,
    parse=parse,
)
