"""The :class:`Snapshot`: one archived HTTP response (or hand-ingested file) and its provenance.

Parsers take snapshots, never a live client, so that any archived payload can be parsed again.
A snapshot does not hold its body: it points at the archived blob and reads it on demand, as a
stream (:meth:`Snapshot.open`), as bytes for small JSON pages (:attr:`Snapshot.body`), or as a
plain local file for readers that need a path (:meth:`Snapshot.local_file`: DuckDB's
``read_csv``, calamine). Every read checks the bytes against the snapshot's sha256, so a corrupt
or swapped blob is refused, never parsed.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from isal import igzip

from sources.errors import CorruptBlobError

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK_BYTES = 1024 * 1024


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class VerifyingReader(io.RawIOBase):
    """Reads ``inner`` while hashing; at end of stream the bytes must have the expected sha256
    and size, else :class:`CorruptBlobError`. A reader stopped early verifies nothing, which is
    fine: what it did read came out of the same stream."""

    def __init__(self, inner: BinaryIO, sha256: str, size_bytes: int, label: str) -> None:
        self._inner = inner
        self._expected = sha256
        self._expected_size = size_bytes
        self._label = label
        self._hash = hashlib.sha256()
        self._size = 0
        self._verified = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        if not data:
            self._verify()
            return 0
        self._hash.update(data)
        self._size += len(data)
        buffer[: len(data)] = data
        return len(data)

    def _verify(self) -> None:
        if self._verified:
            return
        self._verified = True
        actual = self._hash.hexdigest()
        if actual != self._expected or self._size != self._expected_size:
            raise CorruptBlobError(
                f"{self._label}: archived body does not match its manifest entry (expected "
                f"sha256 {self._expected[:12]} and {self._expected_size:,} bytes, read "
                f"{actual[:12]} and {self._size:,} bytes); refusing to parse it")

    def close(self) -> None:
        self._inner.close()
        super().close()


@dataclass(frozen=True)
class Snapshot:
    """A response body's provenance plus where its bytes are.

    ``url`` is already redacted (no secrets); ``final_url`` is where redirects ended (None when
    there were none). ``fetch_id`` groups the responses of one fetch of one source (pages of a
    paged API); ``sequence`` orders them. ``mode`` says how the bytes arrived: ``live``
    (network), ``replay`` (served from another archive), ``file`` (``compute-atlas ingest``) or
    ``demo``. ``complete`` is False for a body cut short by the size cap or the deadline.

    The bytes are in ``blob`` (a gzip file in the archive) or, for snapshots built in memory
    (tests, :meth:`from_bytes`), in ``data``.
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
    sha256: str
    size_bytes: int
    blob: Path | None = None
    data: bytes | None = None
    final_url: str | None = None
    complete: bool = True

    @classmethod
    def from_bytes(cls, body: bytes, **provenance) -> Snapshot:
        """A snapshot of bytes held in memory (tests and tools); not archived."""
        return cls(sha256=sha256_hex(body), size_bytes=len(body), data=body, **provenance)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def label(self) -> str:
        """How error messages name this payload: source, request and blob."""
        return f"{self.source}: {self.method} {self.url} (snapshot {self.sha256[:12]})"

    def open(self) -> BinaryIO:
        """The body as a binary stream, verified against ``sha256`` as it is read."""
        if self.data is not None:
            inner: BinaryIO = io.BytesIO(self.data)
        elif self.blob is None:
            raise CorruptBlobError(f"{self.label}: the snapshot has no body")
        else:
            try:
                inner = igzip.open(self.blob, "rb")
            except FileNotFoundError:
                raise CorruptBlobError(f"{self.label}: blob {self.blob} is missing from the "
                                       "archive") from None
        reader = VerifyingReader(inner, self.sha256, self.size_bytes, self.label)
        return io.BufferedReader(reader, buffer_size=CHUNK_BYTES)  # type: ignore[return-value]

    def head(self, size: int = 64) -> bytes:
        """The first ``size`` bytes of the body (to tell a format by its start, without
        reading a bulk file)."""
        try:
            with self.open() as stream:
                return stream.read(size)
        except (OSError, EOFError) as exc:
            raise CorruptBlobError(f"{self.label}: cannot read the archived body: {exc}") from exc

    @property
    def body(self) -> bytes:
        """The whole body in memory: for JSON pages and HTML, never for bulk files."""
        try:
            with self.open() as stream:
                return stream.read()
        except (OSError, EOFError) as exc:
            raise CorruptBlobError(f"{self.label}: cannot read the archived body: {exc}") from exc

    @contextmanager
    def local_file(self, suffix: str = "") -> Iterator[Path]:
        """The body decompressed (and verified) into a temporary file, for readers that need a
        path; the file is deleted when the block ends."""
        fd, name = tempfile.mkstemp(prefix=f"{self.source}-", suffix=suffix)
        path = Path(name)
        try:
            try:
                with os.fdopen(fd, "wb") as out, self.open() as stream:
                    shutil.copyfileobj(stream, out, CHUNK_BYTES)
            except (OSError, EOFError) as exc:
                raise CorruptBlobError(f"{self.label}: cannot read the archived body: "
                                       f"{exc}") from exc
            yield path
        finally:
            path.unlink(missing_ok=True)
