"""The :class:`Snapshot`: one archived HTTP response (or hand-ingested file) and its provenance.

Parsers take snapshots, never a live client, so that any archived payload can be parsed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """A response body with everything needed to trace and replay it.

    ``url`` is already redacted (no secrets). ``fetch_id`` groups the responses of one fetch of
    one source (pages of a paged API); ``sequence`` orders them. ``mode`` says how the bytes
    arrived: ``live`` (network), ``replay`` (served from another archive) or ``file``
    (``compute-atlas ingest``).
    """

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
    body: bytes

    @cached_property
    def sha256(self) -> str:
        return sha256_hex(self.body)

    @property
    def size_bytes(self) -> int:
        return len(self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300
