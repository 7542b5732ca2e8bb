"""Shadeform: GPU instance prices of the 20+ clouds Shadeform resells (Lambda, DataCrunch,
Hyperstack, Crusoe, Nebius...), from its instance types API.

Endpoint: ``GET https://api.shadeform.ai/v1/instances/types``, one response with every instance
type of every upstream cloud. It needs an API key, read from ``SHADEFORM_API_KEY`` and sent in
the ``X-API-KEY`` header (never in the URL). Docs:
https://docs.shadeform.ai/api-reference/instances/instances-types

Format: ``{instance_types: [{cloud, shade_instance_type, cloud_instance_type, configuration:
{num_gpus, gpu_type, vram_per_gpu_in_gb, vcpus, memory_in_gb, storage_in_gb, interconnect},
hourly_price, deployment_type, availability: [{region, available, display_name}]}]}``.
``hourly_price`` is in US **cents** per instance-hour (208 = $2.08).

One record per instance type and region listed in ``availability`` (the price is the same in
each; ``available`` is that region's flag), or region ``global`` when no region is listed.
price_type on_demand, price_basis instance; seller is the upstream ``cloud``, sku
``<cloud> <cloud_instance_type>``. The GPU name is ``gpu_type`` with its memory ("A100 80GB"
from ``A100_80G`` and 80).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import rows_at
from sources.prices.keys import key_headers
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "shadeform"
API_KEY_ENV = "SHADEFORM_API_KEY"
TYPES_URL = "https://api.shadeform.ai/v1/instances/types"


def fetch(session: FetchSession) -> None:
    session.get(TYPES_URL, headers=key_headers(session, "X-API-KEY", scheme=None))


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, rows_at("instance_types"), _add_type)


def gpu_name(gpu_type: Any, vram: float | None) -> str | None:
    """"A100 80GB" from ``A100_80G`` and 80; "H100 80GB" from ``H100`` and 80."""
    if not isinstance(gpu_type, str):
        return None
    base = gpu_type.split("_")[0]
    return f"{base} {vram:g}GB" if vram else base


def _add_type(snapshot: Snapshot, instance: dict[str, Any], result: ParseResult) -> None:
    config = instance.get("configuration") if isinstance(instance.get("configuration"),
                                                         dict) else {}
    if "hourly_price" not in instance:
        result.reject(snapshot, "no hourly_price (field renamed?)", instance)
        return
    vram = optional_number(config.get("vram_per_gpu_in_gb"))
    regions = [entry for entry in instance.get("availability") or [] if isinstance(entry, dict)]
    for entry in regions or [{"region": "global", "available": None}]:
        add_offer(result, snapshot, instance, listed_price=instance["hourly_price"],
                  listed_unit="USD cents/hour", price_basis="instance",
                  gpu_count=config.get("num_gpus"),
                  sku=f"{instance.get('cloud')} {instance.get('cloud_instance_type')}",
                  region=entry.get("region") or "global", seller=instance.get("cloud"),
                  provider_gpu_name=gpu_name(config.get("gpu_type"), vram),
                  gpu_memory_gb=vram, vcpus=optional_number(config.get("vcpus")),
                  memory_gb=optional_number(config.get("memory_in_gb")),
                  price_type="on_demand",
                  available=entry.get("available") if isinstance(entry.get("available"),
                                                                 bool) else None,
                  offer_id=instance.get("shade_instance_type"))


SOURCE = offer_source(
    name=NAME,
    title="Shadeform: GPU instance prices of its upstream clouds",
    protocol="json_api",
    homepage="https://www.shadeform.ai/",
    urls=(TYPES_URL,),
    terms="Shadeform API; needs an API key (SHADEFORM_API_KEY, sent as the X-API-KEY header). "
          "Shadeform's Terms of Service apply. Prices in US cents per instance-hour as "
          "Shadeform resells each upstream cloud.",
    fetch=fetch,
    parse=parse,
    api_key_env=API_KEY_ENV,
    api_key_required=True,
)
