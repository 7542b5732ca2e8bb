"""Reading a ParseResult in tests: its records and rejects without the snapshots they cite."""

from __future__ import annotations

from pydantic import BaseModel

from models.records.base import Reject
from sources.base import ParseResult


def records(result: ParseResult) -> list[BaseModel]:
    return [record for _, record in result.records]


def rejects(result: ParseResult) -> list[Reject]:
    return [reject for _, reject in result.rejects]
