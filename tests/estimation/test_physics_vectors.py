"""Physics vectors P1-P10 of estimation.md 5.2, plus engine-level checks of the same facts
and of the v2 serving model (memory, MLA, MoE, MTP, collectives, pipeline stages)."""

from __future__ import annotations

import numpy as np
import pytest

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.cost import usd_per_1k_tokens, usd_per_effective_tflop_hour, usd_per_exaflop
from models.estimation.flops import attention_dims
from models.estimation.inference import (
    EfficiencyArrays,
    HardwareArrays,
    LayoutArrays,
    ModelArrays,
    ServingParams,
    estimate_inference,
)
from models.estimation.memory import (
    BYTES_PER_GB,
    expert_bytes_read,
    expert_params,
    kv_bytes_per_token,
    weight_bytes,
)
from models.estimation.roofline import allreduce_seconds, memory_seconds, ridge_point
from models.estimation.tables import parameters_only_architecture, with_interconnects


def _model(llm_model: str) -> ModelArrays:
    arch = reference.llm_architectures()
    return ModelArrays.from_frame(arch[arch["llm_model"] == llm_model])


def _gpu(gpu_model: str, precision_column: str = "bf16_tflops") -> HardwareArrays:
    gpus = with_interconnects(reference.gpu_models(), EstimationAssumptions())
    row = gpus[gpus["gpu_model"] == gpu_model].rename(
        columns={precision_column: "peak_dense_tflops"})
    return HardwareArrays.from_frame(row)


def _efficiency(mfu=0.5, mbu=1.0) -> EfficiencyArrays:
    return EfficiencyArrays(*(np.array([v]) for v in (mfu, mbu, mfu, mbu)))


def test_p1_p2_kv_per_token_llama2_70b():
    assert kv_bytes_per_token(80, 8, 128, 2) == 327_680
    assert kv_bytes_per_token(80, 8, 128, 1) == 163_840
    assert kv_bytes_per_token(80, 8, 128, 2) * 4096 == pytest.approx(1.34e9, rel=0.005)


def test_p3_kv_llama31_405b_4k():
    assert kv_bytes_per_token(126, 8, 128, 2) * 4096 == pytest.approx(2.114e9, rel=1e-3)


def test_kv_per_token_other_models():
    assert kv_bytes_per_token(32, 8, 128, 2) == 131_072  # Llama-3.1-8B
    assert kv_bytes_per_token(28, 16, 256, 2) == 458_752  # GPT-J-6B
    assert kv_bytes_per_token(96, 96, 128, 2) == pytest.approx(4.72e6, rel=1e-3)  # GPT-3
    # MLA: one latent of rank 512 + RoPE key 64 per layer (DeepSeek-V3), at the cache format.
    assert kv_bytes_per_token(61, 1, 128, 1, 512, 64) == 35_136
    assert kv_bytes_per_token(61, 1, 128, 2, 512, 64) == (512 + 64) * 61 * 2


def test_p4_ridge_point_h100():
    assert ridge_point(989.4, 3.35) == pytest.approx(295.3, abs=0.05)


def test_p5_p6_decode_llama2_70b_tp2():
    per_gpu = weight_bytes(70e9, 2) / 2
    assert memory_seconds(per_gpu, 3.35, 1.0) == pytest.approx(0.0209, abs=5e-5)
    assert 1 / memory_seconds(per_gpu, 3.35, 1.0) == pytest.approx(47.9, abs=0.05)
    assert memory_seconds(per_gpu, 3.35, 0.7) == pytest.approx(0.0299, abs=5e-5)


def _layout(tp=1, pp=1, dp=0) -> LayoutArrays:
    return LayoutArrays(np.array([tp], float), np.array([pp], float), np.array([dp], float))


def test_p5_through_the_engine():
    arch = parameters_only_architecture(70e9)
    estimate = estimate_inference(
        ModelArrays.from_frame(arch), _gpu("h100-sxm-80gb"), _efficiency(mbu=1.0),
        _layout(tp=2), input_tokens=1, output_tokens=1, weight_bytes_per_param=2.0,
        kv_bytes_per_element=2.0, batch_size=1, params=ServingParams(memory_utilization=1.0))
    assert estimate.tpot_seconds[0] == pytest.approx(0.0209, abs=5e-5)
    assert estimate.bound_decode[0] == "memory"


def test_p7_p8_dollars_per_effective_tflop():
    assert usd_per_effective_tflop_hour(2.5, 989.4, 0.4) == pytest.approx(0.006317, abs=5e-7)
    assert usd_per_exaflop(2.5, 989.4, 0.4) == pytest.approx(1.755, abs=5e-4)
    assert usd_per_exaflop(2.5, 989.4, 1.0) == pytest.approx(1.755 * 0.4, abs=5e-4)


def test_p9_cost_per_1k_tokens():
    assert usd_per_1k_tokens(1000, 8, 2) == pytest.approx(0.004444, abs=5e-7)


def test_p10_llama31_8b_on_l4():
    """P10 with v2 memory: 24 GB of HBM is 24 GiB; weights, a 1.5 GiB workspace and the
    activations of one 2,048-token prefill chunk are fixed; each sequence adds its KV cache at
    average occupancy (3,072 + 1,024/2 tokens) and one decode token's activations."""
    estimate = estimate_inference(
        _model("llama-3.1-8b"), _gpu("l4-24gb"), _efficiency(), _layout(),
        input_tokens=3072, output_tokens=1024, weight_bytes_per_param=2.0,
        kv_bytes_per_element=2.0)
    assert estimate.weights_gb[0] == pytest.approx(16.06, abs=0.01)
    assert estimate.fits[0] and estimate.n_gpus[0] == 1
    assert estimate.kv_cache_gb_per_sequence[0] == pytest.approx(0.537, abs=0.001)
    per_token_activation = 4096 * 2 * 8 + 128256 * 4
    free = (24 * BYTES_PER_GB * 0.9 - 16.06e9 - 1.5 * BYTES_PER_GB
            - 2048 * per_token_activation)
    per_sequence = 131_072 * (3072 + 512) + per_token_activation
    assert estimate.max_batch_size_memory[0] == np.floor(free / per_sequence) == 9
    assert estimate.batch_size[0] == 9


def test_memory_serves_70b_where_practice_does():
    """70B fp8 fits one H100 80GB; 70B bf16 fits two A100 80GB (both served in practice; the
    v1 rule of 10 % of the weights as headroom said no to both)."""
    fp8 = estimate_inference(_model("llama-3.1-70b"), _gpu("h100-sxm-80gb", "fp8_tflops"),
                             _efficiency(), _layout(), input_tokens=1024, output_tokens=256,
                             weight_bytes_per_param=1.0, kv_bytes_per_element=1.0)
    bf16 = estimate_inference(_model("llama-3.1-70b"), _gpu("a100-sxm-80gb"), _efficiency(),
                              _layout(tp=2), input_tokens=1024, output_tokens=256,
                              weight_bytes_per_param=2.0, kv_bytes_per_element=2.0)
    assert fp8.fits[0] and fp8.max_batch_size_memory[0] >= 8
    assert bf16.fits[0] and bf16.max_batch_size_memory[0] >= 8
    fp8_kv = estimate_inference(_model("llama-3.1-70b"), _gpu("a100-sxm-80gb"), _efficiency(),
                                _layout(tp=2), input_tokens=1024, output_tokens=256,
                                weight_bytes_per_param=2.0, kv_bytes_per_element=1.0)
    assert fp8_kv.max_batch_size_memory[0] >= 1.9 * bf16.max_batch_size_memory[0]


def test_moe_reads_active_experts_for_one_token_and_all_for_many():
    experts = expert_params(46.7e9, 12.9e9, 8, 2)
    assert experts == pytest.approx((46.7e9 - 12.9e9) / 0.75)
    assert expert_bytes_read(experts, 8, 2, 1) == pytest.approx(experts * 2 / 8)
    assert expert_bytes_read(experts, 8, 2, 10_000) == pytest.approx(experts)
    assert expert_params(70e9, 70e9, 1, 1) == 0


def test_mla_attention_flops_use_the_latent_width():
    """DeepSeek-V3 decodes with absorbed projections: QK over rank + RoPE (576) and AV over
    the rank (512) for each of 128 heads, 4.25x what 128 standard heads of 128 would count."""
    absorbed = attention_dims(128, 128, 512, 64, 128, absorbed=True)
    expanded = attention_dims(128, 128, 512, 64, 128, absorbed=False)
    standard = attention_dims(128, 128, np.nan, np.nan, np.nan, absorbed=True)
    assert absorbed == 2 * 128 * (576 + 512) and standard == 4 * 128 * 128
    assert absorbed / standard == pytest.approx(4.25)
    assert expanded == 2 * 128 * (192 + 128)


def test_data_parallel_attention_keeps_one_copy_of_the_mla_cache():
    common = dict(input_tokens=4096, output_tokens=1024, weight_bytes_per_param=1.0,
                  kv_bytes_per_element=1.0)
    gpu = _gpu("h200-sxm-141gb", "fp8_tflops")
    tp = estimate_inference(_model("deepseek-v3"), gpu, _efficiency(), _layout(tp=8),
                            **common)
    dp = estimate_inference(_model("deepseek-v3"), gpu, _efficiency(), _layout(tp=8, dp=1),
                            **common)
    # TP replicates the latent on 8 ranks; DP attention holds it once (but the dense part of
    # the weights on every rank), so several times more sequences fit.
    assert dp.max_batch_size_memory[0] > 4 * tp.max_batch_size_memory[0]
    assert dp.weights_gb_per_gpu[0] > tp.weights_gb_per_gpu[0]
    assert dp.data_parallel_size[0] == 8 and dp.expert_parallel_size[0] == 8


def test_mtp_emits_more_tokens_per_step():
    common = dict(input_tokens=1024, output_tokens=256, weight_bytes_per_param=1.0,
                  kv_bytes_per_element=1.0, batch_size=64)
    gpu = _gpu("h200-sxm-141gb", "fp8_tflops")
    on = estimate_inference(_model("deepseek-v3"), gpu, _efficiency(), _layout(tp=8, dp=1),
                            **common)
    off = estimate_inference(_model("deepseek-v3"), gpu, _efficiency(), _layout(tp=8, dp=1),
                             params=ServingParams(mtp_draft_tokens=0), **common)
    assert on.tokens_per_decode_step[0] == pytest.approx(1.85)
    assert off.tokens_per_decode_step[0] == 1
    assert on.tpot_seconds[0] < off.tpot_seconds[0]
    dense = estimate_inference(_model("llama-3.1-70b"), gpu, _efficiency(), _layout(tp=8),
                               **common)
    assert dense.tokens_per_decode_step[0] == 1  # no MTP module: no drafts


def test_allreduce_has_a_latency_and_an_overlapped_bandwidth_term():
    latency = 8e-6
    assert allreduce_seconds(0.0, 8, 900, 0.6, latency) == latency
    full = allreduce_seconds(64e6, 8, 900, 0.6, latency)
    assert full == pytest.approx(latency + 2 * 7 / 8 * 64e6 / (450e9 * 0.6))
    half = allreduce_seconds(64e6, 8, 900, 0.6, latency, overlap=0.5)
    assert half == pytest.approx(latency + (full - latency) / 2)
    assert allreduce_seconds(64e6, 1, np.nan, 0.6, latency) == 0


def test_pipeline_stages_add_memory_for_the_batch():
    common = dict(input_tokens=1024, output_tokens=256, weight_bytes_per_param=2.0,
                  kv_bytes_per_element=2.0)
    gpu = _gpu("l40s-48gb")
    one = estimate_inference(_model("llama-3.1-8b"), gpu, _efficiency(), _layout(), **common)
    two = estimate_inference(_model("llama-3.1-8b"), gpu, _efficiency(), _layout(pp=2),
                             **common)
    assert two.max_batch_size_memory[0] > 2 * one.max_batch_size_memory[0]
    assert two.n_gpus[0] == 2


def test_bounds_switch_with_batch():
    # Llama-2-70B fp8 on 2 H100: batch 1 decode reads weights (memory-bound); a batch of
    # 256 is past the ridge point (compute-bound). Prefill of a 1k prompt is compute-bound.
    estimate = estimate_inference(
        _model("llama-2-70b"), _gpu("h100-sxm-80gb", "fp8_tflops"), _efficiency(0.3, 0.7),
        _layout(tp=2), input_tokens=1024, output_tokens=128, weight_bytes_per_param=1.0,
        kv_bytes_per_element=1.0, batch_size=np.array([1, 256]))
    assert list(estimate.bound_decode) == ["memory", "compute"]
    assert list(estimate.bound_prefill) == ["compute", "compute"]
    assert estimate.fits.all()


def test_unknown_price_gives_nan_dollars_not_zero():
    estimate = estimate_inference(
        _model("llama-3.1-8b"), _gpu("h100-sxm-80gb"), _efficiency(), _layout(),
        input_tokens=1024, output_tokens=256, weight_bytes_per_param=2.0,
        kv_bytes_per_element=2.0, usd_per_gpu_hour=np.nan)
    assert estimate.output_tokens_per_second[0] > 0
    assert np.isnan(estimate.usd_per_1k_output_tokens[0])


def test_tpot_target_limits_the_batch():
    common = dict(input_tokens=1024, output_tokens=256, weight_bytes_per_param=2.0,
                  kv_bytes_per_element=2.0)
    args = (_model("llama-3.1-8b"), _gpu("h100-sxm-80gb"), _efficiency(), _layout())
    free = estimate_inference(*args, **common)
    slo = estimate_inference(*args, tpot_slo_seconds=0.01, **common)
    assert slo.batch_size[0] < free.batch_size[0]
    assert slo.tpot_seconds[0] <= 0.01 and slo.meets_tpot_slo[0]
    assert free.tpot_seconds[0] > 0.01 and free.meets_tpot_slo[0]  # no target: met
    impossible = estimate_inference(*args, tpot_slo_seconds=1e-4, **common)
    assert not impossible.meets_tpot_slo[0] and impossible.batch_size[0] == 1
