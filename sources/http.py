"""The one HTTP client every source uses, and the fetch session that archives what it receives.

What belongs here: timeouts, retries (httpx-retries, honouring ``Retry-After``), the per-host
minimum interval, the User-Agent, robots.txt for HTML pages, the response size cap and the
overall deadline, replay from a recorded archive, and :class:`FetchSession`, which streams every
response body (retried error responses included) into the archive before anyone parses it.
Redaction of secrets is :mod:`sources.secrets`.
Source-specific request logic belongs in the source modules.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from httpx_retries import Retry, RetryTransport
from protego import Protego

from sources.archive import ManifestEntry, RawArchive, ResponseMeta
from sources.errors import FetchError, ReplayMissError, RobotsDisallowedError
from sources.secrets import SECRETS, redact_text, redact_url
from sources.snapshot import CHUNK_BYTES, Snapshot, sha256_hex

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/compute-atlas/compute-atlas"
try:
    _VERSION = version("compute-atlas")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0"
USER_AGENT = f"compute-atlas/{_VERSION} (+{PROJECT_URL})"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# An error page is kept whole up to here; past it the rest is dropped (it is an error page).
ERROR_BODY_MAX_BYTES = 1024 * 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class HttpSettings:
    """Politeness and robustness knobs; the defaults suit public price APIs."""

    user_agent: str = USER_AGENT
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    min_interval_s: float = 1.0  # per host, between the start of two requests
    max_response_bytes: int = 64 * MIB  # per source: bulk files allow several GB
    deadline_s: float = 600.0  # a whole request, body included (a slow drip ends here)
    retries: int = 4
    backoff_factor_s: float = 1.0
    max_backoff_wait_s: float = 60.0
    total_backoff_s: float = 300.0


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


ATTEMPTS = "compute_atlas_error_attempts"


@dataclass(frozen=True)
class ErrorAttempt:
    """An error response as the retry layer saw it, kept so it can be archived."""

    status_code: int
    content_type: str | None
    url: str
    body: bytes
    received_at: datetime


class ErrorAttemptRecorder(httpx.BaseTransport):
    """Beneath the retry transport: reads the body of every error response (up to
    ``ERROR_BODY_MAX_BYTES``) into the request's attempt list, so that responses the client
    retries are archived too, then hands the retry layer an equivalent response."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        attempts = request.extensions.get(ATTEMPTS)
        if response.status_code < 400 or attempts is None:
            return response
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk[: ERROR_BODY_MAX_BYTES - len(body)]
                if len(body) >= ERROR_BODY_MAX_BYTES:
                    break
        finally:
            response.close()
        attempts.append(ErrorAttempt(response.status_code, response.headers.get("content-type"),
                                     str(request.url), bytes(body), datetime.now(UTC)))
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length",
                                        "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=bytes(body),
                              request=request, extensions=response.extensions)

    def close(self) -> None:
        self._inner.close()


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from a recorded archive instead of the network.

    A request matches a recording on method, redacted URL and the sha256 of its body. A request
    with no recording raises :class:`ReplayMissError` naming the URL. Bodies stream from the
    archive (verified against their hash as they are read).
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
        headers = {"content-type": entry.content_type} if entry.content_type else {}
        return httpx.Response(entry.status_code, headers=headers, request=request,
                              stream=_BlobStream(self._archive.snapshot(entry)))


class _BlobStream(httpx.SyncByteStream):
    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    def __iter__(self) -> Iterator[bytes]:
        with self._snapshot.open() as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk


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
        status_forcelist=list(RETRY_STATUSES),
        # Our POSTs are read-only queries (GraphQL, Overpass), so they are safe to repeat.
        allowed_methods=["GET", "HEAD", "POST"],
    )
    return httpx.Client(
        transport=RetryTransport(
            transport=ErrorAttemptRecorder(HostRateLimiter(base, settings.min_interval_s)),
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

    Every response (success or error status, and error responses the client retried) is
    archived before it is returned, its body streamed to disk in chunks; nothing holds a whole
    body in memory. Responses with an error status, a body over the size cap, or a request past
    its deadline raise :class:`FetchError` after archiving what arrived.
    """

    def __init__(self, *, source: str, observation_date: date, client: httpx.Client,
                 archive: RawArchive, mode: str, settings: HttpSettings = HttpSettings(),
                 api_key: str | None = None, check_robots: bool = False,
                 clock=time.monotonic) -> None:
        self.source = source
        self.observation_date = observation_date
        self.fetch_id = uuid.uuid4().hex
        self.api_key = api_key
        SECRETS.add(api_key)
        self._client = client
        self._archive = archive
        self._mode = mode
        self._settings = settings
        self._clock = clock
        self._robots = RobotsGate(client, settings.user_agent) if check_robots else None
        self.snapshots: list[Snapshot] = []
        self._sequence = 0

    @property
    def mode(self) -> str:
        """How responses arrive: live (network), replay, demo (recording fixtures)."""
        return self._mode

    def get(self, url: str, *, params: dict | None = None,
            headers: dict | None = None) -> Snapshot:
        return self.request("GET", url, params=params, headers=headers)

    def post(self, url: str, *, json_body: object = None, form: dict[str, str] | None = None,
             headers: dict | None = None) -> Snapshot:
        """POST a JSON body (GraphQL) or an urlencoded form (Overpass's ``data=``)."""
        return self.request("POST", url, json_body=json_body, form=form, headers=headers)

    def _meta(self, method: str, url: str, request_body: bytes, status_code: int,
              content_type: str | None, final_url: str | None = None,
              superseded: bool = False, fetched_at: datetime | None = None) -> ResponseMeta:
        return ResponseMeta(
            source=self.source, observation_date=self.observation_date, fetch_id=self.fetch_id,
            sequence=self._sequence, mode=self._mode, method=method, url=url,
            request_body_sha256=sha256_hex(request_body) if request_body else None,
            status_code=status_code, content_type=content_type,
            fetched_at=fetched_at or datetime.now(UTC),
            final_url=final_url if final_url and final_url != url else None,
            superseded=superseded)

    def request(self, method: str, url: str, *, params: dict | None = None,
                headers: dict | None = None, json_body: object = None,
                form: dict[str, str] | None = None) -> Snapshot:
        request = self._client.build_request(method, url, params=params, headers=headers,
                                             json=json_body, data=form)
        safe_url = redact_url(request.url)
        if self._robots is not None:
            self._robots.check(str(request.url))
        log.info("%s: %s %s", self.source, method, safe_url)
        attempts: list[ErrorAttempt] = []
        request.extensions[ATTEMPTS] = attempts
        deadline = self._clock() + self._settings.deadline_s
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            self._archive_attempts(method, safe_url, request.content, attempts, final=None)
            raise FetchError(f"{self.source}: timed out after retries: {method} {safe_url} "
                             f"({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            self._archive_attempts(method, safe_url, request.content, attempts, final=None)
            raise FetchError(f"{self.source}: {type(exc).__name__} after retries: "
                             f"{method} {safe_url}: {redact_text(str(exc))}") from exc
        try:
            final = attempts[-1] if attempts and response.status_code >= 400 else None
            self._archive_attempts(method, safe_url, request.content, attempts, final=final)
            meta = self._meta(method, safe_url, request.content, response.status_code,
                              response.headers.get("content-type"),
                              final_url=redact_url(response.url))
            chunks = self._body_chunks(response, deadline, safe_url)
            stored = self._archive.store(meta, SECRETS.redact_chunks(chunks),
                                         max_bytes=self._settings.max_response_bytes)
        finally:
            response.close()
        snapshot = stored.snapshot
        self._sequence += 1
        self.snapshots.append(snapshot)
        where = f"{method} {safe_url} (body archived as {snapshot.sha256[:12]})"
        if stored.truncated:
            raise FetchError(f"{self.source}: response from {safe_url} exceeds the "
                             f"{self._settings.max_response_bytes:,} byte cap; the first "
                             f"{snapshot.size_bytes:,} bytes are archived as "
                             f"{snapshot.sha256[:12]}")
        if stored.interrupted is not None:
            exc = stored.interrupted
            detail = str(exc) if isinstance(exc, FetchError) else \
                f"{type(exc).__name__}: {redact_text(str(exc))}"
            raise FetchError(f"{self.source}: body of {where} cut short: {detail}") from exc
        if not snapshot.ok:
            raise FetchError(f"{self.source}: HTTP {response.status_code} from {where}")
        return snapshot

    def _body_chunks(self, response: httpx.Response, deadline: float,
                     safe_url: str) -> Iterator[bytes]:
        """The response body in chunks, ending with a FetchError at the overall deadline."""
        for chunk in response.iter_bytes(CHUNK_BYTES):
            yield chunk
            if self._clock() > deadline:
                raise FetchError(f"{self.source}: {safe_url} still sending after the "
                                 f"{self._settings.deadline_s:g} s deadline")

    def _archive_attempts(self, method: str, safe_url: str, request_body: bytes,
                          attempts: list[ErrorAttempt], final: ErrorAttempt | None) -> None:
        """Archive the error responses the client retried (all but ``final``, which the caller
        archives as the response itself)."""
        for attempt in attempts:
            if attempt is final:
                continue
            meta = self._meta(method, safe_url, request_body, attempt.status_code,
                              attempt.content_type, final_url=redact_url(attempt.url),
                              superseded=True, fetched_at=attempt.received_at)
            self._archive.store(meta, SECRETS.redact_chunks([attempt.body]))
        attempts.clear()


def ingest_file(*, source: str, observation_date: date, path: Path, archive: RawArchive,
                max_bytes: int, content_type: str | None = None) -> Snapshot:
    """Archive a hand-downloaded file as a one-snapshot fetch (mode ``file``), streamed in
    chunks and refused (with a FetchError) past ``max_bytes``, the source's cap."""
    size = path.stat().st_size
    if size > max_bytes:
        raise FetchError(f"{source}: {path.name} is {size:,} bytes, over the source's "
                         f"{max_bytes:,} byte cap")
    meta = ResponseMeta(source=source, observation_date=observation_date,
                        fetch_id=uuid.uuid4().hex, sequence=0, mode="file", method="FILE",
                        url=f"file:{path.name}", request_body_sha256=None, status_code=200,
                        content_type=content_type, fetched_at=datetime.now(UTC))

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                yield chunk

    stored = archive.store(meta, SECRETS.redact_chunks(chunks()), max_bytes=max_bytes)
    if stored.interrupted is not None or stored.truncated:
        raise FetchError(f"{source}: could not read {path.name} whole: "
                         f"{stored.interrupted or 'over the size cap'}")
    return stored.snapshot
