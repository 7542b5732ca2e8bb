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
    estimate_inference,
)
from models.estimation.memory import TENSOR_PARALLEL_SIZES
from models.estimation.names import normalize_name, openrouter_model_map
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

COST_PER_1K_TOKENS_COLUMNS = (
    "observation_date", "llm_model", "gpu_model", "price_basis", "workload_profile",
    "precision", "kv_cache_precision", "n_gpus", "tensor_parallel_size",
    "pipeline_parallel_size", "batch_size", "max_batch_size_memory", "fits", "meets_tpot_slo",
    "usd_per_gpu_hour", "input_tokens_per_second", "output_tokens_per_second",
    "output_tokens_per_second_per_gpu", "ttft_seconds", "tpot_seconds",
    "usd_per_1k_input_tokens", "usd_per_1k_output_tokens", "usd_per_1k_tokens_blended",
    "bound_prefill", "bound_decode", "input_tokens", "output_tokens", "tpot_slo_seconds",
    "convention", "mfu_prefill", "mbu_prefill", "mfu_decode", "mbu_decode",
    "efficiency_source", "memory_utilization", "activation_headroom_fraction",
    "max_batch_size", "allreduce_link_efficiency", "layout")

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


def parameters_only_architecture(total_params: float) -> pd.DataFrame:
    """A one-row architecture table for a dense model known only by its parameter count:
    shape columns NaN, so the engine models no KV cache and no attention term."""
    return pd.DataFrame([{
        "llm_model": "custom", "name": f"dense model of {total_params:.4g} parameters",
        "total_params": float(total_params), "active_params": float(total_params),
        "n_layers": np.nan, "hidden_size": np.nan, "n_heads": np.nan, "n_kv_heads": np.nan,
        "head_dim": np.nan, "n_experts": 1.0, "n_active_experts": 1.0,
        "kv_bytes_per_token_fp16": np.nan}])


def _layout_candidates(grid: pd.DataFrame, max_gpus: int) -> pd.DataFrame:
    """``grid`` repeated for the auto layout (n_gpus NaN) and every power-of-two GPU count up
    to the NVLink domain and ``max_gpus``; a ``scenario`` column numbers the original rows."""
    grid = grid.assign(scenario=np.arange(len(grid)))
    powers = [size for size in TENSOR_PARALLEL_SIZES if size <= max_gpus]
    sizes = pd.DataFrame({"n_gpus": [np.nan, *powers]})
    expanded = grid.merge(sizes, how="cross")
    expanded["auto_layout"] = expanded["n_gpus"].isna()
    domain = expanded["nvlink_domain_size"].fillna(1.0)
    return expanded[expanded["auto_layout"] | (expanded["n_gpus"] <= domain)]


def _best_layout(projected: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, the fitting layout with the most output tokens/s per GPU (fewer GPUs on
    ties); scenarios where no layout gives a number keep the auto layout."""
    rate = projected["output_tokens_per_second_per_gpu"].where(projected["fits"])
    fallback = np.where(projected["auto_layout"], -1.0, -np.inf)
    ranked = projected.assign(rate=rate.fillna(pd.Series(fallback, index=projected.index)))
    ranked = ranked.sort_values(["scenario", "rate", "n_gpus"], ascending=[True, False, True])
    return (ranked.drop_duplicates("scenario").sort_values("scenario")
            .drop(columns=["rate", "scenario", "auto_layout"]).reset_index(drop=True))


def serving_grid(grid: pd.DataFrame, gpus: pd.DataFrame, architectures: pd.DataFrame,
                 efficiency: pd.DataFrame | None, families: pd.DataFrame | None,
                 assumptions: EstimationAssumptions) -> pd.DataFrame:
    """Run the engine over ``grid`` (columns gpu_model, llm_model, precision, input_tokens,
    output_tokens, tpot_slo_seconds, usd_per_gpu_hour; optional batch_size, n_gpus) and return
    it with the estimate and the assumptions used as columns. Rows whose GPU has no dense peak
    at the precision are dropped. A grid that already carries the efficiency columns
    (``mfu_prefill`` ... and ``efficiency_source``, as calibration does) keeps them; otherwise
    they come from the efficiency table and assumption overrides."""
    hardware = ["gpu_model", *dict.fromkeys(PEAK_COLUMN.values()),
                *(f.name for f in fields(HardwareArrays) if f.name != "peak_dense_tflops")]
    shape = ["llm_model", *(f.name for f in fields(ModelArrays))]
    grid = grid.merge(gpus[hardware], on="gpu_model", how="inner").merge(
        architectures[shape], on="llm_model", how="inner")
    grid["peak_dense_tflops"] = peak_dense_tflops(grid, grid["precision"])
    grid = grid[grid["peak_dense_tflops"].notna()].reset_index(drop=True)
    if "mfu_prefill" not in grid:
        factors = efficiency_for(grid["gpu_model"].to_numpy(), grid["precision"].to_numpy(),
                                 efficiency, families, assumptions)
        grid = pd.concat([grid, factors.drop(columns="gpu_family")], axis=1)
    grid["kv_cache_precision"] = (assumptions.kv_cache_precision
                                  or grid["precision"].map(kv_cache_precision))
    choose_layout = assumptions.layout == "throughput" and "n_gpus" not in grid
    if choose_layout:
        grid = _layout_candidates(grid, assumptions.max_gpus_per_replica)
    optional = {name: grid[name].to_numpy(dtype=np.float64) if name in grid else np.nan
                for name in ("batch_size", "n_gpus")}
    estimate = estimate_inference(
        ModelArrays.from_frame(grid), HardwareArrays.from_frame(grid),
        EfficiencyArrays.from_frame(grid),
        input_tokens=grid["input_tokens"].to_numpy(dtype=np.float64),
        output_tokens=grid["output_tokens"].to_numpy(dtype=np.float64),
        weight_bytes_per_param=grid["precision"].map(BYTES_PER_ELEMENT).to_numpy(np.float64),
        kv_bytes_per_element=grid["kv_cache_precision"].map(BYTES_PER_ELEMENT)
        .to_numpy(np.float64),
        activation_bytes=grid["precision"].map(activation_bytes).to_numpy(np.float64),
        a16z=assumptions.convention == "a16z",
        tpot_slo_seconds=grid["tpot_slo_seconds"].to_numpy(dtype=np.float64),
        usd_per_gpu_hour=grid["usd_per_gpu_hour"].to_numpy(dtype=np.float64),
        memory_utilization=assumptions.memory_utilization,
        activation_headroom_fraction=assumptions.activation_headroom_fraction,
        max_batch_size=assumptions.max_batch_size,
        max_gpus_per_replica=assumptions.max_gpus_per_replica,
        allreduce_link_efficiency=assumptions.allreduce_link_efficiency,
        **optional)
    grid = grid.drop(columns=[c for c in optional if c in grid])
    for field in fields(InferenceEstimate):
        if field.name not in ("prefill_compute_bound", "decode_compute_bound"):
            grid[field.name] = getattr(estimate, field.name)
    grid["bound_prefill"] = estimate.bound_prefill
    grid["bound_decode"] = estimate.bound_decode
    grid["max_batch_size_memory"] = grid["max_batch_size_memory"].replace(np.inf, np.nan)
    grid["convention"] = assumptions.convention
    grid["memory_utilization"] = assumptions.memory_utilization
    grid["activation_headroom_fraction"] = assumptions.activation_headroom_fraction
    grid["max_batch_size"] = assumptions.max_batch_size
    grid["allreduce_link_efficiency"] = assumptions.allreduce_link_efficiency
    grid["layout"] = assumptions.layout
    return _best_layout(grid) if choose_layout else grid


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
    grid = (price_basis[list(PRICE_BASIS_COLUMNS)]
            .merge(architectures[["llm_model"]], how="cross")
            .merge(pd.DataFrame({"precision": assumptions.precisions}), how="cross")
            .merge(workloads[["workload_profile", "input_tokens", "output_tokens",
                              "tpot_slo_seconds"]], how="cross"))
    projected = serving_grid(grid, reference.gpu_models() if gpus is None else gpus,
                             architectures, efficiency, families, assumptions)
    return projected[list(COST_PER_1K_TOKENS_COLUMNS)].reset_index(drop=True)


def _model_key(model_id: str) -> str:
    """Matching key of an API model id; variant suffixes such as ':free' are dropped."""
    return normalize_name(str(model_id).split(":", 1)[0])


def market_vs_projected(token_prices: pd.DataFrame, projected: pd.DataFrame,
                        architectures: pd.DataFrame | None = None,
                        assumptions: EstimationAssumptions | None = None) -> pd.DataFrame:
    """API prices against the projected cost floor of the same architecture on the same day.

    Token prices are matched to architectures through the OpenRouter ids of
    ``llm_architectures.csv``. The floor is the projection (output of
    :func:`cost_per_1k_tokens`) with the lowest blended price per million tokens, blending
    ``market_input_weight`` input tokens per output token, among projections that fit and meet
    their profile's TPOT target; markup = market / floor.
    """
    assumptions = assumptions or EstimationAssumptions()
    _require(token_prices, TOKEN_PRICE_COLUMNS, "token_prices")
    weight = assumptions.market_input_weight

    def blend(inputs, outputs):
        return (weight * inputs + outputs) / (weight + 1)

    market = token_prices[list(TOKEN_PRICE_COLUMNS)].copy()
    market["model_key"] = market["model_id"].map(_model_key)
    market = market.merge(openrouter_model_map(architectures), on="model_key", how="inner")
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
