"""The a16z article's numbers (estimation.md 5.1, A1-A9) under convention a16z."""

from __future__ import annotations

import pytest

from models.estimation.assumptions import TRAINING_BYTES_PER_PARAM
from models.estimation.cost import usd_for_gpu_seconds
from models.estimation.flops import per_token, training_flops
from models.estimation.memory import min_gpus_for_bytes, training_memory_bytes, weight_bytes
from models.estimation.roofline import compute_seconds
from models.estimation.training import estimate_training

GPT3 = 175e9
A100_TFLOPS = 312.0


def _request_flops(a16z: bool) -> float:
    """GPT-3, 1,024 tokens in and 1,024 out; standard attention width 4 x 96 x 128."""
    width = 4 * 96 * 128
    return (1024 * per_token(GPT3, 96, width, 512.5, GPT3, a16z)
            + 1024 * per_token(GPT3, 96, width, 1536, GPT3, a16z))


def test_a1_inference_flops():
    flops = _request_flops(a16z=True)
    assert flops == 3.584e14
    assert flops == pytest.approx(350e12, rel=0.03)  # the article's "about 350 TFLOPs"


def test_a1_decoder_convention_counts_more():
    # 2 FLOPs per parameter on every one of the 2,048 tokens, plus attention.
    assert _request_flops(a16z=False) > 2 * _request_flops(a16z=True)


def test_a2_seconds_on_an_a100():
    assert compute_seconds(3.584e14, 1, A100_TFLOPS, 1.0) == pytest.approx(1.1487, abs=1e-4)


def test_a3_training_flops():
    flops = training_flops(GPT3, GPT3, 96, 12288, 300e9, 2048, a16z=True)
    assert flops == pytest.approx(3.15e23, rel=1e-12)
    assert flops == pytest.approx(3.14e23, rel=0.005)
    recompute = training_flops(GPT3, GPT3, 96, 12288, 300e9, 2048, a16z=True,
                               activation_recompute=True)
    assert recompute == pytest.approx(8 * GPT3 * 300e9)


def test_a4_training_cost():
    tokens = 3.14e23 / (6 * GPT3)  # the article's 3.14e23 FLOPs
    estimate = estimate_training(
        total_params=GPT3, active_params=GPT3, n_layers=96, attention_width=12288,
        training_tokens=tokens, sequence_length=2048, peak_tflops=A100_TFLOPS, memory_gb=80,
        mfu=1.0, bytes_per_param=12.0, a16z=True, usd_per_gpu_hour=2.0)
    assert estimate.flops == pytest.approx(3.14e23)
    assert estimate.gpu_hours == pytest.approx(279_558, abs=1)
    assert estimate.usd == pytest.approx(559_117, abs=1)
    assert estimate.usd == pytest.approx(560_000, rel=0.002)


def test_a5_cost_of_one_gpu_second():
    assert usd_for_gpu_seconds(1.0, 0.72) == pytest.approx(0.0002)
    assert usd_for_gpu_seconds(1.0, 5.04) == pytest.approx(0.0014)


def test_a6_fp32_weights():
    assert weight_bytes(GPT3, 4.0) == 700e9


def test_a7_fp32_training_memory():
    assert TRAINING_BYTES_PER_PARAM["a16z_fp32"] == 12.0
    assert training_memory_bytes(GPT3, TRAINING_BYTES_PER_PARAM["a16z_fp32"]) == 2.1e12
    assert training_memory_bytes(GPT3, TRAINING_BYTES_PER_PARAM["mixed_precision_adam"]) == 2.8e12


def test_a8_one_cpu_core():
    seconds = compute_seconds(350e12, 1, 3e9 / 1e12, 1.0)  # 3 GHz, 1 FLOP per cycle
    assert seconds == pytest.approx(116_667, abs=1)
    assert seconds / 3600 == pytest.approx(32.4, abs=0.05)


def test_a9_gpus_for_fp32_weights():
    assert min_gpus_for_bytes(700 * 2**30, 80, 1.0) == 9  # 80 GB of HBM = 80 GiB
