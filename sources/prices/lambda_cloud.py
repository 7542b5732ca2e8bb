"""Lambda (Lambda Cloud): on-demand prices of Lambda's GPU instance types, from its public cloud
API.

Endpoint: ``GET https://cloud.lambdalabs.com/api/v1/instance-types`` (also served as
``cloud.lambda.ai``), one response listing every instance type. It needs an API key, read from
``LAMBDA_API_KEY`` and sent as ``Authorization: Bearer <key>`` (never in the URL). Docs:
https://docs.lambda.ai/api/cloud

Format: ``{"data": {<name>: {"instance_type": {name, description, gpu_description,
price_cents_per_hour, specs{vcpus, memory_gib, storage_gib, gpus}},
"regions_with_capacity_available": [{name, description}]}}}``. The price is in US **cents** per
instance-hour (``price_cents_per_hour`` 2490 = $24.90); it is the same in every region. An
``{"error": {code, message}}`` body is a failed call and raises a ParseError with its message.

One record per instance type with GPUs, region ``global``, price_type on_demand; ``available``
says whether any region has capacity now (``regions_with_capacity_available`` non-empty). The GPU
name is ``gpu_description`` ("H100 (80 GB SXM5)"), which names the memory and form factor;
instance types without GPUs (``cpu_4x_general``) are excluded by policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import load_json, payload_error, require_field
from sources.prices.keys import key_headers
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "lambda"
API_KEY_ENV = "LAMBDA_API_KEY"
INSTANCE_TYPES_URL = "https://cloud.lambdalabs.com/api/v1/instance-types"
GIB = 1.073741824  # GB per GiB


def fetch(session: FetchSession) -> None:
    session.get(INSTANCE_TYPES_URL, headers=key_headers(session))


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, _types, _add_type)


def _types(snapshot: Snapshot) -> list[tuple[str, Any]]:
    payload = load_json(snapshot)
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        raise payload_error(snapshot, f"API error {payload['error'].get('message')!r}")
    data = require_field(snapshot, payload, "data")
    if not isinstance(data, dict):
        raise payload_error(snapshot, "'data' is not an object of instance types")
    return list(data.items())


def _add_type(snapshot: Snapshot, row: tuple[str, Any], result: ParseResult) -> None:
    key, entry = row
    instance = entry.get("instance_type") if isinstance(entry, dict) else None
    if not isinstance(instance, dict):
        result.reject(snapshot, "no instance_type object", {"key": key, "entry": entry})
        return
    specs = instance.get("specs") if isinstance(instance.get("specs"), dict) else {}
    gpus = specs.get("gpus")
    if gpus == 0:
        result.exclude("no GPU")
        return
    raw = {"key": key, **instance}
    if "price_cents_per_hour" not in instance:
        result.reject(snapshot, "no price_cents_per_hour (field renamed?)", raw)
        return
    regions = entry.get("regions_with_capacity_available")
    add_offer(result, snapshot, raw, listed_price=instance["price_cents_per_hour"],
              listed_unit="USD cents/hour", price_basis="instance", gpu_count=gpus,
              sku=instance.get("name") or key, region="global", seller=None,
              provider_gpu_name=instance.get("gpu_description"), gpu_memory_gb=None,
              vcpus=optional_number(specs.get("vcpus")),
              memory_gb=optional_number(specs.get("memory_gib"), GIB),
              price_type="on_demand",
              available=bool(regions) if isinstance(regions, list) else None,
              offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="Lambda Cloud instance types and on-demand prices",
    protocol="json_api",
    homepage="https://lambda.ai/service/gpu-cloud",
    urls=(INSTANCE_TYPES_URL,),
    terms="Lambda Cloud API; needs an API key (LAMBDA_API_KEY, sent as a Bearer header). "
          "Lambda's Terms of Service apply. Prices in US cents per instance-hour, the same in "
          "every region.",
    fetch=fetch,
    parse=parse,
    api_key_env=API_KEY_ENV,
    api_key_required=True,
)
