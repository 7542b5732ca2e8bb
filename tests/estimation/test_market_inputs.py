"""The SQL inputs of the estimation tables take, for each offer and each model price, the
latest observation on or before the day (sources are not scraped every day)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from warehouse.transform import select_partition

OFFERS = [  # day, provider, sku, gpu_model, price
    (date(2026, 1, 1), "p1", "h100x8", "h100-sxm-80gb", 3.0),
    (date(2026, 1, 5), "p1", "h100x8", "h100-sxm-80gb", 2.5),  # newer price of the same offer
    (date(2026, 1, 3), "p2", "h100", "h100-sxm-80gb", 2.0),
    (date(2026, 1, 9), "p2", "h100", "h100-sxm-80gb", 1.0),  # after the day: not used
    (date(2025, 11, 1), "p3", "old", "h100-sxm-80gb", 0.5),  # more than 30 days before
]
TOKENS = [  # day, provider, model_id, input, output
    (date(2026, 1, 2), "openrouter", "deepseek/deepseek-chat", 0.3, 0.9),
    (date(2026, 1, 6), "openrouter", "deepseek/deepseek-chat", 0.25, 0.85),
    (date(2026, 1, 4), "deepinfra", "meta-llama/Llama-3.3-70B-Instruct", 0.1, 0.3),
]
DAY = date(2026, 1, 7)


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute("CREATE TABLE core.cloud__daily_gpu_offers (observation_date DATE, "
                "provider VARCHAR, sku VARCHAR, region VARCHAR, price_type VARCHAR, "
                "commitment_months DOUBLE, gpu_model VARCHAR, usd_per_gpu_hour DOUBLE)")
    con.executemany("INSERT INTO core.cloud__daily_gpu_offers VALUES "
                    "(?, ?, ?, 'us', 'on_demand', 0, ?, ?)", OFFERS)
    con.execute("CREATE TABLE core.llm__daily_token_prices (observation_date DATE, "
                "provider VARCHAR, model_id VARCHAR, usd_per_million_input_tokens DOUBLE, "
                "usd_per_million_output_tokens DOUBLE)")
    con.executemany("INSERT INTO core.llm__daily_token_prices VALUES (?, ?, ?, ?, ?)", TOKENS)
    return con


def test_offers_carry_their_latest_price_to_the_day(con):
    offers = select_partition(con, "inputs.gpu__offers_for_tflop", DAY)
    assert set(offers["observation_date"].dt.date) == {DAY}
    assert dict(zip(offers["provider"], offers["usd_per_gpu_hour"], strict=True)) == {
        "p1": 2.5, "p2": 2.0}


def test_price_basis_uses_the_latest_price_of_each_offer(con):
    basis = select_partition(con, "inputs.llm__price_basis", DAY).set_index("price_basis")
    assert basis.loc["cheapest_on_demand", "usd_per_gpu_hour"] == 2.0
    assert basis.loc["median_on_demand", "usd_per_gpu_hour"] == 2.25
    assert set(basis["observation_date"].dt.date) == {DAY}


def test_token_prices_carry_their_latest_price_to_the_day(con):
    prices = select_partition(con, "inputs.llm__token_prices", DAY).set_index("provider")
    assert prices.loc["openrouter", "usd_per_million_output_tokens"] == 0.85
    assert prices.loc["deepinfra", "usd_per_million_input_tokens"] == 0.1
    assert set(prices["observation_date"].dt.date) == {DAY}
    assert select_partition(con, "inputs.llm__token_prices", date(2026, 1, 1)).empty
