"""Table functions the pipeline calls: pandas in, pandas out, no database.

- :func:`usd_per_effective_tflop` — every GPU offer × precision the GPU supports.
- :func:`cost_per_1k_tokens` — projected serving cost per day, model, GPU, price basis,
  precision and workload profile.
- :func:`market_vs_projected` — API token prices against the cheapest projection.

Each output row carries the assumptions that produced it. Reference tables default to the
CSVs under ``models/reference``; pass frames to use others.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.cost import usd_per_effective_tflop_hour, usd_per_exaflop
from models.estimation.efficiency import efficiency_for
from models.estimation.inference import (
    EfficiencyArrays,
    HardwareArrays,
    InferenceEstimate,
    ModelArrays,
    ServingParams,
)
from models.estimation.layouts import search_layouts
from models.estimation.names import resolve_llm_ids
from models.estimation.precisions import (
    BYTES_PER_ELEMENT,
    PEAK_COLUMN,
    PEAK_PRECISIONS,
    activation_bytes,
    kv_cache_precision,
)

OFFER_COLUMNS = ("observation_date", "provider", "sku", "region", "price_type",
                 "commitment_months", "gpu_model", "usd_per_gpu_hour")
PRICE_BASIS_COLUMNS = ("observation_date", "gpu_model", "price_basis", "usd_per_gpu_hour")
TOKEN_PRICE_COLUMNS = ("observation_date", "provider", "model_id",
                       "usd_per_million_input_tokens", "usd_per_million_output_tokens")

USD_PER_EFFECTIVE_TFLOP_COLUMNS = (
    *OFFER_COLUMNS, "precision", "peak_dense_tflops", "utilization", "utilization_source",
    "effective_tflops", "usd_per_effective_tflop_hour", "usd_per_exaflop",
    "usd_per_tflop_hour_at_peak", "usd_per_exaflop_at_peak")

#: Assumptions written into every projected row, as columns of the same name.
ASSUMPTION_COLUMNS = ("memory_utilization", "runtime_workspace_gb", "activation_factor",
                      "max_batch_size", "collective_overlap", "mtp_draft_tokens",
                      "mtp_acceptance_rate", "layout")

COST_PER_1K_TOKENS_COLUMNS = (
    "observation_date", "llm_model", "gpu_model", "price_basis", "workload_profile",
    "precision", "kv_cache_precision", "n_gpus", "tensor_parallel_size",
    "pipeline_parallel_size", "expert_parallel_size", "data_parallel_size", "batch_size",
    "max_batch_size_memory", "fits", "meets_tpot_slo", "usd_per_gpu_hour",
    "input_tokens_per_second", "output_tokens_per_second", "output_tokens_per_second_per_gpu",
    "tokens_per_decode_step", "ttft_seconds", "tpot_seconds", "usd_per_1k_input_tokens",
    "usd_per_1k_output_tokens", "usd_per_1k_tokens_blended", "bound_prefill", "bound_decode",
    "input_tokens", "output_tokens", "tpot_slo_seconds", "convention", "mfu_prefill",
    "mbu_prefill", "mfu_decode", "mbu_decode", "efficiency_source", "link_efficiency",
    "collective_latency_us", *ASSUMPTION_COLUMNS)

MARKET_VS_PROJECTED_COLUMNS = (
    "observation_date", "provider", "model_id", "llm_model",
    "usd_per_million_input_tokens", "usd_per_million_output_tokens",
    "usd_per_million_tokens_blended", "projected_usd_per_million_input_tokens",
    "projected_usd_per_million_output_tokens", "projected_usd_per_million_tokens_blended",
    "implied_markup_input", "implied_markup_output", "implied_markup_blended",
    "floor_gpu_model", "floor_workload_profile", "floor_precision", "floor_price_basis",
    "floor_n_gpus", "market_input_weight")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}")


def peak_dense_tflops(gpus: pd.DataFrame, precision: pd.Series) -> np.ndarray:
    """Dense peak of each row's GPU at that row's precision (NaN when the GPU has none)."""
    peak = np.full(len(gpus), np.nan)
    for name, column in PEAK_COLUMN.items():
        chosen = (precision == name).to_numpy()
        peak[chosen] = gpus[column].to_numpy(dtype=np.float64)[chosen]
    return peak


def usd_per_effective_tflop(offers: pd.DataFrame, gpus: pd.DataFrame | None = None,
                            efficiency: pd.DataFrame | None = None,
                            families: pd.DataFrame | None = None,
                            assumptions: EstimationAssumptions | None = None) -> pd.DataFrame:
    """Dollars per effective TFLOP-hour and per 1e18 FLOP of every offer, one row per precision
    its GPU has a dense peak for, at the assumed utilization and at 100 %.

    Offers without a known ``gpu_model`` produce no rows. Utilization is
    ``assumptions.effective_tflop_utilization`` or else the family's training MFU.
    """
    assumptions = assumptions or EstimationAssumptions()
    _require(offers, OFFER_COLUMNS, "offers")
    gpus = reference.gpu_models() if gpus is None else gpus
    peaks = gpus.melt(id_vars="gpu_model", value_vars=[PEAK_COLUMN[p] for p in PEAK_PRECISIONS],
                      var_name="peak_column", value_name="peak_dense_tflops").dropna()
    peaks["precision"] = peaks["peak_column"].map(
        {PEAK_COLUMN[p]: p for p in PEAK_PRECISIONS})
    rows = offers[list(OFFER_COLUMNS)].merge(
        peaks[["gpu_model", "precision", "peak_dense_tflops"]], on="gpu_model", how="inner")
    factors = efficiency_for(rows["gpu_model"].to_numpy(), rows["precision"].to_numpy(),
                             efficiency, families)
    if assumptions.effective_tflop_utilization is None:
        rows["utilization"] = factors["mfu_training"].to_numpy()
        rows["utilization_source"] = ("mfu_training from "
                                      + factors["efficiency_source"].to_numpy())
    else:
        rows["utilization"] = assumptions.effective_tflop_utilization
        rows["utilization_source"] = "assumption effective_tflop_utilization"
    price, peak = rows["usd_per_gpu_hour"], rows["peak_dense_tflops"]
    rows["effective_tflops"] = peak * rows["utilization"]
    rows["usd_per_effective_tflop_hour"] = usd_per_effective_tflop_hour(price, peak,
                                                                        rows["utilization"])
    rows["usd_per_exaflop"] = usd_per_exaflop(price, peak, rows["utilization"])
    rows["usd_per_tflop_hour_at_peak"] = usd_per_effective_tflop_hour(price, peak, 1.0)
    rows["usd_per_exaflop_at_peak"] = usd_per_exaflop(price, peak, 1.0)
    return rows[list(USD_PER_EFFECTIVE_TFLOP_COLUMNS)].reset_index(drop=True)


def parameters_only_architecture(total_params: float, llm_model: str = "custom"
                                 ) -> pd.DataFrame:
    """A one-row architecture table for a dense model known only by its parameter count:
    shape columns NaN, so the engine models no KV cache, no attention term, no activations."""
    return pd.DataFrame([{
        "llm_model": llm_model, "name": f"dense model of {total_params:.4g} parameters",
        "total_params": float(total_params), "active_params": float(total_params),
        "n_layers": np.nan, "hidden_size": np.nan, "n_heads": np.nan, "n_kv_heads": np.nan,
        "head_dim": np.nan, "vocab_size": np.nan, "n_experts": 1.0, "n_active_experts": 1.0,
        "kv_lora_rank": np.nan, "qk_rope_head_dim": np.nan, "qk_nope_head_dim": np.nan,
        "mtp_layers": 0.0, "attention_layers": np.nan}])


def serving_params(assumptions: EstimationAssumptions) -> ServingParams:
    """The serving-stack assumptions the engine takes, from the assumption model."""
    return ServingParams(**{f.name: float(getattr(assumptions, f.name))
                            for f in fields(ServingParams)})


def with_interconnects(gpus: pd.DataFrame, assumptions: EstimationAssumptions,
                       interconnects: pd.DataFrame | None = None) -> pd.DataFrame:
    """``gpus`` with the collective latency and link efficiency of their interconnect kind
    (the assumption ``allreduce_link_efficiency`` overrides the efficiency)."""
    kinds = reference.interconnects() if interconnects is None else interconnects
    out = gpus.merge(kinds[["interconnect_kind", "collective_latency_us", "link_efficiency"]],
                     on="interconnect_kind", how="left")
    if assumptions.allreduce_link_efficiency is not None:
        out["link_efficiency"] = assumptions.allreduce_link_efficiency
    return out


#: Estimate columns proportional to the price per GPU-hour.
DOLLAR_COLUMNS = ("usd_per_request", "usd_per_1k_input_tokens", "usd_per_1k_output_tokens",
                  "usd_per_1k_tokens_blended")

#: Columns of the serving grid filled from the estimate, in output order.
ESTIMATE_COLUMNS = tuple(f.name for f in fields(InferenceEstimate)
                         if f.name not in ("prefill_compute_bound", "decode_compute_bound"))


def serving_grid(grid: pd.DataFrame, gpus: pd.DataFrame, architectures: pd.DataFrame,
                 efficiency: pd.DataFrame | None, families: pd.DataFrame | None,
                 assumptions: EstimationAssumptions) -> pd.DataFrame:
    """Run the engine over ``grid`` (columns gpu_model, llm_model, precision, input_tokens,
    output_tokens, tpot_slo_seconds, usd_per_gpu_hour; optional ttft_slo_seconds, batch_size,
    n_gpus, kv_cache_precision) and return it with the estimate in the layout the search
    chose (:mod:`models.estimation.layouts`, policy ``assumptions.layout``) and the
    assumptions used as columns. Rows whose GPU has no dense peak at the precision are
    dropped. A grid that already carries the efficiency columns (``mfu_prefill`` ... and
    ``efficiency_source``, as calibration does) keeps them; otherwise they come from the
    efficiency table and assumption overrides."""
    hardware = ["gpu_model", *dict.fromkeys(PEAK_COLUMN.values()),
                *(f.name for f in fields(HardwareArrays) if f.name != "peak_dense_tflops")]
    shape = ["llm_model", *(f.name for f in fields(ModelArrays))]
    gpus = with_interconnects(gpus, assumptions)
    grid = grid.merge(gpus[hardware], on="gpu_model", how="inner").merge(
        architectures[shape], on="llm_model", how="inner")
    grid["peak_dense_tflops"] = peak_dense_tflops(grid, grid["precision"])
    grid = grid[grid["peak_dense_tflops"].notna()].reset_index(drop=True)
    if "mfu_prefill" not in grid:
        factors = efficiency_for(grid["gpu_model"].to_numpy(), grid["precision"].to_numpy(),
                                 efficiency, families, assumptions)
        grid = pd.concat([grid, factors.drop(columns="gpu_family")], axis=1)
    default_kv = assumptions.kv_cache_precision or grid["precision"].map(kv_cache_precision)
    grid["kv_cache_precision"] = (grid["kv_cache_precision"].fillna(default_kv)
                                  if "kv_cache_precision" in grid else default_kv)
    optional = {name: grid[name].to_numpy(dtype=np.float64) if name in grid else np.nan
                for name in ("batch_size", "n_gpus", "ttft_slo_seconds")}
    estimate = search_layouts(
        ModelArrays.from_frame(grid), HardwareArrays.from_frame(grid),
        EfficiencyArrays.from_frame(grid), policy=assumptions.layout,
        a16z=assumptions.convention == "a16z", params=serving_params(assumptions),
        input_tokens=grid["input_tokens"].to_numpy(dtype=np.float64),
        output_tokens=grid["output_tokens"].to_numpy(dtype=np.float64),
        weight_bytes_per_param=grid["precision"].map(BYTES_PER_ELEMENT).to_numpy(np.float64),
        kv_bytes_per_element=grid["kv_cache_precision"].map(BYTES_PER_ELEMENT)
        .to_numpy(np.float64),
        activation_bytes=grid["precision"].map(activation_bytes).to_numpy(np.float64),
        tpot_slo_seconds=grid["tpot_slo_seconds"].to_numpy(dtype=np.float64),
        usd_per_gpu_hour=grid["usd_per_gpu_hour"].to_numpy(dtype=np.float64), **optional)
    grid = grid.drop(columns=[c for c in ("batch_size", "n_gpus") if c in grid])
    for name in ESTIMATE_COLUMNS:
        grid[name] = getattr(estimate, name)
    grid["ttft_slo_seconds"] = optional["ttft_slo_seconds"]
    grid["bound_prefill"] = estimate.bound_prefill
    grid["bound_decode"] = estimate.bound_decode
    grid["convention"] = assumptions.convention
    for name in ASSUMPTION_COLUMNS:
        grid[name] = getattr(assumptions, name)
    return grid


def cost_per_1k_tokens(price_basis: pd.DataFrame, architectures: pd.DataFrame | None = None,
                       gpus: pd.DataFrame | None = None, efficiency: pd.DataFrame | None = None,
                       families: pd.DataFrame | None = None,
                       workloads: pd.DataFrame | None = None,
                       assumptions: EstimationAssumptions | None = None) -> pd.DataFrame:
    """Projected cost of serving each architecture on each priced GPU.

    ``price_basis`` has one row per observation_date, gpu_model and price basis (e.g. the
    day's cheapest and median on-demand per-GPU price). Output: one row per date × model ×
    GPU × price basis × precision (those the GPU has a peak for) × workload profile.
    """
    assumptions = assumptions or EstimationAssumptions()
    _require(price_basis, PRICE_BASIS_COLUMNS, "price_basis")
    architectures = (reference.llm_architectures() if architectures is None
                     else architectures)
    workloads = reference.workload_profiles() if workloads is None else workloads
    if assumptions.llm_models is not None:
        architectures = architectures[architectures["llm_model"].isin(assumptions.llm_models)]
    if assumptions.workload_profiles is not None:
        workloads = workloads[workloads["workload_profile"].isin(assumptions.workload_profiles)]
    # The physics depends on the GPU, not on its price: project each GPU once at $1/GPU-hour
    # and scale the dollar columns (all linear in the price) for every price basis and day.
    physics = (pd.DataFrame({"gpu_model": price_basis["gpu_model"].unique()})
               .merge(architectures[["llm_model"]], how="cross")
               .merge(pd.DataFrame({"precision": assumptions.precisions}), how="cross")
               .merge(workloads[["workload_profile", "input_tokens", "output_tokens",
                                 "tpot_slo_seconds"]], how="cross")
               .assign(usd_per_gpu_hour=1.0))
    projected = serving_grid(physics, reference.gpu_models() if gpus is None else gpus,
                             architectures, efficiency, families, assumptions)
    out = price_basis[list(PRICE_BASIS_COLUMNS)].merge(
        projected.drop(columns="usd_per_gpu_hour"), on="gpu_model", how="inner")
    for column in DOLLAR_COLUMNS:
        out[column] = out[column] * out["usd_per_gpu_hour"]
    return out[list(COST_PER_1K_TOKENS_COLUMNS)].reset_index(drop=True)


def market_vs_projected(token_prices: pd.DataFrame, projected: pd.DataFrame,
                        architectures: pd.DataFrame | None = None,
                        assumptions: EstimationAssumptions | None = None) -> pd.DataFrame:
    """API prices against the projected cost floor of the same architecture on the same day.

    Token prices are matched to architectures by resolving each provider model id
    (:func:`models.estimation.names.resolve_llm_ids`: aliases, OpenRouter and Hugging Face
    ids, then ``llm_name_rules.csv``); unresolved ids produce no row. The floor is the
    projection (output of :func:`cost_per_1k_tokens`) with the lowest blended price per
    million tokens, blending ``market_input_weight`` input tokens per output token, among
    projections that fit and meet their profile's TPOT target; markup = market / floor.
    """
    assumptions = assumptions or EstimationAssumptions()
    _require(token_prices, TOKEN_PRICE_COLUMNS, "token_prices")
    weight = assumptions.market_input_weight

    def blend(inputs, outputs):
        return (weight * inputs + outputs) / (weight + 1)

    market = token_prices[list(TOKEN_PRICE_COLUMNS)].copy()
    market["llm_model"] = resolve_llm_ids(market["model_id"], architectures).to_numpy()
    market = market.dropna(subset=["llm_model"])
    candidates = projected[projected["fits"].astype(bool)
                           & projected["meets_tpot_slo"].astype(bool)].copy()
    candidates["projected_usd_per_million_input_tokens"] = (
        candidates["usd_per_1k_input_tokens"] * 1000)
    candidates["projected_usd_per_million_output_tokens"] = (
        candidates["usd_per_1k_output_tokens"] * 1000)
    candidates["projected_usd_per_million_tokens_blended"] = blend(
        candidates["projected_usd_per_million_input_tokens"],
        candidates["projected_usd_per_million_output_tokens"])
    candidates = candidates.dropna(subset=["projected_usd_per_million_tokens_blended"])
    floor_rows = candidates.loc[candidates.groupby(["observation_date", "llm_model"])[
        "projected_usd_per_million_tokens_blended"].idxmin()]
    floor = floor_rows.rename(columns={
        "gpu_model": "floor_gpu_model", "workload_profile": "floor_workload_profile",
        "precision": "floor_precision", "price_basis": "floor_price_basis",
        "n_gpus": "floor_n_gpus"})
    out = market.merge(floor, on=["observation_date", "llm_model"], how="inner")
    out["usd_per_million_tokens_blended"] = blend(out["usd_per_million_input_tokens"],
                                                  out["usd_per_million_output_tokens"])
    for side in ("input", "output"):
        out[f"implied_markup_{side}"] = (out[f"usd_per_million_{side}_tokens"]
                                         / out[f"projected_usd_per_million_{side}_tokens"])
    out["implied_markup_blended"] = (out["usd_per_million_tokens_blended"]
                                     / out["projected_usd_per_million_tokens_blended"])
    out["market_input_weight"] = weight
    return out[list(MARKET_VS_PROJECTED_COLUMNS)].reset_index(drop=True)
