"""Numeric formats: bytes per element, the GPU-table column holding each format's dense peak,
and the KV-cache format that goes with a weight format.

Only facts about number formats belong here; nothing about models or GPUs.
"""

from __future__ import annotations

#: Bytes per stored element (estimation.md 3.2): fp32 4, bf16/fp16 2, fp8/int8 1, int4/fp4 0.5.
BYTES_PER_ELEMENT: dict[str, float] = {
    "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0,
    "fp8": 1.0, "int8": 1.0, "fp4": 0.5, "int4": 0.5,
}

#: Which dense-peak column of ``gpu_models.csv`` a computation in this format runs at.
#: int4 is weight-only quantisation (AWQ/GPTQ style): weights are dequantised and the matmuls
#: run in bf16, so its peak is the bf16 peak.
PEAK_COLUMN: dict[str, str] = {
    "fp32": "fp32_tflops", "tf32": "tf32_tflops", "bf16": "bf16_tflops", "fp16": "fp16_tflops",
    "fp8": "fp8_tflops", "int8": "int8_tops", "fp4": "fp4_tflops", "int4": "bf16_tflops",
}

#: Formats a GPU offer is priced in by ``usd_per_effective_tflop`` (int4 has no peak of its own).
PEAK_PRECISIONS: tuple[str, ...] = ("fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4")

PRECISIONS: tuple[str, ...] = tuple(BYTES_PER_ELEMENT)


def check_precision(precision: str) -> str:
    """Return ``precision`` if it is a known format, else raise ValueError naming the formats."""
    if precision not in BYTES_PER_ELEMENT:
        raise ValueError(f"unknown precision {precision!r}; known: {', '.join(PRECISIONS)}")
    return precision


def kv_cache_precision(weight_precision: str) -> str:
    """The KV-cache format served with weights in ``weight_precision``.

    Same format as the weights, except that 4-bit weights keep an fp8 cache (no serving stack
    stores the KV cache in 4 bits by default; TensorRT-LLM pairs FP8/FP4 checkpoints with an
    FP8 cache) and tf32 (fp32 storage) keeps an fp32 cache.
    """
    check_precision(weight_precision)
    if BYTES_PER_ELEMENT[weight_precision] < 1:
        return "fp8"
    return "fp32" if weight_precision == "tf32" else weight_precision


def activation_bytes(weight_precision: str) -> float:
    """Bytes per activation element exchanged by tensor-parallel all-reduces.

    Activations stay 16-bit under fp8/fp4/int quantisation (the all-reduce runs in bf16);
    fp32/tf32 models exchange fp32.
    """
    return 4.0 if check_precision(weight_precision) in ("fp32", "tf32") else 2.0
