"""SkyPilot catalog CSVs (``skypilot-org/skypilot-catalog``, and before July 2022
``sky/clouds/service_catalog/data/<cloud>.csv`` in skypilot) as history: every layout from the
2022 ``v0`` files to the ``v7``/``v8`` ``vms.csv``.

Layouts differ by version and by cloud (column order, ``Arch`` in v8, ``HostingType`` for Vast,
``UpstreamCloudId`` for Verda), so columns are read by header name, never by position; the
columns used are ``InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB, Region,
AvailabilityZone, Price, SpotPrice`` (any of vCPUs/AvailabilityZone may be absent). Prices are
USD per instance-hour; ``SpotPrice`` is the spot price (Vast: the ``min_bid`` bid floor). The
file does not say its cloud: ``cloud`` does.

One row gives up to two offers: ``Price`` (on_demand; ``marketplace`` for Vast) and ``SpotPrice``
(spot), each skipped when empty. Rows without an accelerator (CPU instances) are excluded.
GCP's attachable accelerator rows (empty ``InstanceType``) price the GPUs alone, without the
host VM: their sku is ``<count>x <accelerator>``, price_basis ``gpu`` and the listed price is
``Price / AcceleratorCount`` (SkyPilot writes the price of all the row's GPUs); other rows are
whole instances. The region is the availability zone when there is one (GCP and AWS list a row per
zone). Later duplicates of (sku, region, price type) are rejected.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sources.base import ParseResult
from sources.errors import ParseError
from sources.history import HistoryOffer
from sources.parsing import csv_rows, price_number, reject_duplicates, require_records
from sources.prices.offers import add_offer, optional_number
from sources.snapshot import Snapshot

REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Region", "Price")
MARKETPLACES = frozenset({"vast"})


def parse(snapshot: Snapshot, *, as_of: date, cloud: str | None = None) -> ParseResult:
    if not cloud:
        raise ParseError(f"{snapshot.source}: a SkyPilot catalog does not name its cloud; "
                         "give it (--cloud)")
    rows = _rows(snapshot)
    result = ParseResult()
    for row in rows:
        _add_row(snapshot, row, cloud.lower(), as_of, result)
    reject_duplicates(result, lambda o: (o.sku, o.region, o.price_type, o.commitment_months))
    require_records(result, [snapshot], len(rows))
    return result


def _rows(snapshot: Snapshot) -> list[dict[str, str]]:
    return csv_rows(snapshot, REQUIRED, "a SkyPilot catalog")


def _add_row(snapshot: Snapshot, row: dict[str, Any], cloud: str, as_of: date,
             result: ParseResult) -> None:
    accelerator = (row.get("AcceleratorName") or "").strip()
    if not accelerator:  # a CPU instance, or a GCP host VM whose GPUs are priced apart
        result.exclude("no accelerator")
        return
    count = optional_number(row.get("AcceleratorCount"))
    instance = (row.get("InstanceType") or "").strip()
    attachable = not instance
    sku = f"{count:g}x {accelerator}" if attachable and count else instance
    region = (row.get("AvailabilityZone") or "").strip() or row.get("Region") or "unknown"
    base = "marketplace" if cloud in MARKETPLACES else "on_demand"
    for column, price_type in (("Price", base), ("SpotPrice", "spot")):
        price: Any = (row.get(column) or "").strip()
        if not price:
            continue
        if attachable and count:
            number = price_number(price)
            price = number / count if isinstance(number, float) else price
        add_offer(result, snapshot, {"price_column": column, **row}, listed_price=price,
                  listed_unit="USD/hour", price_basis="gpu" if attachable else "instance",
                  gpu_count=count, model=HistoryOffer, provider=cloud, observed_date=as_of,
                  sku=sku, region=region, seller=None, provider_gpu_name=accelerator,
                  gpu_memory_gb=None, vcpus=optional_number(row.get("vCPUs")),
                  memory_gb=optional_number(row.get("MemoryGiB"), 1.073741824),
                  price_type=price_type, available=None, offer_id=None)
