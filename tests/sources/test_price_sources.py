"""What every price source owes the pipeline: an honest registry entry, a ParseError that names
the source and URL for a payload it cannot read, and a fetch that retries and archives through
the shared client (network mocked with respx)."""

from __future__ import annotations

import httpx
import pytest
import respx

from sources.archive import RawArchive
from sources.errors import FetchError, ParseError
from sources.prices import azure_retail, openrouter, runpod
from tests.conftest import FIXTURES

PRICE_SOURCES = (azure_retail.SOURCE, runpod.SOURCE, openrouter.SOURCE)
by_name = pytest.mark.parametrize("source", PRICE_SOURCES, ids=lambda source: source.name)


@by_name
def test_registry_entry(source):
    assert source.raw_table.startswith(f"raw.{source.name}__")
    assert source.cadence == "daily"
    assert source.parser_version == "1"
    assert all(url.startswith("https://") for url in (source.homepage, *source.urls))
    assert len(source.terms) > 40
    assert source.fetch.__module__ == source.parse.__module__ == f"sources.prices.{source.name}"


def test_only_runpod_takes_an_optional_key():
    assert (runpod.SOURCE.api_key_env, runpod.SOURCE.api_key_required) == ("RUNPOD_API_KEY",
                                                                           False)
    assert azure_retail.SOURCE.api_key_env is openrouter.SOURCE.api_key_env is None


@by_name
@pytest.mark.parametrize(("payload", "problem"), [
    ("azure_retail/bad/service_unavailable.html", "expected JSON .* but got an HTML page"),
    ("openrouter/bad/cloudflare_502.html", "expected JSON .* but got an HTML page"),
    ("azure_retail/bad/truncated_page.json", "expected JSON .* but got malformed JSON"),
    ("runpod/bad/empty_body.json", "empty body"),
    ("openrouter/bad/data_renamed.json", "no '(Items|data)' field"),
])
def test_unreadable_payload_names_source_and_url(fixture_snapshots, source, payload, problem):
    with pytest.raises(ParseError, match=problem) as raised:
        source.parse(fixture_snapshots(source, payload))
    assert str(raised.value).startswith(f"{source.name}: ")
    assert source.urls[0] in str(raised.value)


@by_name
def test_nothing_to_parse(source):
    with pytest.raises(ParseError, match=f"{source.name}: no snapshots"):
        source.parse([])


# ---------------------------------------------------------------------------- fetch resilience

SINGLE_REQUEST_SOURCES = {
    "runpod": ("POST", runpod.GRAPHQL_URL, "runpod/gpu_types.json"),
    "openrouter": ("GET", openrouter.MODELS_URL, "openrouter/models.json"),
}
single_request = pytest.mark.parametrize(
    "source", [runpod.SOURCE, openrouter.SOURCE], ids=lambda source: source.name)


def ok(source) -> httpx.Response:
    return httpx.Response(200, content=(FIXTURES / SINGLE_REQUEST_SOURCES[source.name][2])
                          .read_bytes())


def route(network: respx.MockRouter, source):
    method, url, _ = SINGLE_REQUEST_SOURCES[source.name]
    return network.route(method=method, url=url)


@single_request
def test_server_error_then_success_is_retried(live_session, archive_dir, source):
    with respx.mock(assert_all_called=True) as network:
        calls = route(network, source).mock(side_effect=[httpx.Response(500), ok(source)])
        source.fetch(live_session(source))
    assert calls.call_count == 2
    retried, final = RawArchive(archive_dir).entries(source.name)
    assert (retried.status_code, retried.superseded) == (500, True)
    assert (final.status_code, final.superseded) == (200, False)
    assert RawArchive(archive_dir).latest_fetch(source.name, final.observation_date)


@single_request
def test_rate_limit_waits_as_long_as_retry_after_says(live_session, monkeypatch, source):
    waits: list[float] = []
    monkeypatch.setattr("httpx_retries.retry.time.sleep", waits.append)
    with respx.mock(assert_all_called=True) as network:
        route(network, source).mock(side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}), ok(source)])
        source.fetch(live_session(source))
    assert waits == [3.0]


@single_request
def test_persistent_server_error_raises_after_archiving_the_error_body(
        live_session, archive_dir, source):
    with respx.mock as network, pytest.raises(FetchError, match=r"HTTP 503 .*archived"):
        route(network, source).respond(503, text="upstream unavailable")
        source.fetch(live_session(source))
    archive = RawArchive(archive_dir)
    *retried, entry = archive.entries(source.name)
    assert retried and all(e.superseded and e.status_code == 503 for e in retried)
    assert entry.status_code == 503 and not entry.superseded
    assert archive.snapshot(entry).body == b"upstream unavailable"
    assert archive.latest_fetch(source.name, entry.observation_date) == []
