"""Exceptions a source raises; each says what failed and where, so a failed run explains itself."""

from __future__ import annotations


class SourceError(Exception):
    """A source could not produce records for an observation date (fetch or parse)."""


class FetchError(SourceError):
    """A fetch could not complete: an HTTP error status, timeout or connection error after
    retries, the size cap, or paging that cannot go on (a next-page link that loops or leaves
    the API's host)."""


class ReplayMissError(FetchError):
    """Replay was asked for a request that the archive holds no recording of."""


class RobotsDisallowedError(FetchError):
    """robots.txt disallows the URL for our user agent; no request was sent."""


class ParseError(SourceError):
    """A payload does not have the shape the parser expects (layout change, bad JSON, empty)."""


class CorruptBlobError(SourceError):
    """An archived body is missing, unreadable, or does not hash to its manifest entry."""


class ArchiveError(SourceError):
    """The archive cannot be used: a manifest line is refused, or a blob cannot be written."""
