"""Vectorized training estimate: FLOPs, GPU-hours, dollars, wall clock, and the memory the
training state needs (estimation.md 4.3.4). Inputs are arrays that broadcast."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.estimation import cost, flops, memory


@dataclass(frozen=True)
class TrainingEstimate:
    flops: np.ndarray
    gpu_hours: np.ndarray
    usd: np.ndarray
    wall_clock_hours: np.ndarray
    n_gpus: np.ndarray
    bytes_per_param: np.ndarray
    training_memory_gb: np.ndarray
    min_gpus_for_memory: np.ndarray


def estimate_training(*, total_params, active_params, n_layers, attention_width,
                      training_tokens, sequence_length, peak_tflops, memory_gb, mfu,
                      bytes_per_param, a16z=False, activation_recompute=False,
                      usd_per_gpu_hour=np.nan, n_gpus=np.nan,
                      memory_utilization=0.9) -> TrainingEstimate:
    """Training cost of ``training_tokens`` tokens.

    GPU-hours = FLOPs / (peak · MFU · 3600). ``min_gpus_for_memory`` = ceil(params · bytes per
    param / (memory · utilization)): the state fully sharded (ZeRO-3/FSDP), activations
    excluded. Wall clock divides GPU-hours by ``n_gpus`` (NaN: the memory minimum).
    Unknown architecture details (NaN layers) drop the attention term.
    """
    total = flops.training_flops(total_params, active_params, np.nan_to_num(n_layers),
                                 np.nan_to_num(attention_width), training_tokens,
                                 sequence_length, a16z, activation_recompute)
    gpu_seconds = total / (np.asarray(peak_tflops) * 1e12 * mfu)
    state = memory.training_memory_bytes(total_params, bytes_per_param)
    min_gpus = memory.min_gpus_for_bytes(state, memory_gb, memory_utilization)
    requested = np.asarray(n_gpus, dtype=np.float64)
    gpus = np.where(np.isnan(requested), min_gpus, requested)
    gpu_hours = gpu_seconds / cost.SECONDS_PER_HOUR
    return TrainingEstimate(
        flops=total, gpu_hours=gpu_hours,
        usd=cost.usd_for_gpu_seconds(gpu_seconds, usd_per_gpu_hour),
        wall_clock_hours=gpu_hours / gpus, n_gpus=gpus,
        bytes_per_param=np.broadcast_to(np.asarray(bytes_per_param, dtype=np.float64),
                                        np.shape(total)),
        training_memory_gb=state / 1e9, min_gpus_for_memory=min_gpus)
