"""OpenRouter: the per-token API prices of every model OpenRouter routes to.

Endpoint (keyless): ``GET https://openrouter.ai/api/v1/models``, one response of roughly 0.5 MB
holding every listed model (about 320-360 in 2025-2026). Docs:
https://openrouter.ai/docs/api-reference/list-available-models

Format: ``{"data": [{id, canonical_slug, name, created, context_length, architecture{modality,
tokenizer, ...}, pricing{prompt, completion, request, input_cache_read, ...}, ...}]}``. Prices are
USD per token written as decimal strings ("0.00003"); ``created`` is a unix timestamp, stored as a
UTC datetime. Older payloads lack ``canonical_slug`` and ``input_cache_read``; both become NULL.

One record per model. "0" is a real price (the ":free" variants, and free preview models) and is
kept. A model whose prompt or completion price is missing, not a number or negative is rejected
with the reason: the routers (``openrouter/auto`` and similar) list "-1" because their price is
the price of whichever model they pick, so they have no price of their own.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from models.records.prices import OpenrouterModelPrice
from sources.base import ParseResult, Source
from sources.http import FetchSession
from sources.parsing import (
    add_validated,
    load_json,
    require_field,
    require_records,
    require_rows,
    require_snapshots,
)
from sources.snapshot import Snapshot

log = logging.getLogger(__name__)

NAME = "openrouter"
MODELS_URL = "https://openrouter.ai/api/v1/models"
# pricing key -> record field; the first two are required.
TOKEN_PRICES = {"prompt": "usd_per_input_token", "completion": "usd_per_output_token"}
OPTIONAL_PRICES = {"request": "usd_per_request",
                   "input_cache_read": "usd_per_input_cache_read_token"}


def fetch(session: FetchSession) -> None:
    session.get(MODELS_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    require_snapshots(NAME, snapshots)
    result = ParseResult()
    rows_read = 0
    for snapshot in snapshots:
        payload = load_json(snapshot)
        for model in require_rows(snapshot, require_field(snapshot, payload, "data"), "data"):
            rows_read += 1
            _add_model(snapshot, model, result)
    require_records(result, snapshots, rows_read)
    log.info("%s: %d records, %d rejects", NAME, len(result.records), len(result.rejects))
    return result


def _add_model(snapshot: Snapshot, model: dict[str, Any], result: ParseResult) -> None:
    pricing = model.get("pricing")
    if not isinstance(pricing, dict):
        result.reject(snapshot, "no pricing object", model)
        return
    prices: dict[str, float | None] = {}
    for key, record_field in TOKEN_PRICES.items():
        listed = pricing.get(key)
        price = _usd(listed)
        if listed is None:
            problem = "is missing"
        elif price is None:
            problem = f"is not a number ({listed!r})"
        elif price < 0:
            problem = f"is negative ({listed!r})"
        else:
            prices[record_field] = price
            continue
        result.reject(snapshot, f"pricing.{key} {problem}", model)
        return
    for key, record_field in OPTIONAL_PRICES.items():
        prices[record_field] = _usd(pricing.get(key))
    architecture = model.get("architecture") or {}
    created = model.get("created")
    add_validated(result, snapshot, OpenrouterModelPrice, {
        "model_id": model.get("id"),
        "canonical_slug": model.get("canonical_slug"),
        "name": model.get("name"),
        # A unix timestamp; anything else is left for validation to judge.
        "created_datetime": datetime.fromtimestamp(created, UTC)
        if isinstance(created, int) else created,
        "context_length": model.get("context_length"),
        "modality": architecture.get("modality"),
        "tokenizer": architecture.get("tokenizer"),
        **prices,
    }, model)


def _usd(value: Any) -> float | None:
    """A decimal price string as a float; None when absent or not a finite number."""
    try:
        price = float(value)
    except (TypeError, ValueError):
        return None
    return price if math.isfinite(price) else None


SOURCE = Source(
    name=NAME,
    title="OpenRouter model list with per-token prices",
    family="token_prices",
    protocol="json_api",
    homepage="https://openrouter.ai/models",
    urls=(MODELS_URL,),
    cadence="daily",
    terms="OpenRouter's public models endpoint, no key needed; OpenRouter's Terms of Service "
          "apply. Prices are OpenRouter's list prices in USD per token.",
    parser_version="1",
    record_model=OpenrouterModelPrice,
    raw_table="raw.openrouter__models",
    fetch=fetch,
    parse=parse,
)
