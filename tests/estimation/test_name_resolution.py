"""GPU and LLM names: aliases, case and punctuation, ambiguity and unknown names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from models.estimation import reference
from models.estimation.names import (
    NameResolutionError,
    normalize_name,
    openrouter_model_map,
    resolve_gpu,
    resolve_llm,
    resolve_llm_ids,
)

MODEL_IDS = Path(__file__).resolve().parents[1] / "fixtures" / "estimation" / "model_ids.csv"


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
    assert {"llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b"} <= set(raised.value.candidates)


def test_openrouter_map_keys_are_normalized():
    mapping = openrouter_model_map().set_index("model_key")["llm_model"]
    assert mapping[normalize_name("meta-llama/llama-3.1-8b-instruct")] == "llama-3.1-8b"


def test_provider_and_hugging_face_ids_resolve_to_their_architecture():
    """The repo's fixture of provider, OpenRouter and Hugging Face ids (suffixes, dates,
    :free, -FP8, -Turbo, distills, fine-tunes) and two ids that must not resolve."""
    cases = pd.read_csv(MODEL_IDS, keep_default_na=False)
    resolved = resolve_llm_ids(cases["model_id"])
    expected = cases["expected"].replace("", None)
    assert resolved.tolist() == expected.tolist()


def test_an_unknown_id_lists_close_candidates():
    with pytest.raises(NameResolutionError) as raised:
        resolve_llm("qwen3-235b-a23b-instruct")
    assert "qwen3-235b-a22b" in raised.value.candidates


def test_every_rule_names_a_known_architecture():
    rules = reference.llm_name_rules()
    assert set(rules["llm_model"]) <= set(reference.llm_architectures()["llm_model"])
    assert rules["note"].notna().all()


@pytest.mark.shared_data
def test_nine_in_ten_open_weight_openrouter_models_resolve(shared_data):
    """Every OpenRouter model with a Hugging Face repo (open weights) in the shared payloads:
    by its OpenRouter id, else its repo id. Target 90 %; the remainder are architectures
    without a public config in reach (see models/reference/README.md)."""
    models = {}
    for path in sorted((shared_data / "prices" / "openrouter").glob("openrouter_models_*.json")):
        payload = json.loads(path.read_text())
        for model in payload.get("data", payload):
            if model.get("hugging_face_id"):
                models.setdefault(model["id"], model["hugging_face_id"])
    by_id = resolve_llm_ids(list(models))
    by_repo = resolve_llm_ids(list(models.values()))
    resolved = by_id.fillna(by_repo)
    assert len(models) > 250
    assert resolved.notna().mean() >= 0.90
