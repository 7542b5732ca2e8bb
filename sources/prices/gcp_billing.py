"""Google Cloud Billing Catalog: per-GPU-hour prices of GCP's GPUs (Compute Engine) and per
chip-hour prices of its TPUs (Cloud TPU).

Endpoint: ``GET https://cloudbilling.googleapis.com/v1/services/<service>/skus`` for the
Compute Engine service ``6F81-5844-456A`` and the Cloud TPU service ``E000-3F24-B8AA``, with
``currencyCode=USD`` and ``pageSize=5000``. It needs a free API key, read from ``GCP_API_KEY``
and sent in the ``X-Goog-Api-Key`` header (never in the URL, so archived URLs hold no key).
Paging: each response has ``nextPageToken``; :func:`fetch` requests ``pageToken=<token>``
until it is empty, refusing a token that repeats. Docs:
https://cloud.google.com/billing/docs/reference/rest/v1/services.skus/list

Format: ``{skus: [{skuId, description, category{resourceFamily, resourceGroup, usageType},
serviceRegions[], pricingInfo[{pricingExpression{usageUnit, tieredRates[{startUsageAmount,
unitPrice{currencyCode, units, nanos}}]}, effectiveTime}]}], nextPageToken}``; a price is
``units + nanos / 1e9`` USD per ``usageUnit`` ("h"); as in every proto3 JSON message a zero
``units`` or ``nanos`` may be left out. A bare list of SKU objects, as third parties
store the payload (the real sample in ``shared/data/prices/gcp/``, which also lacks
``category`` and ``serviceRegions``), is accepted: the price type and location then come from
the description, which always carries them ("Nvidia L4 GPU attached to Spot Preemptible VMs
running in Hong Kong", "Commitment v1: H200 141GB GPU running in Netherlands for 1 Year").

Kept: accelerator SKUs (resourceGroup GPU or TPU, or, without category, a description naming a
GPU or TPU) priced per hour: on-demand, spot (usageType Preemptible or "Spot Preemptible" in the
description) and committed use (reserved, 12 or 36 months). Region: the single
``serviceRegions`` entry when there is one, else the location named in the description
("Americas", "Hong Kong").

Excluded by policy: licence fees ("Licensing Fee for ..."), calendar-mode reservations and DWS
defined-duration / flex-start prices (capacity products with their own terms), and SKUs that are
not accelerators (vCPU, RAM, disks).

How the price relates to what a user pays: GCP prices GPUs as attachable resources, and the host
VM is billed separately by vCPU and RAM SKUs of its machine series (A2/A3/G2). So there are two
kinds of records:

* per GPU: one per accelerator SKU (gpu_count 1, price_basis "gpu"), ``usd_per_hour`` =
  ``usd_per_gpu_hour`` = the GPU SKU; the host VM is not included;
* per instance: one per GPU machine type of :data:`MACHINE_TYPES` (sku ``a3-highgpu-8g``...,
  price_basis "instance"), on-demand and spot, in each region where the payload holds the GPU
  SKU and the series' "Instance Core" and "Instance Ram" SKUs: GPUs × GPU SKU + vCPUs × core
  SKU (per vCPU-hour) + memory × RAM SKU (per GiB-hour), which is what the user pays; its
  ``usd_per_gpu_hour`` is that total over the GPU count (see skypilot-catalog#31 on why the
  GPU SKU alone misleads). Host SKUs are otherwise excluded ("not an accelerator").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.errors import FetchError
from sources.http import FetchSession
from sources.parsing import (
    load_json,
    parse_each,
    require_field,
    require_rows,
)
from sources.prices.keys import key_headers
from sources.prices.offers import add_offer, finish, offer_source
from sources.snapshot import Snapshot

NAME = "gcp_billing"
API_KEY_ENV = "GCP_API_KEY"
SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/{service}/skus"
SERVICES = {"6F81-5844-456A": "Compute Engine", "E000-3F24-B8AA": "Cloud TPU"}
PAGE_SIZE = 5000
MAX_PAGES = 200

_COMMITMENT = re.compile(r"^Commitment v\d+:\s*(?P<rest>.*?)\s+for\s+(?P<years>\d)\s+Years?$")
_LOCATION = re.compile(r"\s(?:running in|in)\s+(?P<location>.+)$")
# What follows the accelerator's name in a description: its use and its location.
_AFTER_NAME = re.compile(r"\s+(?:attached to|running in|in)\s.*$")
_ACCELERATOR = re.compile(r"\b(?:GPU|TPU)\b", re.IGNORECASE)
_CHIP = re.compile(r"\s+chip$", re.IGNORECASE)
# (reason, test on the description) in the order checked
POLICY_EXCLUSIONS = (
    ("licence fee", lambda d: d.startswith("Licensing Fee")),
    ("calendar-mode reservation", lambda d: "Calendar Mode" in d),
    ("DWS capacity product", lambda d: "DWS" in d or "Flex" in d),
)


# ---------------------------------------------------------------------------- fetch


def fetch(session: FetchSession) -> None:
    """Every page of the SKU list of each service; the key only in a header."""
    headers = key_headers(session, "X-Goog-Api-Key", scheme=None)
    for service in SERVICES:
        url = SKUS_URL.format(service=service)
        tokens: set[str] = set()
        token = ""
        while True:
            params = {"currencyCode": "USD", "pageSize": str(PAGE_SIZE)}
            if token:
                params["pageToken"] = token
            page = load_json(session.get(url, params=params, headers=headers))
            token = page.get("nextPageToken") or "" if isinstance(page, dict) else ""
            if not token:
                break
            if token in tokens:
                raise FetchError(f"{NAME}: nextPageToken repeats for service {service}")
            if len(tokens) >= MAX_PAGES:
                raise FetchError(f"{NAME}: still paging after {MAX_PAGES} pages of {service}")
            tokens.add(token)


# ---------------------------------------------------------------------------- parse


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    result, rows_read = parse_each(NAME, snapshots, _skus, _add_sku)
    _add_machine_types(snapshots, result)
    return finish(NAME, result, snapshots, rows_read)


def _skus(snapshot: Snapshot) -> list[dict[str, Any]]:
    payload = load_json(snapshot)
    if isinstance(payload, list):
        return require_rows(snapshot, payload, "the top level")
    return require_rows(snapshot, require_field(snapshot, payload, "skus"), "skus")


def classify(sku: dict[str, Any]) -> tuple[str, float, str, str] | str:
    """(price type, commitment months, accelerator name, location) of an accelerator SKU, or
    the policy reason it is excluded."""
    description = sku.get("description")
    if not isinstance(description, str):
        return "no description"
    for reason, applies in POLICY_EXCLUSIONS:
        if applies(description):
            return reason
    category = sku.get("category") if isinstance(sku.get("category"), dict) else {}
    group = category.get("resourceGroup")
    if group is not None and group not in ("GPU", "TPU") and "Tpu" not in str(group):
        return "not an accelerator"
    usage = category.get("usageType", "")
    commitment = _COMMITMENT.match(description)
    text = commitment.group("rest") if commitment else description
    if commitment or usage.startswith("Commit"):
        years = int(commitment.group("years")) if commitment else int(usage[6])
        price_type, months = "reserved", 12.0 * years
    elif usage == "Preemptible" or "Spot Preemptible" in text or "Preemptible" in text:
        price_type, months = "spot", 0.0
    else:
        price_type, months = "on_demand", 0.0
    name = _CHIP.sub("", _AFTER_NAME.sub("", text)).strip()
    if not _ACCELERATOR.search(name):
        return "not an accelerator"
    location = _LOCATION.search(text)
    return (price_type, months, name,
            location.group("location").strip() if location else "global")


def _add_sku(snapshot: Snapshot, sku: dict[str, Any], result: ParseResult) -> None:
    classified = classify(sku)
    if isinstance(classified, str):
        result.exclude(classified)
        return
    price_type, months, gpu_name, location = classified
    region = _region(sku, location)
    price = _unit_price(sku)
    if isinstance(price, str):
        result.reject(snapshot, price, sku)
        return
    add_offer(result, snapshot, sku, listed_price=price, listed_unit="USD/hour",
              price_basis="gpu", gpu_count=1, commitment_months=months,
              sku=gpu_name, region=region, seller=None, provider_gpu_name=gpu_name,
              gpu_memory_gb=None, vcpus=None, memory_gb=None, price_type=price_type,
              available=None, offer_id=sku.get("skuId"))


def _region(sku: dict[str, Any], location: str) -> str:
    """The single service region of a SKU, else the location its description names."""
    regions = sku.get("serviceRegions")
    return regions[0] if isinstance(regions, list) and len(regions) == 1 else location


def _unit_price(sku: dict[str, Any], unit: str = "h") -> float | str:
    """The first-tier price per ``unit`` of the latest pricing, or the reason there is none."""
    infos = sku.get("pricingInfo")
    if not isinstance(infos, list) or not infos or not isinstance(infos[-1], dict):
        return "no pricingInfo"
    expression = infos[-1].get("pricingExpression") or {}
    if expression.get("usageUnit") != unit:
        return f"usageUnit {expression.get('usageUnit')!r} is not {unit!r}"
    rates = [r for r in expression.get("tieredRates") or []
             if isinstance(r, dict) and not r.get("startUsageAmount")]
    if not rates:
        return "no first-tier rate"
    unit = rates[0].get("unitPrice")
    if not isinstance(unit, dict):
        return "no unitPrice in the first tier (field renamed?)"
    if unit.get("currencyCode", "USD") != "USD":
        return f"price in {unit.get('currencyCode')}, not USD"
    units, nanos = unit.get("units", "0"), unit.get("nanos", 0)
    try:
        if isinstance(units, bool) or isinstance(nanos, bool) or not isinstance(nanos, int):
            raise ValueError
        return int(units) + nanos / 1e9
    except (TypeError, ValueError):
        return f"unitPrice is not units + nanos ({units!r}, {nanos!r})"


# ---------------------------------------------------------------------------- whole instances

# GPU machine types: (host series, GPU SKU name, GPUs, vCPUs, memory GiB), from
# https://cloud.google.com/compute/docs/accelerator-optimized-machines (A2, A3, G2 tables).
MACHINE_TYPES: dict[str, tuple[str, str, int, int, int]] = {
    **{f"a2-highgpu-{n}g": ("A2", "Nvidia Tesla A100 GPU", n, 12 * n, 85 * n)
       for n in (1, 2, 4, 8)},
    "a2-megagpu-16g": ("A2", "Nvidia Tesla A100 GPU", 16, 96, 1360),
    **{f"a2-ultragpu-{n}g": ("A2", "Nvidia Tesla A100 80GB GPU", n, 12 * n, 170 * n)
       for n in (1, 2, 4, 8)},
    "a3-highgpu-8g": ("A3", "Nvidia H100 80GB GPU", 8, 208, 1872),
    **{f"g2-standard-{v}": ("G2", "Nvidia L4 GPU", n, v, 4 * v)
       for v, n in ((4, 1), (8, 1), (12, 1), (16, 1), (24, 2), (32, 1), (48, 4), (96, 8))},
}
_HOST = re.compile(r"^(?P<spot>Spot Preemptible )?(?P<series>[A-Z]\d+) Instance "
                   r"(?P<kind>Core|Ram) running in (?P<location>.+)$")
GIB = 1.073741824  # GB per GiB


def host_rates(snapshots: Sequence[Snapshot]) -> dict[tuple[str, str, str, str], float]:
    """(series, Core|Ram, price type, region) -> USD per vCPU-hour or per GiB-hour, from the
    host VM SKUs of the machine series in the payload."""
    rates = {}
    for snapshot in snapshots:
        for sku in _skus(snapshot):
            match = _HOST.match(str(sku.get("description", "")))
            if not match:
                continue
            price = _unit_price(sku, "h" if match["kind"] == "Core" else "GiBy.h")
            if isinstance(price, float) and price > 0:
                price_type = "spot" if match["spot"] else "on_demand"
                region = _region(sku, match["location"])
                rates[(match["series"], match["kind"], price_type, region)] = price
    return rates


def _add_machine_types(snapshots: Sequence[Snapshot], result: ParseResult) -> None:
    """Whole-instance offers of the GPU machine types, priced as the user pays them: the GPUs
    plus the host's vCPUs and memory at its series' rates, where all three are in the
    payload for one region and price type (on-demand or spot)."""
    rates = host_rates(snapshots)
    if not rates:
        return
    gpus = {(o.sku, o.price_type, o.region): (snapshot, o) for snapshot, o in result.records
            if o.price_type in ("on_demand", "spot")}
    for machine, (series, gpu, count, vcpus, gib) in MACHINE_TYPES.items():
        for (name, price_type, region), (snapshot, offer) in list(gpus.items()):
            core = rates.get((series, "Core", price_type, region))
            ram = rates.get((series, "Ram", price_type, region))
            if name != gpu or core is None or ram is None:
                continue
            total = count * offer.usd_per_gpu_hour + vcpus * core + gib * ram
            add_offer(result, snapshot, {"machine_type": machine, "gpu_offer": offer.offer_id,
                                         "core": core, "ram": ram},
                      listed_price=total, listed_unit="USD/hour", price_basis="instance",
                      gpu_count=count, sku=machine, region=region, seller=None,
                      provider_gpu_name=gpu, gpu_memory_gb=None, vcpus=vcpus,
                      memory_gb=gib * GIB, price_type=price_type, available=None,
                      offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="Google Cloud Billing Catalog: GPU and TPU SKUs (per accelerator-hour)",
    protocol="json_api",
    homepage="https://cloud.google.com/compute/gpus-pricing",
    urls=tuple(SKUS_URL.format(service=service) for service in SERVICES),
    terms="Google Cloud Billing Catalog API; needs a free API key (GCP_API_KEY, sent as the "
          "X-Goog-Api-Key header). Google APIs Terms of Service apply. List prices per GPU or "
          "TPU chip hour; the host VM is billed separately.",
    fetch=fetch,
    parse=parse,
    api_key_env=API_KEY_ENV,
    api_key_required=True,
)
