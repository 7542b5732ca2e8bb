"""Shared pieces of record models: the base class, the reject record, and unit metadata."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Record(BaseModel):
    """Base of every raw record: strict about unknown fields, immutable, trimmed strings."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _number(value: Any) -> Any:
    """Accept numbers only: a boolean or a text is not a price, and NaN or infinity is not a
    quantity (pydantic's lax mode would take ``true`` as 1.0 and ``"1.5"`` as 1.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"expected a number, got {type(value).__name__} {str(value)[:40]!r}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value


# A quantity field: a finite int or float, never a bool or a string.
Number = Annotated[float, BeforeValidator(_number)]


def field(description: str, *, unit: str | None = None, **kwargs: Any) -> Any:
    """A pydantic Field with a description and, for quantities, a unit the catalog records."""
    extra = {"unit": unit} if unit else None
    return Field(description=description, json_schema_extra=extra, **kwargs)


class Reject(BaseModel):
    """An input row a parser refused, kept with the reason so nothing disappears silently."""

    model_config = ConfigDict(frozen=True)

    reason: str
    record: dict[str, Any]
