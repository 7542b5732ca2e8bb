"""Together AI: per-token prices of the models Together serves, from its model list API.

Endpoint: ``GET https://api.together.xyz/v1/models``, one response. It needs an API key, read
from ``TOGETHER_API_KEY`` and sent as ``Authorization: Bearer <key>`` (never in the URL). Docs:
https://docs.together.ai/reference/models-1

Format: a bare JSON array (no envelope) of ``{id, object, created, type, running, display_name,
organization, link, license, context_length, config, pricing: {hourly, input, output, base,
finetune}}``. For chat and language models ``input``/``output`` are USD per **million** tokens
(Llama-3.3-70B-Instruct-Turbo 0.88/0.88).

Kept: models of :data:`TOKEN_TYPES` (chat, language, code, moderation) with a pricing object.
Excluded by policy: other types, whose ``input`` is not per token (audio models price per
million characters, image and video models per image or second and list 0 here), and chat
models listing 0 for both input and output (dedicated-endpoint-only or retired models: 0 is
not a free price on Together). A missing, boolean, text, negative or non-finite price is
rejected with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.records.gpu_clouds import TokenPrice
from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import (
    add_validated,
    load_json,
    payload_error,
    require_rows,
)
from sources.prices.keys import key_headers
from sources.prices.token_lists import parse_token_list, token_prices, token_source
from sources.snapshot import Snapshot

NAME = "together"
API_KEY_ENV = "TOGETHER_API_KEY"
MODELS_URL = "https://api.together.xyz/v1/models"
TOKEN_TYPES = frozenset({"chat", "language", "code", "moderation"})
REQUIRED = {"input": "usd_per_million_input_tokens",
            "output": "usd_per_million_output_tokens"}


def fetch(session: FetchSession) -> None:
    session.get(MODELS_URL, headers=key_headers(session))


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_token_list(NAME, snapshots, _models, _add_model)


def _models(snapshot: Snapshot) -> list[dict[str, Any]]:
    payload = load_json(snapshot)
    if isinstance(payload, dict):
        raise payload_error(snapshot, f"expected a JSON array of models, got an object "
                                      f"with {sorted(payload)[:8]}")
    return require_rows(snapshot, payload, "the top level")


def _add_model(snapshot: Snapshot, model: dict[str, Any], result: ParseResult) -> None:
    if model.get("type") not in TOKEN_TYPES:
        result.exclude("not priced per token")
        return
    pricing = model.get("pricing")
    if not isinstance(pricing, dict):
        result.reject(snapshot, "no pricing object", model)
        return
    prices = token_prices(pricing, REQUIRED)
    if isinstance(prices, str):
        result.reject(snapshot, prices, model)
        return
    if not any(prices.values()):
        result.exclude("no per-token price (0 input and output)")
        return
    add_validated(result, snapshot, TokenPrice, {
        "model_id": model.get("id"),
        "model_name": model.get("display_name"),
        "model_type": model.get("type"),
        "context_length": model.get("context_length") or None,
        **prices,
        "usd_per_million_cached_input_tokens": None,
    }, model)


SOURCE = token_source(
    name=NAME,
    title="Together AI model list with per-token prices",
    homepage="https://www.together.ai/pricing",
    urls=(MODELS_URL,),
    terms="Together AI API; needs an API key (TOGETHER_API_KEY, sent as a Bearer header). "
          "Together's Terms of Service apply. USD per million tokens for chat models.",
    fetch=fetch,
    parse=parse,
    api_key_env=API_KEY_ENV,
    api_key_required=True,
)
