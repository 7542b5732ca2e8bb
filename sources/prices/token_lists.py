"""What the per-token price lists added with DeepInfra and Together share: reading a model's
prices (each a reject reason when unusable), one record per model id, and their registry entry
(raw table ``raw.<name>__token_prices`` of TokenPrice rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from models.records.gpu_clouds import TokenPrice
from sources.base import ParseResult, Source
from sources.parsing import parse_each, price_number, reject_duplicates, require_records
from sources.snapshot import Snapshot


def token_prices(pricing: dict[str, Any], keys: dict[str, str]) -> dict[str, float] | str:
    """``{record field: price}`` for ``keys`` (pricing key -> record field), or the reason one
    of them is not a usable price. 0 is a price here (free models)."""
    prices = {}
    for key, record_field in keys.items():
        price = price_number(pricing.get(key), allow_zero=True)
        if isinstance(price, str):
            return f"pricing.{key}: {price}"
        prices[record_field] = price
    return prices


def parse_token_list(name: str, snapshots: Sequence[Snapshot],
                     rows_of: Callable[[Snapshot], Iterable[Any]],
                     add_row: Callable[[Snapshot, Any, ParseResult], None]) -> ParseResult:
    """The whole parse of a model list: every row, one record per model id, never empty."""
    result, rows_read = parse_each(name, snapshots, rows_of, add_row)
    reject_duplicates(result, lambda model: model.model_id)
    require_records(result, snapshots, rows_read)
    return result


def token_source(*, name: str, title: str, homepage: str, urls: tuple[str, ...], terms: str,
                 fetch: Callable, parse: Callable, **optional: Any) -> Source:
    """The registry entry of a daily per-token price list."""
    return Source(name=name, title=title, family="token_prices", protocol="json_api",
                  homepage=homepage, urls=urls, cadence="daily", terms=terms,
                  parser_version="1", record_model=TokenPrice,
                  raw_table=f"raw.{name}__token_prices", fetch=fetch, parse=parse, **optional)
