"""Vast.ai: every rentable GPU offer on Vast's marketplace, with its on-demand (dph) and
interruptible bid-floor (min_bid) price.

Endpoint (keyless in practice, as gpuhunt uses it): ``POST https://console.vast.ai/api/v0/
bundles/`` with the JSON query :data:`QUERY` (rentable, not rented, at least one GPU, up to
:data:`LIMIT` offers ordered by score). When ``VAST_API_KEY`` is set it is sent as a Bearer
header. Docs: https://docs.vast.ai/api-reference/search/search-offers

Format: ``{"offers": [{id, machine_id, host_id, gpu_name, num_gpus, gpu_frac, gpu_ram (MiB),
cpu_cores_effective, cpu_ram (MB), dph_total, dph_base, min_bid, search{totalHour, ...},
geolocation "State, CC", rentable, rented, verification, reliability, ...}]}``. A bare list of
offers (``vastai search offers --raw``, as in ``shared/data/prices/vast/``) is accepted too.

A marketplace has no single price: the offer distribution is the data. Every offer becomes up to
two records, none is dropped for being expensive:

* ``marketplace``: ``dph_total``, the whole offer's hourly price (GPUs plus the default disk), as
  the host lists it;
* ``spot``: ``min_bid``, the lowest bid an interruptible instance on that offer accepts (it can
  be far below dph_total, and in old SkyPilot catalogs sometimes above it); no record when the
  offer has no ``min_bid``.

Both are per instance (price_basis ``instance``); per GPU divides by ``num_gpus``. ``gpu_frac``
is the share of the host machine's GPUs the offer rents, not a fraction of a GPU, so the GPU
count stays ``num_gpus``. Region is ``geolocation``; seller is the host id; ``available`` is
rentable and not rented. The GPU name recorded is ``gpu_name`` plus the memory per GPU ("A100
SXM4 40GB"), because Vast's names alone are ambiguous. Units: gpu_ram MiB and cpu_ram MB are
converted to GB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import load_json, require_field, require_rows
from sources.prices.keys import key_headers
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "vast"
API_KEY_ENV = "VAST_API_KEY"
BUNDLES_URL = "https://console.vast.ai/api/v0/bundles/"
LIMIT = 10000
QUERY = {"rentable": {"eq": True}, "rented": {"eq": False}, "num_gpus": {"gte": 1},
         "order": [["score", "desc"]], "limit": LIMIT}
GB_PER_MIB = 1.048576 / 1000
MEMORY_SIZES_GB = (4, 6, 8, 10, 11, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 141, 144, 180,
                   192, 256, 288)
# price field -> price type
PRICES = {"dph_total": "marketplace", "min_bid": "spot"}


def fetch(session: FetchSession) -> None:
    session.post(BUNDLES_URL, json_body=QUERY, headers=key_headers(session))


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, _offers, _add_offer)


def _offers(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The offers of a bundles response, or of a bare stored list of offers."""
    payload = load_json(snapshot)
    offers = payload if isinstance(payload, list) else require_field(snapshot, payload, "offers")
    return require_rows(snapshot, offers, "offers")


def _add_offer(snapshot: Snapshot, offer: dict[str, Any], result: ParseResult) -> None:
    if "dph_total" not in offer:
        result.reject(snapshot, "no dph_total (field renamed?)", offer)
        return
    for field, price_type in PRICES.items():
        if field == "min_bid" and offer.get("min_bid") is None:
            continue
        add_offer(result, snapshot, {"price_field": field, **offer},
                  listed_price=offer.get(field), listed_unit="USD/hour",
                  price_basis="instance", gpu_count=offer.get("num_gpus"),
                  sku=f"vast offer {offer.get('id')}",
                  region=offer.get("geolocation") or "unknown",
                  seller=f"host {offer.get('host_id')}",
                  provider_gpu_name=_gpu_name(offer),
                  gpu_memory_gb=optional_number(offer.get("gpu_ram"), GB_PER_MIB),
                  vcpus=optional_number(offer.get("cpu_cores_effective")),
                  memory_gb=optional_number(offer.get("cpu_ram"), 1 / 1000),
                  price_type=price_type,
                  available=offer.get("rentable") is True and offer.get("rented") is not True,
                  offer_id=str(offer.get("id")))


def _gpu_name(offer: dict[str, Any]) -> Any:
    """``gpu_name`` with the per-GPU memory in GB ("A100 SXM4 40GB"): Vast names alone are
    ambiguous (its "A100 SXM4" comes with 40 or 80 GB)."""
    name, mib = offer.get("gpu_name"), optional_number(offer.get("gpu_ram"))
    if not isinstance(name, str) or not mib:
        return name
    # nvidia-smi reports a little less than the card's size (81559 MiB for an 80 GB H100,
    # 39936 MiB for some 40 GB A100s): the nearest marketed size is the card's.
    size = min(MEMORY_SIZES_GB, key=lambda gb: abs(gb - mib / 1024))
    return f"{name} {size}GB"


SOURCE = offer_source(
    name=NAME,
    title="Vast.ai marketplace: every rentable GPU offer",
    protocol="json_api",
    homepage="https://vast.ai/pricing",
    urls=(BUNDLES_URL,),
    terms="Vast.ai's bundles search API, answered without a key (VAST_API_KEY sent as a "
          "Bearer header when set); Vast.ai Terms of Service apply. Host-set marketplace "
          "prices per instance-hour; the offer list changes by the minute.",
    fetch=fetch,
    parse=parse,
    api_key_env=API_KEY_ENV,
    api_key_required=False,
)
