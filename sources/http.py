"""The one HTTP client every source uses, and the fetch session that archives what it receives.

What belongs here: timeouts, retries (httpx-retries, honouring ``Retry-After``), the per-host
minimum interval, the User-Agent, robots.txt for HTML pages, the response size cap, secret
redaction, replay from a recorded archive, and :class:`FetchSession`, which turns every response
into an archived :class:`~sources.snapshot.Snapshot` before anyone parses it.
Source-specific request logic belongs in the source modules.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from httpx_retries import Retry, RetryTransport
from protego import Protego

from sources.archive import ManifestEntry, RawArchive
from sources.errors import FetchError, ReplayMissError, RobotsDisallowedError
from sources.snapshot import Snapshot, sha256_hex

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/compute-atlas/compute-atlas"
try:
    _VERSION = version("compute-atlas")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0"
USER_AGENT = f"compute-atlas/{_VERSION} (+{PROJECT_URL})"

# Query parameters whose values are secrets wherever they appear.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "auth",
                           "signature", "sig", "client_secret", "password"})
REDACTED = "REDACTED"


@dataclass(frozen=True)
class HttpSettings:
    """Politeness and robustness knobs; the defaults suit public price APIs."""

    user_agent: str = USER_AGENT
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    min_interval_s: float = 1.0  # per host, between the start of two requests
    max_response_bytes: int = 64 * 1024 * 1024
    retries: int = 4
    backoff_factor_s: float = 1.0
    max_backoff_wait_s: float = 60.0
    total_backoff_s: float = 300.0


# ---------------------------------------------------------------------------- redaction


class SecretRegistry:
    """Secret values seen this process; anything logged or stored passes through :meth:`redact`."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        if value:
            with self._lock:
                self._values.add(value)

    def redact(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, REDACTED)
        return text


SECRETS = SecretRegistry()


def redact_url(url: str | httpx.URL) -> str:
    """The URL with secret query parameters and every registered secret value replaced.

    A URL without secret parameters keeps its exact spelling, so replay keys stay stable.
    """
    text = str(url)
    parts = urlsplit(text)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(k.lower() in SECRET_PARAMS for k, _ in pairs):
        query = [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs]
        text = urlunsplit(parts._replace(query=urlencode(query)))
    return SECRETS.redact(text)


_URL = re.compile(r"https?://[^\s\"']+")


class RedactingFilter(logging.Filter):
    """Scrubs secrets from log records (httpx logs every request URL at INFO, httpx-retries
    every request at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRETS.redact(_URL.sub(lambda m: redact_url(m.group(0)), message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# Logger filters only see records of their own logger, so name every logger that prints URLs.
for _name in ("httpx", "httpx_retries", "httpx_retries.transport", __name__):
    logging.getLogger(_name).addFilter(RedactingFilter())


# ---------------------------------------------------------------------------- transports


class HostRateLimiter(httpx.BaseTransport):
    """Waits so that two requests to one host start at least ``min_interval_s`` apart.

    It sits beneath the retry transport, so retries are paced too.
    """

    def __init__(self, inner: httpx.BaseTransport, min_interval_s: float,
                 clock=time.monotonic, sleep=time.sleep) -> None:
        self._inner = inner
        self._min_interval_s = min_interval_s
        self._last_start: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        with self._lock:
            now = self._clock()
            wait = self._last_start.get(host, -float("inf")) + self._min_interval_s - now
            self._last_start[host] = now + max(wait, 0.0)
        if wait > 0:
            self._sleep(wait)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from a recorded archive instead of the network.

    A request matches a recording on method, redacted URL and the sha256 of its body. A request
    with no recording raises :class:`ReplayMissError` naming the URL.
    """

    def __init__(self, archive: RawArchive) -> None:
        self._archive = archive
        self._index: dict[tuple[str, str, str | None], ManifestEntry] = archive.recording_index()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        key = (request.method, redact_url(request.url), sha256_hex(body) if body else None)
        entry = self._index.get(key)
        if entry is None:
            raise ReplayMissError(
                f"replay archive {self._archive.root} has no recording of {key[0]} {key[1]}"
                + (f" (request body sha256 {key[2]})" if key[2] else ""))
        snapshot = self._archive.load(entry)
        headers = {"content-type": entry.content_type} if entry.content_type else {}
        return httpx.Response(entry.status_code, headers=headers, content=snapshot.body,
                              request=request)


def build_client(settings: HttpSettings = HttpSettings(),
                 transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The configured client: timeouts, User-Agent, per-host pacing and retries.

    ``transport`` replaces the network (a :class:`ReplayTransport`, or a mock in tests); pacing
    and retries wrap it either way so the same behaviour is exercised.
    """
    base = transport or httpx.HTTPTransport(retries=2)  # connect-level retries only
    retry = Retry(
        total=settings.retries,
        backoff_factor=settings.backoff_factor_s,
        max_backoff_wait=settings.max_backoff_wait_s,
        total_timeout=settings.total_backoff_s,
        respect_retry_after_header=True,
        status_forcelist=[429, 500, 502, 503, 504],
        # Our POSTs are read-only queries (GraphQL), so they are safe to repeat.
        allowed_methods=["GET", "HEAD", "POST"],
    )
    return httpx.Client(
        transport=RetryTransport(transport=HostRateLimiter(base, settings.min_interval_s),
                                 retry=retry),
        timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
        headers={"User-Agent": settings.user_agent},
        follow_redirects=True,
    )


# ---------------------------------------------------------------------------- robots.txt


class RobotsGate:
    """Fetches robots.txt once per host and refuses disallowed URLs (HTML pages only)."""

    def __init__(self, client: httpx.Client, user_agent: str) -> None:
        self._client = client
        self._user_agent = user_agent
        self._rules: dict[str, Protego | None] = {}

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            try:
                response = self._client.get(f"{origin}/robots.txt")
                self._rules[origin] = (Protego.parse(response.text)
                                       if response.status_code == 200 else None)
            except httpx.HTTPError:
                self._rules[origin] = None  # unreachable robots.txt: no rules (RFC 9309 §2.3.1.3)
        rules = self._rules[origin]
        if rules is not None and not rules.can_fetch(url, self._user_agent):
            raise RobotsDisallowedError(f"robots.txt of {origin} disallows {redact_url(url)}")


# ---------------------------------------------------------------------------- fetch session


class FetchSession:
    """One fetch of one source for one observation date.

    Every response (success or error status) is archived before it is returned, so the raw
    payload is kept whatever happens next. Responses with an error status raise
    :class:`FetchError` after archiving.
    """

    def __init__(self, *, source: str, observation_date: date, client: httpx.Client,
                 archive: RawArchive, mode: str, settings: HttpSettings = HttpSettings(),
                 api_key: str | None = None, check_robots: bool = False) -> None:
        self.source = source
        self.observation_date = observation_date
        self.fetch_id = uuid.uuid4().hex
        self.api_key = api_key
        SECRETS.add(api_key)
        self._client = client
        self._archive = archive
        self._mode = mode
        self._settings = settings
        self._robots = RobotsGate(client, settings.user_agent) if check_robots else None
        self.snapshots: list[Snapshot] = []

    def get(self, url: str, *, params: dict | None = None,
            headers: dict | None = None) -> Snapshot:
        return self.request("GET", url, params=params, headers=headers)

    def post(self, url: str, *, json_body: object, headers: dict | None = None) -> Snapshot:
        return self.request("POST", url, json_body=json_body, headers=headers)

    def request(self, method: str, url: str, *, params: dict | None = None,
                headers: dict | None = None, json_body: object = None) -> Snapshot:
        request = self._client.build_request(method, url, params=params, headers=headers,
                                             json=json_body)
        safe_url = redact_url(request.url)
        if self._robots is not None:
            self._robots.check(str(request.url))
        log.info("%s: %s %s", self.source, method, safe_url)
        try:
            response = self._client.send(request, stream=True)
            try:
                body = self._read_capped(response, safe_url)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise FetchError(f"{self.source}: timed out after retries: {method} {safe_url} "
                             f"({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{self.source}: {type(exc).__name__} after retries: "
                             f"{method} {safe_url}: {SECRETS.redact(str(exc))}") from exc
        request_body = request.content
        snapshot = Snapshot(
            source=self.source,
            observation_date=self.observation_date,
            fetch_id=self.fetch_id,
            sequence=len(self.snapshots),
            mode=self._mode,
            method=method,
            url=safe_url,
            request_body_sha256=sha256_hex(request_body) if request_body else None,
            status_code=response.status_code,
            content_type=response.headers.get("content-type"),
            fetched_at=datetime.now(UTC),
            body=body,
        )
        self._archive.save(snapshot)
        self.snapshots.append(snapshot)
        if not snapshot.ok:
            raise FetchError(f"{self.source}: HTTP {response.status_code} from {method} "
                             f"{safe_url} (body archived as {snapshot.sha256[:12]})")
        return snapshot

    def _read_capped(self, response: httpx.Response, safe_url: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._settings.max_response_bytes:
                raise FetchError(f"{self.source}: response from {safe_url} exceeds the "
                                 f"{self._settings.max_response_bytes:,} byte cap")
            chunks.append(chunk)
        return b"".join(chunks)


def ingest_file(*, source: str, observation_date: date, body: bytes, file_name: str,
                archive: RawArchive, content_type: str | None = None) -> Snapshot:
    """Archive a hand-downloaded payload as a one-snapshot fetch (mode ``file``)."""
    snapshot = Snapshot(
        source=source,
        observation_date=observation_date,
        fetch_id=uuid.uuid4().hex,
        sequence=0,
        mode="file",
        method="FILE",
        url=f"file:{file_name}",
        request_body_sha256=None,
        status_code=200,
        content_type=content_type,
        fetched_at=datetime.now(UTC),
        body=body,
    )
    archive.save(snapshot)
    return snapshot

