"""``compute-atlas estimate``: project inference and training cost from the command line.

No dagster, and no database unless asked for a price: the commands call the pure engine in
``models.estimation`` (inference scenarios through :mod:`models.estimation.scenarios`, one or
a CSV of many).
Unknown or ambiguous GPU/model names exit non-zero with the candidates, never a traceback; in a
``--scenarios`` batch a bad row gets an ``error`` and the others still run.
When neither ``--usd-per-gpu-hour`` nor ``--provider`` (the newest price of the GPU at that
provider, read from the published warehouse) is given, physical results are still computed and
every dollar figure is null: the engine ships no default prices (prices are what the pipeline
observes). The engine's modules (pandas, numpy) are imported inside the commands, so
``compute-atlas --help`` does not load them.
JSON keeps full precision (counts as integers); the table rounds for display only.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from models.estimation.precisions import PEAK_COLUMN, PRECISIONS
from pipelines.cli_options import DataDir, open_published
from pipelines.cli_output import console, err, fail

estimate_app = typer.Typer(help="Project inference and training cost from the engine.",
                           no_args_is_help=True, pretty_exceptions_enable=False)

Model = Annotated[str | None, typer.Option("--model", help="Architecture name, alias, provider "
                                           "or Hugging Face id, e.g. 'Llama 3.1 70B'.")]
Params = Annotated[str | None, typer.Option("--params", help="Parameter count of a dense model "
                                            "not in the catalog, e.g. 175e9 or 175B.")]
Gpu = Annotated[str | None, typer.Option("--gpu", help="GPU name or alias, e.g. H100, "
                                         "'a100 pcie'.")]
Precision = Annotated[str, typer.Option("--precision", help=f"One of {', '.join(PRECISIONS)}.")]
Convention = Annotated[str, typer.Option("--convention", help="FLOP counting: decoder or a16z "
                                         "(the article's rule: one GPU, time = FLOPs / (peak x "
                                         "MFU)).")]
Price = Annotated[float | None, typer.Option("--usd-per-gpu-hour", help="Price per GPU-hour; "
                                             "without it dollar figures are null.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (one object per scenario).")]
Provider = Annotated[str | None, typer.Option(
    "--provider", help="Instead of --usd-per-gpu-hour: the newest price of --gpu at this "
    "provider in the published warehouse (on-demand if it has one, else its cheapest offer); "
    "the offer used is in price_source.")]

# The newest price of a GPU at a provider: on-demand before other price types, then cheapest.
_PROVIDER_PRICE_SQL = """
SELECT observation_date, usd_per_gpu_hour, region, price_type, sku
FROM core.cloud__daily_gpu_offers
WHERE provider = ? AND gpu_model = ? AND usd_per_gpu_hour IS NOT NULL
ORDER BY observation_date DESC, price_type <> 'on_demand', usd_per_gpu_hour, region, sku
LIMIT 1
"""


def _invalid(error: Exception) -> typer.Exit:
    """A readable one-liner for a name or assumption error."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        return fail("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors()))
    return fail(str(error))


def _provider_price(gpu: str | None, provider: str | None, price: float | None,
                    data_dir: Path | None) -> tuple[float | None, dict[str, Any] | None]:
    """The price to use and, when it came from the warehouse (``--provider``), which offer."""
    if provider is None:
        return price, None
    if price is not None:
        raise fail("give --provider or --usd-per-gpu-hour, not both")
    if gpu is None:
        raise fail("--provider needs --gpu")
    from models.estimation.names import NameResolutionError, resolve_gpu
    from models.name_matching import unknown_name_message

    try:
        gpu_model = resolve_gpu(gpu)
    except NameResolutionError as error:
        raise fail(str(error)) from None
    con = open_published(data_dir)
    try:
        providers = {r[0]: r[1] for r in con.execute(
            "SELECT provider, bool_or(gpu_model = ?) FROM core.cloud__daily_gpu_offers "
            "GROUP BY provider", [gpu_model]).fetchall()}
        row = con.execute(_PROVIDER_PRICE_SQL, [provider, gpu_model]).fetchone()
    finally:
        con.close()
    if provider not in providers:
        raise fail(unknown_name_message("provider", provider, providers))
    if row is None:
        offering = sorted(p for p, has in providers.items() if has)
        raise fail(f"{provider} has no priced offer of {gpu_model} in the published "
                   f"warehouse; providers that have one: {', '.join(offering) or 'none'}")
    day, usd, region, price_type, sku = row
    return usd, {"provider": provider, "observation_date": day.isoformat(), "region": region,
                 "price_type": price_type, "sku": sku, "usd_per_gpu_hour": usd}


def _display(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_display(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _print(result: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        console.print_json(json.dumps(result))
        return
    table = Table(title=title, show_header=False)
    for key, value in result.items():
        table.add_row(key, _display(value))
    console.print(table)


def _read_scenarios(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except OSError as error:
        raise fail(f"cannot read --scenarios {path}: {error.strerror}") from None


@estimate_app.command()
def inference(
    gpu: Gpu = None, model: Model = None, params: Params = None, precision: Precision = "bf16",
    n_gpus: Annotated[str, typer.Option("--n-gpus", help="GPUs per replica, or auto (the "
                                        "layout chosen by --layout).")] = "auto",
    layout: Annotated[str, typer.Option("--layout", help="cheapest: fewest GPU-seconds per "
                                        "output token over TP/PP/EP/DP layouts within the "
                                        "interconnect domain; smallest: fewest GPUs that "
                                        "fit.")] = "cheapest",
    input_tokens: Annotated[int, typer.Option("--input-tokens", min=1)] = 1024,
    output_tokens: Annotated[int | None, typer.Option(
        "--output-tokens", min=1, help="Generated tokens (default 256; under --convention "
        "a16z as many as --input-tokens, the article's n in and n out).")] = None,
    batch: Annotated[str, typer.Option("--batch", help="Concurrent sequences, or max "
                                       "(memory and latency targets).")] = "max",
    max_tpot_ms: Annotated[float | None, typer.Option("--max-tpot-ms", help="Latency target: "
                                                      "time per output token.")] = None,
    max_ttft_s: Annotated[float | None, typer.Option("--max-ttft-s", help="Latency target: "
                                                     "time to first token.")] = None,
    kv_precision: Annotated[str | None, typer.Option("--kv-precision", help="KV-cache format: "
                                                     "fp8, fp16 or bf16 (default: as the "
                                                     "weights).")] = None,
    usd_per_gpu_hour: Price = None,
    provider: Provider = None,
    mfu: Annotated[float | None, typer.Option("--mfu", help="Prefill and decode MFU "
                                              "(default: efficiency table).")] = None,
    mbu: Annotated[float | None, typer.Option("--mbu", help="Prefill and decode MBU "
                                              "(default: efficiency table).")] = None,
    convention: Convention = "decoder",
    scenarios: Annotated[Path | None, typer.Option("--scenarios", help="CSV of scenarios; "
                                                   "columns are these options' long names "
                                                   "with underscores (model, gpu, precision, "
                                                   "input_tokens, n_gpus, ...). Prints one "
                                                   "result per row, in order.")] = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Serving one model on one GPU type: layout, batch, latency, throughput, dollars."""
    from models.estimation.scenarios import run_scenarios

    if scenarios is not None:
        if provider is not None:
            raise fail("--provider prices one scenario; give usd_per_gpu_hour in --scenarios")
        rows = _read_scenarios(scenarios)
        started = time.perf_counter()
        results = run_scenarios(rows)
        seconds = time.perf_counter() - started
        if as_json:
            sys.stdout.write("".join(json.dumps(r) + "\n" for r in results))
        else:
            for i, result in enumerate(results, start=1):
                _print(result, False, f"scenario {i}")
        err.print(f"{len(results)} scenarios in {seconds:.2f} s "
                  f"({len(results) / max(seconds, 1e-9):,.0f}/s); "
                  f"{sum(r['error'] is not None for r in results)} with errors")
        return
    usd_per_gpu_hour, price_source = _provider_price(gpu, provider, usd_per_gpu_hour, data_dir)
    row = {"model": model, "params": params, "gpu": gpu, "precision": precision,
           "n_gpus": n_gpus, "layout": layout, "input_tokens": input_tokens,
           "output_tokens": output_tokens, "batch": batch, "usd_per_gpu_hour": usd_per_gpu_hour,
           "mfu": mfu, "mbu": mbu, "convention": convention, "kv_precision": kv_precision,
           "max_tpot_ms": max_tpot_ms, "max_ttft_s": max_ttft_s}
    result = run_scenarios([row])[0]
    error = result.pop("error")
    if error is not None:
        raise fail(error)
    if price_source is not None:
        result["price_source"] = price_source
    _print(result, as_json, f"{result['model']} on {result['gpu']} ({precision})")


def _training_architecture(model: str | None, params: str | None) -> dict[str, Any]:
    if (model is None) == (params is None):
        raise fail("give exactly one of --model and --params")
    from models.estimation import reference
    from models.estimation.names import resolve_llm
    from models.estimation.scenarios import count

    if params is not None:
        total = count(params, "--params")
        return {"llm_model": "custom", "total_params": total, "active_params": total,
                "n_layers": math.nan, "n_heads": math.nan, "head_dim": math.nan}
    architectures = reference.llm_architectures()
    llm_model = resolve_llm(model)
    return architectures[architectures["llm_model"] == llm_model].iloc[0].to_dict()


@estimate_app.command()
def training(
    gpu: Gpu,
    tokens: Annotated[str, typer.Option("--tokens", help="Training tokens, e.g. 300e9 or "
                                        "300B.")],
    model: Model = None, params: Params = None, precision: Precision = "bf16",
    n_gpus: Annotated[int | None, typer.Option("--n-gpus", min=1, help="GPUs training "
                                               "(default: enough whole nodes to hold the "
                                               "state and finish within --days).")] = None,
    days: Annotated[float, typer.Option("--days", min=0.001, help="Wall-clock target when "
                                        "--n-gpus is not given.")] = 30.0,
    mfu: Annotated[float | None, typer.Option("--mfu", help="Training MFU (default: "
                                              "efficiency table).")] = None,
    usd_per_gpu_hour: Price = None,
    provider: Provider = None,
    memory_scheme: Annotated[str | None, typer.Option(
        "--memory-scheme", help="mixed_precision_adam (16 B/param) or a16z_fp32 (4 + 8 "
        "B/param); default: a16z_fp32 under --convention a16z, else "
        "mixed_precision_adam.")] = None,
    convention: Convention = "decoder", as_json: AsJson = False,
    data_dir: DataDir = None,
) -> None:
    """Training one model on one GPU type: FLOPs, GPU-hours, dollars, layout, wall clock."""
    import numpy as np
    import pandas as pd

    from models.estimation import reference
    from models.estimation.assumptions import EstimationAssumptions
    from models.estimation.efficiency import efficiency_for
    from models.estimation.names import NameResolutionError, resolve_gpu
    from models.estimation.scenarios import ScenarioError, count, plain
    from models.estimation.tables import peak_dense_tflops
    from models.estimation.training import estimate_training

    if gpu is None:
        raise fail("--gpu is required")
    if precision not in PRECISIONS:
        raise fail(f"unknown precision {precision!r}; known: {', '.join(PRECISIONS)}")
    if convention not in ("decoder", "a16z"):
        raise fail(f"--convention must be decoder or a16z, got {convention!r}")
    scheme = memory_scheme or ("a16z_fp32" if convention == "a16z" else "mixed_precision_adam")
    usd_per_gpu_hour, price_source = _provider_price(gpu, provider, usd_per_gpu_hour, data_dir)
    try:
        arch = _training_architecture(model, params)
        gpu_model = resolve_gpu(gpu)
        assumptions = EstimationAssumptions(convention=convention, mfu_training=mfu,
                                            training_memory_scheme=scheme, training_days=days)
        total_tokens = count(tokens, "--tokens")
    except (NameResolutionError, ValueError, ScenarioError) as error:
        raise _invalid(error) from None
    gpus = reference.gpu_models()
    gpu_row = gpus[gpus["gpu_model"] == gpu_model].reset_index(drop=True)
    peak = float(peak_dense_tflops(gpu_row, pd.Series([precision]))[0])
    if math.isnan(peak):
        have = ", ".join(p for p, c in PEAK_COLUMN.items() if pd.notna(gpu_row.loc[0, c]))
        raise fail(f"{gpu_model} has no dense peak for {precision}; it has: {have}")
    factors = efficiency_for([gpu_model], [precision], assumptions=assumptions).iloc[0]
    estimate = estimate_training(
        total_params=arch["total_params"], active_params=arch["active_params"],
        n_layers=arch["n_layers"], attention_width=4 * arch["n_heads"] * arch["head_dim"],
        training_tokens=total_tokens,
        sequence_length=assumptions.training_sequence_length, peak_tflops=peak,
        memory_gb=gpu_row.loc[0, "memory_gb"], mfu=factors["mfu_training"],
        bytes_per_param=assumptions.training_bytes_per_param,
        a16z=convention == "a16z", activation_recompute=assumptions.activation_recompute,
        usd_per_gpu_hour=math.nan if usd_per_gpu_hour is None else usd_per_gpu_hour,
        n_gpus=math.nan if n_gpus is None else n_gpus,
        memory_utilization=assumptions.memory_utilization, training_days=days,
        domain_size=gpu_row.loc[0, "nvlink_domain_size"])
    result = {
        "model": arch["llm_model"], "gpu": gpu_model, "precision": precision,
        "params": plain(float(arch["total_params"])), "tokens": plain(total_tokens),
        **{key: plain(np.asarray(getattr(estimate, key))[()], key) for key in (
            "flops", "gpu_hours", "usd", "wall_clock_hours", "n_gpus", "tensor_parallel_size",
            "data_parallel_size", "bytes_per_param", "training_memory_gb",
            "min_gpus_for_memory")},
        "usd_per_gpu_hour": usd_per_gpu_hour,
        **({"price_source": price_source} if price_source is not None else {}),
        "convention_applied": (
            "a16z convention applied: 6 x params FLOPs per training token, GPU-hours = "
            "FLOPs / (peak x MFU), dollars = GPU-hours x price" if convention == "a16z"
            else "decoder convention: 3 forward passes of 2 x active params plus attention "
            "per token"),
        "assumptions": {
            "convention": convention, "peak_dense_tflops": peak,
            "mfu_training": plain(factors["mfu_training"]),
            "efficiency_source": factors["efficiency_source"],
            "training_memory_scheme": scheme,
            "activation_recompute": assumptions.activation_recompute,
            "training_sequence_length": assumptions.training_sequence_length,
            "training_days": days,
            "memory_utilization": assumptions.memory_utilization,
            "memory_note": "weights, gradients and optimizer state fully sharded; "
                           "activations excluded"}}
    _print(result, as_json, f"training {arch['llm_model']} on {gpu_model} ({precision})")
