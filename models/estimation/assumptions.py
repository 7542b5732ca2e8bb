"""Every assumption of the estimation engine in one place, with its default and the source of
that default. The table functions take an :class:`EstimationAssumptions` and write the values
they used into the rows they produce; the pipeline exposes the model as Dagster config.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.estimation.precisions import check_precision

Convention = Literal["decoder", "a16z"]
Layout = Literal["smallest", "throughput"]
TrainingMemoryScheme = Literal["mixed_precision_adam", "a16z_fp32"]

#: Bytes of training state per parameter for each scheme (estimation.md 4.3.4): bf16 weights 2 +
#: bf16 gradients 2 + fp32 master weights, Adam m and v 12; the a16z article's fp32 weights 4
#: plus 8 bytes kept between the forward and backward pass.
TRAINING_BYTES_PER_PARAM: dict[str, float] = {"mixed_precision_adam": 16.0, "a16z_fp32": 12.0}

_FRACTION = {"gt": 0.0, "le": 1.0}


class EstimationAssumptions(BaseModel):
    """Assumptions behind every projected number. ``None`` efficiencies mean: take the value
    for the GPU's family and precision from ``models/reference/efficiency_defaults.csv``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    convention: Convention = Field(
        "decoder", description="FLOP counting: 'decoder' = 2 x active params per token plus "
        "attention 4 x layers x d x context (LLM-Viewer, llm-analysis, Vidur); 'a16z' = the "
        "article's 2 n p per request of n tokens in and n out, and 6 p per training token.")
    precisions: tuple[str, ...] = Field(
        ("bf16", "fp8"), description="weight/compute formats projected by the cost tables; a "
        "GPU without a dense peak for a format gets no row for it (V100/T4 need 'fp16').")
    kv_cache_precision: str | None = Field(
        None, description="KV-cache format; None = same as the weights, fp8 for 4-bit weights "
        "(TensorRT-LLM pairs FP8/FP4 checkpoints with an FP8 cache).")
    memory_utilization: float = Field(
        0.9, **_FRACTION, description="share of GPU memory the server may use: vLLM "
        "gpu_memory_utilization and TensorRT-LLM free_gpu_memory_fraction both default to 0.9.")
    activation_headroom_fraction: float = Field(
        0.1, ge=0.0, le=1.0, description="memory for activations and workspace, as a fraction "
        "of weight bytes (estimation.md 4.3.2 overhead 0.1, cf. Transformer Math 'x1.2').")
    max_batch_size: int = Field(
        256, ge=1, description="cap on concurrent sequences when batch is 'max': vLLM "
        "max_num_seqs default 256.")
    layout: Layout = Field(
        "smallest", description="replica layout when n_gpus is not given: 'smallest' = the "
        "smallest tensor-parallel size that fits (pipeline stages beyond the NVLink domain); "
        "'throughput' = of that layout and every tensor-parallel size up to the domain, the one "
        "with the most output tokens per second per GPU (what benchmark submitters tune).")
    max_gpus_per_replica: int = Field(
        64, ge=1, description="largest replica considered (judgement: 8 nodes of 8); a model "
        "needing more GPUs is reported as not fitting.")
    mfu_prefill: float | None = Field(None, **_FRACTION, description="prefill model FLOPs "
                                      "utilization; None = efficiency table.")
    mbu_prefill: float | None = Field(None, **_FRACTION, description="prefill memory-bandwidth "
                                      "utilization; None = efficiency table.")
    mfu_decode: float | None = Field(None, **_FRACTION, description="decode model FLOPs "
                                     "utilization; None = efficiency table.")
    mbu_decode: float | None = Field(None, **_FRACTION, description="decode memory-bandwidth "
                                     "utilization; None = efficiency table.")
    mfu_training: float | None = Field(None, **_FRACTION, description="training model FLOPs "
                                       "utilization; None = efficiency table.")
    effective_tflop_utilization: float | None = Field(
        None, **_FRACTION, description="utilization behind $/effective TFLOP-hour; None = the "
        "family's training MFU (literature default 0.40, estimation.md 4.2).")
    allreduce_link_efficiency: float = Field(
        0.6, **_FRACTION, description="achieved share of the scale-up link bandwidth in "
        "tensor-parallel all-reduces (Calculon NVLink efficiency 0.6).")
    workload_profiles: tuple[str, ...] | None = Field(
        None, description="profiles of workload_profiles.csv to project; None = all.")
    llm_models: tuple[str, ...] | None = Field(
        None, description="architectures of llm_architectures.csv to project; None = all.")
    training_memory_scheme: TrainingMemoryScheme = Field(
        "mixed_precision_adam", description="bytes of training state per parameter: 16 "
        "(mixed-precision Adam) or the a16z article's 4 + 8 = 12 (fp32).")
    activation_recompute: bool = Field(
        False, description="full activation recomputation: 8 instead of 6 FLOPs per parameter "
        "per training token (estimation.md 3.1).")
    training_sequence_length: int = Field(
        4096, ge=1, description="training context length for the attention FLOPs of the "
        "'decoder' convention (Llama 3 pre-training used 8k; 4k is Llama 2's).")
    market_input_weight: float = Field(
        3.0, gt=0.0, description="input tokens per output token when blending per-token prices "
        "into one market-vs-projection figure (the 3:1 blend API prices are quoted in, "
        "estimation.md 4.3.3).")

    @field_validator("precisions")
    @classmethod
    def _known_precisions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_precision(p) for p in value)

    @field_validator("kv_cache_precision")
    @classmethod
    def _known_kv_precision(cls, value: str | None) -> str | None:
        return None if value is None else check_precision(value)

    @property
    def training_bytes_per_param(self) -> float:
        return TRAINING_BYTES_PER_PARAM[self.training_memory_scheme]
