"""Every daily source fetching live over real sockets: one local HTTP server per source host
answers with the recorded demo payloads (requests are routed to them as a hosts file would),
one host answers 500s and another garbage, and every other source still arrives, is built and
published."""

from __future__ import annotations

import http.server
import threading

import duckdb
import httpx
import pytest

from pipelines.steps import fetch_source, parse_source
from sources.archive import RawArchive
from sources.http import HttpSettings
from sources.registry import SOURCES
from sources.snapshot import sha256_hex
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE
from warehouse.build import PRICES, build_domain_partition
from warehouse.connection import WarehouseSettings
from warehouse.publish import publish_snapshot
from warehouse.reference import refresh_cached
from warehouse.schema import ensure_schema

# Real sockets, to this machine only.
pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DAILY = [s for s in SOURCES.values() if s.cadence == "daily"]
FAULTS = {"openrouter.ai": "500", "api.runpod.io": "garbage"}
FAST = HttpSettings(min_interval_s=0, retries=1, backoff_factor_s=0.001, max_backoff_wait_s=0.01)


class RecordedHost(http.server.ThreadingHTTPServer):
    """A server standing in for one host, answering what the demo archive recorded for it."""

    def __init__(self, host: str, recordings: dict, fault: str | None) -> None:
        super().__init__(("127.0.0.1", 0), RecordedHandler)
        self.host, self.recordings, self.fault = host, recordings, fault
        threading.Thread(target=self.serve_forever, daemon=True).start()


class RecordedHandler(http.server.BaseHTTPRequestHandler):
    server: RecordedHost

    def log_message(self, *args) -> None:
        pass

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = f"https://{self.server.host}{self.path}"
        key = (self.command, url, sha256_hex(body) if body else None)
        entry = self.server.recordings.get(key)
        if self.server.fault == "500":
            status, payload, kind = 500, b"<html>upstream error</html>", "text/html"
        elif self.server.fault == "garbage":
            status, payload, kind = 200, b"\x00\x01 not json {", "application/json"
        elif entry is None:
            status, payload, kind = 404, f"no recording of {key}".encode(), "text/plain"
        else:
            status = entry.status_code
            payload = RawArchive(DEMO_ARCHIVE).snapshot(entry).body
            kind = entry.content_type or "application/octet-stream"
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer


class HostsFile(httpx.HTTPTransport):
    """Sends each request to the local server of its host, over a real socket."""

    def __init__(self, servers: dict[str, RecordedHost]) -> None:
        super().__init__()
        self._servers = servers

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        server = self._servers[request.url.host]
        local = httpx.Request(request.method, request.url.copy_with(
            scheme="http", host="127.0.0.1", port=server.server_port),
            headers=request.headers, content=request.read(), extensions=request.extensions)
        response = super().handle_request(local)
        response.request = request
        return response


@pytest.fixture
def servers():
    recordings: dict[str, dict] = {}
    for key, entry in RawArchive(DEMO_ARCHIVE).recording_index().items():
        recordings.setdefault(httpx.URL(key[1]).host, {})[key] = entry
    started = {host: RecordedHost(host, hosts_recordings, FAULTS.get(host))
               for host, hosts_recordings in recordings.items()}
    yield started
    for server in started.values():
        server.shutdown()
        server.server_close()


def test_every_daily_source_over_its_own_local_server(servers, tmp_path):
    assert len(servers) >= 15  # one per source host
    settings = WarehouseSettings.from_env(tmp_path / "data")
    archive = RawArchive(settings.archive_dir)
    network = HostsFile(servers)
    fetched = {s.name: fetch_source(archive, s, DEMO_DATE, "live", http=FAST, network=network)
               for s in DAILY}
    with settings.connect() as con:
        ensure_schema(con)
        refresh_cached(con)
        parsed = {s.name: parse_source(con, archive, s, DEMO_DATE, run_id="servers")
                  for s in DAILY}
        build_domain_partition(con, PRICES, DEMO_DATE, run_id="servers")
        publish_snapshot(con, settings.published_path)
    assert not fetched["openrouter"].ok and "HTTP 500" in fetched["openrouter"].error
    assert fetched["runpod"].ok and not parsed["runpod"].ok
    assert "malformed JSON" in parsed["runpod"].error
    failed = {name for name, outcome in parsed.items() if not outcome.ok}
    assert failed == {"openrouter", "runpod"}
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        providers = {r[0] for r in con.execute(
            "SELECT DISTINCT source FROM core.cloud__daily_gpu_offers").fetchall()}
    gpu_sources = {s.name for s in DAILY if s.family == "gpu_prices"} - failed
    assert providers == gpu_sources
