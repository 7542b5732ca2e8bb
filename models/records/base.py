"""Shared pieces of record models: the base class, the reject record, and unit metadata."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Base of every raw record: strict about unknown fields, immutable, trimmed strings."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def field(description: str, *, unit: str | None = None, **kwargs: Any) -> Any:
    """A pydantic Field with a description and, for quantities, a unit the catalog records."""
    extra = {"unit": unit} if unit else None
    return Field(description=description, json_schema_extra=extra, **kwargs)


class Reject(BaseModel):
    """An input row a parser refused, kept with the reason so nothing disappears silently."""

    model_config = ConfigDict(frozen=True)

    reason: str
    record: dict[str, Any]
