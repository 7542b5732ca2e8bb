"""Time per phase from a roofline: the larger of compute time and memory-traffic time, plus
the tensor-parallel all-reduces, which are not overlapped.

All functions take numpy arrays (or scalars) and broadcast.
"""

from __future__ import annotations

import numpy as np


def ridge_point(peak_tflops, memory_bandwidth_tbps):
    """Arithmetic intensity (FLOP per byte) above which a kernel is compute-bound."""
    return np.asarray(peak_tflops) / memory_bandwidth_tbps


def compute_seconds(flops, n_gpus, peak_tflops, utilization):
    """Seconds to execute ``flops`` on ``n_gpus`` GPUs at ``utilization`` of the dense peak."""
    return np.asarray(flops) / (np.asarray(n_gpus) * peak_tflops * 1e12 * utilization)


def memory_seconds(bytes_per_gpu, memory_bandwidth_tbps, utilization):
    """Seconds for each GPU to move ``bytes_per_gpu`` through HBM at ``utilization``."""
    return np.asarray(bytes_per_gpu) / (np.asarray(memory_bandwidth_tbps) * 1e12 * utilization)


def ring_allreduce_seconds(message_bytes, tensor_parallel_size, interconnect_gbps,
                           link_efficiency):
    """One ring all-reduce of ``message_bytes`` over the group: 2(N−1)/N · bytes / link,
    with the link at half the vendor's bidirectional GB/s. Zero for a group of one (even when
    the interconnect is unknown)."""
    tp = np.asarray(tensor_parallel_size, dtype=np.float64)
    link_bytes_per_second = np.asarray(interconnect_gbps) / 2 * 1e9 * link_efficiency
    with np.errstate(invalid="ignore"):
        seconds = 2 * (tp - 1) / tp * message_bytes / link_bytes_per_second
    return np.where(tp > 1, seconds, 0.0)
