"""Choosing the parallel layout of a serving replica: enumerate the candidate layouts of every
scenario, estimate each with :func:`models.estimation.inference.estimate_inference`, keep one.

Candidates: GPUs per stage ``tp`` in 1, 2, 4, ... 64 (and 72) within the GPU's scale-up domain
(NVLink, NVL bridge pair, Infinity Fabric, ICI slice, NeuronLink); tensor-parallel attention
needs ``tp`` to divide the attention heads and to divide, or be a multiple of, the KV heads;
MLA models may run attention data-parallel instead (``tp`` attention ranks, each with the full
dense weights); MoE experts are expert-parallel over the stage. Pipeline stages ``pp`` in
1, 2, 4, 8, 16 (across domains), at most ``max_gpus_per_replica`` GPUs. Data parallelism of
whole replicas does not change the cost per token, so one replica is the unit. A requested
``n_gpus`` keeps the candidates with tp·pp = n_gpus.

Policies: ``cheapest`` (default) — of the layouts that fit and meet the latency targets, the
fewest GPU-seconds per output token (prefill included; fewer GPUs on ties); ``smallest`` —
the fewest GPUs that fit (the engine's first behaviour), cheapest among those. Where no
layout meets the targets, the layouts that fit are ranked the same way and the result says
the target is missed; where none fits, the result is NaN.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Literal

import numpy as np

from models.estimation.inference import (
    EfficiencyArrays,
    HardwareArrays,
    InferenceEstimate,
    LayoutArrays,
    ModelArrays,
    ServingParams,
    estimate_inference,
)
from models.estimation.memory import (
    BYTES_PER_GB,
    PARALLEL_SIZES,
    expert_params,
    weight_bytes_per_gpu,
)

Policy = Literal["cheapest", "smallest"]
DEFAULT_PARAMS = ServingParams()
PIPELINE_SIZES = (1, 2, 4, 8, 16)

#: Every (GPUs per stage, pipeline stages, data-parallel attention) combination considered.
_TP, _PP, _DP = (np.array(v, dtype=np.float64) for v in zip(
    *((tp, pp, dp) for tp in PARALLEL_SIZES for pp in PIPELINE_SIZES for dp in (0, 1)
      if not (dp and tp == 1)), strict=True))


def _pick(value, index):
    if isinstance(value, np.ndarray):
        return value[index] if value.ndim else value
    return type(value)(**{f.name: _pick(getattr(value, f.name), index) for f in fields(value)})


def _flat(value, n):
    if hasattr(value, "__dataclass_fields__"):
        return type(value)(**{f.name: _flat(getattr(value, f.name), n) for f in fields(value)})
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()


def _col(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)[:, None]


def candidate_mask(model: ModelArrays, hardware: HardwareArrays, n_gpus, a16z,
                   max_gpus_per_replica) -> np.ndarray:
    """Boolean (scenarios × candidates) of the layouts each scenario may use."""
    tp, pp, dp = _TP[None, :], _PP[None, :], _DP[None, :] > 0
    domain = np.nan_to_num(_col(hardware.nvlink_domain_size), nan=1.0)
    heads, kv_heads, layers = _col(model.n_heads), _col(model.n_kv_heads), _col(model.n_layers)
    unknown_heads = np.isnan(heads) | np.isnan(kv_heads)
    safe_heads, safe_kv = np.nan_to_num(heads, nan=1.0), np.nan_to_num(kv_heads, nan=1.0)
    divides_heads = (np.mod(safe_heads, tp) == 0) & (
        np.where(tp <= safe_kv, np.mod(safe_kv, tp) == 0, np.mod(tp, safe_kv) == 0))
    mla = np.nan_to_num(_col(model.kv_lora_rank)) > 0
    attention_ok = np.where(dp, mla, divides_heads | unknown_heads)
    size_ok = (tp <= domain) & (tp * pp <= max_gpus_per_replica)
    stages_ok = (pp == 1) | (pp <= np.nan_to_num(layers, nan=1.0))
    requested = _col(n_gpus)
    count_ok = np.isnan(requested) | (tp * pp == requested)
    a16z_ok = ~_col(a16z).astype(bool) | ((tp == 1) & (pp == 1) & ~dp)
    return attention_ok & size_ok & stages_ok & count_ok & a16z_ok


def _drop_overflowing(rows, cands, model, hardware, scenario, params, a16z):
    experts = expert_params(model.total_params, model.active_params, model.n_experts,
                            model.n_active_experts)[rows]
    bytes_per_param = scenario["weight_bytes_per_param"][rows]
    dense = (model.total_params[rows] - experts) * bytes_per_param
    per_gpu = weight_bytes_per_gpu(dense, experts * bytes_per_param, _TP[cands], _PP[cands],
                                   _DP[cands] > 0)
    capacity = (hardware.memory_gb[rows] * BYTES_PER_GB * params.memory_utilization
                - params.runtime_workspace_gb * BYTES_PER_GB)
    keep = (per_gpu < capacity) | a16z[rows]
    has_any = np.zeros(len(model.total_params), dtype=bool)
    has_any[rows[keep]] = True
    first = np.zeros(len(rows), dtype=bool)
    first[np.unique(rows, return_index=True)[1]] = True
    keep |= ~has_any[rows] & first  # nothing fits: keep one layout to report it
    return rows[keep], cands[keep]


def search_layouts(model: ModelArrays, hardware: HardwareArrays, efficiency: EfficiencyArrays,
                   *, n_gpus=np.nan, policy: Policy = "cheapest", a16z=False,
                   params: ServingParams = DEFAULT_PARAMS, **scenario) -> InferenceEstimate:
    """Estimate every scenario (1-D arrays of equal length, or scalars) in its chosen layout;
    ``scenario`` holds the remaining keyword arguments of :func:`estimate_inference`."""
    sizes = [np.size(getattr(x, f.name)) for x in (model, hardware, efficiency)
             for f in fields(x)]
    sizes += [np.size(n_gpus), np.size(a16z), *(np.size(v) for v in scenario.values())]
    n = 0 if 0 in sizes else max(sizes)
    model, hardware, efficiency = (_flat(x, n) for x in (model, hardware, efficiency))
    n_gpus, a16z_flags = _flat(n_gpus, n), _flat(a16z, n) > 0
    scenario = {k: _flat(v, n) for k, v in scenario.items()}
    mask = candidate_mask(model, hardware, n_gpus, a16z_flags, params.max_gpus_per_replica)
    unmatched = ~mask.any(axis=1)  # e.g. 3 GPUs requested: evaluated on one, reported unfit
    mask[unmatched, 0] = True
    rows, cands = np.nonzero(mask)
    # Layouts whose weights alone overflow a GPU cannot fit: not evaluated (unless nothing
    # else is left for the scenario, which then reports not fitting).
    rows, cands = _drop_overflowing(rows, cands, model, hardware, scenario, params, a16z_flags)
    layout = LayoutArrays(_TP[cands], _PP[cands], _DP[cands])
    estimate = estimate_inference(
        _pick(model, rows), _pick(hardware, rows), _pick(efficiency, rows), layout,
        a16z=a16z_flags[rows], params=params,
        **{k: v[rows] for k, v in scenario.items()})
    fits = estimate.fits & np.isfinite(estimate.gpu_seconds_per_output_token)
    meets = estimate.meets_tpot_slo & estimate.meets_ttft_slo
    cost = np.nan_to_num(estimate.gpu_seconds_per_output_token, nan=np.inf)
    keys = [estimate.n_gpus, cost] if policy == "cheapest" else [cost, estimate.n_gpus]
    order = np.lexsort((*keys, ~meets, ~fits, rows))  # last key sorts first
    first = np.ones(len(order), dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    chosen = order[first]
    out = _pick(estimate, chosen)
    return replace(out, fits=fits[chosen] & ~unmatched)
