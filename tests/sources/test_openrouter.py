"""OpenRouter: golden parse of the models fixture, the per-token price rules, and the two real
/api/v1/models dumps from shared/data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import respx

from sources.archive import RawArchive
from sources.prices import openrouter
from tests.conftest import FIXTURES
from tests.sources.results import records, rejects

FIXTURE = "openrouter/models.json"


@pytest.fixture
def parsed(fixture_snapshots):
    return openrouter.parse(fixture_snapshots(openrouter.SOURCE, FIXTURE))


def by_id(result):
    return {r.model_id: r for r in records(result)}


def test_fixture_counts(parsed):
    assert sorted(by_id(parsed)) == [
        "anthropic/claude-sonnet-4.6", "deepseek/deepseek-chat",
        "meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-8b-instruct",
        "meta-llama/llama-3.3-70b-instruct:free", "mistralai/mixtral-8x7b-instruct",
        "qwen/qwen-2.5-72b-instruct"]
    assert [(r.reason, r.record["id"]) for r in rejects(parsed)] == [
        ("pricing.prompt is negative ('-1')", "openrouter/auto")]


def test_prices_are_usd_per_token(parsed):
    llama = by_id(parsed)["meta-llama/llama-3.1-70b-instruct"]
    assert (llama.usd_per_input_token, llama.usd_per_output_token) == (4e-7, 4e-7)
    assert llama.usd_per_request is None
    assert llama.created_datetime == datetime(2024, 7, 23, tzinfo=UTC)
    assert (llama.context_length, llama.modality, llama.tokenizer) == (
        131072, "text->text", "Llama3")


def test_cache_read_price_and_canonical_slug(parsed):
    sonnet = by_id(parsed)["anthropic/claude-sonnet-4.6"]
    assert sonnet.usd_per_input_cache_read_token == 3e-7
    assert sonnet.canonical_slug == "anthropic/claude-4.6-sonnet-20260217"


def test_zero_is_a_real_price(parsed):
    free = by_id(parsed)["meta-llama/llama-3.3-70b-instruct:free"]
    assert (free.usd_per_input_token, free.usd_per_output_token) == (0.0, 0.0)


PRICED_MODEL = {"id": "x/priced", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}


def parse_models(make_snapshot, *models):
    body = json.dumps({"data": list(models)}).encode()
    return openrouter.parse([make_snapshot("openrouter", body, url=openrouter.MODELS_URL)])


@pytest.mark.parametrize(("pricing", "reason"), [
    ({"completion": "0.000001"}, "pricing.prompt is missing"),
    ({"prompt": "0.000001"}, "pricing.completion is missing"),
    ({"prompt": "free", "completion": "0"}, "pricing.prompt is not a number ('free')"),
    ({"prompt": "NaN", "completion": "0"}, "pricing.prompt is not a number ('NaN')"),
    ({"prompt": "0", "completion": "-1"}, "pricing.completion is negative ('-1')"),
    ({"prompt": "0", "completion": "0", "request": "-1"},
     "invalid row: usd_per_request: Input should be greater than or equal to 0"),
])
def test_unusable_prices_are_rejected_with_a_reason(make_snapshot, pricing, reason):
    result = parse_models(make_snapshot, {"id": "x/tested", "pricing": pricing}, PRICED_MODEL)
    assert [r.reason for r in rejects(result)] == [reason]
    assert [r.model_id for r in records(result)] == ["x/priced"]


def test_fetch_gets_the_model_list(live_session, archive_dir):
    with respx.mock(assert_all_called=True) as network:
        network.get(openrouter.MODELS_URL).respond(200, content=(FIXTURES / FIXTURE).read_bytes())
        openrouter.fetch(live_session(openrouter.SOURCE))
    [entry] = RawArchive(archive_dir).entries("openrouter")
    assert (entry.method, entry.url, entry.status_code) == ("GET", openrouter.MODELS_URL, 200)


@pytest.mark.shared_data
@pytest.mark.parametrize(("dump", "models", "routers"), [
    ("openrouter_models_2025-05-23.json", 321, {"openrouter/auto"}),
    ("openrouter_models_2026-05-20.json", 356,
     {"openrouter/auto", "openrouter/pareto-code", "openrouter/bodybuilder"}),
])
def test_real_dumps_account_for_every_model(shared_data, make_snapshot, dump, models, routers):
    path = shared_data / "prices/openrouter" / dump
    result = openrouter.parse([make_snapshot("openrouter", path.read_bytes(),
                                             url=f"file:{dump}")])
    assert len(records(result)) + len(rejects(result)) == models
    assert {r.record["id"] for r in rejects(result)} == routers
    assert {r.reason for r in rejects(result)} == {"pricing.prompt is negative ('-1')"}
    free = [r for r in records(result) if r.model_id.endswith(":free")]
    assert free and all(r.usd_per_input_token == 0 for r in free)
