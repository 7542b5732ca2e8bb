"""Memory: bytes of weights (dense part and experts), KV cache, activations, runtime workspace
and training state; what one GPU of a layout holds; and the largest batch the rest holds.

All functions take numpy arrays (or scalars) and broadcast. Bytes are bytes. Device memory
figures (``memory_gb``) are the vendor's, which for HBM and GDDR are binary gigabytes: an
"80 GB" H100 has 80 GiB (nvidia-smi: 81,559 MiB), so capacities use :data:`BYTES_PER_GB`.
"""

from __future__ import annotations

import numpy as np

#: Bytes in one vendor "GB" of device memory (GiB; see the module docstring).
BYTES_PER_GB = 2.0 ** 30

#: Parallel sizes considered (powers of two, as serving stacks shard), and 72 (NVL72).
PARALLEL_SIZES = (1, 2, 4, 8, 16, 32, 64, 72)


def weight_bytes(total_params, bytes_per_weight):
    """Bytes of the weights: every parameter, all experts of an MoE included."""
    return np.asarray(total_params, dtype=np.float64) * bytes_per_weight


def expert_params(total_params, active_params, n_experts, n_active_experts):
    """Parameters in routed experts. With k of E experts active, the active parameters are the
    dense part plus k/E of the experts: experts = (total − active) / (1 − k/E). 0 for dense."""
    share = np.asarray(n_active_experts, dtype=np.float64) / np.asarray(n_experts,
                                                                         dtype=np.float64)
    is_moe = share < 1
    safe = np.where(is_moe, share, 0.0)
    return np.where(is_moe, (np.asarray(total_params) - active_params) / (1 - safe), 0.0)


def kv_bytes_per_token(n_layers, n_kv_heads, head_dim, kv_bytes_per_element, kv_lora_rank=0.0,
                       qk_rope_head_dim=0.0):
    """KV-cache bytes per token. Standard/GQA attention: 2 (K and V) · layers · KV heads · head
    dim · bytes. MLA (``kv_lora_rank`` > 0): one latent of rank + decoupled RoPE key per layer
    (DeepSeek-V2 paper, 2.1.2): layers · (rank + rope dim) · bytes."""
    rank = np.nan_to_num(np.asarray(kv_lora_rank, dtype=np.float64))
    standard = 2.0 * np.asarray(n_layers) * n_kv_heads * head_dim * kv_bytes_per_element
    mla = np.asarray(n_layers) * (rank + np.nan_to_num(qk_rope_head_dim)) * kv_bytes_per_element
    return np.where(rank > 0, mla, standard)


def kv_replication(tensor_parallel_size, n_kv_heads, data_parallel_attention=False):
    """Copies of each KV head across a tensor-parallel group: ranks beyond the number of KV
    heads hold replicas (vLLM/TensorRT-LLM), e.g. MLA's single latent on every rank. Data-
    parallel attention keeps each sequence's cache on one rank: no copies."""
    copies = np.fmax(1.0, np.asarray(tensor_parallel_size, dtype=np.float64)
                     / np.asarray(n_kv_heads, dtype=np.float64))
    return np.where(data_parallel_attention, 1.0, copies)


def weight_bytes_per_gpu(dense_bytes, expert_bytes, group_size, pipeline_size,
                         data_parallel_attention):
    """Weight bytes one GPU holds: the experts sharded over the group (tensor or expert
    parallel), the dense part sharded too unless attention runs data-parallel (then every rank
    holds it whole); each pipeline stage holds 1/pp of the layers."""
    dense_share = np.where(data_parallel_attention, 1.0, 1.0 / np.asarray(group_size))
    return (np.asarray(dense_bytes) * dense_share + np.asarray(expert_bytes) / group_size
            ) / pipeline_size


def expert_bytes_read(expert_bytes, n_experts, n_active_experts, tokens):
    """Routed-expert bytes one forward step over ``tokens`` tokens reads: with k of E experts
    per token chosen uniformly, a share 1 − (1 − k/E)^tokens of them is touched."""
    share = np.asarray(n_active_experts, dtype=np.float64) / np.asarray(n_experts,
                                                                         dtype=np.float64)
    touched = 1.0 - np.power(np.clip(1.0 - share, 0.0, 1.0), tokens)
    return np.asarray(expert_bytes) * np.where(share < 1, touched, 0.0)


def activation_bytes_per_gpu(tokens_in_flight, hidden_size, vocab_size, activation_bytes,
                             activation_factor, group_size):
    """Activation memory of one GPU: ``activation_factor`` hidden-sized tensors per token in
    flight (residual, attention and the gated MLP's intermediate) plus fp32 logits, the
    vocabulary sharded over the group."""
    tokens = np.asarray(tokens_in_flight, dtype=np.float64)
    hidden = np.nan_to_num(np.asarray(hidden_size, dtype=np.float64))
    vocab = np.nan_to_num(np.asarray(vocab_size, dtype=np.float64))
    return tokens * (hidden * activation_bytes * activation_factor + vocab * 4.0 / group_size)


def min_gpus_for_bytes(required_bytes, memory_gb, memory_utilization):
    """Fewest GPUs whose usable memory holds ``required_bytes`` (no layout rounding)."""
    return np.ceil(required_bytes / (np.asarray(memory_gb) * BYTES_PER_GB * memory_utilization))


def training_memory_bytes(total_params, bytes_per_param):
    """Bytes of weights, gradients and optimizer state (activations excluded)."""
    return np.asarray(total_params, dtype=np.float64) * bytes_per_param
