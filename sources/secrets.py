"""Secret values (API keys) and their redaction from everything that is logged or stored.

Keys come from the environment only. Every configured key is registered at start-up
(:func:`register_environment_secrets`), so it is redacted wherever it appears: URLs, log lines,
error messages, run-log rows, manifest metadata, and response bodies that echo it back.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

# Query parameters whose values are secrets wherever they appear.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "auth",
                           "signature", "sig", "client_secret", "password"})
REDACTED = "REDACTED"
# Shorter values would redact ordinary words; no real API key is this short.
MIN_SECRET_LENGTH = 8


class SecretRegistry:
    """Secret values seen this process; anything logged or stored passes through :meth:`redact`."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            with self._lock:
                self._values.add(value)

    def _sorted(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for value in self._sorted():
            text = text.replace(value, REDACTED)
        return text

    def redact_chunks(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks`` with every secret replaced, also one split across two chunks (the tail of
        each chunk that could start a secret is held back until the next one arrives)."""
        values = [v.encode() for v in self._sorted()]
        if not values:
            yield from chunks
            return
        keep = max(len(v) for v in values) - 1
        carry = b""
        for chunk in chunks:
            data = carry + chunk
            for value in values:
                data = data.replace(value, REDACTED.encode())
            cut = max(len(data) - keep, 0)
            carry = data[cut:]
            if cut:
                yield data[:cut]
        if carry:
            yield carry


SECRETS = SecretRegistry()


def register_environment_secrets(env_names: Iterable[str | None]) -> None:
    """Register the values of these environment variables (the sources' key variables)."""
    for name in env_names:
        if name:
            SECRETS.add(os.environ.get(name))


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


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with secret URLs and values redacted."""
    return SECRETS.redact(_URL.sub(lambda m: redact_url(m.group(0)), text))


_URL = re.compile(r"https?://[^\s\"'<>]+")


def _install_redacting_log_records() -> None:
    """Redact every log record as it is created, whichever logger or handler it goes to
    (filters on a logger do not apply to its children, and Dagster adds handlers of its own)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts_secrets", False):
        return

    def redacting_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return record
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return record

    redacting_record.redacts_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_record)


_install_redacting_log_records()
