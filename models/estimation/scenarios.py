"""Inference scenarios as a user states them (names, option values) → one result dict each.

This is what ``compute-atlas estimate inference`` runs, for one scenario (the options) or many
(``--scenarios FILE.csv``): a table whose columns are the command's long option names with
underscores (``model``, ``params``, ``gpu``, ``precision``, ``n_gpus``, ``layout``,
``input_tokens``, ``output_tokens``, ``batch``, ``usd_per_gpu_hour``, ``mfu``, ``mbu``,
``convention``, ``kv_precision``, ``max_tpot_ms``, ``max_ttft_s``); missing columns and empty
cells take the defaults of :data:`DEFAULTS` (``output_tokens``: 256, or as many as
``input_tokens`` under the a16z convention, whose request has n tokens in and n out). Each
row is checked on its own: a row that cannot be estimated gets ``error`` (why) and null
figures, and never stops the others. Valid rows are estimated in one vectorized engine call
per group of rows sharing the same assumptions.
No typer and no printing here.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.memory import PARALLEL_SIZES
from models.estimation.names import NameResolutionError, resolve_gpu, resolve_llm
from models.estimation.precisions import PEAK_COLUMN, PRECISIONS
from models.estimation.roofline import ridge_point
from models.estimation.tables import parameters_only_architecture, serving_grid

#: Scenario columns and their defaults (the CLI's option defaults).
DEFAULTS: dict[str, Any] = {
    "model": None, "params": None, "gpu": None, "precision": "bf16", "n_gpus": "auto",
    "layout": "cheapest", "input_tokens": 1024, "output_tokens": None, "batch": "max",
    "usd_per_gpu_hour": None, "mfu": None, "mbu": None, "convention": "decoder",
    "kv_precision": None, "max_tpot_ms": None, "max_ttft_s": None,
}

#: Result keys that are counts (printed as integers).
INTEGER_KEYS = ("n_gpus", "tensor_parallel_size", "pipeline_parallel_size",
                "expert_parallel_size", "data_parallel_size", "batch_size",
                "max_batch_size_memory", "input_tokens", "output_tokens", "min_gpus_for_memory")

RESULT_KEYS = (
    "n_gpus", "tensor_parallel_size", "pipeline_parallel_size", "expert_parallel_size",
    "data_parallel_size", "batch_size", "max_batch_size_memory", "fits", "meets_tpot_slo",
    "meets_ttft_slo", "weights_gb", "weights_gb_per_gpu", "kv_cache_gb_per_sequence",
    "flops_per_request", "request_seconds", "ttft_seconds", "tpot_seconds",
    "tokens_per_decode_step", "output_tokens_per_second", "output_tokens_per_second_per_gpu",
    "bound_prefill", "bound_decode", "usd_per_gpu_hour", "usd_per_request",
    "usd_per_1k_input_tokens", "usd_per_1k_output_tokens", "usd_per_1k_tokens_blended")

A16Z_NOTE = ("a16z convention applied: 2 x params FLOPs per token (a request of n in and n "
             "out = 2 n p), one GPU, one request, time = FLOPs / (peak x MFU), dollars = "
             "time x price; memory, bandwidth, batching and parallelism ignored")
DECODER_NOTE = ("decoder convention: 2 x active params FLOPs per token plus attention; layout, "
                "batch, memory, bandwidth and collectives modelled")


class ScenarioError(ValueError):
    """A scenario value that cannot be used; the message says which and why."""


def count(text: Any, what: str) -> float:
    """A positive count such as 175e9, 175B, 7.5M or 2T."""
    raw = str(text).strip()
    scale = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}.get(raw[-1:].lower(), 1.0)
    digits = raw[:-1] if scale != 1.0 else raw
    try:
        value = float(digits) * scale
    except ValueError:
        raise ScenarioError(f"{what} must be a number such as 70e9 or 70B, got {raw!r}") from None
    if not value > 0 or math.isinf(value):
        raise ScenarioError(f"{what} must be positive, got {raw!r}")
    return value


def optional_count(text: Any, keyword: str, what: str) -> float:
    """NaN for ``keyword`` ('auto', 'max'), else a positive whole number."""
    if str(text).strip().lower() == keyword:
        return math.nan
    value = count(text, what)
    if value != int(value):
        raise ScenarioError(f"{what} must be a whole number or '{keyword}', got {text!r}")
    return value


def _optional_number(value: Any, what: str) -> float:
    if value is None:
        return math.nan
    return count(value, what)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


@cache
def _gpu(name: str) -> str:
    return resolve_gpu(name)


@cache
def _llm(name: str) -> str:
    return resolve_llm(name)


def _peaks(gpus: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Dense peak per GPU and precision, the formats without one left out."""
    return {record["gpu_model"]: {p: record[c] for p, c in PEAK_COLUMN.items()
                                 if pd.notna(record[c])}
            for record in gpus.to_dict("records")}


def _parse(row: dict[str, Any], peaks: dict[str, dict[str, float]]) -> dict[str, Any]:
    """One scenario row → engine inputs; raises ScenarioError / NameResolutionError."""
    value = {k: (DEFAULTS[k] if _blank(row.get(k)) else row[k]) for k in DEFAULTS}
    if (value["model"] is None) == (value["params"] is None):
        raise ScenarioError("give exactly one of model and params")
    if value["gpu"] is None:
        raise ScenarioError("gpu is required")
    precision = str(value["precision"]).strip().lower()
    if precision not in PRECISIONS:
        raise ScenarioError(f"unknown precision {precision!r}; known: {', '.join(PRECISIONS)}")
    kv = None if value["kv_precision"] is None else str(value["kv_precision"]).strip().lower()
    if kv is not None and kv not in ("fp8", "fp16", "bf16", "fp32"):
        raise ScenarioError(f"kv_precision must be fp8, fp16 or bf16, got {kv!r}")
    convention = str(value["convention"]).strip().lower()
    if convention not in ("decoder", "a16z"):
        raise ScenarioError(f"convention must be decoder or a16z, got {convention!r}")
    layout = str(value["layout"]).strip().lower()
    if layout not in ("cheapest", "smallest"):
        raise ScenarioError(f"layout must be cheapest or smallest, got {layout!r}")
    n_gpus = optional_count(value["n_gpus"], "auto", "n_gpus")
    if not math.isnan(n_gpus) and not _is_layout_size(n_gpus):
        raise ScenarioError(f"n_gpus {n_gpus:g} is not tp x pp with tp in "
                            f"{', '.join(map(str, PARALLEL_SIZES))} and pp in 1, 2, 4, 8, 16")
    gpu_model = _gpu(str(value["gpu"]))
    if precision not in peaks[gpu_model]:
        have = ", ".join(peaks[gpu_model])
        raise ScenarioError(f"{gpu_model} has no dense peak for {precision}; it has: {have}")
    custom = None
    if value["params"] is not None:
        total = count(value["params"], "params")
        llm_model = f"custom-{total:.6g}"
        custom = parameters_only_architecture(total, llm_model)
    else:
        llm_model = _llm(str(value["model"]))
    if value["output_tokens"] is None:  # the article's request: n tokens in and n out
        value["output_tokens"] = value["input_tokens"] if convention == "a16z" else 256
    tokens = {k: count(value[k], k) for k in ("input_tokens", "output_tokens")}
    for key, number in tokens.items():
        if number != int(number):
            raise ScenarioError(f"{key} must be a whole number, got {value[key]!r}")
    efficiency = {k: _optional_number(value[k], k) for k in ("mfu", "mbu")}
    for key, number in efficiency.items():
        if number > 1:
            raise ScenarioError(f"{key} must be a fraction in (0, 1], got {value[key]!r}")
    max_tpot_ms = _optional_number(value["max_tpot_ms"], "max_tpot_ms")
    return {
        "gpu_model": gpu_model, "llm_model": llm_model, "precision": precision,
        **tokens, "tpot_slo_seconds": max_tpot_ms / 1000.0,
        "ttft_slo_seconds": _optional_number(value["max_ttft_s"], "max_ttft_s"),
        "usd_per_gpu_hour": _optional_number(value["usd_per_gpu_hour"], "usd_per_gpu_hour"),
        "batch_size": optional_count(value["batch"], "max", "batch"), "n_gpus": n_gpus,
        "kv_cache_precision": kv, "_custom": custom,
        "_group": (convention, layout, efficiency["mfu"], efficiency["mbu"]),
    }


def _is_layout_size(n: float) -> bool:
    return any(n == tp * pp for tp in PARALLEL_SIZES for pp in (1, 2, 4, 8, 16))


def _none(x: float) -> float | None:
    return None if math.isnan(x) else x


def _assumptions(group: tuple) -> EstimationAssumptions:
    convention, layout, mfu, mbu = group
    return EstimationAssumptions(convention=convention, layout=layout, mfu_prefill=_none(mfu),
                                 mfu_decode=_none(mfu), mbu_prefill=_none(mbu),
                                 mbu_decode=_none(mbu))


def plain(value: Any, key: str = "") -> Any:
    """JSON-ready: numpy scalars to Python, NaN/inf to None, counts to int, and float noise
    removed (12 significant digits: 0.8899999999999999 → 0.89)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer() and (key in INTEGER_KEYS or abs(value) < 1e15):
            return int(value) if key in INTEGER_KEYS else value
        return float(f"{value:.12g}")
    return value


def _assumption_values(assumptions: EstimationAssumptions) -> dict[str, Any]:
    """The serving assumptions every result of a group shares, JSON-ready."""
    return {k: plain(getattr(assumptions, k)) for k in (
        "memory_utilization", "runtime_workspace_gb", "activation_factor",
        "prefill_chunk_tokens", "max_batch_size", "max_gpus_per_replica",
        "collective_overlap", "mtp_draft_tokens", "mtp_acceptance_rate")}


def _result(row: dict[str, Any], convention: str, assumptions: EstimationAssumptions,
            constant: dict[str, Any], architecture: str) -> dict[str, Any]:
    peak, bandwidth = row["peak_dense_tflops"], row["memory_bandwidth_tbps"]
    compute_only = row["flops_per_request"] / (row["n_gpus"] * peak * 1e12 * row["mfu_prefill"])
    return {
        "model": "custom" if str(row["llm_model"]).startswith("custom-") else row["llm_model"],
        "gpu": row["gpu_model"], "precision": row["precision"],
        **{key: plain(row[key], key) for key in RESULT_KEYS},
        "usd_per_million_output_tokens": plain(row["usd_per_1k_output_tokens"] * 1000),
        "compute_only_request_seconds": plain(compute_only),
        "convention_applied": A16Z_NOTE if convention == "a16z" else DECODER_NOTE,
        "assumptions": {
            "convention": convention, "layout": assumptions.layout,
            "input_tokens": plain(row["input_tokens"], "input_tokens"),
            "output_tokens": plain(row["output_tokens"], "output_tokens"),
            "max_tpot_ms": plain(row["tpot_slo_seconds"] * 1000),
            "max_ttft_s": plain(row["ttft_slo_seconds"]),
            "kv_cache_precision": row["kv_cache_precision"],
            "peak_dense_tflops": plain(peak), "memory_bandwidth_tbps": plain(bandwidth),
            "ridge_point_flop_per_byte": plain(ridge_point(peak, bandwidth)),
            **{k: plain(row[k]) for k in ("mfu_prefill", "mbu_prefill", "mfu_decode",
                                          "mbu_decode", "efficiency_source",
                                          "link_efficiency", "collective_latency_us")},
            **constant, "architecture": architecture},
    }


def _failed(row: dict[str, Any], error: str) -> dict[str, Any]:
    return {"model": None if _blank(row.get("model")) else str(row["model"]),
            "gpu": None if _blank(row.get("gpu")) else str(row["gpu"]),
            "precision": None if _blank(row.get("precision")) else str(row["precision"]),
            **dict.fromkeys(RESULT_KEYS), "usd_per_million_output_tokens": None,
            "compute_only_request_seconds": None, "convention_applied": None,
            "assumptions": None, "error": error}


def run_scenarios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per input row, in input order, each with ``error`` (None or why)."""
    gpus = reference.gpu_models()
    peaks = _peaks(gpus)
    parsed: list[dict[str, Any] | None] = []
    results: list[dict[str, Any] | None] = [None] * len(rows)
    for i, row in enumerate(rows):
        try:
            parsed.append(_parse(row, peaks))
        except (ScenarioError, NameResolutionError, ValidationError) as error:
            parsed.append(None)
            results[i] = _failed(row, str(error))
    valid = [i for i, p in enumerate(parsed) if p is not None]
    if valid:
        frame = pd.DataFrame([parsed[i] for i in valid], index=valid)
        customs = [c for c in frame.pop("_custom") if c is not None]
        architectures = reference.llm_architectures()
        if customs:
            architectures = pd.concat([architectures, *customs], ignore_index=True)
            architectures = architectures.drop_duplicates("llm_model")
        for group, members in frame.groupby("_group", sort=False):
            assumptions = _assumptions(group)
            grid = members.drop(columns="_group").reset_index(names="row")
            projected = serving_grid(grid, gpus, architectures, None, None, assumptions)
            constant = _assumption_values(assumptions)
            for out in projected.to_dict("records"):
                architecture = ("parameter count only: no KV cache or attention modelled"
                                if str(out["llm_model"]).startswith("custom-")
                                else "llm_architectures.csv")
                results[int(out["row"])] = {**_result(out, group[0], assumptions, constant,
                                                      architecture), "error": None}
    return [r if r is not None else _failed(rows[i], "not estimated")
            for i, r in enumerate(results)]
