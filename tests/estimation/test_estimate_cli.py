"""``compute-atlas estimate`` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli_estimate import estimate_app

runner = CliRunner()
INFERENCE_KEYS = {
    "model", "gpu", "precision", "n_gpus", "batch_size", "fits", "weights_gb",
    "kv_cache_gb_per_sequence", "flops_per_request", "request_seconds", "ttft_seconds",
    "tpot_seconds", "output_tokens_per_second", "output_tokens_per_second_per_gpu",
    "bound_prefill", "bound_decode", "usd_per_gpu_hour", "usd_per_request",
    "usd_per_1k_input_tokens", "usd_per_1k_output_tokens", "usd_per_1k_tokens_blended",
    "assumptions"}
TRAINING_KEYS = {"flops", "gpu_hours", "usd", "wall_clock_hours", "bytes_per_param",
                 "min_gpus_for_memory"}


def _json(*args: str) -> dict:
    result = runner.invoke(estimate_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_inference_json_has_the_agreed_keys():
    out = _json("inference", "--model", "Llama 3.1 70B", "--gpu", "H100",
                "--usd-per-gpu-hour", "2.5")
    assert set(out) >= INFERENCE_KEYS
    assert out["model"] == "llama-3.1-70b" and out["gpu"] == "h100-sxm-80gb"
    assert out["fits"] is True and out["n_gpus"] == 4
    assert out["bound_prefill"] in {"compute", "memory"}
    assert 0 < out["usd_per_1k_input_tokens"] < out["usd_per_1k_output_tokens"]
    assert out["assumptions"]["memory_utilization"] == 0.9


def test_inference_without_price_has_null_dollars():
    out = _json("inference", "--model", "llama-3.1-8b", "--gpu", "l4", "--batch", "4")
    assert out["usd_per_gpu_hour"] is None and out["usd_per_1k_tokens_blended"] is None
    assert out["batch_size"] == 4 and out["output_tokens_per_second"] > 0


def test_inference_reproduces_the_article():
    args = ("inference", "--params", "175e9", "--gpu", "a100", "--input-tokens", "1024",
            "--output-tokens", "1024", "--convention", "a16z", "--mfu", "1", "--n-gpus", "1",
            "--batch", "1")
    fp16 = _json(*args, "--precision", "fp16")
    assert fp16["flops_per_request"] == 3.584e14
    assert fp16["compute_only_request_seconds"] == pytest.approx(1.1487, abs=1e-4)
    assert fp16["fits"] is False  # 350 GB of weights do not fit one 80 GB A100
    assert _json(*args, "--precision", "fp32")["weights_gb"] == 700


def test_training_reproduces_the_article():
    out = _json("training", "--params", "175B", "--tokens", "300B", "--gpu", "A100",
                "--precision", "bf16", "--mfu", "1", "--usd-per-gpu-hour", "2",
                "--convention", "a16z", "--memory-scheme", "a16z_fp32")
    assert set(out) >= TRAINING_KEYS
    assert out["flops"] == pytest.approx(3.15e23)
    assert out["usd"] == pytest.approx(560_000, rel=0.005)
    assert out["bytes_per_param"] == 12 and out["training_memory_gb"] == 2100
    assert out["min_gpus_for_memory"] == 30  # 2.1 TB / (80 GB x 0.9)


def test_training_default_memory_scheme_is_16_bytes():
    out = _json("training", "--model", "llama-3.1-8b", "--tokens", "15T", "--gpu", "h100",
                "--n-gpus", "1024", "--usd-per-gpu-hour", "2")
    assert out["bytes_per_param"] == 16 and out["n_gpus"] == 1024
    assert out["wall_clock_hours"] == pytest.approx(out["gpu_hours"] / 1024)
    assert out["assumptions"]["mfu_training"] == 0.4


@pytest.mark.parametrize(("args", "needle"), [
    (("inference", "--model", "llama-3.1-8b", "--gpu", "gh200"), "gh200-96gb"),
    (("inference", "--model", "llama", "--gpu", "h100"), "llama-3.1-8b"),
    (("inference", "--model", "no-such-model-at-all", "--gpu", "h100"), "unknown"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "a100", "--precision", "fp8"),
     "no dense peak"),
    (("inference", "--gpu", "h100"), "exactly one of --model and --params"),
    (("training", "--model", "llama-3.1-8b", "--gpu", "v100", "--tokens", "1T"),
     "v100-sxm2-32gb"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "h100", "--batch", "lots"), "--batch"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "h100", "--mfu", "1.5"),
     "mfu_prefill: Input should be less than or equal to 1"),
])
def test_errors_exit_non_zero_with_a_readable_message(args, needle):
    result = runner.invoke(estimate_app, list(args))
    assert result.exit_code == 1
    assert needle in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_table_output_without_json():
    result = runner.invoke(estimate_app, ["inference", "--model", "mixtral-8x7b", "--gpu",
                                          "H100", "--usd-per-gpu-hour", "2"])
    assert result.exit_code == 0
    assert "usd_per_1k_tokens_blended" in result.output and "mixtral-8x7b" in result.output
