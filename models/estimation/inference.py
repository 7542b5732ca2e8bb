"""Vectorized inference estimate: one call evaluates a whole grid of scenarios (model ×
GPU × precision × batch × sequence lengths ...), each input an array that broadcasts.

Per scenario: the replica layout (tensor × pipeline parallel), the batch the memory allows,
prefill and decode time from a roofline with tensor-parallel all-reduces, the bound of each
phase, throughput, and dollars per request and per 1,000 tokens.

Model used (estimation.md 3-4):

- A replica of N = tp·pp GPUs serves B sequences, each with ``input_tokens`` in and
  ``output_tokens`` out. Prefill processes the B prompts at once; then every decode step
  produces one token for each of the B sequences.
- Prefill time = max(FLOPs / (N·F·MFU_prefill), (weights read + KV written) /
  (tp·BW·MBU_prefill)) + all-reduces. Decode step = max(B·FLOPs per token / (N·F·MFU_decode),
  (weights read + B·KV(context)) / (tp·BW·MBU_decode)) + all-reduces, with context =
  input + output/2. Pipeline stages run different micro-batches: they add compute and KV
  capacity, but every stage re-reads its weights for each micro-batch, so weight traffic per
  GPU does not shrink with pp.
- All-reduces: 2 per layer of tokens × hidden × activation bytes, ring over tp at the link's
  one-way bandwidth × link efficiency.
- MoE: weights read per step count only the experts the tokens were routed to
  (:func:`models.estimation.memory.weight_bytes_read`).
- An architecture known only by its parameter count (NaN layers/heads) has no KV cache and no
  attention term in this model; its KV figure stays NaN.

Throughput and cost fields are NaN when the scenario does not fit (memory, replica size) or an
input is unknown (no dense peak for the precision, no price).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from models.estimation import cost, flops, memory, roofline


def _arrays(cls, frame: pd.DataFrame):
    return cls(**{f.name: frame[f.name].to_numpy(dtype=np.float64) for f in fields(cls)})


@dataclass(frozen=True)
class ModelArrays:
    """Architecture of the served model (columns of ``llm_architectures.csv``)."""

    total_params: np.ndarray
    active_params: np.ndarray
    n_layers: np.ndarray
    hidden_size: np.ndarray
    n_heads: np.ndarray
    n_kv_heads: np.ndarray
    head_dim: np.ndarray
    n_experts: np.ndarray
    n_active_experts: np.ndarray
    kv_bytes_per_token_fp16: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ModelArrays:
        return _arrays(cls, frame)


@dataclass(frozen=True)
class HardwareArrays:
    """One GPU at the precision served (``peak_dense_tflops`` is that precision's peak)."""

    peak_dense_tflops: np.ndarray
    memory_gb: np.ndarray
    memory_bandwidth_tbps: np.ndarray
    interconnect_gbps: np.ndarray
    nvlink_domain_size: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> HardwareArrays:
        return _arrays(cls, frame)


@dataclass(frozen=True)
class EfficiencyArrays:
    """Achieved fractions of peak FLOP/s (MFU) and memory bandwidth (MBU) per phase."""

    mfu_prefill: np.ndarray
    mbu_prefill: np.ndarray
    mfu_decode: np.ndarray
    mbu_decode: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> EfficiencyArrays:
        return _arrays(cls, frame)


@dataclass(frozen=True)
class InferenceEstimate:
    """Arrays of the broadcast shape of the inputs. Seconds, bytes in GB, dollars in USD."""

    tensor_parallel_size: np.ndarray
    pipeline_parallel_size: np.ndarray
    n_gpus: np.ndarray
    batch_size: np.ndarray
    max_batch_size_memory: np.ndarray
    fits: np.ndarray
    weights_gb: np.ndarray
    kv_cache_gb_per_sequence: np.ndarray
    flops_per_request: np.ndarray
    ttft_seconds: np.ndarray
    tpot_seconds: np.ndarray
    request_seconds: np.ndarray
    input_tokens_per_second: np.ndarray
    output_tokens_per_second: np.ndarray
    output_tokens_per_second_per_gpu: np.ndarray
    prefill_compute_bound: np.ndarray
    decode_compute_bound: np.ndarray
    meets_tpot_slo: np.ndarray
    usd_per_request: np.ndarray
    usd_per_1k_input_tokens: np.ndarray
    usd_per_1k_output_tokens: np.ndarray
    usd_per_1k_tokens_blended: np.ndarray

    @property
    def bound_prefill(self) -> np.ndarray:
        return _bound_names(self.prefill_compute_bound, self.ttft_seconds)

    @property
    def bound_decode(self) -> np.ndarray:
        return _bound_names(self.decode_compute_bound, self.tpot_seconds)


def _bound_names(compute_bound: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    names = np.where(compute_bound, "compute", "memory").astype(object)
    names[np.isnan(seconds)] = None
    return names


def estimate_inference(model: ModelArrays, hardware: HardwareArrays,
                       efficiency: EfficiencyArrays, *, input_tokens, output_tokens,
                       weight_bytes_per_param, kv_bytes_per_element, activation_bytes=2.0,
                       a16z=False, batch_size=np.nan, n_gpus=np.nan, tpot_slo_seconds=np.nan,
                       usd_per_gpu_hour=np.nan, memory_utilization=0.9,
                       activation_headroom_fraction=0.1, max_batch_size=256,
                       max_gpus_per_replica=64, allreduce_link_efficiency=0.6
                       ) -> InferenceEstimate:
    """Estimate serving ``model`` on ``hardware`` for every scenario of the broadcast inputs.

    ``batch_size`` NaN means the largest batch that memory, ``max_batch_size`` and the TPOT
    target (``tpot_slo_seconds``, NaN = none) allow; ``n_gpus`` NaN means the smallest layout
    that fits; ``a16z`` selects the article's FLOP convention (else decoder-only).
    """
    m, h, e = model, hardware, efficiency
    s_in = np.asarray(input_tokens, dtype=np.float64)
    s_out = np.asarray(output_tokens, dtype=np.float64)
    util = np.asarray(memory_utilization, dtype=np.float64)

    weights = memory.weight_bytes(m.total_params, weight_bytes_per_param)
    resident = weights * (1.0 + np.asarray(activation_headroom_fraction))
    kv_token_known = memory.kv_bytes_per_token(m.n_layers, m.n_kv_heads, m.head_dim,
                                               kv_bytes_per_element, m.kv_bytes_per_token_fp16)
    kv_token = np.nan_to_num(kv_token_known, nan=0.0)
    kv_sequence = kv_token * (s_in + s_out)
    tp, pp = memory.parallel_layout(resident, kv_sequence, m.n_heads, m.n_kv_heads,
                                    h.memory_gb, util, h.nvlink_domain_size, n_gpus)
    gpus = tp * pp
    replication = memory.kv_replication(tp, m.n_kv_heads)
    batch_memory = memory.max_batch_size(gpus, h.memory_gb, util, resident, kv_sequence,
                                         replication)

    attention_width = np.nan_to_num(m.n_heads * m.head_dim, nan=0.0)
    layers = np.nan_to_num(m.n_layers, nan=0.0)
    flops_prefill = flops.prefill_flops_per_token(m.total_params, m.active_params, layers,
                                                  attention_width, s_in, a16z)
    flops_decode = flops.decode_flops_per_token(m.total_params, m.active_params, layers,
                                                attention_width, s_in, s_out, a16z)
    bandwidth = h.memory_bandwidth_tbps
    # Per-sequence costs of one decode step (seconds), linear in the batch.
    compute_per_seq = roofline.compute_seconds(flops_decode, gpus, h.peak_dense_tflops,
                                               e.mfu_decode)
    kv_read_per_seq = roofline.memory_seconds(kv_token * (s_in + s_out / 2) * replication
                                              / (tp * pp), bandwidth, e.mbu_decode)
    allreduce_per_token = 2 * layers * roofline.ring_allreduce_seconds(
        np.nan_to_num(m.hidden_size, nan=0.0) * activation_bytes, tp, h.interconnect_gbps,
        allreduce_link_efficiency) / pp
    all_weights_read = roofline.memory_seconds(weights / tp, bandwidth, e.mbu_decode)

    slo = np.asarray(tpot_slo_seconds, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        batch_slo = np.floor(np.minimum(slo / (compute_per_seq + allreduce_per_token),
                                        (slo - all_weights_read)
                                        / (kv_read_per_seq + allreduce_per_token)))
    # No TPOT target, or one no batch meets: batch for throughput (meets_tpot_slo says which).
    batch_slo = np.where(np.isnan(slo) | ~(batch_slo >= 1), np.inf, batch_slo)
    auto_batch = np.minimum(np.minimum(batch_memory, max_batch_size), batch_slo)
    requested = np.asarray(batch_size, dtype=np.float64)
    batch = np.where(np.isnan(requested), auto_batch, requested)
    fits = (gpus <= max_gpus_per_replica) & (batch >= 1) & (batch <= batch_memory)

    step_weights = memory.weight_bytes_read(m.total_params, m.active_params, m.n_experts,
                                            m.n_active_experts, batch, weight_bytes_per_param)
    decode_compute = compute_per_seq * batch
    decode_memory = (roofline.memory_seconds(step_weights / tp, bandwidth, e.mbu_decode)
                     + kv_read_per_seq * batch)
    tpot = np.maximum(decode_compute, decode_memory) + allreduce_per_token * batch

    prompt_tokens = batch * s_in
    prefill_weights = memory.weight_bytes_read(m.total_params, m.active_params, m.n_experts,
                                               m.n_active_experts, prompt_tokens,
                                               weight_bytes_per_param)
    prefill_compute = roofline.compute_seconds(prompt_tokens * flops_prefill, gpus,
                                               h.peak_dense_tflops, e.mfu_prefill)
    prefill_memory = roofline.memory_seconds(
        (prefill_weights + prompt_tokens * kv_token * replication / pp) / tp, bandwidth,
        e.mbu_prefill)
    ttft = np.maximum(prefill_compute, prefill_memory) + allreduce_per_token * prompt_tokens

    unusable = ~fits
    ttft, tpot = np.where(unusable, np.nan, ttft), np.where(unusable, np.nan, tpot)
    request = ttft + s_out * tpot
    output_rate = batch * s_out / request
    input_rate = prompt_tokens / ttft
    price = np.asarray(usd_per_gpu_hour, dtype=np.float64)
    usd_per_request = cost.usd_for_gpu_seconds(gpus * request, price) / batch
    return InferenceEstimate(
        tensor_parallel_size=tp, pipeline_parallel_size=pp, n_gpus=gpus, batch_size=batch,
        max_batch_size_memory=batch_memory, fits=fits, weights_gb=weights / 1e9,
        kv_cache_gb_per_sequence=kv_token_known * (s_in + s_out) / 1e9,
        flops_per_request=s_in * flops_prefill + s_out * flops_decode,
        ttft_seconds=ttft, tpot_seconds=tpot, request_seconds=request,
        input_tokens_per_second=input_rate,
        output_tokens_per_second=output_rate, output_tokens_per_second_per_gpu=output_rate / gpus,
        prefill_compute_bound=prefill_compute >= prefill_memory,
        decode_compute_bound=decode_compute >= decode_memory,
        meets_tpot_slo=np.isnan(slo) | (tpot <= slo * (1 + 1e-9)),
        usd_per_request=usd_per_request,
        usd_per_1k_input_tokens=cost.usd_per_1k_tokens(input_rate, gpus, price),
        usd_per_1k_output_tokens=cost.usd_per_1k_tokens(batch / tpot, gpus, price),
        usd_per_1k_tokens_blended=1000.0 * usd_per_request / (s_in + s_out),
    )
