"""Dollars from prices and physics: per effective TFLOP-hour, per 1e18 FLOP, per token, per
GPU-second. All functions take numpy arrays (or scalars) and broadcast."""

from __future__ import annotations

import numpy as np

SECONDS_PER_HOUR = 3600.0
FLOP_PER_EXAFLOP = 1e18


def usd_per_effective_tflop_hour(usd_per_gpu_hour, peak_tflops, utilization):
    """Price of one TFLOP/s sustained for an hour at ``utilization`` of the dense peak."""
    return np.asarray(usd_per_gpu_hour) / (np.asarray(peak_tflops) * utilization)


def usd_per_exaflop(usd_per_gpu_hour, peak_tflops, utilization):
    """Price of 1e18 FLOPs executed at ``utilization`` of the dense peak."""
    flop_per_hour = np.asarray(peak_tflops) * 1e12 * utilization * SECONDS_PER_HOUR
    return np.asarray(usd_per_gpu_hour) / flop_per_hour * FLOP_PER_EXAFLOP


def usd_for_gpu_seconds(gpu_seconds, usd_per_gpu_hour):
    """Price of ``gpu_seconds`` of GPU time."""
    return np.asarray(gpu_seconds) * usd_per_gpu_hour / SECONDS_PER_HOUR


def usd_per_1k_tokens(tokens_per_second, n_gpus, usd_per_gpu_hour):
    """llm-analysis' formula: 1000 · $/GPU-h · GPUs / 3600 / tokens per second."""
    return 1000.0 * np.asarray(usd_per_gpu_hour) * n_gpus / SECONDS_PER_HOUR / tokens_per_second
