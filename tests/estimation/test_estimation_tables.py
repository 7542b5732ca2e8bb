"""Table functions on small frames, and their columns against the catalog."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from models.catalog import estimation as catalog
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.tables import (
    COST_PER_1K_TOKENS_COLUMNS,
    MARKET_VS_PROJECTED_COLUMNS,
    USD_PER_EFFECTIVE_TFLOP_COLUMNS,
    cost_per_1k_tokens,
    market_vs_projected,
    usd_per_effective_tflop,
)

DAY = date(2026, 1, 15)


def _offers() -> pd.DataFrame:
    return pd.DataFrame({
        "observation_date": [DAY, DAY, DAY], "provider": ["p1", "p1", "p2"],
        "sku": ["h100x8", "mystery", "a100"], "region": ["us", "us", "global"],
        "price_type": ["on_demand"] * 3, "commitment_months": [0.0, 0.0, 0.0],
        "gpu_model": ["h100-sxm-80gb", None, "a100-sxm-80gb"],
        "usd_per_gpu_hour": [2.5, 1.0, 1.2]})


def _price_basis() -> pd.DataFrame:
    return pd.DataFrame({
        "observation_date": [DAY] * 4,
        "gpu_model": ["h100-sxm-80gb", "h100-sxm-80gb", "a100-sxm-80gb", "l4-24gb"],
        "price_basis": ["cheapest_on_demand", "median_on_demand", "cheapest_on_demand",
                        "cheapest_on_demand"],
        "usd_per_gpu_hour": [2.0, 3.0, 1.2, 0.6]})


def test_usd_per_effective_tflop_rows_and_numbers():
    out = usd_per_effective_tflop(_offers(),
                                  assumptions=EstimationAssumptions(
                                      effective_tflop_utilization=0.4))
    assert tuple(out.columns) == USD_PER_EFFECTIVE_TFLOP_COLUMNS
    h100 = out[out["sku"] == "h100x8"].set_index("precision")
    assert set(h100.index) == {"fp32", "tf32", "bf16", "fp16", "fp8", "int8"}  # no fp4
    assert set(out.loc[out["sku"] == "a100", "precision"]) == {"fp32", "tf32", "bf16",
                                                                 "fp16", "int8"}
    assert "mystery" not in set(out["sku"])  # unknown GPU: no row, not a zero
    assert h100.loc["bf16", "usd_per_effective_tflop_hour"] == pytest.approx(0.006317, abs=1e-6)
    assert h100.loc["bf16", "usd_per_exaflop"] == pytest.approx(1.755, abs=1e-3)
    assert h100.loc["bf16", "usd_per_exaflop_at_peak"] == pytest.approx(1.755 * 0.4, abs=1e-3)
    assert h100.loc["bf16", "effective_tflops"] == pytest.approx(989.4 * 0.4)


def test_usd_per_effective_tflop_default_utilization_is_the_training_mfu():
    out = usd_per_effective_tflop(_offers())
    bf16 = out[(out["sku"] == "a100") & (out["precision"] == "bf16")].iloc[0]
    assert bf16["utilization"] == 0.4 and "mfu_training" in bf16["utilization_source"]


def test_cost_per_1k_tokens_grid_and_assumption_columns():
    assumptions = EstimationAssumptions(llm_models=("llama-3.1-8b", "llama-3.1-70b"),
                                        workload_profiles=("chat", "batch_summarization"))
    out = cost_per_1k_tokens(_price_basis(), assumptions=assumptions)
    assert tuple(out.columns) == COST_PER_1K_TOKENS_COLUMNS
    # precisions bf16 + fp8: a100 has no fp8 -> 3 of 4 price rows x 2 precisions, minus 1
    assert len(out) == (2 + 2 + 1 + 2) * 2 * 2
    assert set(out["convention"]) == {"decoder"} and (out["memory_utilization"] == 0.9).all()
    assert out["efficiency_source"].notna().all()
    key = ["llm_model", "workload_profile", "precision"]
    h100 = out[out["gpu_model"] == "h100-sxm-80gb"].set_index([*key, "price_basis"])
    cheap = h100.xs("cheapest_on_demand", level="price_basis")
    median = h100.xs("median_on_demand", level="price_basis")
    assert (median["usd_per_1k_tokens_blended"] / cheap["usd_per_1k_tokens_blended"]
            ).to_numpy() == pytest.approx(1.5)
    fitting = out[out["fits"]]
    assert fitting["usd_per_1k_output_tokens"].gt(0).all()
    assert set(fitting["bound_decode"]) <= {"compute", "memory"}
    chat = out[out["workload_profile"] == "chat"]
    assert (chat["tpot_slo_seconds"] == 0.2).all()


def test_cost_per_1k_tokens_layout_assumption():
    basis = _price_basis().iloc[[0]]
    chosen = {layout: cost_per_1k_tokens(basis, assumptions=EstimationAssumptions(
        llm_models=("llama-3.1-70b",), workload_profiles=("batch_summarization",),
        precisions=("bf16",), layout=layout)).iloc[0] for layout in ("smallest", "cheapest")}
    # 141 GB of bf16 weights: two 80 GB H100 are the fewest that hold them.
    assert chosen["smallest"]["n_gpus"] == 2 and chosen["cheapest"]["layout"] == "cheapest"
    assert (chosen["cheapest"]["usd_per_1k_tokens_blended"]
            < chosen["smallest"]["usd_per_1k_tokens_blended"])


def test_cost_per_1k_tokens_rejects_missing_columns():
    with pytest.raises(ValueError, match="price_basis"):
        cost_per_1k_tokens(_price_basis().drop(columns="price_basis"))


def test_market_vs_projected():
    projected = cost_per_1k_tokens(_price_basis(), assumptions=EstimationAssumptions(
        llm_models=("llama-3.1-8b", "llama-3.1-70b")))
    prices = pd.DataFrame({
        "observation_date": [DAY] * 3, "provider": ["openrouter"] * 3,
        "model_id": ["meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-8b-instruct:free",
                     "someone/unknown-model"],
        "usd_per_million_input_tokens": [0.4, 0.02, 1.0],
        "usd_per_million_output_tokens": [0.4, 0.05, 1.0]})
    out = market_vs_projected(prices, projected)
    assert tuple(out.columns) == MARKET_VS_PROJECTED_COLUMNS
    assert list(out["llm_model"]) == ["llama-3.1-70b", "llama-3.1-8b"]
    row = out.iloc[0]
    candidates = projected[(projected["llm_model"] == "llama-3.1-70b") & projected["fits"]
                           & projected["meets_tpot_slo"]]
    blended = (3 * candidates["usd_per_1k_input_tokens"]
               + candidates["usd_per_1k_output_tokens"]) / 4 * 1000
    assert row["projected_usd_per_million_tokens_blended"] == pytest.approx(blended.min())
    assert row["implied_markup_blended"] == pytest.approx(0.4 / blended.min())
    assert row["usd_per_million_tokens_blended"] == pytest.approx(0.4)
    assert row["floor_gpu_model"] in {"h100-sxm-80gb", "a100-sxm-80gb", "l4-24gb"}
    assert row["floor_price_basis"] == "cheapest_on_demand"


def test_market_vs_projected_needs_the_same_day():
    projected = cost_per_1k_tokens(_price_basis(), assumptions=EstimationAssumptions(
        llm_models=("llama-3.1-8b",)))
    prices = pd.DataFrame({
        "observation_date": [date(2026, 1, 16)], "provider": ["openrouter"],
        "model_id": ["meta-llama/llama-3.1-8b-instruct"],
        "usd_per_million_input_tokens": [0.02], "usd_per_million_output_tokens": [0.05]})
    assert market_vs_projected(prices, projected).empty


@pytest.mark.parametrize(("spec", "columns"), [
    (catalog.USD_PER_EFFECTIVE_TFLOP, USD_PER_EFFECTIVE_TFLOP_COLUMNS),
    (catalog.COST_PER_1K_TOKENS, COST_PER_1K_TOKENS_COLUMNS),
    (catalog.MARKET_VS_PROJECTED, MARKET_VS_PROJECTED_COLUMNS),
])
def test_catalog_declares_what_the_functions_return(spec, columns):
    assert spec.column_names == columns
    assert spec.partition_by == ("observation_date",)


def test_reference_tables_match_their_csvs():
    from models.estimation import reference
    from models.estimation.names import gpu_alias_keys

    pairs = [(catalog.GPU_MODELS, reference.gpu_models()),
             (catalog.LLM_ARCHITECTURES, reference.llm_architectures()),
             (catalog.EFFICIENCY, reference.efficiency_defaults()),
             (catalog.WORKLOAD_PROFILES, reference.workload_profiles()),
             (catalog.GPU_FAMILIES, reference.gpu_families()),
             (catalog.GPU_ALIASES, gpu_alias_keys())]
    for spec, frame in pairs:
        assert spec.column_names == tuple(frame.columns), spec.name
        assert spec.partition_by == ()
        assert not frame.duplicated(list(spec.primary_key)).any(), spec.name
        for column in spec.columns:
            if not column.nullable:
                assert frame[column.name].notna().all(), (spec.name, column.name)


def test_numeric_output_columns_are_numbers():
    out = cost_per_1k_tokens(_price_basis().iloc[[0]], assumptions=EstimationAssumptions(
        llm_models=("llama-3.1-8b",), workload_profiles=("chat",)))
    for column in catalog.COST_PER_1K_TOKENS.columns:
        if column.type in ("DOUBLE", "BIGINT"):
            assert np.issubdtype(out[column.name].dtype, np.number), column.name


def test_empty_inputs_give_empty_tables_with_the_columns():
    offers = usd_per_effective_tflop(_offers().iloc[:0])
    assert offers.empty and tuple(offers.columns) == USD_PER_EFFECTIVE_TFLOP_COLUMNS
    costs = cost_per_1k_tokens(_price_basis().iloc[:0])
    assert costs.empty and tuple(costs.columns) == COST_PER_1K_TOKENS_COLUMNS


def test_nothing_fits_gives_nan_not_a_number():
    basis = _price_basis().iloc[[3]]  # L4: no NVLink, 24 GB
    out = cost_per_1k_tokens(basis, assumptions=EstimationAssumptions(
        llm_models=("deepseek-v3",), workload_profiles=("chat",), precisions=("bf16",)))
    row = out.iloc[0]
    assert not row["fits"]  # 1.3 TB over 24 GB cards needs more than 72 GPUs
    assert np.isnan(row["usd_per_1k_tokens_blended"])


def test_trainium_and_inferentia_costs_are_numbers():
    basis = pd.DataFrame({"observation_date": [DAY] * 3,
                          "gpu_model": ["trainium1-32gb", "trainium2-96gb", "inferentia2-32gb"],
                          "price_basis": ["cheapest_on_demand"] * 3,
                          "usd_per_gpu_hour": [1.3, 2.0, 0.8]})
    out = cost_per_1k_tokens(basis, assumptions=EstimationAssumptions(
        llm_models=("llama-3.1-70b",), workload_profiles=("chat",), precisions=("bf16",)))
    assert len(out) == 3 and out["fits"].all()
    assert out["usd_per_1k_output_tokens"].notna().all() and (out["n_gpus"] > 1).all()
