"""The raw archive: content-addressed response bodies plus an append-only ``manifest.jsonl``.

Layout (a contract: users share and replay archives, so it only ever grows)::

    <archive>/manifest.jsonl              one JSON object per archived response, append-only
    <archive>/blobs/<sha[:2]>/<sha>.gz    the body, gzip-compressed, named by sha256 of the body

A manifest line holds: ``source``, ``observation_date``, ``fetch_id``, ``sequence``, ``mode``,
``method``, ``url`` (redacted), ``request_body_sha256``, ``status_code``, ``content_type``,
``fetched_at`` (UTC ISO-8601), ``sha256`` and ``size_bytes``. Identical bodies share one blob.

Besides storing, the archive answers two questions: which snapshots make up the latest
complete fetch of a source for a day (backfills re-parse those), and which recorded response
answers a given request (replay).
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sources.snapshot import Snapshot

MANIFEST = "manifest.jsonl"


@dataclass(frozen=True)
class ManifestEntry:
    """One manifest line; the body stays on disk until :meth:`RawArchive.load` reads it."""

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
    sha256: str
    size_bytes: int

    @classmethod
    def from_json(cls, line: str) -> ManifestEntry:
        d = json.loads(line)
        d["observation_date"] = date.fromisoformat(d["observation_date"])
        d["fetched_at"] = datetime.fromisoformat(d["fetched_at"])
        return cls(**d)

    def to_json(self) -> str:
        d = self.__dict__ | {
            "observation_date": self.observation_date.isoformat(),
            "fetched_at": self.fetched_at.isoformat(),
        }
        return json.dumps(d, sort_keys=True)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class RawArchive:
    """A directory holding blobs and the manifest. Safe for threads of one process."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / f"{sha256}.gz"

    def save(self, snapshot: Snapshot) -> ManifestEntry:
        """Store the body (once per distinct content) and append its manifest line."""
        entry = ManifestEntry(
            source=snapshot.source,
            observation_date=snapshot.observation_date,
            fetch_id=snapshot.fetch_id,
            sequence=snapshot.sequence,
            mode=snapshot.mode,
            method=snapshot.method,
            url=snapshot.url,
            request_body_sha256=snapshot.request_body_sha256,
            status_code=snapshot.status_code,
            content_type=snapshot.content_type,
            fetched_at=snapshot.fetched_at,
            sha256=snapshot.sha256,
            size_bytes=snapshot.size_bytes,
        )
        with self._lock:
            self._write_blob(snapshot.sha256, snapshot.body)
            self.root.mkdir(parents=True, exist_ok=True)
            with self.manifest_path.open("a", encoding="utf-8") as f:
                f.write(entry.to_json() + "\n")
                f.flush()
                os.fsync(f.fileno())
        return entry

    def _write_blob(self, sha256: str, body: bytes) -> None:
        path = self.blob_path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temp file and rename, so a crash never leaves a truncated blob behind.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(body)
        os.replace(tmp, path)

    def entries(self, source: str | None = None,
                observation_date: date | None = None) -> list[ManifestEntry]:
        """Manifest lines in the order they were written, optionally filtered."""
        if not self.manifest_path.exists():
            return []
        with self.manifest_path.open(encoding="utf-8") as f:
            found = [ManifestEntry.from_json(line) for line in f if line.strip()]
        return [
            e for e in found
            if (source is None or e.source == source)
            and (observation_date is None or e.observation_date == observation_date)
        ]

    def load(self, entry: ManifestEntry) -> Snapshot:
        """Read an entry's body back into a :class:`Snapshot`."""
        with gzip.open(self.blob_path(entry.sha256), "rb") as gz:
            body = gz.read()
        return Snapshot(
            source=entry.source,
            observation_date=entry.observation_date,
            fetch_id=entry.fetch_id,
            sequence=entry.sequence,
            mode=entry.mode,
            method=entry.method,
            url=entry.url,
            request_body_sha256=entry.request_body_sha256,
            status_code=entry.status_code,
            content_type=entry.content_type,
            fetched_at=entry.fetched_at,
            body=body,
        )

    def latest_fetch(self, source: str, observation_date: date) -> list[Snapshot]:
        """The snapshots of the newest fetch of ``source`` on that date whose responses were all
        successful (2xx), in request order; empty when there is none.

        A fetch that ended on an error status is skipped: its bodies stay archived, but a
        backfill must not parse a half-finished page sequence.
        """
        by_fetch: dict[str, list[ManifestEntry]] = {}
        for entry in self.entries(source, observation_date):
            by_fetch.setdefault(entry.fetch_id, []).append(entry)
        complete = [group for group in by_fetch.values() if all(e.ok for e in group)]
        if not complete:
            return []
        newest = max(complete, key=lambda group: max(e.fetched_at for e in group))
        return [self.load(e) for e in sorted(newest, key=lambda e: e.sequence)]

    def recording_index(self) -> dict[tuple[str, str, str | None], ManifestEntry]:
        """The newest recorded response per request key ``(method, redacted URL, body sha256)``,
        for replay. Built once per replay session rather than per request."""
        index: dict[tuple[str, str, str | None], ManifestEntry] = {}
        for entry in self.entries():
            key = (entry.method, entry.url, entry.request_body_sha256)
            if key not in index or entry.fetched_at >= index[key].fetched_at:
                index[key] = entry
        return index
