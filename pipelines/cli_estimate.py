"""``compute-atlas estimate``: project inference and training cost from the command line.

No dagster and no database: the commands call the pure engine in ``models.estimation``.
Unknown or ambiguous GPU/model names exit non-zero with the candidates, never a traceback.
When ``--usd-per-gpu-hour`` is not given, physical results are still computed and every dollar
figure is null: the engine ships no default prices (prices are what the pipeline observes).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from pydantic import ValidationError
from rich.table import Table

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.efficiency import efficiency_for
from models.estimation.names import NameResolutionError, resolve_gpu, resolve_llm
from models.estimation.precisions import PEAK_COLUMN, PRECISIONS
from models.estimation.roofline import ridge_point
from models.estimation.tables import parameters_only_architecture, peak_dense_tflops, serving_grid
from models.estimation.training import estimate_training
from pipelines.cli_output import console, fail

estimate_app = typer.Typer(help="Project inference and training cost from the engine.",
                           no_args_is_help=True, pretty_exceptions_enable=False)

Model = Annotated[str | None, typer.Option("--model", help="Architecture name or alias, e.g. "
                                           "'Llama 3.1 70B'.")]
Params = Annotated[str | None, typer.Option("--params", help="Parameter count of a dense model "
                                            "not in the catalog, e.g. 175e9 or 175B.")]
Gpu = Annotated[str, typer.Option("--gpu", help="GPU name or alias, e.g. H100, 'a100 pcie'.")]
Precision = Annotated[str, typer.Option("--precision", help=f"One of {', '.join(PRECISIONS)}.")]
Convention = Annotated[str, typer.Option("--convention", help="FLOP counting: decoder or a16z.")]
Price = Annotated[float | None, typer.Option("--usd-per-gpu-hour", help="Price per GPU-hour; "
                                             "without it dollar figures are null.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _invalid(error: Exception) -> typer.Exit:
    """A readable one-liner for a name or assumption error."""
    if isinstance(error, ValidationError):
        return fail("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors()))
    return fail(str(error))


def _count(text: str, what: str) -> float:
    """A count such as 175e9, 175B, 7.5M or 2T."""
    scale = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}.get(text.strip()[-1:].lower(), 1.0)
    digits = text.strip()[:-1] if scale != 1.0 else text.strip()
    try:
        value = float(digits) * scale
    except ValueError:
        raise fail(f"{what} must be a number such as 70e9 or 70B, got {text!r}") from None
    if not value > 0:
        raise fail(f"{what} must be positive, got {text!r}")
    return value


def _optional_count(text: str, keyword: str, what: str) -> float:
    """NaN for ``keyword`` ('auto', 'max'), else a positive whole number."""
    if text.strip().lower() == keyword:
        return math.nan
    value = _count(text, what)
    if value != int(value):
        raise fail(f"{what} must be a whole number or '{keyword}', got {text!r}")
    return value


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN to None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _architecture(model: str | None, params: str | None) -> tuple[str, pd.DataFrame]:
    if (model is None) == (params is None):
        raise fail("give exactly one of --model and --params")
    if params is not None:
        return "custom", parameters_only_architecture(_count(params, "--params"))
    return resolve_llm(model), reference.llm_architectures()


def _print(result: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        console.print_json(json.dumps(result))
        return
    table = Table(title=title, show_header=False)
    for key, value in result.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:.6g}"
        table.add_row(key, str(value))
    console.print(table)


def _resolve_inputs(model: str | None, params: str | None, gpu: str, precision: str,
                    convention: str, **assumption_fields
                    ) -> tuple[str, pd.DataFrame, str, EstimationAssumptions]:
    """Validate the options shared by both commands; names and values that cannot be used
    end the command with a message listing the candidates."""
    _check_precision(precision)
    _check_convention(convention)
    try:
        llm_model, architectures = _architecture(model, params)
        gpu_model = resolve_gpu(gpu)
        assumptions = EstimationAssumptions(convention=convention, **assumption_fields)
    except (NameResolutionError, ValueError) as error:
        raise _invalid(error) from None
    return llm_model, architectures, gpu_model, assumptions


def _check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise fail(f"unknown precision {precision!r}; known: {', '.join(PRECISIONS)}")


def _check_convention(convention: str) -> None:
    if convention not in ("decoder", "a16z"):
        raise fail(f"--convention must be decoder or a16z, got {convention!r}")


def _supported(gpu_model: str, gpus: pd.DataFrame) -> str:
    row = gpus[gpus["gpu_model"] == gpu_model].iloc[0]
    return ", ".join(p for p, column in PEAK_COLUMN.items() if pd.notna(row[column]))


@estimate_app.command()
def inference(
    gpu: Gpu, model: Model = None, params: Params = None, precision: Precision = "bf16",
    n_gpus: Annotated[str, typer.Option("--n-gpus", help="GPUs per replica, or auto "
                                        "(smallest layout that fits).")] = "auto",
    input_tokens: Annotated[int, typer.Option("--input-tokens", min=1)] = 1024,
    output_tokens: Annotated[int, typer.Option("--output-tokens", min=1)] = 256,
    batch: Annotated[str, typer.Option("--batch", help="Concurrent sequences, or max "
                                       "(memory-limited, capped at 256).")] = "max",
    usd_per_gpu_hour: Price = None,
    mfu: Annotated[float | None, typer.Option("--mfu", help="Prefill and decode MFU "
                                              "(default: efficiency table).")] = None,
    mbu: Annotated[float | None, typer.Option("--mbu", help="Prefill and decode MBU "
                                              "(default: efficiency table).")] = None,
    convention: Convention = "decoder", as_json: AsJson = False,
) -> None:
    """Serving one model on one GPU type: layout, batch, latency, throughput, dollars."""
    llm_model, architectures, gpu_model, assumptions = _resolve_inputs(
        model, params, gpu, precision, convention, precisions=(precision,), mfu_prefill=mfu,
        mfu_decode=mfu, mbu_prefill=mbu, mbu_decode=mbu)
    gpus = reference.gpu_models()
    grid = pd.DataFrame([{
        "gpu_model": gpu_model, "llm_model": llm_model, "precision": precision,
        "input_tokens": input_tokens, "output_tokens": output_tokens,
        "tpot_slo_seconds": math.nan,
        "usd_per_gpu_hour": math.nan if usd_per_gpu_hour is None else usd_per_gpu_hour,
        "batch_size": _optional_count(batch, "max", "--batch"),
        "n_gpus": _optional_count(n_gpus, "auto", "--n-gpus")}])
    rows = serving_grid(grid, gpus, architectures, None, None, assumptions)
    if rows.empty:
        raise fail(f"{gpu_model} has no dense peak for {precision}; it has: "
                    f"{_supported(gpu_model, gpus)}")
    row = rows.iloc[0]
    compute_only = row["flops_per_request"] / (row["n_gpus"] * row["peak_dense_tflops"] * 1e12
                                               * row["mfu_prefill"])
    keys = ("n_gpus", "tensor_parallel_size", "pipeline_parallel_size", "batch_size",
            "max_batch_size_memory", "fits", "weights_gb", "kv_cache_gb_per_sequence",
            "flops_per_request", "request_seconds", "ttft_seconds", "tpot_seconds",
            "output_tokens_per_second", "output_tokens_per_second_per_gpu", "bound_prefill",
            "bound_decode", "usd_per_gpu_hour", "usd_per_request", "usd_per_1k_input_tokens",
            "usd_per_1k_output_tokens", "usd_per_1k_tokens_blended")
    result = {"model": llm_model, "gpu": gpu_model, "precision": precision,
              **{key: _plain(row[key]) for key in keys},
              "compute_only_request_seconds": _plain(compute_only),
              "assumptions": {
                  "convention": convention, "input_tokens": input_tokens,
                  "output_tokens": output_tokens, "kv_cache_precision": row["kv_cache_precision"],
                  "peak_dense_tflops": _plain(row["peak_dense_tflops"]),
                  "memory_bandwidth_tbps": _plain(row["memory_bandwidth_tbps"]),
                  "ridge_point_flop_per_byte": _plain(ridge_point(
                      row["peak_dense_tflops"], row["memory_bandwidth_tbps"])),
                  **{k: _plain(row[k]) for k in ("mfu_prefill", "mbu_prefill", "mfu_decode",
                                                  "mbu_decode", "efficiency_source")},
                  "memory_utilization": assumptions.memory_utilization,
                  "activation_headroom_fraction": assumptions.activation_headroom_fraction,
                  "max_batch_size": assumptions.max_batch_size,
                  "max_gpus_per_replica": assumptions.max_gpus_per_replica,
                  "allreduce_link_efficiency": assumptions.allreduce_link_efficiency,
                  "architecture": ("parameter count only: no KV cache or attention modelled"
                                   if llm_model == "custom" else "llm_architectures.csv")}}
    _print(result, as_json, f"{llm_model} on {gpu_model} ({precision})")


@estimate_app.command()
def training(
    gpu: Gpu,
    tokens: Annotated[str, typer.Option("--tokens", help="Training tokens, e.g. 300e9 or "
                                        "300B.")],
    model: Model = None, params: Params = None, precision: Precision = "bf16",
    n_gpus: Annotated[int | None, typer.Option("--n-gpus", min=1, help="GPUs training "
                                               "(default: the memory minimum).")] = None,
    mfu: Annotated[float | None, typer.Option("--mfu", help="Training MFU (default: "
                                              "efficiency table).")] = None,
    usd_per_gpu_hour: Price = None,
    memory_scheme: Annotated[str, typer.Option(
        "--memory-scheme", help="mixed_precision_adam (16 B/param) or a16z_fp32 "
        "(4 + 8 B/param).")] = "mixed_precision_adam",
    convention: Convention = "decoder", as_json: AsJson = False,
) -> None:
    """Training one model on one GPU type: FLOPs, GPU-hours, dollars, wall clock, memory."""
    llm_model, architectures, gpu_model, assumptions = _resolve_inputs(
        model, params, gpu, precision, convention, mfu_training=mfu,
        training_memory_scheme=memory_scheme)
    gpus = reference.gpu_models()
    gpu_row = gpus[gpus["gpu_model"] == gpu_model]
    peak = float(peak_dense_tflops(gpu_row.reset_index(drop=True), pd.Series([precision]))[0])
    if math.isnan(peak):
        raise fail(f"{gpu_model} has no dense peak for {precision}; it has: "
                    f"{_supported(gpu_model, gpus)}")
    arch = architectures[architectures["llm_model"] == llm_model].iloc[0]
    factors = efficiency_for([gpu_model], [precision], assumptions=assumptions).iloc[0]
    total_tokens = _count(tokens, "--tokens")
    estimate = estimate_training(
        total_params=arch["total_params"], active_params=arch["active_params"],
        n_layers=arch["n_layers"], attention_width=arch["n_heads"] * arch["head_dim"],
        training_tokens=total_tokens,
        sequence_length=assumptions.training_sequence_length, peak_tflops=peak,
        memory_gb=gpu_row["memory_gb"].iloc[0], mfu=factors["mfu_training"],
        bytes_per_param=assumptions.training_bytes_per_param,
        a16z=convention == "a16z", activation_recompute=assumptions.activation_recompute,
        usd_per_gpu_hour=math.nan if usd_per_gpu_hour is None else usd_per_gpu_hour,
        n_gpus=math.nan if n_gpus is None else n_gpus,
        memory_utilization=assumptions.memory_utilization)
    result = {
        "model": llm_model, "gpu": gpu_model, "precision": precision,
        "params": _plain(arch["total_params"]), "tokens": total_tokens,
        **{key: _plain(np.asarray(getattr(estimate, key))[()]) for key in (
            "flops", "gpu_hours", "usd", "wall_clock_hours", "n_gpus", "bytes_per_param",
            "training_memory_gb", "min_gpus_for_memory")},
        "usd_per_gpu_hour": usd_per_gpu_hour,
        "assumptions": {
            "convention": convention, "peak_dense_tflops": peak,
            "mfu_training": _plain(factors["mfu_training"]),
            "efficiency_source": factors["efficiency_source"],
            "training_memory_scheme": memory_scheme,
            "activation_recompute": assumptions.activation_recompute,
            "training_sequence_length": assumptions.training_sequence_length,
            "memory_utilization": assumptions.memory_utilization,
            "memory_note": "weights, gradients and optimizer state fully sharded; "
                           "activations excluded"}}
    _print(result, as_json, f"training {llm_model} on {gpu_model} ({precision})")
