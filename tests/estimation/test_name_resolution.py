"""GPU and LLM names: aliases, case and punctuation, ambiguity and unknown names."""

from __future__ import annotations

import pytest

from models.estimation.names import (
    NameResolutionError,
    normalize_name,
    openrouter_model_map,
    resolve_gpu,
    resolve_llm,
)


def test_normalize_name_drops_case_and_punctuation():
    assert normalize_name("NVIDIA A100-SXM4-80GB") == "nvidiaa100sxm480gb"
    assert normalize_name(" H100 (SXM) ") == "h100sxm"


@pytest.mark.parametrize(("name", "expected"), [
    ("H100", "h100-sxm-80gb"), ("h100 sxm", "h100-sxm-80gb"), ("H100-SXM", "h100-sxm-80gb"),
    ("A100", "a100-sxm-80gb"), ("a100 pcie 40gb", "a100-pcie-40gb"), ("L40S", "l40s-48gb"),
    ("l4", "l4-24gb"), ("A10", "a10-24gb"), ("rtx 4090", "rtx-4090-24gb"),
    ("h100-nvl-94gb", "h100-nvl-94gb"), ("NVIDIA H200-SXM-141GB-CTS", "h200-sxm-141gb"),
    ("tpu v5e", "tpu-v5e-16gb"), ("MI300X", "mi300x-192gb"),
])
def test_gpu_names_resolve(name, expected):
    assert resolve_gpu(name) == expected


@pytest.mark.parametrize(("name", "candidates"), [
    ("gh200", ["gh200-144gb", "gh200-96gb"]),
    ("V100", ["v100-pcie-16gb", "v100-sxm2-16gb", "v100-sxm2-32gb"]),
    ("gaudi", ["gaudi2-96gb", "gaudi3-128gb"]),
])
def test_ambiguous_gpu_names_list_the_candidates(name, candidates):
    with pytest.raises(NameResolutionError) as raised:
        resolve_gpu(name)
    assert raised.value.ambiguous and raised.value.candidates == candidates
    assert all(c in str(raised.value) for c in candidates)


def test_unknown_gpu_name_suggests_close_ids():
    with pytest.raises(NameResolutionError) as raised:
        resolve_gpu("h100 sxm 80gbx")
    assert not raised.value.ambiguous and "h100-sxm-80gb" in raised.value.candidates
    with pytest.raises(NameResolutionError, match="unknown"):
        resolve_gpu("quantum-abacus")


@pytest.mark.parametrize(("name", "expected"), [
    ("Llama 3.1 70B", "llama-3.1-70b"), ("llama-3.1-70b", "llama-3.1-70b"),
    ("meta-llama/llama-3.3-70b-instruct", "llama-3.1-70b"), ("GPT-3", "gpt-3-175b"),
    ("Mixtral 8x22B", "mixtral-8x22b"), ("deepseek-r1", "deepseek-v3"),
    ("llama2-70b-99", "llama-2-70b"),
])
def test_llm_names_resolve(name, expected):
    assert resolve_llm(name) == expected


def test_ambiguous_llm_name():
    with pytest.raises(NameResolutionError) as raised:
        resolve_llm("llama 3.1")
    assert set(raised.value.candidates) == {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b"}


def test_openrouter_map_keys_are_normalized():
    mapping = openrouter_model_map().set_index("model_key")["llm_model"]
    assert mapping[normalize_name("meta-llama/llama-3.1-8b-instruct")] == "llama-3.1-8b"
