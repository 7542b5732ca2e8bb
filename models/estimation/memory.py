"""Memory: bytes of weights, KV cache and training state; the parallel layout that fits a
model; and the largest batch the remaining memory holds.

All functions take numpy arrays (or scalars) and broadcast. Bytes are bytes (not GB).
"""

from __future__ import annotations

import numpy as np

#: Tensor-parallel sizes considered (powers of two, as serving stacks shard).
TENSOR_PARALLEL_SIZES = 2 ** np.arange(7, dtype=np.float64)  # 1 .. 64


def weight_bytes(total_params, bytes_per_weight):
    """Bytes of the weights: every parameter, all experts of an MoE included."""
    return np.asarray(total_params, dtype=np.float64) * bytes_per_weight


def kv_bytes_per_token(n_layers, n_kv_heads, head_dim, kv_bytes_per_element,
                       kv_bytes_per_token_fp16=np.nan):
    """KV-cache bytes per token: 2 (K and V) · layers · KV heads · head dim · bytes.

    Where attention is unusual (MLA) the architecture gives its fp16 figure, scaled here to the
    cache format.
    """
    standard = 2.0 * n_layers * n_kv_heads * head_dim * kv_bytes_per_element
    override = np.asarray(kv_bytes_per_token_fp16, dtype=np.float64) * kv_bytes_per_element / 2
    return np.where(np.isnan(override), standard, override)


def kv_replication(tensor_parallel_size, n_kv_heads):
    """Copies of each KV head across a tensor-parallel group: ranks beyond the number of KV
    heads hold replicas (vLLM/TensorRT-LLM), e.g. MLA's single latent on every rank."""
    return np.fmax(1.0, tensor_parallel_size / np.asarray(n_kv_heads, dtype=np.float64))


def weight_bytes_read(total_params, active_params, n_experts, n_active_experts, tokens,
                      bytes_per_weight):
    """Weight bytes one forward step over ``tokens`` tokens reads from memory.

    Dense models read every weight. An MoE reads the shared weights plus the experts the tokens
    were routed to: with k of E experts per token chosen uniformly, a share 1 - (1 - k/E)^tokens
    of each layer's experts is touched (one token reads exactly the active parameters; a large
    batch reads them all).
    """
    routed_share = np.asarray(n_active_experts, dtype=np.float64) / n_experts
    is_moe = routed_share < 1
    safe_share = np.where(is_moe, routed_share, 0.0)
    expert_params = np.where(is_moe, (total_params - active_params) / (1 - safe_share), 0.0)
    touched = 1.0 - np.power(1.0 - safe_share, tokens)
    params_read = np.where(is_moe, active_params + expert_params * (touched - safe_share),
                           total_params)
    return params_read * bytes_per_weight


def min_gpus_for_bytes(required_bytes, memory_gb, memory_utilization):
    """Fewest GPUs whose usable memory holds ``required_bytes`` (no layout rounding)."""
    return np.ceil(required_bytes / (np.asarray(memory_gb) * 1e9 * memory_utilization))


def _largest_power_of_two_dividing(count) -> np.ndarray:
    """For whole-number counts, the largest power of two dividing each; +inf where unknown."""
    count = np.asarray(count, dtype=np.float64)
    known = ~np.isnan(count)
    whole = np.where(known, count, 1.0).astype(np.int64)
    return np.where(known, (whole & -whole).astype(np.float64), np.inf)


def max_tensor_parallel_size(n_heads, n_kv_heads, nvlink_domain_size) -> np.ndarray:
    """Largest power-of-two tensor-parallel size allowed: within the NVLink domain (unknown =
    1), dividing the attention heads, and dividing the KV heads unless those are a power of two
    (then ranks beyond them hold replicas). Every smaller power of two is allowed too. Unknown
    head counts (NaN) constrain nothing."""
    domain = np.nan_to_num(np.asarray(nvlink_domain_size, dtype=np.float64), nan=1.0)
    kv_divisor = _largest_power_of_two_dividing(n_kv_heads)
    kv_limit = np.where(kv_divisor == np.asarray(n_kv_heads), np.inf, kv_divisor)
    limit = np.minimum(np.minimum(domain, _largest_power_of_two_dividing(n_heads)), kv_limit)
    return 2.0 ** np.floor(np.log2(np.minimum(limit, TENSOR_PARALLEL_SIZES[-1])))


def parallel_layout(resident_bytes, kv_bytes_per_sequence, n_heads, n_kv_heads, memory_gb,
                    memory_utilization, nvlink_domain_size, n_gpus=np.nan):
    """Tensor- and pipeline-parallel sizes ``(tp, pp)`` of one serving replica.

    ``resident_bytes`` are the weights plus activation headroom; one sequence's KV cache must
    fit too. Valid tensor-parallel sizes are the powers of two up to
    :func:`max_tensor_parallel_size`. With ``n_gpus`` NaN (auto) the smallest valid tp that
    fits is chosen; if none fits inside the domain, the largest valid tp is used with as many
    pipeline stages (across nodes) as memory needs. With ``n_gpus`` given, tp is the largest
    valid size dividing it and pp = n_gpus / tp.
    """
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (
        resident_bytes, kv_bytes_per_sequence, n_heads, n_kv_heads, memory_gb,
        memory_utilization, nvlink_domain_size, n_gpus)))
    shape = arrays[0].shape
    resident, kv_seq, heads, kv_heads, mem, util, domain, requested = (
        a.ravel() for a in arrays)
    capacity = mem * 1e9 * util
    largest = max_tensor_parallel_size(heads, kv_heads, domain)
    tp = TENSOR_PARALLEL_SIZES[None, :]
    need = resident[:, None] + kv_seq[:, None] * kv_replication(tp, kv_heads[:, None])
    fits_alone = (tp <= largest[:, None]) & (tp * capacity[:, None] >= need)
    smallest_fitting = np.where(fits_alone, tp, np.inf).min(axis=1)
    single_stage = np.isfinite(smallest_fitting)
    auto_tp = np.where(single_stage, smallest_fitting, largest)
    auto_need = resident + kv_seq * kv_replication(auto_tp, kv_heads)
    auto_pp = np.where(single_stage, 1.0, np.ceil(auto_need / (auto_tp * capacity)))
    given = ~np.isnan(requested)
    given_tp = np.minimum(largest, _largest_power_of_two_dividing(np.where(given, requested,
                                                                           1.0)))
    tp_out = np.where(given, given_tp, auto_tp)
    pp_out = np.where(given, requested / given_tp, auto_pp)
    return tp_out.reshape(shape), pp_out.reshape(shape)


def max_batch_size(n_gpus, memory_gb, memory_utilization, resident_bytes,
                   kv_bytes_per_sequence, replication=1.0):
    """Largest number of concurrent sequences whose KV cache fits next to the resident bytes:
    floor((N·mem·util − resident) / (KV per sequence · replication)); 0 when nothing fits,
    +inf when the KV cache is zero."""
    free = np.asarray(n_gpus) * memory_gb * 1e9 * memory_utilization - resident_bytes
    per_sequence = np.asarray(kv_bytes_per_sequence) * replication
    with np.errstate(divide="ignore", invalid="ignore"):
        batch = np.floor(np.maximum(free, 0.0) / per_sequence)
    return np.where(free <= 0, 0.0, batch)


def training_memory_bytes(total_params, bytes_per_param):
    """Bytes of weights, gradients and optimizer state (activations excluded)."""
    return np.asarray(total_params, dtype=np.float64) * bytes_per_param
