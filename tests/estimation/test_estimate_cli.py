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


def test_a16z_request_has_as_many_tokens_out_as_in_by_default():
    out = _json("inference", "--params", "175e9", "--gpu", "A100", "--input-tokens", "1024",
                "--convention", "a16z", "--mfu", "1")
    assert out["flops_per_request"] == 3.584e14
    assert out["request_seconds"] == pytest.approx(1.1487, abs=1e-4)
    assert _json("inference", "--model", "llama-3.1-8b", "--gpu", "A100")[
        "assumptions"]["output_tokens"] == 256


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


def test_cheapest_layout_beats_the_smallest_and_says_which():
    args = ("inference", "--model", "llama-3.1-70b", "--gpu", "B200", "--precision", "bf16",
            "--usd-per-gpu-hour", "4")
    smallest = _json(*args, "--layout", "smallest")
    cheapest = _json(*args)  # --n-gpus auto --layout cheapest are the defaults
    assert smallest["n_gpus"] == 1 and smallest["assumptions"]["layout"] == "smallest"
    assert cheapest["usd_per_1k_output_tokens"] < smallest["usd_per_1k_output_tokens"]
    assert cheapest["n_gpus"] == (cheapest["tensor_parallel_size"]
                                  * cheapest["pipeline_parallel_size"])


def test_latency_targets_are_met_or_reported():
    args = ("inference", "--model", "llama-3.1-8b", "--gpu", "H100", "--usd-per-gpu-hour", "2")
    free = _json(*args)
    fast = _json(*args, "--max-tpot-ms", "15", "--max-ttft-s", "0.5")
    assert fast["tpot_seconds"] <= 0.015 and fast["ttft_seconds"] <= 0.5
    assert fast["meets_tpot_slo"] and fast["meets_ttft_slo"]
    assert fast["batch_size"] < free["batch_size"]
    assert fast["usd_per_1k_output_tokens"] >= free["usd_per_1k_output_tokens"]
    impossible = _json(*args, "--max-tpot-ms", "0.01")
    assert impossible["meets_tpot_slo"] is False


def test_70b_fits_where_it_is_served_in_practice():
    fp8 = _json("inference", "--model", "llama-3.1-70b", "--gpu", "H100", "--precision", "fp8",
                "--n-gpus", "1")
    bf16 = _json("inference", "--model", "llama-3.1-70b", "--gpu", "A100 80GB", "--n-gpus", "2")
    assert fp8["fits"] and fp8["n_gpus"] == 1 and fp8["max_batch_size_memory"] >= 8
    assert bf16["fits"] and bf16["n_gpus"] == 2


def test_fp8_kv_cache_halves_the_cache_and_holds_more_sequences():
    args = ("inference", "--model", "llama-3.1-70b", "--gpu", "A100 80GB", "--n-gpus", "2",
            "--input-tokens", "8192")
    bf16 = _json(*args)
    fp8 = _json(*args, "--kv-precision", "fp8")
    assert fp8["kv_cache_gb_per_sequence"] == pytest.approx(bf16["kv_cache_gb_per_sequence"] / 2)
    assert fp8["max_batch_size_memory"] > 1.9 * bf16["max_batch_size_memory"]
    assert fp8["assumptions"]["kv_cache_precision"] == "fp8"


def test_deepseek_v3_on_an_h200_node_uses_expert_and_data_parallelism():
    out = _json("inference", "--model", "deepseek-ai/DeepSeek-V3-0324", "--gpu", "H200",
                "--precision", "fp8", "--n-gpus", "8", "--usd-per-gpu-hour", "3.5")
    assert out["model"] == "deepseek-v3" and out["n_gpus"] == 8 and out["fits"]
    assert out["expert_parallel_size"] > 1
    assert out["tokens_per_decode_step"] == pytest.approx(1.85)  # MTP draft, 85 % accepted
    # KV: one MLA latent (512 + 64) per layer in fp8 = 35,136 B/token.
    assert out["kv_cache_gb_per_sequence"] == pytest.approx(35_136 * (1024 + 256) / 1e9)
    assert out["usd_per_million_output_tokens"] < 1.0


@pytest.mark.parametrize("gpu", ["MI355X", "B300", "GB300", "H20", "H800", "TPU v7",
                                 "Trainium3", "Trainium2", "Inferentia2"])
def test_every_new_accelerator_prices_a_model(gpu):
    out = _json("inference", "--model", "llama-3.1-70b", "--gpu", gpu, "--usd-per-gpu-hour",
                "3")
    assert out["fits"] and out["usd_per_1k_output_tokens"] > 0


def test_batch_scenarios_one_json_per_row_in_order(tmp_path):
    scenarios = tmp_path / "scenarios.csv"
    scenarios.write_text(
        "model,gpu,precision,input_tokens,output_tokens,usd_per_gpu_hour,n_gpus\n"
        "Llama 3.1 70B,H100,fp8,1024,256,2.5,\n"
        "no-such-model-anywhere,H100,bf16,1024,256,2,\n"
        "llama-3.1-8b,A100,fp8,,,2,\n"
        "llama-3.1-8b,L4,,512,128,,2\n"
        "mixtral-8x7b,H100,bf16,2048,512,3,3\n")
    result = runner.invoke(estimate_app, ["inference", "--scenarios", str(scenarios),
                                          "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(rows) == 5
    single = _json("inference", "--model", "Llama 3.1 70B", "--gpu", "H100", "--precision",
                   "fp8", "--usd-per-gpu-hour", "2.5")
    assert set(rows[0]) == set(single) | {"error"}
    assert rows[0]["error"] is None
    assert {k: v for k, v in rows[0].items() if k != "error"} == single
    assert "no-such-model-anywhere" in rows[1]["error"] and rows[1]["n_gpus"] is None
    assert "no dense peak for fp8" in rows[2]["error"]
    assert rows[3]["error"] is None and rows[3]["n_gpus"] == 2 and rows[3]["precision"] == "bf16"
    assert rows[3]["assumptions"]["input_tokens"] == 512 and rows[3]["usd_per_gpu_hour"] is None
    assert "n_gpus 3 is not" in rows[4]["error"]


def test_counts_print_as_integers_and_floats_without_noise():
    out = _json("inference", "--model", "llama-3.1-70b", "--gpu", "H100", "--precision", "fp8",
                "--usd-per-gpu-hour", "2")
    for key in ("n_gpus", "tensor_parallel_size", "pipeline_parallel_size", "batch_size",
                "max_batch_size_memory"):
        assert isinstance(out[key], int), key
    assert out["assumptions"]["mfu_prefill"] == 0.435  # fitted factor, not 0.43499999...
    text = runner.invoke(estimate_app, ["inference", "--model", "llama-3.1-70b", "--gpu",
                                        "H100", "--precision", "fp8"]).output
    assert "n_gpus" in text and ".0 " not in text.split("n_gpus", 1)[1].split("\n", 1)[0]
