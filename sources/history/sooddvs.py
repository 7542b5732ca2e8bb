"""sooddvs/gpu-pricing's tracker files as history: the raw multi-cloud CSV
(``gpu_pricing_raw.csv``), its cumulative daily history (``gpu_pricing_history.csv``) and the
structured JSON behind them (``gpu_pricing.json``).

Layouts, read by header name because the columns move between versions:

* raw CSV: ``provider, gpu_type, gpu_count, sku, price_tier, per_gpu_hourly_usd,
  total_hourly_usd, region`` (+ ``fetched_at`` after the first week, in another order);
* history CSV: ``date, provider, gpu_type, price_tier, per_gpu_hourly_usd, region, source``,
  one row per day; rows with ``source`` "historical_estimate" are the tracker's own estimates,
  not observations, and are excluded by policy; each kept row carries its own ``date`` as
  ``observed_date`` (no sku or GPU count: the sku is the GPU type, the count 1);
* JSON: ``{fetched_at, providers: {<name>: {provider, skus: [{gpu_type, gpu_count, region,
  price_tier, total_hourly_usd, per_gpu_hourly_usd, <sku key>}]}}}``, where what names the
  offer is ``sku``, ``instance_type``, ``plan_id``, ``part_number``, ``id`` or ``description``
  depending on the provider (:data:`SKU_KEYS`).

``price_tier`` is on_demand, spot, or a commitment ``<n>mo`` (reserved, n months). Prices are
USD; the total hourly price is the whole instance's (price_basis ``instance``) when the file
has it, else the per-GPU price (price_basis ``gpu``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sources.base import ParseResult
from sources.history import HistoryOffer
from sources.parsing import csv_rows, load_json, payload_error, reject_duplicates, require_records
from sources.prices.offers import add_offer
from sources.snapshot import Snapshot

ESTIMATE = "historical_estimate"
# What names the thing rented: the key differs per provider in the JSON (AWS instance_type,
# OCI part_number, Vultr plan_id, RunPod id, GCP description).
SKU_KEYS = ("sku", "instance_type", "plan_id", "part_number", "id", "description")
_COMMITMENT = re.compile(r"^(?P<months>\d+)mo$")
REQUIRED = ("provider", "gpu_type", "price_tier", "per_gpu_hourly_usd", "region")


def parse(snapshot: Snapshot, *, as_of: date, cloud: str | None = None) -> ParseResult:
    head = snapshot.head().lstrip()[:1]
    rows = _json_rows(snapshot) if head == b"{" else _csv_rows(snapshot)
    result = ParseResult()
    for row in rows:
        _add_row(snapshot, row, as_of, result)
    reject_duplicates(result, lambda o: (o.observed_date, o.provider, o.sku, o.region,
                                         o.price_type, o.commitment_months))
    require_records(result, [snapshot], len(rows))
    return result


def _csv_rows(snapshot: Snapshot) -> list[dict[str, str]]:
    return csv_rows(snapshot, REQUIRED, "a sooddvs gpu-pricing CSV")


def _json_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    payload = load_json(snapshot)
    providers = payload.get("providers") if isinstance(payload, dict) else None
    if not isinstance(providers, dict):
        raise payload_error(snapshot, "no 'providers' object")
    return [{"provider": entry.get("provider", name), **sku}
            for name, entry in providers.items() if isinstance(entry, dict)
            for sku in entry.get("skus") or [] if isinstance(sku, dict)]


def tier(value: Any) -> tuple[str, float] | None:
    """(price type, commitment months) of a ``price_tier``; None when unknown."""
    if value in ("on_demand", "spot"):
        return value, 0
    match = _COMMITMENT.match(str(value))
    return ("reserved", float(match.group("months"))) if match else None


def _add_row(snapshot: Snapshot, row: dict[str, Any], as_of: date,
             result: ParseResult) -> None:
    if row.get("source") == ESTIMATE:
        result.exclude("tracker's estimate, not observed")
        return
    kind = tier(row.get("price_tier"))
    if kind is None:
        result.reject(snapshot, f"unknown price_tier {row.get('price_tier')!r}", row)
        return
    try:
        observed = date.fromisoformat(row["date"]) if row.get("date") else as_of
    except ValueError:
        result.reject(snapshot, f"date {row.get('date')!r} is not a date", row)
        return
    total = row.get("total_hourly_usd")
    has_total = total not in (None, "")
    count = float(row["gpu_count"]) if str(row.get("gpu_count") or "").replace(
        ".", "", 1).isdigit() and float(row["gpu_count"]) > 0 else 1.0
    gpu = str(row.get("gpu_type") or "")
    add_offer(result, snapshot, row,
              listed_price=total if has_total else row.get("per_gpu_hourly_usd"),
              listed_unit="USD/hour", price_basis="instance" if has_total else "gpu",
              gpu_count=count if has_total else 1.0, commitment_months=kind[1],
              model=HistoryOffer, provider=str(row.get("provider") or "unknown"),
              observed_date=observed,
              sku=str(next((row[key] for key in SKU_KEYS if row.get(key)), gpu)),
              region=row.get("region") or "unknown", seller=None, provider_gpu_name=gpu,
              gpu_memory_gb=None, vcpus=None, memory_gb=None, price_type=kind[0],
              available=None, offer_id=None)
