"""Vectorized inference estimate for a given parallel layout: one call evaluates a whole grid
of scenarios (model × GPU × precision × layout × sequence lengths ...), each input an array
that broadcasts. Choosing the layout is :mod:`models.estimation.layouts`.

Model used (estimation.md 3-4, extended for MoE and modern serving):

- A replica is ``pp`` pipeline stages of ``tp`` GPUs (N = tp·pp). Within a stage, attention
  runs tensor-parallel, or, with ``data_parallel_attention`` (MLA models), data-parallel: each
  rank holds the dense weights whole and the KV cache of its own sequences, with no replica of
  the latent. Routed experts are sharded over the stage's GPUs (expert parallel, EP = tp).
- Memory per GPU: weights (:func:`memory.weight_bytes_per_gpu`) + a fixed runtime workspace +
  activations of the tokens in flight (the batch's decode tokens and one prefill chunk) + the
  KV cache. The KV cache is sized at a request's average occupancy, input + output/2 tokens
  (sequences in a running batch are at every stage of their generation); one full-length
  sequence must fit. The batch is the largest the memory holds, capped at ``max_batch_size``
  per scheduler (per data-parallel attention rank) and reduced until the latency targets
  (TPOT, TTFT) are met.
- Decode step (every sequence of the batch advances): max(FLOPs / (N·F·MFU_decode), bytes read
  per GPU / (BW·MBU_decode)) + exposed collectives. Bytes read: dense weights, the experts the
  step's tokens were routed to, and the batch's KV cache. Pipeline stages work on ``pp``
  micro-batches of B/pp sequences: every stage re-reads its weights for each micro-batch.
  With multi-token prediction (MTP) each step verifies 1 + ``mtp_draft_tokens`` tokens per
  sequence and emits 1 + acceptance × drafts.
- Collectives per layer and micro-batch: tensor-parallel attention and dense MLP all-reduce
  their output (latency + ring bandwidth); MoE layers dispatch and combine tokens with two
  all-to-alls over the expert-parallel group. A share ``collective_overlap`` of the bandwidth
  term hides behind compute.
- Prefill of the batch's prompts: the same roofline over B·input tokens (attention to
  (input+1)/2 tokens on average). TTFT of a request = prefill of its prompt alone + one decode
  step of the running batch (chunked prefill shares a step).
- Hybrid models (linear-attention or sliding-window layers) keep a full-length KV cache and
  quadratic attention only in ``attention_layers``; the others' small state is ignored.
- ``a16z`` convention: the article's rule exactly. One GPU, batch 1, p FLOPs per processed
  token, time = FLOPs / (peak × MFU), memory and bandwidth ignored.

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
    vocab_size: np.ndarray
    n_experts: np.ndarray
    n_active_experts: np.ndarray
    kv_lora_rank: np.ndarray
    qk_rope_head_dim: np.ndarray
    qk_nope_head_dim: np.ndarray
    mtp_layers: np.ndarray
    attention_layers: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ModelArrays:
        return _arrays(cls, frame)

    @property
    def kv_layers(self) -> np.ndarray:
        """Layers with a full-length KV cache and quadratic attention: ``attention_layers``
        for hybrid and sliding-window models, else every layer."""
        return np.where(np.isnan(self.attention_layers), self.n_layers, self.attention_layers)


@dataclass(frozen=True)
class HardwareArrays:
    """One GPU at the precision served (``peak_dense_tflops`` is that precision's peak) and
    its scale-up interconnect."""

    peak_dense_tflops: np.ndarray
    memory_gb: np.ndarray
    memory_bandwidth_tbps: np.ndarray
    interconnect_gbps: np.ndarray
    nvlink_domain_size: np.ndarray
    link_efficiency: np.ndarray
    collective_latency_us: np.ndarray

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
class LayoutArrays:
    """Parallel layout of one replica: GPUs per stage (tensor/expert parallel), pipeline
    stages, and whether attention runs data-parallel (1.0) inside the stage."""

    tensor_parallel_size: np.ndarray
    pipeline_parallel_size: np.ndarray
    data_parallel_attention: np.ndarray


@dataclass(frozen=True)
class ServingParams:
    """Serving-stack assumptions (defaults and sources in :class:`EstimationAssumptions`)."""

    memory_utilization: float = 0.9
    runtime_workspace_gb: float = 1.5
    activation_factor: float = 8.0
    prefill_chunk_tokens: float = 2048.0
    max_batch_size: float = 2048.0
    max_gpus_per_replica: float = 72.0
    collective_overlap: float = 0.5
    mtp_draft_tokens: float = 1.0
    mtp_acceptance_rate: float = 0.85


@dataclass(frozen=True)
class InferenceEstimate:
    """Arrays of the broadcast shape of the inputs. Seconds, bytes in GB, dollars in USD."""

    tensor_parallel_size: np.ndarray
    pipeline_parallel_size: np.ndarray
    expert_parallel_size: np.ndarray
    data_parallel_size: np.ndarray
    n_gpus: np.ndarray
    batch_size: np.ndarray
    max_batch_size_memory: np.ndarray
    fits: np.ndarray
    weights_gb: np.ndarray
    weights_gb_per_gpu: np.ndarray
    kv_cache_gb_per_sequence: np.ndarray
    flops_per_request: np.ndarray
    tokens_per_decode_step: np.ndarray
    ttft_seconds: np.ndarray
    tpot_seconds: np.ndarray
    request_seconds: np.ndarray
    input_tokens_per_second: np.ndarray
    output_tokens_per_second: np.ndarray
    output_tokens_per_second_per_gpu: np.ndarray
    gpu_seconds_per_output_token: np.ndarray
    prefill_compute_bound: np.ndarray
    decode_compute_bound: np.ndarray
    meets_tpot_slo: np.ndarray
    meets_ttft_slo: np.ndarray
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


@dataclass(frozen=True)
class _Scenario:
    """Per-scenario quantities that do not depend on the batch."""

    g: np.ndarray  # GPUs per stage
    pp: np.ndarray
    dp: np.ndarray  # bool: data-parallel attention
    gpus: np.ndarray
    dense_bytes: np.ndarray
    expert_bytes: np.ndarray
    kv_token: np.ndarray  # bytes per token of one sequence (no replicas)
    replication: np.ndarray
    flops_decode: np.ndarray  # per token
    flops_prefill: np.ndarray  # per prompt token
    drafts: np.ndarray  # tokens verified per sequence and step beyond the first
    emitted: np.ndarray  # tokens emitted per sequence and step
    message: np.ndarray  # bytes of one token's hidden state
    k_routed: np.ndarray  # experts per token (0 for dense)
    latency: np.ndarray  # seconds per collective


def _prepare(m: ModelArrays, h: HardwareArrays, layout: LayoutArrays, s_in, s_out,
             weight_bytes_per_param, kv_bytes_per_element, activation_bytes,
             params: ServingParams) -> _Scenario:
    g = np.asarray(layout.tensor_parallel_size, dtype=np.float64)
    pp = np.asarray(layout.pipeline_parallel_size, dtype=np.float64)
    dp = np.asarray(layout.data_parallel_attention, dtype=np.float64) > 0
    experts = memory.expert_params(m.total_params, m.active_params, m.n_experts,
                                   m.n_active_experts)
    kv_token = np.nan_to_num(memory.kv_bytes_per_token(
        m.kv_layers, m.n_kv_heads, m.head_dim, kv_bytes_per_element, m.kv_lora_rank,
        m.qk_rope_head_dim))
    dims = (m.n_heads, m.head_dim, m.kv_lora_rank, m.qk_rope_head_dim, m.qk_nope_head_dim)
    decode_width = flops.attention_dims(*dims, absorbed=True)
    prefill_width = flops.attention_dims(*dims, absorbed=False)
    has_mtp = np.nan_to_num(m.mtp_layers) > 0
    drafts = np.where(has_mtp, params.mtp_draft_tokens, 0.0)
    routed = np.asarray(m.n_active_experts, dtype=np.float64) < m.n_experts
    return _Scenario(
        g=g, pp=pp, dp=dp, gpus=g * pp,
        dense_bytes=(np.asarray(m.total_params) - experts) * weight_bytes_per_param,
        expert_bytes=experts * weight_bytes_per_param, kv_token=kv_token,
        replication=memory.kv_replication(g, m.n_kv_heads, dp),
        flops_decode=flops.per_token(m.active_params, m.kv_layers, decode_width,
                                     s_in + s_out / 2, m.total_params, False),
        flops_prefill=flops.per_token(m.active_params, m.kv_layers, prefill_width,
                                      (s_in + 1) / 2, m.total_params, False),
        drafts=drafts, emitted=1.0 + drafts * params.mtp_acceptance_rate,
        message=np.nan_to_num(m.hidden_size) * activation_bytes,
        k_routed=np.where(routed, m.n_active_experts, 0.0),
        latency=np.nan_to_num(h.collective_latency_us, nan=0.0) * 1e-6)


def _collectives(sc: _Scenario, m: ModelArrays, h: HardwareArrays, tokens, overlap):
    """Exposed collective seconds of one forward pass of ``tokens`` tokens through the replica
    (per GPU: every layer once, in micro-batches of tokens/pp)."""
    layers = np.nan_to_num(m.n_layers)
    micro = tokens / sc.pp
    tp_attention = ~sc.dp
    moe = sc.k_routed > 0
    allreduces = np.where(tp_attention, 1.0, 0.0) + np.where(moe | ~tp_attention, 0.0, 1.0)
    allreduce = roofline.allreduce_seconds(micro * sc.message, sc.g, h.interconnect_gbps,
                                           h.link_efficiency, sc.latency, overlap)
    per_gpu_tokens = micro / sc.g
    alltoall = roofline.alltoall_seconds(per_gpu_tokens * sc.k_routed * sc.message, sc.g,
                                         h.interconnect_gbps, h.link_efficiency, sc.latency,
                                         overlap)
    per_layer = allreduces * allreduce + np.where(moe, 2.0 * alltoall, 0.0)
    stage_hops = (sc.pp - 1) * sc.latency
    return layers * per_layer + stage_hops


def _phase(sc, m, h, tokens, flops_per_token, kv_bytes, utilization_compute,
           utilization_memory, overlap):
    """(seconds, compute-bound) of one forward pass over ``tokens`` tokens of the replica,
    reading ``kv_bytes`` of KV cache per GPU."""
    compute = roofline.compute_seconds(tokens * flops_per_token, sc.gpus, h.peak_dense_tflops,
                                       utilization_compute)
    dense_share = np.where(sc.dp, 1.0, 1.0 / sc.g)
    experts = memory.expert_bytes_read(sc.expert_bytes, m.n_experts, m.n_active_experts,
                                       tokens / sc.pp)
    dense_model = sc.k_routed == 0
    weights_read = sc.dense_bytes * dense_share + np.where(dense_model, 0.0, experts / sc.g)
    traffic = roofline.memory_seconds(weights_read + kv_bytes, h.memory_bandwidth_tbps,
                                      utilization_memory)
    seconds = np.maximum(compute, traffic) + _collectives(sc, m, h, tokens, overlap)
    return seconds, compute >= traffic


def _decode_step(sc, m, h, e, batch, s_in, s_out, overlap):
    """(seconds, compute-bound) of one decode step of ``batch`` sequences; each sequence's
    cache is read at input + output/2 tokens."""
    kv_read = batch * sc.kv_token * (s_in + s_out / 2) * sc.replication / sc.gpus
    return _phase(sc, m, h, batch * (1.0 + sc.drafts), sc.flops_decode, kv_read,
                  e.mfu_decode, e.mbu_decode, overlap)


def _prefill(sc, m, h, e, prompt_tokens, overlap):
    """(seconds, compute-bound) of prefilling ``prompt_tokens`` tokens, KV cache written."""
    written = prompt_tokens * sc.kv_token * sc.replication / sc.gpus
    return _phase(sc, m, h, prompt_tokens, sc.flops_prefill, written, e.mfu_prefill,
                  e.mbu_prefill, overlap)


def estimate_inference(model: ModelArrays, hardware: HardwareArrays,
                       efficiency: EfficiencyArrays, layout: LayoutArrays, *, input_tokens,
                       output_tokens, weight_bytes_per_param, kv_bytes_per_element,
                       activation_bytes=2.0, a16z=False, batch_size=np.nan,
                       tpot_slo_seconds=np.nan, ttft_slo_seconds=np.nan,
                       usd_per_gpu_hour=np.nan, params: ServingParams | None = None
                       ) -> InferenceEstimate:
    """Estimate serving ``model`` on ``hardware`` in ``layout`` for every scenario of the
    broadcast inputs. ``batch_size`` NaN means the largest batch that memory,
    ``params.max_batch_size`` and the latency targets (NaN = none) allow; ``a16z`` selects the
    article's convention (then the layout and batch are one GPU and one request)."""
    m, h, e = model, hardware, efficiency
    params = params or ServingParams()
    s_in = np.asarray(input_tokens, dtype=np.float64)
    s_out = np.asarray(output_tokens, dtype=np.float64)
    a16z = np.asarray(a16z, dtype=bool)
    layout = LayoutArrays(np.where(a16z, 1.0, layout.tensor_parallel_size),
                          np.where(a16z, 1.0, layout.pipeline_parallel_size),
                          np.where(a16z, 0.0, layout.data_parallel_attention))
    sc = _prepare(m, h, layout, s_in, s_out, weight_bytes_per_param, kv_bytes_per_element,
                  activation_bytes, params)
    # --- memory: the batch that fits -------------------------------------------------------
    capacity = np.asarray(h.memory_gb) * memory.BYTES_PER_GB * params.memory_utilization
    weights_gpu = memory.weight_bytes_per_gpu(sc.dense_bytes, sc.expert_bytes, sc.g, sc.pp,
                                              sc.dp)
    ranks = np.where(sc.dp, sc.g, 1.0)  # schedulers (attention data-parallel ranks) per stage
    chunk = np.minimum(s_in, params.prefill_chunk_tokens)
    fixed_gpu = (weights_gpu + params.runtime_workspace_gb * memory.BYTES_PER_GB
                 + memory.activation_bytes_per_gpu(chunk, m.hidden_size, m.vocab_size,
                                                   activation_bytes, params.activation_factor,
                                                   sc.g))
    per_sequence_gpu = memory.activation_bytes_per_gpu(
        (1.0 + sc.drafts) / (sc.pp * ranks), m.hidden_size, m.vocab_size, activation_bytes,
        params.activation_factor, sc.g)
    kv_average = sc.kv_token * (s_in + s_out / 2) * sc.replication
    kv_full = sc.kv_token * (s_in + s_out) * sc.replication
    free = sc.gpus * (capacity - fixed_gpu)
    with np.errstate(divide="ignore", invalid="ignore"):
        batch_memory = np.floor(np.maximum(free, 0.0)
                                / (kv_average + sc.gpus * per_sequence_gpu))
    batch_memory = np.where(free - kv_full / ranks - sc.gpus * per_sequence_gpu >= 0,
                            batch_memory, 0.0)
    cap = np.minimum(batch_memory, params.max_batch_size * ranks)
    # --- latency targets: the largest batch meeting them (bisection, times grow with B) -----
    slo_tpot = np.asarray(tpot_slo_seconds, dtype=np.float64)
    slo_ttft = np.asarray(ttft_slo_seconds, dtype=np.float64)

    overlap = params.collective_overlap
    alone, _ = _prefill(sc, m, h, e, s_in, overlap)  # TTFT = this + one decode step

    def meets(batch):
        step, _ = _decode_step(sc, m, h, e, batch, s_in, s_out, overlap)
        return ((np.isnan(slo_tpot) | (step / sc.emitted <= slo_tpot * (1 + 1e-9)))
                & (np.isnan(slo_ttft) | (alone + step <= slo_ttft * (1 + 1e-9))))

    shape = np.broadcast(cap, slo_tpot, slo_ttft, s_in).shape
    low, high = np.ones(shape), np.broadcast_to(np.maximum(cap, 1.0), shape).copy()
    constrained = ~(np.isnan(slo_tpot) & np.isnan(slo_ttft))
    if np.any(constrained):
        ok_high = meets(high)
        todo = constrained & ~ok_high & (high > 1)
        while np.any(todo):
            middle = np.floor((low + high) / 2)
            ok = meets(middle)
            low = np.where(todo & ok, middle, low)
            high = np.where(todo & ~ok, middle, high)
            todo = todo & (high - low > 1)
        high = np.where(constrained & ~ok_high, low, high)
    requested = np.asarray(batch_size, dtype=np.float64)
    batch = np.where(np.isnan(requested), high, requested)
    batch = np.where(a16z, 1.0, batch)
    fits = ((sc.gpus <= params.max_gpus_per_replica) & (batch >= 1) & (batch <= batch_memory))
    fits = fits | a16z
    # --- timings at the chosen batch ---------------------------------------------------------
    step, step_compute = _decode_step(sc, m, h, e, batch, s_in, s_out, overlap)
    prefill, prefill_compute = _prefill(sc, m, h, e, batch * s_in, overlap)
    ttft = alone + step
    tpot = step / sc.emitted
    peak = np.asarray(h.peak_dense_tflops) * 1e12
    a16z_token = np.asarray(m.total_params) / peak
    tpot = np.where(a16z, a16z_token / e.mfu_decode, tpot)
    ttft = np.where(a16z, s_in * a16z_token / e.mfu_prefill, ttft)
    prefill = np.where(a16z, ttft, prefill)
    tpot, ttft, prefill = (np.where(fits, x, np.nan) for x in (tpot, ttft, prefill))
    request = prefill + s_out * tpot
    output_rate = batch * s_out / request
    price = np.asarray(usd_per_gpu_hour, dtype=np.float64)
    usd_per_request = cost.usd_for_gpu_seconds(sc.gpus * request, price) / batch
    kv_gb = memory.kv_bytes_per_token(m.kv_layers, m.n_kv_heads, m.head_dim,
                                      kv_bytes_per_element, m.kv_lora_rank,
                                      m.qk_rope_head_dim) * (s_in + s_out) / 1e9
    flops_request = np.where(a16z, (s_in + s_out) * np.asarray(m.total_params),
                             s_in * sc.flops_prefill + s_out * sc.flops_decode)
    moe = sc.k_routed > 0
    return InferenceEstimate(
        tensor_parallel_size=np.where(sc.dp, 1.0, sc.g), pipeline_parallel_size=sc.pp,
        expert_parallel_size=np.where(moe, sc.g, 1.0), data_parallel_size=ranks,
        n_gpus=sc.gpus, batch_size=batch,
        max_batch_size_memory=np.where(a16z, np.nan, batch_memory), fits=fits,
        weights_gb=(sc.dense_bytes + sc.expert_bytes) / 1e9,
        weights_gb_per_gpu=weights_gpu / 1e9, kv_cache_gb_per_sequence=kv_gb,
        flops_per_request=flops_request, tokens_per_decode_step=np.where(a16z, 1.0,
                                                                         sc.emitted),
        ttft_seconds=ttft, tpot_seconds=tpot, request_seconds=request,
        input_tokens_per_second=batch * s_in / prefill,
        output_tokens_per_second=output_rate,
        output_tokens_per_second_per_gpu=output_rate / sc.gpus,
        gpu_seconds_per_output_token=sc.gpus / output_rate,
        prefill_compute_bound=np.where(a16z, True, prefill_compute),
        decode_compute_bound=np.where(a16z, True, step_compute),
        meets_tpot_slo=np.isnan(slo_tpot) | (tpot <= slo_tpot * (1 + 1e-9)),
        meets_ttft_slo=np.isnan(slo_ttft) | (ttft <= slo_ttft * (1 + 1e-9)),
        usd_per_request=usd_per_request,
        usd_per_1k_input_tokens=cost.usd_per_1k_tokens(batch * s_in / prefill, sc.gpus, price),
        usd_per_1k_output_tokens=cost.usd_per_1k_tokens(batch / tpot, sc.gpus, price),
        usd_per_1k_tokens_blended=1000.0 * usd_per_request / (s_in + s_out),
    )
