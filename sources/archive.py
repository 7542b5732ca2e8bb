"""The raw archive: content-addressed response bodies plus an append-only ``manifest.jsonl``.

Layout (a contract: users share and replay archives, so it only ever grows)::

    <archive>/manifest.jsonl              one JSON object per archived response, append-only
    <archive>/blobs/<sha[:2]>/<sha>.gz    the body, gzip-compressed, named by sha256 of the body

A manifest line holds: ``source``, ``observation_date``, ``fetch_id``, ``sequence``, ``mode``,
``method``, ``url`` (redacted), ``final_url`` (after redirects, or null), ``request_body_sha256``,
``status_code``, ``content_type``, ``fetched_at`` (UTC ISO-8601), ``sha256``, ``size_bytes``,
``complete`` (false when the body was cut short by the size cap or the deadline) and
``superseded`` (true for an error response that the client then retried). Identical bodies share
one blob. Lines written before a field existed read with its default.

Bodies arrive as a stream of chunks (:meth:`RawArchive.store`): they are hashed and compressed
on the way to disk, never held whole in memory. The manifest is read once per process into an
index and then only its new tail; a torn or garbage line is skipped with a warning, an entry
whose hashes are not 64-hex digests is refused, and every read of a body verifies its sha256
(:class:`~sources.snapshot.Snapshot`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path

from isal import igzip

from sources.errors import ArchiveError
from sources.snapshot import SHA256_HEX, Snapshot

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
# One line per fetch attempt (started, then success or failed with the redacted error): how a
# fetch ended is known without opening the warehouse, which a fetch never does.
FETCH_LOG = "fetch_log.jsonl"
# Level 1: bulk bodies are mostly repetitive CSV/JSON, so most of the size goes at level 1 while
# ISA-L still writes at several hundred MB/s.
GZIP_LEVEL = 1
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_FETCH_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class ResponseMeta:
    """What is known about a response before its body is read."""

    source: str
    observation_date: date
    fetch_id: str
    sequence: int
    mode: str
    method: str
    url: str
    request_body_sha256: str | None
    status_code: int
    content_type: str | None
    fetched_at: datetime
    final_url: str | None = None
    superseded: bool = False


@dataclass(frozen=True)
class ManifestEntry(ResponseMeta):
    """One manifest line; the body stays on disk until a snapshot of it is read."""

    sha256: str = ""
    size_bytes: int = 0
    complete: bool = True

    @classmethod
    def from_json(cls, line: str) -> ManifestEntry:
        """Parse and validate one manifest line; ValueError says what is wrong with it."""
        d = json.loads(line)
        if not isinstance(d, dict):
            raise ValueError("not a JSON object")
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        d["observation_date"] = date.fromisoformat(d["observation_date"])
        d["fetched_at"] = datetime.fromisoformat(d["fetched_at"])
        entry = cls(**d)
        entry.validate()
        return entry

    def validate(self) -> None:
        if not isinstance(self.sha256, str) or not SHA256_HEX.match(self.sha256):
            raise ValueError(f"sha256 {str(self.sha256)[:80]!r} is not a 64-hex digest")
        if self.request_body_sha256 is not None and not (
                isinstance(self.request_body_sha256, str)
                and SHA256_HEX.match(self.request_body_sha256)):
            raise ValueError("request_body_sha256 is not a 64-hex digest")
        if not isinstance(self.source, str) or not _NAME.match(self.source):
            raise ValueError(f"source {str(self.source)[:80]!r} is not a source name")
        if not isinstance(self.fetch_id, str) or not _FETCH_ID.match(self.fetch_id):
            raise ValueError(f"fetch_id {str(self.fetch_id)[:80]!r} is not a fetch id")
        for name, kind in (("sequence", int), ("status_code", int), ("size_bytes", int)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, kind) or value < 0:
                raise ValueError(f"{name} {value!r} is not a non-negative integer")

    def to_json(self) -> str:
        d = asdict(self) | {
            "observation_date": self.observation_date.isoformat(),
            "fetched_at": self.fetched_at.isoformat(),
        }
        return json.dumps(d, sort_keys=True)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass
class _Index:
    """What has been read of the manifest so far."""

    offset: int = 0
    by_day: dict[tuple[str, date], list[ManifestEntry]] = field(default_factory=dict)
    n_entries: int = 0
    n_skipped: int = 0


@dataclass(frozen=True)
class Stored:
    """The outcome of :meth:`RawArchive.store`: the snapshot, and the error that cut the body
    short, if one did (the partial body is archived all the same)."""

    snapshot: Snapshot
    interrupted: BaseException | None = None
    truncated: bool = False


class RawArchive:
    """A directory holding blobs and the manifest. Safe for threads of one process, and for
    several processes appending at once (the manifest is locked while a line is written)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._index = _Index()

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def blob_path(self, sha256: str) -> Path:
        if not SHA256_HEX.match(sha256):
            raise ArchiveError(f"refusing blob name {sha256[:80]!r}: not a 64-hex digest")
        return self.root / "blobs" / sha256[:2] / f"{sha256}.gz"

    # ------------------------------------------------------------------ writing

    def store(self, meta: ResponseMeta, chunks: Iterable[bytes],
              max_bytes: int | None = None) -> Stored:
        """Stream ``chunks`` into a blob (hashing and compressing as they come), then append the
        manifest line. Stops at ``max_bytes`` (the body is kept up to there, marked incomplete);
        an exception raised by ``chunks`` ends the body there too and is returned, not raised."""
        blobs = self.root / "blobs"
        blobs.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        interrupted: BaseException | None = None
        truncated = False
        fd, tmp = tempfile.mkstemp(dir=blobs, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, igzip.IGzipFile(fileobj=raw, mode="wb", mtime=0,
                                                              compresslevel=GZIP_LEVEL) as gz:
                try:
                    for chunk in chunks:
                        if max_bytes is not None and size + len(chunk) > max_bytes:
                            chunk = chunk[: max_bytes - size]
                            truncated = True
                        digest.update(chunk)
                        gz.write(chunk)
                        size += len(chunk)
                        if truncated:
                            break
                except Exception as exc:  # the body so far is kept; the caller reports exc
                    interrupted = exc
            sha256 = digest.hexdigest()
            path = self.blob_path(sha256)
            if path.exists():
                os.unlink(tmp)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        given = {f.name: getattr(meta, f.name) for f in fields(ResponseMeta)}
        entry = ManifestEntry(**given, sha256=sha256, size_bytes=size,
                              complete=interrupted is None and not truncated)
        self._append(entry)
        return Stored(self.snapshot(entry), interrupted, truncated)

    def store_bytes(self, meta: ResponseMeta, body: bytes) -> Snapshot:
        """Archive a body already in memory (small error responses)."""
        return self.store(meta, [body]).snapshot

    def _append(self, entry: ManifestEntry) -> None:
        self._append_line(self.manifest_path, entry.to_json())

    def log_fetch(self, record: dict) -> None:
        """Append one line to the fetch log (see ``FETCH_LOG``)."""
        self._append_line(self.root / FETCH_LOG, json.dumps(record, sort_keys=True, default=str))

    def fetch_log(self) -> list[dict]:
        """Every readable fetch-log line, oldest first (torn lines skipped)."""
        try:
            lines = (self.root / FETCH_LOG).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def _append_line(self, path: Path, text: str) -> None:
        line = (text + "\n").encode("utf-8")
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                end = os.lseek(fd, 0, os.SEEK_END)
                if end and os.pread(fd, 1, end - 1) != b"\n":
                    # A torn line from an interrupted writer: end it, so it stays one bad line
                    # (skipped on read) instead of swallowing this one.
                    log.warning("%s ends in a torn line; closing it before appending", path)
                    line = b"\n" + line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    # ------------------------------------------------------------------ reading

    def snapshot(self, entry: ManifestEntry) -> Snapshot:
        """A snapshot reading ``entry``'s blob (verified on read)."""
        meta = {f.name: getattr(entry, f.name) for f in fields(Snapshot)
                if f.name not in ("blob", "data")}
        return Snapshot(**meta, blob=self.blob_path(entry.sha256))

    def _refresh_index(self) -> _Index:
        """Read the manifest lines appended since the last call into the index."""
        index = self._index
        try:
            with self.manifest_path.open("rb") as f:
                f.seek(index.offset)
                tail = f.read()
        except FileNotFoundError:
            return index
        end = tail.rfind(b"\n") + 1  # a last line without its newline may still be written
        for number, raw in enumerate(tail[:end].split(b"\n")[:-1]):
            if not raw.strip():
                continue
            try:
                entry = ManifestEntry.from_json(raw.decode("utf-8"))
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
                index.n_skipped += 1
                log.warning("%s: skipping manifest line at byte %d+%d (%s): %.120r",
                            self.manifest_path, index.offset, number, exc, raw)
                continue
            index.by_day.setdefault((entry.source, entry.observation_date), []).append(entry)
            index.n_entries += 1
        index.offset += end
        return index

    def entries(self, source: str | None = None,
                observation_date: date | None = None) -> list[ManifestEntry]:
        """Valid manifest entries in the order they were written, optionally filtered."""
        with self._lock:
            index = self._refresh_index()
            if source is not None and observation_date is not None:
                return list(index.by_day.get((source, observation_date), []))
            found = [e for (s, d), group in index.by_day.items() for e in group
                     if (source is None or s == source)
                     and (observation_date is None or d == observation_date)]
        return sorted(found, key=lambda e: e.fetched_at)

    @property
    def skipped_lines(self) -> int:
        """Manifest lines refused so far (torn, garbage, or with a hostile hash)."""
        with self._lock:
            return self._refresh_index().n_skipped

    def fetches(self, source: str, observation_date: date) -> Iterator[list[Snapshot]]:
        """Complete fetches of ``source`` for that date, newest first, each as its snapshots in
        request order. A fetch is complete when every response it kept (retried attempts
        aside) is a 2xx with its whole body: a backfill must not parse half a page sequence."""
        by_fetch: dict[str, list[ManifestEntry]] = {}
        for entry in self.entries(source, observation_date):
            if not entry.superseded:
                by_fetch.setdefault(entry.fetch_id, []).append(entry)
        complete = [group for group in by_fetch.values()
                    if all(e.ok and e.complete for e in group)]
        complete.sort(key=lambda group: max(e.fetched_at for e in group), reverse=True)
        for group in complete:
            yield [self.snapshot(e) for e in sorted(group, key=lambda e: e.sequence)]

    def latest_fetch(self, source: str, observation_date: date) -> list[Snapshot]:
        """The newest complete fetch (see :meth:`fetches`); empty when there is none."""
        return next(iter(self.fetches(source, observation_date)), [])

    def recording_index(self) -> dict[tuple[str, str, str | None], ManifestEntry]:
        """The newest final response per request key ``(method, redacted URL, body sha256)``,
        for replay. Built once per replay session rather than per request."""
        index: dict[tuple[str, str, str | None], ManifestEntry] = {}
        for entry in self.entries():
            if entry.superseded:
                continue
            key = (entry.method, entry.url, entry.request_body_sha256)
            if key not in index or entry.fetched_at >= index[key].fetched_at:
                index[key] = entry
        return index
