"""Time per phase from a roofline: the larger of compute time and memory-traffic time, plus
the collectives of the parallel layout (tensor-parallel all-reduce, expert-parallel
all-to-all), each with a latency and a bandwidth term of which a share overlaps compute.

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


def _link_bytes_per_second(interconnect_gbps, link_efficiency):
    """One direction of the vendor's bidirectional GB/s, at the achieved efficiency."""
    return np.asarray(interconnect_gbps, dtype=np.float64) / 2 * 1e9 * link_efficiency


def allreduce_seconds(message_bytes, group_size, interconnect_gbps, link_efficiency,
                      latency_seconds, overlap=0.0):
    """Exposed time of one ring all-reduce of ``message_bytes`` over the group: a latency term
    plus 2(N−1)/N · bytes / link, of which the share ``overlap`` hides behind compute. Zero for
    a group of one (even when the interconnect is unknown)."""
    n = np.asarray(group_size, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        transfer = 2 * (n - 1) / n * message_bytes / _link_bytes_per_second(
            interconnect_gbps, link_efficiency)
    seconds = latency_seconds + (1.0 - np.asarray(overlap)) * transfer
    return np.where(n > 1, seconds, 0.0)


def alltoall_seconds(bytes_per_gpu, group_size, interconnect_gbps, link_efficiency,
                     latency_seconds, overlap=0.0):
    """Exposed time of one all-to-all in which each GPU sends ``bytes_per_gpu``, a share
    (N−1)/N of it to other GPUs (expert-parallel dispatch or combine)."""
    n = np.asarray(group_size, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        transfer = (n - 1) / n * bytes_per_gpu / _link_bytes_per_second(interconnect_gbps,
                                                                          link_efficiency)
    seconds = latency_seconds + (1.0 - np.asarray(overlap)) * transfer
    return np.where(n > 1, seconds, 0.0)
