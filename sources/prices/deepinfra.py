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
from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import (
    add_validated,
    price_number,
    rows_at,
)
from sources.prices.token_lists import parse_token_list, token_prices, token_source
from sources.snapshot import Snapshot

NAME = "deepinfra"
MODELS_URL = "https://api.deepinfra.com/v1/openai/models"


def fetch(session: FetchSession) -> None:
    session.get(MODELS_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_token_list(NAME, snapshots, rows_at("data"), _add_model)


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


SOURCE = token_source(
    name=NAME,
    title="DeepInfra model list with per-token prices",
    homepage="https://deepinfra.com/pricing",
    urls=(MODELS_URL,),
    terms="DeepInfra's OpenAI-compatible models endpoint, answered without a key; DeepInfra's "
          "Terms of Service apply. USD per million tokens.",
    fetch=fetch,
    parse=parse,
)
