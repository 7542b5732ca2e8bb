"""Vectorized training estimate: FLOPs, GPU-hours, dollars, the GPU count and layout, wall
clock, and the memory the training state needs (estimation.md 4.3.4). Inputs broadcast."""

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
    tensor_parallel_size: np.ndarray
    data_parallel_size: np.ndarray
    bytes_per_param: np.ndarray
    training_memory_gb: np.ndarray
    min_gpus_for_memory: np.ndarray


def training_gpus(min_gpus, gpu_hours, training_days, domain_size):
    """A sensible GPU count: enough to hold the sharded state and to finish within
    ``training_days``, in whole scale-up domains (nodes of up to 8, or the GPU's domain when
    smaller); never fewer than the memory minimum."""
    node = np.clip(np.nan_to_num(np.asarray(domain_size, dtype=np.float64), nan=1.0), 1.0, 8.0)
    for_time = np.ceil(np.asarray(gpu_hours) / (np.asarray(training_days) * 24.0))
    needed = np.maximum(np.maximum(min_gpus, for_time), 1.0)
    return np.where(needed <= 1, 1.0, np.ceil(needed / node) * node)


def estimate_training(*, total_params, active_params, n_layers, attention_width,
                      training_tokens, sequence_length, peak_tflops, memory_gb, mfu,
                      bytes_per_param, a16z=False, activation_recompute=False,
                      usd_per_gpu_hour=np.nan, n_gpus=np.nan, memory_utilization=0.9,
                      training_days=30.0, domain_size=8.0) -> TrainingEstimate:
    """Training cost of ``training_tokens`` tokens.

    GPU-hours = FLOPs / (peak · MFU · 3600); dollars = GPU-hours · price (the a16z article's
    rule, and independent of the GPU count). ``min_gpus_for_memory`` = ceil(params · bytes per
    param / (memory · utilization)): the state fully sharded (ZeRO-3/FSDP), activations
    excluded. ``n_gpus`` NaN chooses :func:`training_gpus`; the layout is tensor parallel
    within a node (when the state needs more than one GPU) and data parallel across.
    Unknown architecture details (NaN layers) drop the attention term.
    """
    total = flops.training_flops(total_params, active_params, np.nan_to_num(n_layers),
                                 np.nan_to_num(attention_width), training_tokens,
                                 sequence_length, a16z, activation_recompute)
    gpu_seconds = total / (np.asarray(peak_tflops) * 1e12 * mfu)
    state = memory.training_memory_bytes(total_params, bytes_per_param)
    min_gpus = memory.min_gpus_for_bytes(state, memory_gb, memory_utilization)
    gpu_hours = gpu_seconds / cost.SECONDS_PER_HOUR
    requested = np.asarray(n_gpus, dtype=np.float64)
    gpus = np.where(np.isnan(requested),
                    training_gpus(min_gpus, gpu_hours, training_days, domain_size), requested)
    node = np.clip(np.nan_to_num(np.asarray(domain_size, dtype=np.float64), nan=1.0), 1.0, 8.0)
    tp = np.where(min_gpus > 1, np.minimum(node, gpus), 1.0)
    tp = np.where(np.mod(gpus, tp) == 0, tp, 1.0)
    return TrainingEstimate(
        flops=total, gpu_hours=gpu_hours,
        usd=cost.usd_for_gpu_seconds(gpu_seconds, usd_per_gpu_hour),
        wall_clock_hours=gpu_hours / gpus, n_gpus=gpus, tensor_parallel_size=tp,
        data_parallel_size=gpus / tp,
        bytes_per_param=np.broadcast_to(np.asarray(bytes_per_param, dtype=np.float64),
                                        np.shape(total)),
        training_memory_gb=state / 1e9, min_gpus_for_memory=min_gpus)
