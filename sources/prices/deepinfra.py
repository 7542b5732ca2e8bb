"""DeepInfra: per-token prices of the models DeepInfra serves, from its OpenAI-compatible model
list.

Endpoint (keyless): ``GET https://api.deepinfra.com/v1/openai/models``, one response.

Format: ``{object: "list", data: [{id, object, created, owned_by, root, parent, metadata:
{description, context_length, max_tokens, pricing: {input_tokens, output_tokens,
cache_read_tokens?}, tags} | null}]}``. Prices are USD per **million** tokens as JSON numbers
(with float noise such as 2.5999999999999996, kept as is).

One record per model with a ``metadata.pricing`` object holding input and output prices. Models
with ``metadata`` null or no token pricing (embeddings, image and rerank models are priced
otherwise) are excluded by policy; a missing, boolean, text, negative or non-finite token price
is rejected with the reason. 0 is a real price (free models) and is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.records.gpu_clouds import TokenPrice
from sources.base import ParseResult, Source
from sources.http import FetchSession
from sources.parsing import (
    add_validated,
    load_json,
    price_number,
    reject_duplicates,
    require_field,
    require_records,
    require_rows,
    require_snapshots,
)
from sources.snapshot import Snapshot

NAME = "deepinfra"
MODELS_URL = "https://api.deepinfra.com/v1/openai/models"


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
    reject_duplicates(result, lambda model: model.model_id)
    require_records(result, snapshots, rows_read)
    return result


def token_prices(pricing: dict[str, Any], keys: dict[str, str]) -> dict[str, float] | str:
    """``{record field: price}`` for ``keys`` (pricing key -> record field), or the reason one
    of them is not a usable price. Shared by the per-token sources."""
    prices = {}
    for key, record_field in keys.items():
        price = price_number(pricing.get(key), allow_zero=True)
        if isinstance(price, str):
            return f"pricing.{key}: {price}"
        prices[record_field] = price
    return prices


REQUIRED = {"input_tokens": "usd_per_million_input_tokens",
            "output_tokens": "usd_per_million_output_tokens"}


def _add_model(snapshot: Snapshot, model: dict[str, Any], result: ParseResult) -> None:
    metadata = model.get("metadata")
    pricing = metadata.get("pricing") if isinstance(metadata, dict) else None
    if not isinstance(pricing, dict) or not set(REQUIRED) & set(pricing):
        result.exclude("not priced per token")
        return
    prices = token_prices(pricing, REQUIRED)
    if isinstance(prices, str):
        result.reject(snapshot, prices, model)
        return
    cached = pricing.get("cache_read_tokens")
    add_validated(result, snapshot, TokenPrice, {
        "model_id": model.get("id"),
        "model_name": model.get("id"),
        "model_type": None,
        "context_length": metadata.get("context_length") or None,
        **prices,
        "usd_per_million_cached_input_tokens": cached if isinstance(price_number(
            cached, allow_zero=True), float) else None,
    }, model)


SOURCE = Source(
    name=NAME,
    title="DeepInfra model list with per-token prices",
    family="token_prices",
    protocol="json_api",
    homepage="https://deepinfra.com/pricing",
    urls=(MODELS_URL,),
    cadence="daily",
    terms="DeepInfra's OpenAI-compatible models endpoint, answered without a key; DeepInfra's "
          "Terms of Service apply. USD per million tokens.",
    parser_version="1",
    record_model=TokenPrice,
    raw_table="raw.deepinfra__token_prices",
    fetch=fetch,
    parse=parse,
)
