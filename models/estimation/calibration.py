"""Calibration of the efficiency defaults on MLPerf Inference v4.1 LLM results.

``python -m models.estimation.calibration`` fits one factor per GPU family and precision,
rewrites the fitted rows of ``models/reference/efficiency_defaults.csv`` and prints a report.
:func:`calibration_projected_vs_measured` projects every benchmark row (the calibration asset).

What the data identifies. MLPerf reports one throughput per system, benchmark and scenario
(Offline: all samples at once; Server: Poisson arrivals under TTFT ≤ 2 s and TPOT ≤ 200 ms).
There is no separate prefill or decode timing, so one factor per family and precision is
fitted: the compute efficiency ``mfu_prefill = mfu_decode = η``, with the memory-bandwidth
efficiencies held at the literature defaults. At the batches these submissions run (hundreds
of sequences) the engine puts prefill and, for most rows, decode on the compute side of the
roofline, so η is what the throughput pins down. Where a family's rows are bandwidth-bound
the best η sits at its bound 1.0: η is then not identified, no fitted row is written and the
literature defaults stay (the report names such families). Training MFU is not touched.

Assumptions (each is also a column of the projection table):

- Precision: FP8 weights, activations and KV cache on Hopper, Ada and MI300X (NVIDIA's v4.1
  closed submissions run TensorRT-LLM FP8 checkpoints; AMD's ran vLLM with FP8 weights and KV
  cache); FP4 on the B200 preview system (NVIDIA's v4.1 B200 entry used FP4). Not readable from
  the result files themselves (their ``framework`` column names only TensorRT/vLLM versions).
- Output tokens per sample: measured, tokens/s divided by samples/s of the row itself.
- Input tokens per sample: not in the results. Llama-2-70B (OpenOrca, prompts ≤ 1,024 tokens)
  and Mixtral-8x7B (OpenOrca + GSM8K + MBXP) are taken as 300 and 450 tokens (judgement).
  A bias here shifts every row of a benchmark alike and is absorbed by the fitted factor.
- Batch: the largest the memory holds, capped at 2,048 sequences (TensorRT-LLM's default
  ``max_batch_size``); Server rows additionally meet TPOT ≤ 200 ms.
- Layout: ``layout="throughput"`` — of the smallest layout that fits and every tensor-parallel
  size up to the NVLink domain, the one with the most tokens/s per GPU (what submitters tune).
- GPT-J rows are left out: they report samples/s only, and tokens per generated summary
  (up to 128 new tokens) are not in the results, so their tokens/s is unknown. Rows without an
  accelerator (CPU systems), accelerators outside ``gpu_models.csv`` (Jetson Orin) and the
  open division (models may be pruned or otherwise modified) are projected where possible but
  not fitted.

Error is the ratio max(projected/measured, measured/projected). Leave-one-GPU-out: the factor
is refitted without any row of the held-out GPU model (on the rest of its family, or on all
other families pooled when the family has no other GPU) and predicts the held-out rows. The
report adds leave-one-model-out (Llama-2-70B predicted from Mixtral rows and vice versa).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.efficiency import EFFICIENCY_FIELDS, WILDCARD, efficiency_for
from models.estimation.names import gpu_alias_keys, normalize_name
from models.estimation.tables import serving_grid

#: benchmark -> (architecture, assumed input tokens per sample, output tokens per sample
#: published by MLCommons, used where a row lacks samples/s)
BENCHMARK_WORKLOADS: dict[str, tuple[str, float, float]] = {
    "llama2-70b-99": ("llama-2-70b", 300.0, 294.45),
    "llama2-70b-99.9": ("llama-2-70b", 300.0, 294.45),
    "mixtral-8x7b": ("mixtral-8x7b", 450.0, 144.84),
}
#: precision assumed per GPU family (see module docstring)
PRECISION_BY_FAMILY: dict[str, str] = {
    "nvidia-hopper": "fp8", "nvidia-hopper-pcie": "fp8", "nvidia-hopper-nvl": "fp8",
    "nvidia-ada": "fp8", "amd-cdna3": "fp8", "nvidia-blackwell": "fp4",
}
CALIBRATION_ASSUMPTIONS = EstimationAssumptions()  # the serving defaults, same batch cap
FACTOR_GRID = np.round(np.arange(0.01, 1.0001, 0.005), 3)
SOURCE_NAME = "MLPerf Inference v4.1 (mlcommons/inference_results_v4.1@198fc467)"

CALIBRATION_COLUMNS = (
    "division", "submitter", "system_id", "accelerator", "gpu_model", "gpu_family",
    "total_accelerators", "benchmark", "scenario", "llm_model", "precision",
    "input_tokens", "output_tokens", "tpot_slo_seconds", "measured_tokens_per_second",
    "measured_tokens_per_second_per_gpu", "projected_tokens_per_second_per_gpu",
    "projected_tokens_per_second", "ratio_projected_to_measured",
    "loo_projected_tokens_per_second_per_gpu", "loo_ratio_projected_to_measured",
    "n_gpus_per_replica", "batch_size", "bound_prefill", "bound_decode", "mfu_prefill",
    "mbu_prefill", "mfu_decode", "mbu_decode", "efficiency_source", "used_in_fit",
    "exclusion_reason", "source_path")


def benchmark_rows(benchmarks: pd.DataFrame | None = None,
                   gpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """MLPerf rows with gpu_model, family, architecture, workload assumptions, measured
    throughput per GPU, and ``used_in_fit`` / ``exclusion_reason``."""
    rows = reference.mlperf_inference_v4_1() if benchmarks is None else benchmarks.copy()
    gpus = reference.gpu_models() if gpus is None else gpus
    alias_to_gpu = dict(zip(*gpu_alias_keys(gpus).loc[:, ["alias_key", "gpu_model"]]
                            .to_numpy().T, strict=True))
    families = reference.gpu_families()
    rows["gpu_model"] = rows["accelerator"].map(
        lambda name: alias_to_gpu.get(normalize_name(name)) if pd.notna(name) else None)
    rows["gpu_family"] = rows["gpu_model"].map(
        dict(zip(families["gpu_model"], families["gpu_family"], strict=True)))
    workload = rows["benchmark"].map(BENCHMARK_WORKLOADS)
    rows["llm_model"] = workload.map(lambda w: w[0] if isinstance(w, tuple) else None)
    rows["input_tokens"] = workload.map(lambda w: w[1] if isinstance(w, tuple) else np.nan)
    published = workload.map(lambda w: w[2] if isinstance(w, tuple) else np.nan)
    measured_per_sample = rows["tokens_per_second"] / rows["samples_per_second"]
    rows["output_tokens"] = measured_per_sample.fillna(published)
    rows["precision"] = rows["gpu_family"].map(PRECISION_BY_FAMILY)
    rows["tpot_slo_seconds"] = np.where(rows["scenario"] == "Server",
                                        rows["tpot_latency_ns"] / 1e9, np.nan)
    rows["measured_tokens_per_second"] = rows["tokens_per_second"]
    rows["measured_tokens_per_second_per_gpu"] = (rows["tokens_per_second"]
                                                  / rows["total_accelerators"])
    reason = pd.Series(None, index=rows.index, dtype=object)
    reason[rows["division"] != "closed"] = "open division: the model may be modified"
    reason[rows["precision"].isna()] = "no precision assumption for this accelerator family"
    reason[rows["gpu_model"].isna()] = "accelerator not in gpu_models.csv"
    reason[rows["llm_model"].isna()] = ("benchmark reports samples/s only; tokens per sample "
                                        "unknown")
    reason[rows["accelerator"].isna()] = "no accelerator (CPU system)"
    rows["exclusion_reason"] = reason
    rows["used_in_fit"] = reason.isna()
    return rows


def _project(rows: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """Engine projection of benchmark ``rows`` (all projectable) with efficiency ``factors``
    (same index; the EFFICIENCY_FIELDS and efficiency_source)."""
    grid = rows[["gpu_model", "llm_model", "precision", "input_tokens", "output_tokens",
                 "tpot_slo_seconds"]].assign(usd_per_gpu_hour=np.nan)
    grid = pd.concat([grid, factors], axis=1).reset_index(names="row")
    return serving_grid(grid, reference.gpu_models(), reference.llm_architectures(), None,
                        None, CALIBRATION_ASSUMPTIONS).set_index("row")


def _with_factor(rows: pd.DataFrame, factor) -> pd.DataFrame:
    """Literature efficiencies with the compute factors replaced by ``factor``."""
    literature = efficiency_for(rows["gpu_model"].to_numpy(), rows["precision"].to_numpy(),
                                _literature_table()).drop(columns="gpu_family")
    literature.index = rows.index
    literature["mfu_prefill"] = factor
    literature["mfu_decode"] = factor
    literature["efficiency_source"] = "calibration factor"
    return literature


def _literature_table() -> pd.DataFrame:
    table = reference.efficiency_defaults()
    return table[table["method"] == "literature"]


def _log_errors(rows: pd.DataFrame) -> np.ndarray:
    """Squared log error of every row (rows) at every grid factor (columns)."""
    repeated = rows.loc[rows.index.repeat(len(FACTOR_GRID))]
    factor = np.tile(FACTOR_GRID, len(rows))
    repeated = repeated.reset_index(drop=True)
    projected = _project(repeated, _with_factor(repeated, factor))
    ratio = (projected["output_tokens_per_second_per_gpu"].to_numpy()
             / repeated["measured_tokens_per_second_per_gpu"].to_numpy())
    return (np.log(ratio) ** 2).reshape(len(rows), len(FACTOR_GRID))


def _best_factor(errors: np.ndarray) -> float:
    return float(FACTOR_GRID[np.nanargmin(np.nansum(errors, axis=0))])


@dataclass(frozen=True)
class Calibration:
    """Fitted factors per (family, precision) and the leave-one-GPU-out predictions."""

    fitted: pd.DataFrame  # efficiency_defaults.csv rows, method 'fitted'
    loo_factor: pd.Series  # per benchmark row: factor fitted without that row's GPU model
    unseen_model_error: pd.DataFrame  # llm_model, error: rows predicted without their LLM
    not_identified: tuple[str, ...]  # "family/precision" whose best factor is the bound 1.0


def _held_out_factors(rows: pd.DataFrame, usable: pd.DataFrame, errors: pd.DataFrame,
                      group_by: str) -> pd.Series:
    """Per row, the factor fitted without any row sharing its ``group_by`` value: on the rest
    of its family and precision, or on every other row when the family has nothing left."""
    factors = pd.Series(np.nan, index=rows.index)
    for _, held_out in usable.groupby(group_by):
        others = usable.drop(held_out.index)
        family = others[(others["gpu_family"] == held_out["gpu_family"].iloc[0])
                        & (others["precision"] == held_out["precision"].iloc[0])]
        training = family if len(family) else others
        factors[held_out.index] = _best_factor(errors.loc[training.index].to_numpy())
    return factors


def _error(projected: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """max(projected/measured, measured/projected) per row."""
    ratio = (projected["output_tokens_per_second_per_gpu"]
             / rows["measured_tokens_per_second_per_gpu"])
    return np.maximum(ratio, 1 / ratio)


def _unseen_model_error(rows: pd.DataFrame, usable: pd.DataFrame,
                        errors: pd.DataFrame) -> pd.DataFrame:
    """Error of every usable row predicted by a factor fitted without its LLM."""
    factor = _held_out_factors(rows, usable, errors, "llm_model")[usable.index]
    error = _error(_project(usable, _with_factor(usable, factor.to_numpy())), usable)
    return pd.DataFrame({"llm_model": usable["llm_model"], "error": error})


def calibrate(benchmarks: pd.DataFrame | None = None) -> Calibration:
    """Fit η per GPU family and precision on the usable rows; leave-one-GPU-out errors."""
    rows = benchmark_rows(benchmarks)
    usable = rows[rows["used_in_fit"]]
    errors = pd.DataFrame(_log_errors(usable), index=usable.index)
    loo_factor = _held_out_factors(rows, usable, errors, "gpu_model")
    fitted, not_identified = [], []
    for (family, precision), group in usable.groupby(["gpu_family", "precision"]):
        factor = _best_factor(errors.loc[group.index].to_numpy())
        if factor >= FACTOR_GRID[-1]:
            not_identified.append(f"{family}/{precision}")
            continue
        held = group.index
        loo = _project(usable.loc[held], _with_factor(usable.loc[held],
                                                      loo_factor[held].to_numpy()))
        error = _error(loo, usable.loc[held])
        literature = _literature_table().iloc[0]
        fitted.append({
            "gpu_family": family, "precision": precision, "mfu_prefill": factor,
            "mbu_prefill": literature["mbu_prefill"], "mfu_decode": factor,
            "mbu_decode": literature["mbu_decode"], "mfu_training": literature["mfu_training"],
            "method": "fitted", "fit_n_rows": len(group),
            "fit_n_systems": group["system_id"].nunique(),
            "loo_median_ratio": round(float(error.median()), 3),
            "loo_max_ratio": round(float(error.max()), 3),
            "source": (f"fitted on {SOURCE_NAME}, {', '.join(sorted(group['benchmark'].unique()))}"
                       f" Offline+Server, n={len(group)} rows / {group['system_id'].nunique()} "
                       f"systems on {', '.join(sorted(group['gpu_model'].unique()))}; one "
                       f"compute factor (mfu_prefill = mfu_decode); MBU and training MFU are "
                       f"literature defaults; leave-one-GPU-out error median "
                       f"x{error.median():.2f}, max x{error.max():.2f}"),
        })
    return Calibration(fitted=pd.DataFrame(fitted), loo_factor=loo_factor,
                       unseen_model_error=_unseen_model_error(rows, usable, errors),
                       not_identified=tuple(not_identified))


def calibration_projected_vs_measured(benchmarks: pd.DataFrame | None = None,
                                      efficiency: pd.DataFrame | None = None,
                                      calibration: Calibration | None = None) -> pd.DataFrame:
    """Projected versus measured throughput for every benchmark row.

    Projections use ``efficiency`` (default: the reference table, i.e. the fitted rows);
    ``loo_*`` columns use the leave-one-GPU-out factor from ``calibration`` (computed when not
    given). Rows that cannot be projected keep NaN projections and say why. With every
    argument at its default the result depends only on the reference files, so it is computed
    once per process (the daily refresh calls it every run).
    """
    if benchmarks is None and efficiency is None and calibration is None:
        return _reference_projection().copy()
    return _projected_vs_measured(benchmarks, efficiency, calibration)


@cache
def _reference_projection() -> pd.DataFrame:
    return _projected_vs_measured(None, None, None)


def _projected_vs_measured(benchmarks: pd.DataFrame | None, efficiency: pd.DataFrame | None,
                           calibration: Calibration | None) -> pd.DataFrame:
    rows = benchmark_rows(benchmarks)
    calibration = calibration or calibrate(benchmarks)
    projectable = rows[rows["gpu_model"].notna() & rows["llm_model"].notna()
                       & rows["precision"].notna()]
    factors = efficiency_for(projectable["gpu_model"].to_numpy(),
                             projectable["precision"].to_numpy(), efficiency)
    factors.index = projectable.index
    projected = _project(projectable, factors.drop(columns="gpu_family"))
    rows = rows.join(projected[["output_tokens_per_second_per_gpu", "n_gpus", "batch_size",
                                "bound_prefill", "bound_decode", *EFFICIENCY_FIELDS[:4],
                                "efficiency_source"]])
    rows = rows.rename(columns={"output_tokens_per_second_per_gpu":
                                "projected_tokens_per_second_per_gpu",
                                "n_gpus": "n_gpus_per_replica"})
    rows["projected_tokens_per_second"] = (rows["projected_tokens_per_second_per_gpu"]
                                           * rows["total_accelerators"])
    rows["ratio_projected_to_measured"] = (rows["projected_tokens_per_second_per_gpu"]
                                           / rows["measured_tokens_per_second_per_gpu"])
    loo_rows = projectable[calibration.loo_factor[projectable.index].notna()]
    loo = _project(loo_rows, _with_factor(loo_rows, calibration.loo_factor[loo_rows.index]
                                          .to_numpy()))
    rows["loo_projected_tokens_per_second_per_gpu"] = loo["output_tokens_per_second_per_gpu"]
    rows["loo_ratio_projected_to_measured"] = (rows["loo_projected_tokens_per_second_per_gpu"]
                                               / rows["measured_tokens_per_second_per_gpu"])
    return rows[list(CALIBRATION_COLUMNS)].reset_index(drop=True)


def write_fitted_rows(fitted: pd.DataFrame, path: Path | None = None) -> Path:
    """Replace the fitted rows of the efficiency table, keeping every other row."""
    path = path or reference.REFERENCE_DIR / "efficiency_defaults.csv"
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    table = pd.concat([table[table["method"] != "fitted"], fitted], ignore_index=True)
    table = table.astype({"fit_n_rows": "Int64", "fit_n_systems": "Int64"})
    table = table.sort_values(["gpu_family", "precision"],
                              key=lambda s: s.where(s != WILDCARD, ""))
    table.to_csv(path, index=False)
    reference.clear_cache()
    _reference_projection.cache_clear()
    return path


def report(calibration: Calibration, projected: pd.DataFrame) -> str:
    """Plain-text summary: fitted factors, errors, and error on rows by GPU."""
    used = projected[projected["used_in_fit"]]
    lines = ["Fitted compute efficiency per GPU family and precision (MLPerf Inference v4.1):"]
    for row in calibration.fitted.itertuples(index=False):
        lines.append(f"  {row.gpu_family:<18} {row.precision:<5} eta={row.mfu_prefill:.3f}  "
                     f"n={row.fit_n_rows:<3} leave-one-GPU-out error median "
                     f"x{row.loo_median_ratio:.2f} max x{row.loo_max_ratio:.2f}")
    for name in calibration.not_identified:
        lines.append(f"  {name:<24} not identified (best factor at the bound 1.0: rows are "
                     f"bandwidth-bound); literature defaults kept")
    lines.append("Ratio projected/measured per GPU, with the reference efficiencies and "
                 "leave-one-GPU-out:")
    for gpu_model, group in used.groupby("gpu_model"):
        lines.append(f"  {gpu_model:<16} n={len(group):<3} in-sample median "
                     f"{group['ratio_projected_to_measured'].median():.2f}  LOO median "
                     f"{group['loo_ratio_projected_to_measured'].median():.2f} "
                     f"[{group['loo_ratio_projected_to_measured'].min():.2f}, "
                     f"{group['loo_ratio_projected_to_measured'].max():.2f}]")
    loo_error = np.maximum(used["loo_ratio_projected_to_measured"],
                           1 / used["loo_ratio_projected_to_measured"])
    lines.append(f"Rows within 1.5x leave-one-GPU-out: {(loo_error <= 1.5).sum()} of "
                 f"{len(used)}; bounds of fitted rows: prefill "
                 f"{used['bound_prefill'].value_counts().to_dict()}, decode "
                 f"{used['bound_decode'].value_counts().to_dict()}")
    for llm_model, group in calibration.unseen_model_error.groupby("llm_model"):
        lines.append(f"Leave-one-model-out, {llm_model} unseen: error median "
                     f"x{group['error'].median():.2f}, max x{group['error'].max():.2f}, "
                     f"{(group['error'] <= 1.5).sum()} of {len(group)} rows within 1.5x")
    lines.append("bf16/fp16: no MLPerf v4.1 LLM result ran 16-bit weights, so no 16-bit factor is "
                 "fitted; the fp8 factors do not carry over and 16-bit keeps the literature "
                 "defaults (prefill MFU 0.5, decode MFU 0.3)")
    excluded = projected.loc[~projected["used_in_fit"], "exclusion_reason"].value_counts()
    lines.append("Not fitted: " + "; ".join(f"{n} x {why}" for why, n in excluded.items()))
    return "\n".join(lines)


def main() -> int:
    calibration = calibrate()
    write_fitted_rows(calibration.fitted)
    projected = calibration_projected_vs_measured(calibration=calibration)
    print(report(calibration, projected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
