"""The shared HTTP client and fetch session: retries, pacing, robots, size cap, redaction,
archiving of every response, replay."""

import logging
from datetime import date

import httpx
import pytest
import respx

from sources.archive import RawArchive
from sources.errors import FetchError, ReplayMissError, RobotsDisallowedError
from sources.http import (
    SECRETS,
    USER_AGENT,
    FetchSession,
    HostRateLimiter,
    HttpSettings,
    ReplayTransport,
    build_client,
    redact_url,
)

DAY = date(2026, 11, 20)
FAST = HttpSettings(min_interval_s=0, backoff_factor_s=0.001, max_backoff_wait_s=0.01)


def _session(archive, settings=FAST, transport=None, **kwargs):
    client = build_client(settings, transport=transport)
    return FetchSession(source="demo", observation_date=DAY, client=client, archive=archive,
                        mode="live", settings=settings, **kwargs)


@respx.mock
def test_retries_5xx_and_429_then_succeeds_and_sends_user_agent(tmp_path):
    route = respx.get("https://api.example.org/prices").mock(side_effect=[
        httpx.Response(503), httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(200, json={"ok": True})])
    snap = _session(RawArchive(tmp_path)).get("https://api.example.org/prices")
    assert snap.status_code == 200 and route.call_count == 3
    assert route.calls.last.request.headers["User-Agent"] == USER_AGENT
    assert "compute-atlas" in USER_AGENT and "+https://" in USER_AGENT


@respx.mock
def test_error_status_is_archived_then_raised(tmp_path):
    respx.get("https://api.example.org/down").mock(
        return_value=httpx.Response(500, text="<html>oops</html>"))
    archive = RawArchive(tmp_path)
    with pytest.raises(FetchError, match=r"HTTP 500 from GET https://api.example.org/down"):
        _session(archive).get("https://api.example.org/down")
    *retried, entry = archive.entries()
    assert len(retried) == FAST.retries and all(e.superseded for e in retried)
    assert entry.status_code == 500 and archive.snapshot(entry).body == b"<html>oops</html>"


@respx.mock
def test_timeout_becomes_a_fetch_error_naming_the_url(tmp_path):
    respx.get("https://api.example.org/slow").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(FetchError, match="timed out after retries: GET https://api.example.org/slow"):
        _session(RawArchive(tmp_path)).get("https://api.example.org/slow")


@respx.mock
def test_response_size_cap(tmp_path):
    respx.get("https://api.example.org/big").mock(return_value=httpx.Response(200,
                                                                             content=b"x" * 2048))
    small = HttpSettings(min_interval_s=0, max_response_bytes=1024)
    with pytest.raises(FetchError, match="exceeds the 1,024 byte cap"):
        _session(RawArchive(tmp_path), settings=small).get("https://api.example.org/big")


@respx.mock
def test_api_key_never_reaches_the_archive_or_logs(tmp_path, caplog):
    respx.get("https://api.example.org/v1").mock(return_value=httpx.Response(200, json=[]))
    archive = RawArchive(tmp_path)
    session = _session(archive, api_key="sk-live-very-secret")
    with caplog.at_level(logging.DEBUG):
        session.get("https://api.example.org/v1", params={"api_key": "sk-live-very-secret"},
                    headers={"Authorization": "Bearer sk-live-very-secret"})
    manifest = archive.manifest_path.read_text()
    assert "sk-live-very-secret" not in manifest and "api_key=REDACTED" in manifest
    assert "sk-live-very-secret" not in caplog.text


def test_redact_url_keeps_urls_without_secrets_verbatim():
    url = "https://prices.azure.com/api/retail/prices?$filter=serviceName eq 'Virtual Machines'"
    assert redact_url(url) == url
    SECRETS.add("tok-123456")
    assert redact_url("https://x.org/p/tok-123456?token=abc") == \
        "https://x.org/p/REDACTED?token=REDACTED"


def test_rate_limiter_spaces_requests_to_one_host():
    now = [100.0]
    sleeps = []
    inner = httpx.MockTransport(lambda request: httpx.Response(200))

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    limiter = HostRateLimiter(inner, 2.0, clock=lambda: now[0], sleep=sleep)
    for url in ("https://a.org/1", "https://a.org/2", "https://b.org/1", "https://a.org/3"):
        limiter.handle_request(httpx.Request("GET", url))
    assert sleeps == [2.0, 2.0]  # a.org twice; b.org not delayed


@respx.mock
def test_robots_disallow_sends_no_request(tmp_path):
    respx.get("https://site.example.org/robots.txt").mock(return_value=httpx.Response(
        200, text="User-agent: *\nDisallow: /private\n"))
    page = respx.get("https://site.example.org/private/prices")
    with pytest.raises(RobotsDisallowedError, match="disallows"):
        _session(RawArchive(tmp_path), check_robots=True).get(
            "https://site.example.org/private/prices")
    assert not page.called


@respx.mock
def test_robots_allow(tmp_path):
    respx.get("https://site.example.org/robots.txt").mock(return_value=httpx.Response(
        200, text="User-agent: *\nDisallow: /private\n"))
    respx.get("https://site.example.org/pricing").mock(return_value=httpx.Response(200,
                                                                                   text="<p>"))
    assert _session(RawArchive(tmp_path), check_robots=True).get(
        "https://site.example.org/pricing").ok


def test_replay_serves_recordings_by_method_url_and_body(tmp_path):
    recorded = RawArchive(tmp_path / "recorded")
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"q": r.content.decode()}))
    session = _session(recorded, transport=transport)
    session.post("https://api.example.org/graphql", json_body={"query": "a"})
    session.get("https://api.example.org/list?page=2")

    replay = _session(RawArchive(tmp_path / "ours"), transport=ReplayTransport(recorded))
    assert replay.post("https://api.example.org/graphql",
                       json_body={"query": "a"}).body == b'{"q":"{\\"query\\":\\"a\\"}"}'
    assert replay.get("https://api.example.org/list?page=2").ok
    with pytest.raises(ReplayMissError, match="no recording of POST https://api.example.org/graphql"):
        replay.post("https://api.example.org/graphql", json_body={"query": "b"})
    with pytest.raises(ReplayMissError, match="GET https://api.example.org/list\\?page=3"):
        replay.get("https://api.example.org/list?page=3")
