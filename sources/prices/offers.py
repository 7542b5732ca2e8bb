"""What every GPU price source shares: turning one listed price into a
:class:`~models.records.gpu_clouds.GpuOffer` (or a reject with its reason), the parse loop and
its last step, and the registry entry of a GPU offer source.

What belongs here: the units providers list prices in and their factor to USD per hour, the
per-instance vs per-GPU arithmetic, amortising a reserved term's upfront payment, the price
checks every source needs (booleans, text, NaN, negative and zero prices are rejects, never
crashes), one offer per conformed-table key, and :func:`offer_source`. What a provider's field
means stays in its source module.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from models.records.gpu_clouds import GpuOffer, PriceBasis
from sources.base import ParseResult, Source
from sources.parsing import (
    add_validated,
    parse_each,
    price_number,
    reject_duplicates,
    require_records,
)
from sources.snapshot import Snapshot

log = logging.getLogger(__name__)

HOURS_PER_MONTH = 365.25 * 24 / 12
# listed unit -> factor to USD per hour
USD_PER_HOUR_FACTOR: dict[str, float] = {
    "USD/hour": 1.0,
    "USD cents/hour": 0.01,
    "USD/second": 3600.0,
    "USD/month": 1 / HOURS_PER_MONTH,
}


def offer_prices(listed_price: float, listed_unit: str, price_basis: PriceBasis,
                 gpu_count: float, *, upfront_usd: float | None = None,
                 commitment_months: float = 0) -> tuple[float, float]:
    """(usd_per_hour for the instance, usd_per_gpu_hour) of a listed price; an upfront payment
    is spread over the hours of the commitment."""
    hourly = listed_price * USD_PER_HOUR_FACTOR[listed_unit]
    per_hour = hourly * gpu_count if price_basis == "gpu" else hourly
    if upfront_usd:
        per_hour += upfront_usd / (commitment_months * HOURS_PER_MONTH)
    return per_hour, per_hour / gpu_count


def add_offer(result: ParseResult, snapshot: Snapshot, raw: dict[str, Any], *,
              listed_price: Any, listed_unit: str, price_basis: PriceBasis, gpu_count: Any,
              upfront_usd: Any = None, commitment_months: float = 0,
              model: type[GpuOffer] = GpuOffer, **fields: Any) -> None:
    """Add one offer of ``snapshot`` to ``result``, or reject ``raw`` with the reason.

    ``listed_price`` and ``upfront_usd`` are checked as prices (see
    :func:`~sources.parsing.price_number`); the rest is validated by ``model`` (GpuOffer or
    a subclass).
    """
    # A reserved term paid all upfront lists an hourly rate of 0: the upfront fee is the price.
    price = price_number(listed_price, allow_zero=upfront_usd is not None)
    if isinstance(price, str):
        result.reject(snapshot, price, raw)
        return
    upfront = None
    if upfront_usd is not None:
        upfront = price_number(upfront_usd, allow_zero=True)
        if isinstance(upfront, str):
            result.reject(snapshot, f"upfront {upfront}", raw)
            return
        if upfront and not commitment_months:
            result.reject(snapshot, "upfront payment without a commitment term", raw)
            return
        if not price and not upfront:
            result.reject(snapshot, "price is 0 and there is no upfront payment", raw)
            return
    if isinstance(gpu_count, bool) or not isinstance(gpu_count, int | float) or gpu_count <= 0:
        result.reject(snapshot, f"GPU count is not a positive number ({gpu_count!r})", raw)
        return
    usd_per_hour, usd_per_gpu_hour = offer_prices(
        price, listed_unit, price_basis, gpu_count, upfront_usd=upfront,
        commitment_months=commitment_months)
    add_validated(result, snapshot, model, {
        **fields,
        "gpu_count": gpu_count,
        "commitment_months": commitment_months,
        "price_basis": price_basis,
        "listed_price": price,
        "listed_unit": listed_unit,
        "upfront_usd": upfront,
        "usd_per_hour": usd_per_hour,
        "usd_per_gpu_hour": usd_per_gpu_hour,
    }, raw)


def optional_number(value: Any, scale: float = 1.0) -> float | None:
    """A positive size (memory, vCPUs) times ``scale``; None when absent, zero or not a number
    (sizes are descriptive: a bad one must not cost the offer its price)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").split()[0])
        except (ValueError, IndexError):
            return None
    if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        return None
    return float(value) * scale


def finish(name: str, result: ParseResult, snapshots: Sequence[Snapshot],
           rows_read: int) -> ParseResult:
    """The last step of every GPU offer parse: one offer per (sku, region, price type,
    commitment) -- the conformed table's key -- with later duplicates rejected, then refuse a
    parse without records, and log the counts."""
    reject_duplicates(result, lambda offer: (offer.sku, offer.region, offer.price_type,
                                             offer.commitment_months))
    require_records(result, snapshots, rows_read)
    log.info("%s: %d records, %d rejects, excluded %s", name, len(result.records),
             len(result.rejects), dict(result.excluded))
    return result


def parse_offers(name: str, snapshots: Sequence[Snapshot],
                 rows_of: Callable[[Snapshot], Iterable[Any]],
                 add_row: Callable[[Snapshot, Any, ParseResult], None]) -> ParseResult:
    """A whole GPU offer parse: ``add_row`` on every row of every snapshot, then :func:`finish`."""
    result, rows_read = parse_each(name, snapshots, rows_of, add_row)
    return finish(name, result, snapshots, rows_read)


def offer_source(*, name: str, title: str, protocol: Any, homepage: str, urls: tuple[str, ...],
                 terms: str, fetch: Callable, parse: Callable, **optional: Any) -> Source:
    """The registry entry of a daily GPU price source whose raw table holds GpuOffer rows
    (``raw.<name>__gpu_offers``); ``optional`` passes key and size settings through."""
    return Source(name=name, title=title, family="gpu_prices", protocol=protocol,
                  homepage=homepage, urls=urls, cadence="daily", terms=terms,
                  parser_version="1", record_model=GpuOffer,
                  raw_table=f"raw.{name}__gpu_offers", fetch=fetch, parse=parse, **optional)
