"""Benchmark of the vectorized estimation engine (not collected by pytest).

Run: ``.venv/bin/python tests/benchmarks/bench_estimation.py [--sample N]``

Evaluates a grid of every architecture × GPU × precision × batch size × input length ×
output length (millions of scenarios) in one call of
:func:`models.estimation.inference.estimate_inference` at a fixed layout (the smallest
tensor-parallel size of the scale-up domain that holds the weights), then a plain
per-scenario Python loop over a random sample of the same scenarios (extrapolated), and prints
scenarios per second and peak memory of both. ``--layout-search N`` also times the full
layout search (:func:`models.estimation.layouts.search_layouts`) on N scenarios.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from dataclasses import fields
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from models.estimation import reference  # noqa: E402
from models.estimation.assumptions import EstimationAssumptions  # noqa: E402
from models.estimation.inference import (  # noqa: E402
    EfficiencyArrays,
    HardwareArrays,
    LayoutArrays,
    ModelArrays,
    estimate_inference,
)
from models.estimation.layouts import search_layouts  # noqa: E402
from models.estimation.memory import BYTES_PER_GB, PARALLEL_SIZES  # noqa: E402
from models.estimation.precisions import BYTES_PER_ELEMENT, PEAK_COLUMN  # noqa: E402
from models.estimation.tables import with_interconnects  # noqa: E402

PRECISIONS = ("bf16", "fp8", "int4")
BATCH_SIZES = np.array([np.nan, 1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512,
                        768, 1024, 1536, 2048])
INPUT_TOKENS = np.array([128, 256, 512, 1024, 2048, 4096, 8192, 16384])
OUTPUT_TOKENS = np.array([64, 256, 1024, 4096])


def build_grid() -> dict:
    """Flat arrays of every scenario (one entry per scenario)."""
    arch = reference.llm_architectures()
    gpus = with_interconnects(reference.gpu_models(), EstimationAssumptions())
    shape = (len(arch), len(gpus), len(PRECISIONS), len(BATCH_SIZES), len(INPUT_TOKENS),
             len(OUTPUT_TOKENS))
    index = [i.ravel() for i in np.indices(shape, sparse=False)]
    model_i, gpu_i, precision_i, batch_i, input_i, output_i = index
    model = ModelArrays(**{f.name: arch[f.name].to_numpy(np.float64)[model_i]
                           for f in fields(ModelArrays)})
    peaks = np.stack([gpus[PEAK_COLUMN[p]].to_numpy(np.float64) for p in PRECISIONS], axis=1)
    hardware = HardwareArrays(
        peak_dense_tflops=peaks[gpu_i, precision_i],
        **{f.name: gpus[f.name].to_numpy(np.float64)[gpu_i]
           for f in fields(HardwareArrays) if f.name != "peak_dense_tflops"})
    efficiency = EfficiencyArrays(*(np.full(len(model_i), v) for v in (0.5, 0.8, 0.3, 0.7)))
    weight_bytes = np.array([BYTES_PER_ELEMENT[p] for p in PRECISIONS])[precision_i]
    return dict(model=model, hardware=hardware, efficiency=efficiency,
                layout=_fixed_layout(model, hardware, weight_bytes),
                input_tokens=INPUT_TOKENS[input_i].astype(np.float64),
                output_tokens=OUTPUT_TOKENS[output_i].astype(np.float64),
                weight_bytes_per_param=weight_bytes,
                kv_bytes_per_element=np.maximum(weight_bytes, 1.0),
                batch_size=BATCH_SIZES[batch_i], usd_per_gpu_hour=np.full(len(model_i), 2.0))


def _fixed_layout(model: ModelArrays, hardware: HardwareArrays, weight_bytes) -> LayoutArrays:
    """Smallest power-of-two tensor-parallel size within the domain whose GPUs hold the
    weights (the largest size when none does)."""
    domain = np.nan_to_num(hardware.nvlink_domain_size, nan=1.0)
    need = model.total_params * weight_bytes / (hardware.memory_gb * BYTES_PER_GB * 0.85)
    tp = np.ones_like(need)
    for size in PARALLEL_SIZES[1:]:
        tp = np.where((tp < need) & (size <= domain), size, tp)
    return LayoutArrays(tp, np.ones_like(tp), np.zeros_like(tp))


def run(grid: dict, rows: np.ndarray | slice):
    def pick(value):
        if isinstance(value, np.ndarray):
            return value[rows]
        return type(value)(**{f.name: getattr(value, f.name)[rows] for f in fields(value)})

    picked = {k: pick(v) for k, v in grid.items()}
    return estimate_inference(picked.pop("model"), picked.pop("hardware"),
                              picked.pop("efficiency"), picked.pop("layout"), **picked)


def measure(call, repeats: int = 1):
    """(result, best wall-clock seconds of ``repeats`` untraced runs, peak traced bytes of one
    more run); tracing slows numpy allocation, so time and memory are taken separately."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, min(seconds), peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000,
                        help="scenarios evaluated one by one in the plain loop")
    parser.add_argument("--layout-search", type=int, default=20000,
                        help="scenarios run through the full layout search")
    args = parser.parse_args()
    grid = build_grid()
    n = len(grid["input_tokens"])
    run(grid, slice(0, 1000))  # warm-up (imports, caches)
    result, seconds, peak = measure(lambda: run(grid, slice(None)), repeats=3)
    fitting = int(np.count_nonzero(result.fits))
    sample = np.random.default_rng(0).choice(n, size=args.sample, replace=False)

    def loop():
        return [run(grid, slice(i, i + 1)).usd_per_1k_tokens_blended[0] for i in sample]

    loop_values, loop_seconds, loop_peak = measure(loop)
    vectorized_values = result.usd_per_1k_tokens_blended[sample]
    same = np.allclose(np.asarray(loop_values), vectorized_values, equal_nan=True)
    print(f"scenarios: {n:,} (architectures x GPUs x {len(PRECISIONS)} precisions x "
          f"{len(BATCH_SIZES)} batch sizes x {len(INPUT_TOKENS)} input x "
          f"{len(OUTPUT_TOKENS)} output lengths); {fitting:,} fit")
    print(f"vectorized (one call, best of 3): {seconds:.3f} s, {n / seconds:,.0f} scenarios/s, "
          f"peak traced memory {peak / 2**20:,.0f} MiB")
    print(f"plain loop: {args.sample:,} scenarios in {loop_seconds:.3f} s, "
          f"{args.sample / loop_seconds:,.0f} scenarios/s, extrapolated "
          f"{n / args.sample * loop_seconds:,.0f} s for the grid, peak traced memory "
          f"{loop_peak / 2**20:,.1f} MiB")
    print(f"speed-up {n / seconds / (args.sample / loop_seconds):,.0f}x; loop and vectorized "
          f"results identical on the sample: {same}")
    searched = np.random.default_rng(1).choice(n, size=min(args.layout_search, n),
                                               replace=False)
    picked = {k: v for k, v in grid.items() if k != "layout"}
    started = time.perf_counter()
    search = search_layouts(
        *(type(picked[k])(**{f.name: getattr(picked[k], f.name)[searched]
                             for f in fields(picked[k])}) for k in ("model", "hardware",
                                                                     "efficiency")),
        **{k: v[searched] for k, v in picked.items()
           if k not in ("model", "hardware", "efficiency")})
    search_seconds = time.perf_counter() - started
    print(f"layout search (TP/PP/EP/DP candidates per scenario): {len(searched):,} scenarios "
          f"in {search_seconds:.2f} s, {len(searched) / search_seconds:,.0f} scenarios/s; "
          f"{int(np.count_nonzero(search.fits)):,} fit")
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} "
          f"MiB; CPUs available {os.cpu_count()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
