"""Physics vectors P1-P10 of estimation.md 5.2, plus engine-level checks of the same facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.estimation import reference
from models.estimation.cost import usd_per_1k_tokens, usd_per_effective_tflop_hour, usd_per_exaflop
from models.estimation.inference import (
    EfficiencyArrays,
    HardwareArrays,
    ModelArrays,
    estimate_inference,
)
from models.estimation.memory import kv_bytes_per_token, weight_bytes, weight_bytes_read
from models.estimation.roofline import memory_seconds, ridge_point
from models.estimation.tables import parameters_only_architecture


def _model(llm_model: str) -> ModelArrays:
    arch = reference.llm_architectures()
    return ModelArrays.from_frame(arch[arch["llm_model"] == llm_model])


def _gpu(gpu_model: str, precision_column: str = "bf16_tflops") -> HardwareArrays:
    gpus = reference.gpu_models()
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
    # MLA: the architecture's fp16 figure, scaled to the cache format.
    assert kv_bytes_per_token(61, 1, 128, 1, 70_272) == 35_136


def test_p4_ridge_point_h100():
    assert ridge_point(989.4, 3.35) == pytest.approx(295.3, abs=0.05)


def test_p5_p6_decode_llama2_70b_tp2():
    per_gpu = weight_bytes(70e9, 2) / 2
    assert memory_seconds(per_gpu, 3.35, 1.0) == pytest.approx(0.0209, abs=5e-5)
    assert 1 / memory_seconds(per_gpu, 3.35, 1.0) == pytest.approx(47.9, abs=0.05)
    assert memory_seconds(per_gpu, 3.35, 0.7) == pytest.approx(0.0299, abs=5e-5)


def test_p5_through_the_engine():
    arch = parameters_only_architecture(70e9)
    estimate = estimate_inference(
        ModelArrays.from_frame(arch), _gpu("h100-sxm-80gb"), _efficiency(mbu=1.0),
        input_tokens=1, output_tokens=1, weight_bytes_per_param=2.0, kv_bytes_per_element=2.0,
        batch_size=1, n_gpus=2, memory_utilization=1.0, activation_headroom_fraction=0.0)
    assert estimate.tpot_seconds[0] == pytest.approx(0.0209, abs=5e-5)
    assert estimate.bound_decode[0] == "memory"


def test_p7_p8_dollars_per_effective_tflop():
    assert usd_per_effective_tflop_hour(2.5, 989.4, 0.4) == pytest.approx(0.006317, abs=5e-7)
    assert usd_per_exaflop(2.5, 989.4, 0.4) == pytest.approx(1.755, abs=5e-4)
    assert usd_per_exaflop(2.5, 989.4, 1.0) == pytest.approx(1.755 * 0.4, abs=5e-4)


def test_p9_cost_per_1k_tokens():
    assert usd_per_1k_tokens(1000, 8, 2) == pytest.approx(0.004444, abs=5e-7)


def test_p10_llama31_8b_on_l4():
    estimate = estimate_inference(
        _model("llama-3.1-8b"), _gpu("l4-24gb"), _efficiency(),
        input_tokens=3072, output_tokens=1024, weight_bytes_per_param=2.0,
        kv_bytes_per_element=2.0, activation_headroom_fraction=0.0, max_batch_size=10_000)
    assert estimate.weights_gb[0] == pytest.approx(16.06, abs=0.01)
    assert estimate.fits[0] and estimate.n_gpus[0] == 1
    assert estimate.kv_cache_gb_per_sequence[0] == pytest.approx(0.537, abs=0.001)
    assert estimate.max_batch_size_memory[0] == 10
    assert estimate.batch_size[0] == 10


def test_moe_reads_active_weights_for_one_token_and_all_for_many():
    total, active = 46.7e9, 12.9e9
    assert weight_bytes_read(total, active, 8, 2, 1, 2.0) == pytest.approx(2 * active)
    assert weight_bytes_read(total, active, 8, 2, 10_000, 2.0) == pytest.approx(2 * total)
    assert weight_bytes_read(70e9, 70e9, 1, 1, 1, 2.0) == 140e9


def test_bounds_switch_with_batch():
    # Llama-2-70B fp8 on 2 H100: batch 1 decode reads weights (memory-bound); a batch of
    # 256 is past the ridge point (compute-bound). Prefill of a 1k prompt is compute-bound.
    estimate = estimate_inference(
        _model("llama-2-70b"), _gpu("h100-sxm-80gb", "fp8_tflops"), _efficiency(0.3, 0.7),
        input_tokens=1024, output_tokens=128, weight_bytes_per_param=1.0,
        kv_bytes_per_element=1.0, batch_size=np.array([1, 256]), n_gpus=2)
    assert list(estimate.bound_decode) == ["memory", "compute"]
    assert list(estimate.bound_prefill) == ["compute", "compute"]
    assert estimate.fits.all()


def test_layout_respects_heads_and_domain():
    # GPT-3 bf16 (350 GB) on A100-80GB: TP 8 within the HGX board, 1 stage; on L4 (no
    # NVLink) it must pipeline: (350 GB x 1.1 + one sequence's KV) / 21.6 GB -> 18 stages.
    for gpu, expected in (("a100-sxm-80gb", (8, 1)), ("l4-24gb", (1, 18))):
        estimate = estimate_inference(
            _model("gpt-3-175b"), _gpu(gpu), _efficiency(), input_tokens=512,
            output_tokens=128, weight_bytes_per_param=2.0, kv_bytes_per_element=2.0)
        assert (estimate.tensor_parallel_size[0], estimate.pipeline_parallel_size[0]) == expected
    # DeepSeek-V3 bf16 (1.34 TB) in an NVL72 domain: TP 16 (128 heads; the MLA latent is
    # replicated on every rank), one stage.
    deepseek = estimate_inference(
        _model("deepseek-v3"), _gpu("gb200-186gb"), _efficiency(), input_tokens=1024,
        output_tokens=256, weight_bytes_per_param=2.0, kv_bytes_per_element=2.0)
    assert deepseek.tensor_parallel_size[0] == 16 and deepseek.pipeline_parallel_size[0] == 1
    # Mixtral-8x7B: 32 heads, 8 KV heads; on an 8-GPU board with a forced 16 GPUs the layout
    # is TP 8 x PP 2 (TP never exceeds the domain).
    forced = estimate_inference(
        _model("mixtral-8x7b"), _gpu("h100-sxm-80gb"), _efficiency(), input_tokens=1024,
        output_tokens=256, weight_bytes_per_param=2.0, kv_bytes_per_element=2.0, n_gpus=16)
    assert (forced.tensor_parallel_size[0], forced.pipeline_parallel_size[0]) == (8, 2)


def test_model_too_large_for_the_replica_cap_does_not_fit():
    estimate = estimate_inference(
        _model("deepseek-v3"), _gpu("l4-24gb"), _efficiency(), input_tokens=1024,
        output_tokens=256, weight_bytes_per_param=2.0, kv_bytes_per_element=2.0,
        max_gpus_per_replica=64)
    assert not estimate.fits[0]
    assert np.isnan(estimate.usd_per_1k_tokens_blended[0])
    assert estimate.bound_decode[0] is None


def test_unknown_inputs_give_nan_not_zero():
    estimate = estimate_inference(
        _model("llama-3.1-8b"), _gpu("h100-sxm-80gb"), _efficiency(), input_tokens=1024,
        output_tokens=256, weight_bytes_per_param=2.0, kv_bytes_per_element=2.0,
        usd_per_gpu_hour=np.nan)
    assert estimate.output_tokens_per_second[0] > 0
    assert np.isnan(estimate.usd_per_1k_output_tokens[0])
    no_kv = estimate_inference(
        ModelArrays.from_frame(parameters_only_architecture(8e9)), _gpu("h100-sxm-80gb"),
        _efficiency(), input_tokens=1024, output_tokens=256, weight_bytes_per_param=2.0,
        kv_bytes_per_element=2.0)
    assert np.isnan(no_kv.kv_cache_gb_per_sequence[0])
    assert np.isinf(no_kv.max_batch_size_memory[0]) and no_kv.batch_size[0] == 256


def test_tpot_target_limits_the_batch():
    common = dict(input_tokens=1024, output_tokens=256, weight_bytes_per_param=2.0,
                  kv_bytes_per_element=2.0, max_batch_size=10_000)
    free = estimate_inference(_model("llama-3.1-8b"), _gpu("h100-sxm-80gb"), _efficiency(),
                              **common)
    slo = estimate_inference(_model("llama-3.1-8b"), _gpu("h100-sxm-80gb"), _efficiency(),
                             tpot_slo_seconds=0.01, **common)
    assert slo.batch_size[0] < free.batch_size[0]
    assert slo.tpot_seconds[0] <= 0.01 and slo.meets_tpot_slo[0]
    assert free.tpot_seconds[0] > 0.01 and free.meets_tpot_slo[0]  # no target: met
    impossible = estimate_inference(_model("llama-3.1-8b"), _gpu("h100-sxm-80gb"),
                                    _efficiency(), tpot_slo_seconds=1e-4, **common)
    assert not impossible.meets_tpot_slo[0]
    assert impossible.batch_size[0] == free.batch_size[0]  # then batch for throughput


def test_grid_broadcasts():
    models = reference.llm_architectures()
    model = ModelArrays.from_frame(models)
    n = len(models)
    estimate = estimate_inference(
        ModelArrays(*(a[:, None] for a in vars(model).values())), _gpu("h100-sxm-80gb"),
        _efficiency(), input_tokens=np.array([[128, 1024, 8192]]), output_tokens=256,
        weight_bytes_per_param=1.0, kv_bytes_per_element=1.0)
    assert estimate.tpot_seconds.shape == (n, 3)
    frame = pd.DataFrame(estimate.tpot_seconds)
    assert frame.notna().all().all()
