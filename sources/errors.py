"""Exceptions a source raises; each says what failed and where, so a failed run explains itself."""

from __future__ import annotations


class SourceError(Exception):
    """A source could not produce records for an observation date (fetch or parse)."""


class FetchError(SourceError):
    """A request failed after retries: HTTP error status, timeout, connection error, size cap."""


class ReplayMissError(FetchError):
    """Replay was asked for a request that the archive holds no recording of."""


class RobotsDisallowedError(FetchError):
    """robots.txt disallows the URL for our user agent; no request was sent."""


class ParseError(SourceError):
    """A payload does not have the shape the parser expects (layout change, bad JSON, empty)."""
