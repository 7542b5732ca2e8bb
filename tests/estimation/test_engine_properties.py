"""Monotonicity the physics demands, checked over random scenarios (hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.estimation import reference
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.inference import (
    EfficiencyArrays,
    HardwareArrays,
    LayoutArrays,
    ModelArrays,
    estimate_inference,
)
from models.estimation.layouts import search_layouts
from models.estimation.tables import with_interconnects

ARCHITECTURES = reference.llm_architectures()
GPUS = with_interconnects(reference.gpu_models(), EstimationAssumptions())
GPU_IDS = GPUS.loc[GPUS["bf16_tflops"].notna(), "gpu_model"].tolist()
RELATIVE = 1 + 1e-9

scenario = st.fixed_dictionaries({
    "llm_model": st.sampled_from(ARCHITECTURES["llm_model"].tolist()),
    "gpu_model": st.sampled_from(GPU_IDS),
    "input_tokens": st.integers(1, 8192),
    "output_tokens": st.integers(1, 4096),
    "mfu": st.floats(0.05, 1.0),
    "mbu": st.floats(0.05, 1.0),
    "weight_bytes": st.sampled_from([0.5, 1.0, 2.0]),
})


def _inputs(s, bandwidth_scale=1.0):
    model = ModelArrays.from_frame(ARCHITECTURES[ARCHITECTURES["llm_model"] == s["llm_model"]])
    gpu = GPUS[GPUS["gpu_model"] == s["gpu_model"]].rename(
        columns={"bf16_tflops": "peak_dense_tflops"})
    hardware = HardwareArrays.from_frame(gpu)
    hardware = dataclasses.replace(
        hardware, memory_bandwidth_tbps=hardware.memory_bandwidth_tbps
        * np.asarray(bandwidth_scale))
    efficiency = EfficiencyArrays(*(np.array([v]) for v in (s["mfu"], s["mbu"], s["mfu"],
                                                             s["mbu"])))
    common = dict(input_tokens=s["input_tokens"], output_tokens=s["output_tokens"],
                  weight_bytes_per_param=s["weight_bytes"],
                  kv_bytes_per_element=max(s["weight_bytes"], 1.0))
    return model, hardware, efficiency, common


def _estimate(s, *, bandwidth_scale=1.0, price=2.0, batch=np.nan):
    """The scenario in the layout the search picks with the defaults, then held fixed while
    one input varies (a different input may make another layout cheaper)."""
    model, hardware, efficiency, common = _inputs(s)
    auto = search_layouts(model, hardware, efficiency, usd_per_gpu_hour=2.0, **common)
    ranks = auto.data_parallel_size
    layout = LayoutArrays(np.where(ranks > 1, ranks, auto.tensor_parallel_size),
                          auto.pipeline_parallel_size, (ranks > 1).astype(float))
    model, hardware, efficiency, common = _inputs(s, bandwidth_scale)
    return estimate_inference(model, hardware, efficiency, layout, usd_per_gpu_hour=price,
                              batch_size=batch, **common)


@settings(max_examples=60, deadline=None)
@given(s=scenario, scale=st.floats(1.0, 8.0))
def test_more_bandwidth_never_slows_decode(s, scale):
    fast = _estimate(s, batch=1, bandwidth_scale=np.array([1.0, scale]))
    if np.isfinite(fast.tpot_seconds[0]):  # fits, and nothing unknown (e.g. interconnect)
        assert fast.tpot_seconds[1] <= fast.tpot_seconds[0] * RELATIVE
        assert fast.ttft_seconds[1] <= fast.ttft_seconds[0] * RELATIVE


@settings(max_examples=60, deadline=None)
@given(s=scenario, cheap=st.floats(0.01, 10.0), markup=st.floats(1.0, 5.0))
def test_a_cheaper_price_never_raises_cost(s, cheap, markup):
    estimate = _estimate(s, price=np.array([cheap * markup, cheap]))
    for field in ("usd_per_1k_input_tokens", "usd_per_1k_output_tokens",
                  "usd_per_1k_tokens_blended", "usd_per_request"):
        dear, cheaper = getattr(estimate, field)
        if not np.isnan(dear):
            assert cheaper <= dear * RELATIVE


@settings(max_examples=60, deadline=None)
@given(s=scenario, fractions=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6))
def test_a_larger_batch_never_lowers_throughput_until_memory_runs_out(s, fractions):
    auto = _estimate(s)
    if not np.isfinite(auto.output_tokens_per_second[0]):  # no fit, or an unknown input
        return
    largest = min(auto.max_batch_size_memory[0], 4096)
    batches = np.unique(np.maximum(1.0, np.floor(np.array(fractions) * largest)))
    estimate = _estimate(s, batch=batches)
    assert estimate.fits.all()
    rates = estimate.output_tokens_per_second
    assert (np.diff(rates) >= -1e-9 * rates[:-1]).all()
    beyond = _estimate(s, batch=largest + 1)
    if largest + 1 > auto.max_batch_size_memory[0]:  # memory runs out: no number at all
        assert not beyond.fits[0] and np.isnan(beyond.output_tokens_per_second[0])
