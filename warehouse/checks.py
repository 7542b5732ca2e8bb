"""Data-contract checks on the warehouse, as plain functions returning :class:`CheckOutcome`.

The refresh runs them after building a day's core tables; Dagster reports them as asset checks
and the CLI prints them. A failed *blocking* check stops that refresh from publishing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from models.catalog import TABLES

# Per-GPU-hour prices outside this range are data errors, not market moves: the cheapest
# marketplace GPUs rent for cents, and no single accelerator lists above ~$20/hour today.
USD_PER_GPU_HOUR_BOUNDS = (0.01, 100.0)
USD_PER_MILLION_TOKENS_MAX = 1000.0


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    table: str
    passed: bool
    blocking: bool
    message: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A named check on one table; ``run`` evaluates it for one observation date."""

    name: str
    table: str
    description: str
    blocking: bool
    run: Callable[[duckdb.DuckDBPyConnection, date], tuple[bool, str, dict[str, Any]]]

    def evaluate(self, con: duckdb.DuckDBPyConnection, day: date) -> CheckOutcome:
        passed, message, metadata = self.run(con, day)
        return CheckOutcome(self.name, self.table, passed, self.blocking, message, metadata)


def _count(con: duckdb.DuckDBPyConnection, sql: str, day: date) -> int:
    return con.execute(sql, {"d": day}).fetchone()[0]


def _has_rows(table: str) -> Callable:
    def run(con: duckdb.DuckDBPyConnection, day: date):
        n = _count(con, f"SELECT count(*) FROM {table} WHERE observation_date = $d", day)
        return n > 0, f"{n} rows on {day}", {"row_count": n}
    return run


def _schema_matches(table: str) -> Callable:
    def run(con: duckdb.DuckDBPyConnection, day: date):
        schema, name = table.split(".", 1)
        actual = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()]
        expected = list(TABLES[table].column_names)
        return (actual == expected,
                "columns match the catalog" if actual == expected
                else f"columns {actual} differ from the catalog {expected}",
                {"columns": len(actual)})
    return run


def _offer_prices_in_bounds(con: duckdb.DuckDBPyConnection, day: date):
    low, high = USD_PER_GPU_HOUR_BOUNDS
    rows = con.execute(
        "SELECT provider, sku, region, price_type, usd_per_gpu_hour "
        "FROM core.cloud__daily_gpu_offers WHERE observation_date = $d "
        "AND (usd_per_gpu_hour <= $low OR usd_per_gpu_hour > $high) LIMIT 20",
        {"d": day, "low": low, "high": high}).fetchall()
    return (not rows,
            f"all per-GPU-hour prices within ({low}, {high}] USD" if not rows
            else f"{len(rows)}+ offers outside ({low}, {high}] USD/GPU-hour, e.g. {rows[:3]}",
            {"out_of_bounds_examples": [list(map(str, r)) for r in rows]})


def _offer_gpu_models_known(con: duckdb.DuckDBPyConnection, day: date):
    unknown = [r[0] for r in con.execute(
        "SELECT DISTINCT o.gpu_model FROM core.cloud__daily_gpu_offers o "
        "ANTI JOIN core.gpu__entity_models g USING (gpu_model) "
        "WHERE o.observation_date = $d AND o.gpu_model IS NOT NULL", {"d": day}).fetchall()]
    return (not unknown,
            "every gpu_model is in core.gpu__entity_models" if not unknown
            else f"gpu_model ids missing from core.gpu__entity_models: {unknown}",
            {"unknown_gpu_models": unknown})


def _no_unmapped_gpu_names(con: duckdb.DuckDBPyConnection, day: date):
    rows = con.execute(
        "SELECT provider, provider_gpu_name, n_offers FROM core.gpu__daily_unmapped_names "
        "WHERE observation_date = $d ORDER BY n_offers DESC", {"d": day}).fetchall()
    names = [f"{p}: {n} ({k} offers)" for p, n, k in rows]
    return (not rows,
            "every provider GPU name maps to a canonical id" if not rows
            else f"{len(rows)} unmapped provider GPU names: {', '.join(names[:10])}",
            {"unmapped": names})


def _token_prices_in_bounds(con: duckdb.DuckDBPyConnection, day: date):
    n = _count(con, "SELECT count(*) FROM core.llm__daily_token_prices "
                    "WHERE observation_date = $d AND (usd_per_million_input_tokens < 0 "
                    "OR usd_per_million_output_tokens < 0 "
                    f"OR usd_per_million_input_tokens > {USD_PER_MILLION_TOKENS_MAX} "
                    f"OR usd_per_million_output_tokens > {USD_PER_MILLION_TOKENS_MAX})", day)
    return (n == 0, f"{n} token prices outside [0, {USD_PER_MILLION_TOKENS_MAX}] USD/1M tokens",
            {"out_of_bounds": n})


OFFERS = "core.cloud__daily_gpu_offers"
TOKENS = "core.llm__daily_token_prices"
INDEX = "out.gpu__daily_price_index"

CHECKS: tuple[Check, ...] = (
    Check("schema_matches_catalog", OFFERS, "columns equal the catalog declaration", True,
          _schema_matches(OFFERS)),
    Check("has_rows", OFFERS, "the day has at least one offer", False, _has_rows(OFFERS)),
    Check("price_bounds", OFFERS, f"usd_per_gpu_hour within {USD_PER_GPU_HOUR_BOUNDS}", True,
          _offer_prices_in_bounds),
    Check("gpu_models_known", OFFERS, "every gpu_model exists in core.gpu__entity_models",
          True, _offer_gpu_models_known),
    Check("no_unmapped_gpu_names", "core.gpu__daily_unmapped_names",
          "every provider GPU name maps to a canonical id (warning: unmapped names are kept, "
          "not dropped)", False, _no_unmapped_gpu_names),
    Check("schema_matches_catalog", TOKENS, "columns equal the catalog declaration", True,
          _schema_matches(TOKENS)),
    Check("has_rows", TOKENS, "the day has at least one token price", False, _has_rows(TOKENS)),
    Check("price_bounds", TOKENS, "token prices within [0, 1000] USD per million", True,
          _token_prices_in_bounds),
    Check("has_rows", INDEX, "the day's price index is not empty", False, _has_rows(INDEX)),
)


def run_checks(con: duckdb.DuckDBPyConnection, day: date) -> list[CheckOutcome]:
    return [check.evaluate(con, day) for check in CHECKS]
