"""The reference CSVs: exact ids and columns, units and ranges, dense peaks only, a source on
every row, aliases that resolve, and agreement with the shared research data when present."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from models.estimation import reference
from models.estimation.names import gpu_alias_keys, normalize_name, resolve_gpu
from models.estimation.precisions import PRECISIONS

GPU_COLUMNS = [
    "gpu_model", "vendor", "name", "form_factor", "release_date", "memory_gb", "memory_type",
    "memory_bandwidth_tbps", "fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops",
    "fp8_tflops", "int8_tops", "fp4_tflops", "tdp_w", "interconnect", "interconnect_kind",
    "interconnect_gbps", "nvlink_domain_size", "source", "notes"]
REQUIRED_IDS = [
    "v100-sxm2-32gb", "v100-sxm2-16gb", "v100-pcie-16gb", "t4-16gb", "a10-24gb", "a10g-24gb",
    "a30-24gb", "l4-24gb", "l40-48gb", "l40s-48gb", "a40-48gb", "rtx-a4000-16gb",
    "rtx-a5000-24gb", "rtx-a6000-48gb", "rtx-6000-ada-48gb", "rtx-3090-24gb", "rtx-4090-24gb",
    "rtx-5090-32gb", "a100-sxm-40gb", "a100-sxm-80gb", "a100-pcie-40gb", "a100-pcie-80gb",
    "h100-pcie-80gb", "h100-sxm-80gb", "h100-nvl-94gb", "h200-sxm-141gb", "gh200-96gb",
    "gh200-144gb", "b100-192gb", "b200-180gb", "gb200-186gb", "mi250x-128gb", "mi300x-192gb",
    "mi325x-256gb", "gaudi2-96gb", "gaudi3-128gb", "tpu-v4-32gb", "tpu-v5e-16gb", "tpu-v5p-95gb",
    "tpu-v6e-32gb", "trainium1-32gb", "trainium2-96gb", "inferentia2-32gb",
    # added in Estimation v2
    "mi350x-288gb", "mi355x-288gb", "b300-288gb", "gb300-288gb", "h20-96gb", "h800-sxm-80gb",
    "tpu-v7-192gb", "trainium3-144gb"]
SLUG = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
PEAKS = ["fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops", "fp8_tflops", "int8_tops",
         "fp4_tflops"]


@pytest.fixture(scope="module")
def gpus() -> pd.DataFrame:
    return reference.gpu_models()


def test_gpu_table_has_the_agreed_columns_and_ids(gpus):
    assert list(gpus.columns) == GPU_COLUMNS
    assert gpus["gpu_model"].is_unique
    assert set(REQUIRED_IDS) <= set(gpus["gpu_model"])
    assert all(SLUG.match(i) for i in gpus["gpu_model"])


def test_gpu_ids_end_in_their_memory(gpus):
    for row in gpus.itertuples():
        assert row.gpu_model.endswith(f"-{row.memory_gb:g}gb"), row.gpu_model


def test_every_gpu_row_has_a_source(gpus):
    assert gpus["source"].notna().all() and (gpus["source"].str.len() > 20).all()


def test_units_and_ranges(gpus):
    assert gpus["memory_gb"].between(8, 300).all()
    # TB/s, not GB/s (the slowest row is the Tesla P4, 0.192 TB/s)
    assert gpus["memory_bandwidth_tbps"].between(0.15, 10).all()
    assert gpus["tdp_w"].dropna().between(50, 1500).all()
    assert gpus["nvlink_domain_size"].between(1, 10_000).all()
    assert gpus["interconnect_gbps"].dropna().between(16, 3000).all()
    # Pascal cards (P100, P4, 2016) are still rented, on GCP among others.
    assert pd.to_datetime(gpus["release_date"]).between("2016-01-01", "2026-12-31").all()
    for column in PEAKS:
        assert (gpus[column].dropna() > 0).all(), column  # unknown is empty, never 0


def test_peaks_are_dense(gpus):
    h100 = gpus.set_index("gpu_model").loc["h100-sxm-80gb"]
    assert h100["bf16_tflops"] == pytest.approx(989.4, abs=0.5)
    assert h100["fp8_tflops"] == pytest.approx(1978.9, abs=1)
    assert gpus.set_index("gpu_model").loc["a100-sxm-80gb", "bf16_tflops"] == 312
    # No 16-bit dense tensor peak above about 2.5 PFLOP/s exists (B200 2.25, GB200/GB300 2.5,
    # MI355X 2.52); sparse figures would double it.
    assert gpus["bf16_tflops"].dropna().max() <= 2600
    # Lower precision is at most 2x the next higher one on every chip (sparse doubling would
    # show as a 4x step).
    half = gpus["bf16_tflops"].fillna(gpus["fp16_tflops"])
    # Trainium3 is the exception, documented by AWS: MXFP8 2,517 vs BF16 671 TFLOPS dense.
    ratio = (gpus["fp8_tflops"] / half).where(gpus["gpu_model"] != "trainium3-144gb")
    assert (ratio.dropna() <= 2.05).all()
    assert ((gpus["fp4_tflops"] / gpus["fp8_tflops"]).dropna() <= 4.01).all()


def test_missing_formats_are_empty_not_zero(gpus):
    by_id = gpus.set_index("gpu_model")
    assert pd.isna(by_id.loc["a100-sxm-80gb", "fp8_tflops"])
    assert pd.isna(by_id.loc["v100-sxm2-32gb", "bf16_tflops"])
    assert pd.isna(by_id.loc["tpu-v5e-16gb", "fp16_tflops"])


def test_every_alias_resolves_to_a_known_gpu(gpus):
    aliases = reference.gpu_aliases()
    assert set(aliases["gpu_model"]) <= set(gpus["gpu_model"])
    for row in aliases.itertuples():
        assert resolve_gpu(row.alias) == row.gpu_model
    table = gpu_alias_keys()
    assert table["alias_key"].is_unique
    assert (table["alias_key"] == table["alias"].map(normalize_name)).all()


def test_every_gpu_has_a_known_interconnect_with_a_bandwidth(gpus):
    kinds = reference.interconnects()
    assert set(gpus["interconnect_kind"]) <= set(kinds["interconnect_kind"])
    assert kinds["source"].notna().all()
    assert kinds["link_efficiency"].between(0.1, 1).all()
    assert kinds["collective_latency_us"].between(1, 100).all()
    # Trainium and Inferentia used to have no bandwidth, so every cost on them was NaN.
    assert gpus["interconnect_gbps"].notna().all()


def test_every_gpu_has_a_family(gpus):
    families = reference.gpu_families()
    assert sorted(families["gpu_model"]) == sorted(gpus["gpu_model"])


def test_architectures():
    arch = reference.llm_architectures()
    required = {"gpt-3-175b", "gpt-j-6b", "llama-2-7b", "llama-2-13b", "llama-2-70b",
                "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "mixtral-8x7b",
                "mixtral-8x22b", "qwen2.5-72b", "deepseek-v3"}
    assert required <= set(arch["llm_model"]) and arch["llm_model"].is_unique
    assert all(SLUG.match(i) for i in arch["llm_model"])
    assert arch["source"].notna().all()
    assert (arch["active_params"] <= arch["total_params"]).all()
    assert arch["total_params"].between(5e8, 2e12).all()
    assert len(arch) >= 40 and arch["source"].str.contains("huggingface.co|Brown et al").all()
    hybrid = arch["attention_layers"].notna()
    assert (arch.loc[hybrid, "attention_layers"] < arch.loc[hybrid, "n_layers"]).all()
    attention = arch[arch["attention"] != "none"]  # pure recurrent models have no heads
    assert (attention["n_heads"] % attention["n_kv_heads"] == 0).all()
    assert set(arch["attention"]) <= {"mha", "gqa", "mla", "none"}
    moe = arch["n_experts"] > 1
    assert (arch.loc[moe, "active_params"] < arch.loc[moe, "total_params"]).all()
    assert (arch.loc[~moe, "active_params"] == arch.loc[~moe, "total_params"]).all()
    deepseek = arch.set_index("llm_model").loc["deepseek-v3"]
    assert (deepseek["kv_lora_rank"], deepseek["qk_rope_head_dim"]) == (512, 64)
    assert deepseek["mtp_layers"] == 1 and deepseek["attention"] == "mla"
    assert ((arch["attention"] == "mla") == arch["kv_lora_rank"].notna()).all()
    openrouter = arch["openrouter_model_ids"].dropna().str.split(";").explode()
    assert openrouter.str.match(r"^[a-z0-9-]+/[a-z0-9.\-]+$").all() and openrouter.is_unique


def test_efficiency_defaults_are_plausible():
    table = reference.efficiency_defaults()
    factors = table[["mfu_prefill", "mbu_prefill", "mfu_decode", "mbu_decode", "mfu_training"]]
    assert ((factors > 0) & (factors <= 1)).all().all()
    assert table["source"].notna().all()
    assert set(table["method"]) <= {"literature", "fitted"}
    assert ((table["gpu_family"] == "*") & (table["precision"] == "*")).sum() == 1
    assert set(table["precision"]) <= {*PRECISIONS, "*"}
    assert set(table["gpu_family"]) <= {*reference.gpu_families()["gpu_family"], "*"}
    fitted = table[table["method"] == "fitted"]
    assert fitted["source"].str.contains("leave-one-GPU-out").all()
    assert (fitted["fit_n_rows"] > 0).all() and (fitted["loo_max_ratio"] >= 1).all()


def test_workload_profiles():
    profiles = reference.workload_profiles()
    assert profiles["workload_profile"].is_unique and profiles["source"].notna().all()
    assert (profiles["input_tokens"] >= 1).all() and (profiles["output_tokens"] >= 1).all()
    assert {"chat", "long_context_rag", "batch_summarization"} <= set(profiles["workload_profile"])


@pytest.mark.shared_data
def test_gpu_table_agrees_with_shared_specs(shared_data, gpus):
    specs = pd.read_csv(shared_data / "hardware" / "gpu_specs.csv").set_index("gpu_id")
    checked = 0
    for row in gpus.itertuples():
        found = re.search(r"gpu_specs\.csv row '([a-z0-9_]+)'", row.source)
        if not found:
            continue
        spec = specs.loc[found.group(1)]
        assert row.memory_gb == spec["memory_gb"], row.gpu_model
        assert row.memory_bandwidth_tbps == spec["mem_bw_tbps"], row.gpu_model
        sixteen = row.bf16_tflops if pd.notna(row.bf16_tflops) else row.fp16_tflops
        assert sixteen == spec["fp16_bf16_tflops_dense"], row.gpu_model
        checked += 1
    assert checked >= 35


@pytest.mark.shared_data
def test_benchmark_copy_is_identical(shared_data):
    shared = (shared_data / "benchmarks" / "mlperf_inference_v4_1_llm.csv").read_bytes()
    assert reference.MLPERF_INFERENCE_V4_1.read_bytes() == shared
