"""Every assumption of the estimation engine in one place, with its default and the source of
that default. The table functions take an :class:`EstimationAssumptions` and write the values
they used into the rows they produce; the pipeline exposes the model as Dagster config.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.estimation.precisions import check_precision

Convention = Literal["decoder", "a16z"]
Layout = Literal["cheapest", "smallest"]
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
        None, description="KV-cache format (fp8, fp16/bf16); None = same as the weights, fp8 "
        "for 4-bit weights (TensorRT-LLM pairs FP8/FP4 checkpoints with an FP8 cache).")
    memory_utilization: float = Field(
        0.9, **_FRACTION, description="share of GPU memory the server may use: vLLM "
        "gpu_memory_utilization and TensorRT-LLM free_gpu_memory_fraction both default to 0.9.")
    runtime_workspace_gb: float = Field(
        1.5, ge=0.0, description="fixed memory per GPU outside weights, activations and KV "
        "cache: CUDA context, cuBLAS/NCCL workspaces, CUDA graphs (judgement: vLLM reports "
        "0.5-1.5 GiB of non-torch memory and graph capture per GPU).")
    activation_factor: float = Field(
        8.0, ge=0.0, description="hidden-sized activation tensors kept per token in flight "
        "(residual, attention, and the gated MLP's ~3.5 x hidden intermediate twice); "
        "activations = tokens in flight x hidden x bytes x factor + fp32 logits.")
    prefill_chunk_tokens: int = Field(
        2048, ge=1, description="prompt tokens processed per step with chunked prefill (vLLM "
        "max_num_batched_tokens for chunked prefill; sets the activation memory of prefill).")
    max_batch_size: int = Field(
        2048, ge=1, description="cap on concurrent sequences per scheduler (per data-parallel "
        "attention rank) when batch is 'max': TensorRT-LLM's default max_batch_size 2048. "
        "Memory and the latency targets usually bind first. Calibration uses the same cap.")
    layout: Layout = Field(
        "cheapest", description="replica layout when n_gpus is not given: 'cheapest' = of "
        "every tensor/expert/pipeline-parallel layout (and data-parallel attention for MLA "
        "models) within the GPU's scale-up domain, the fewest GPU-seconds per output token "
        "that meets the latency targets; 'smallest' = the fewest GPUs that fit.")
    max_gpus_per_replica: int = Field(
        72, ge=1, description="largest replica considered (an NVL72 rack, or 9 nodes of 8); "
        "a model needing more GPUs is reported as not fitting.")
    collective_overlap: float = Field(
        0.5, ge=0.0, le=1.0, description="share of the bandwidth term of all-reduces and "
        "all-to-alls hidden behind compute (judgement: TensorRT-LLM/SGLang overlap "
        "communication with GEMMs; DeepSeek's two-micro-batch overlap hides more); the "
        "latency term is never hidden.")
    mtp_draft_tokens: int = Field(
        1, ge=0, description="tokens drafted per decode step by models with multi-token "
        "prediction layers (DeepSeek-V3/R1, GLM-4.5, MiMo): DeepSeek-V3 serves with one MTP "
        "module; 0 disables speculative decoding.")
    mtp_acceptance_rate: float = Field(
        0.85, ge=0.0, le=1.0, description="share of drafted tokens accepted: DeepSeek-V3 "
        "Technical Report 5.4.3 reports 85-90 % acceptance of the second token (1.8x TPS).")
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
    allreduce_link_efficiency: float | None = Field(
        None, **_FRACTION, description="achieved share of the scale-up link bandwidth in "
        "collectives; None = per interconnect kind from interconnects.csv (Calculon NVLink "
        "0.6, InfiniBand 0.9).")
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

    training_days: float = Field(
        30.0, gt=0.0, description="wall-clock target of a training run when the GPU count is "
        "not given: enough GPUs (whole nodes) to finish within it, and at least the memory "
        "minimum (judgement: frontier pre-training runs take 1-3 months).")

    @property
    def training_bytes_per_param(self) -> float:
        return TRAINING_BYTES_PER_PARAM[self.training_memory_scheme]
