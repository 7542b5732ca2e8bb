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
    assert out["fits"] is True and isinstance(out["n_gpus"], int)
    assert out["bound_prefill"] in {"compute", "memory"}
    assert 0 < out["usd_per_1k_input_tokens"] < out["usd_per_1k_output_tokens"]
    assert out["assumptions"]["memory_utilization"] == 0.9


def test_inference_without_price_has_null_dollars():
    out = _json("inference", "--model", "llama-3.1-8b", "--gpu", "l4", "--batch", "4")
    assert out["usd_per_gpu_hour"] is None and out["usd_per_1k_tokens_blended"] is None
    assert out["batch_size"] == 4 and out["output_tokens_per_second"] > 0


A16Z_INFERENCE = ("inference", "--params", "175e9", "--gpu", "A100", "--precision", "fp16",
                  "--input-tokens", "1024", "--output-tokens", "1024", "--convention", "a16z",
                  "--mfu", "1")


def test_a16z_inference_reproduces_the_article_on_one_gpu():
    """The article: 2 n p = 3.584e14 FLOPs, 312 TFLOPS -> 1.15 s, on ONE A100, with the
    engine's defaults otherwise (auto layout, batch max)."""
    out = _json(*A16Z_INFERENCE, "--usd-per-gpu-hour", "2")
    assert out["flops_per_request"] == 3.584e14
    assert out["request_seconds"] == pytest.approx(1.1487, abs=1e-4)
    assert out["n_gpus"] == 1 and out["batch_size"] == 1
    assert out["usd_per_request"] == pytest.approx(1.1487 * 2 / 3600, rel=1e-4)
    assert out["convention_applied"].startswith("a16z convention applied")
    assert out["assumptions"]["convention"] == "a16z"


def test_a16z_inference_time_scales_with_mfu_and_a_given_gpu_count_is_ignored():
    half = _json(*A16Z_INFERENCE[:-1], "0.5", "--n-gpus", "16")
    assert half["request_seconds"] == pytest.approx(2 * 1.1487, abs=2e-4)
    assert half["n_gpus"] == 1


def test_decoder_convention_does_not_follow_the_article():
    out = _json(*A16Z_INFERENCE[:-4], "--mfu", "1")
    assert out["convention_applied"].startswith("decoder convention")
    assert out["n_gpus"] > 1  # 350 GB of fp16 weights need a multi-GPU replica


def test_a16z_training_reproduces_the_article():
    out = _json("training", "--params", "175e9", "--tokens", "300e9", "--gpu", "A100 40GB",
                "--precision", "fp16", "--mfu", "1", "--usd-per-gpu-hour", "2",
                "--convention", "a16z")
    assert set(out) >= TRAINING_KEYS
    assert out["flops"] == pytest.approx(3.15e23, rel=1e-12)
    assert out["usd"] == pytest.approx(560_000, rel=0.002)
    assert out["gpu_hours"] == pytest.approx(3.15e23 / 312e12 / 3600)
    assert out["convention_applied"].startswith("a16z convention applied")
    assert out["bytes_per_param"] == 12 and out["training_memory_gb"] == 2100


def test_training_picks_whole_nodes_that_hold_the_state_and_finish_in_time():
    out = _json("training", "--model", "llama-3.1-70b", "--tokens", "15T", "--gpu", "h100",
                "--usd-per-gpu-hour", "2")
    assert isinstance(out["n_gpus"], int) and out["n_gpus"] % 8 == 0
    assert out["n_gpus"] >= out["min_gpus_for_memory"]
    assert out["wall_clock_hours"] <= 30 * 24
    assert out["tensor_parallel_size"] * out["data_parallel_size"] == out["n_gpus"]
    quick = _json("training", "--model", "llama-3.1-70b", "--tokens", "15T", "--gpu", "h100",
                  "--days", "10")
    assert quick["n_gpus"] > out["n_gpus"] and quick["usd"] is None


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
    (("inference", "--gpu", "h100"), "exactly one of model and params"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "h100", "--n-gpus", "3"),
     "n_gpus 3 is not tp x pp"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "h100", "--kv-precision", "int3"),
     "kv_precision"),
    (("training", "--model", "llama-3.1-8b", "--gpu", "v100", "--tokens", "1T"),
     "v100-sxm2-32gb"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "h100", "--batch", "lots"), "batch"),
    (("inference", "--model", "llama-3.1-8b", "--gpu", "h100", "--mfu", "1.5"),
     "mfu must be a fraction"),
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
