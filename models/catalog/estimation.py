"""Catalog declarations for GPU/LLM reference tables and the estimation outputs.

Reference tables (``core.*``, replaced whole) are loaded from ``models/reference/*.csv``;
the ``out.*`` tables are what the functions of ``models.estimation`` return, column for column.
"""

from __future__ import annotations

from models.catalog.spec import Column, TableSpec

_DATE = Column("observation_date", "DATE", "the day the prices were observed", nullable=False)
_GPU = Column("gpu_model", "VARCHAR", "canonical GPU id (core.gpu__entity_models)",
              nullable=False)
_LLM = Column("llm_model", "VARCHAR", "canonical architecture id "
              "(core.llm__entity_architectures)", nullable=False)
_PRECISION = Column("precision", "VARCHAR", "number format of weights and matmuls: fp32, tf32, "
                    "bf16, fp16, fp8, int8, fp4, int4", nullable=False)
_SOURCE = Column("source", "VARCHAR", "where the row's facts come from", nullable=False)
_USD_GPU_HOUR = Column("usd_per_gpu_hour", "DOUBLE", "price per GPU per hour",
                       unit="USD/GPU-hour")
_FRACTION = "fraction"


def _tflops(name: str, what: str) -> Column:
    return Column(name, "DOUBLE", f"dense peak {what} (never with sparsity); NULL = unknown or "
                  "unsupported", unit="TFLOP/s" if name.endswith("tflops") else "TOP/s")


def _efficiency_columns() -> tuple[Column, ...]:
    return (
        Column("mfu_prefill", "DOUBLE", "prefill model FLOPs utilization", unit=_FRACTION),
        Column("mbu_prefill", "DOUBLE", "prefill memory-bandwidth utilization", unit=_FRACTION),
        Column("mfu_decode", "DOUBLE", "decode model FLOPs utilization", unit=_FRACTION),
        Column("mbu_decode", "DOUBLE", "decode memory-bandwidth utilization", unit=_FRACTION),
    )


GPU_MODELS = TableSpec(
    name="core.gpu__entity_models",
    description="One row per accelerator: dense peak throughput per precision, memory, "
                "bandwidth, power, interconnect (models/reference/gpu_models.csv).",
    columns=(
        _GPU,
        Column("vendor", "VARCHAR", "manufacturer", nullable=False),
        Column("name", "VARCHAR", "product name", nullable=False),
        Column("form_factor", "VARCHAR", "SXM, PCIe, OAM, superchip, TPU board, ..."),
        Column("release_date", "DATE", "release (or first availability) date"),
        Column("memory_gb", "DOUBLE", "device memory", unit="GB"),
        Column("memory_type", "VARCHAR", "HBM2, HBM3e, GDDR6, ..."),
        Column("memory_bandwidth_tbps", "DOUBLE", "peak device-memory bandwidth", unit="TB/s"),
        _tflops("fp32_tflops", "FP32 (non-tensor on NVIDIA; matrix rate on AMD)"),
        _tflops("tf32_tflops", "TF32 tensor"),
        _tflops("bf16_tflops", "BF16 tensor (FP32 accumulate)"),
        _tflops("fp16_tflops", "FP16 tensor (FP32 accumulate)"),
        _tflops("fp8_tflops", "FP8 tensor"),
        _tflops("int8_tops", "INT8 tensor"),
        _tflops("fp4_tflops", "FP4 tensor"),
        Column("tdp_w", "DOUBLE", "board/module power", unit="W"),
        Column("interconnect", "VARCHAR", "scale-up interconnect"),
        Column("interconnect_kind", "VARCHAR", "nvlink, nvlink-bridge, pcie, infinity-fabric, "
               "ici, neuronlink or roce: the key of models/reference/interconnects.csv "
               "(collective latency, link efficiency)"),
        Column("interconnect_gbps", "DOUBLE", "scale-up bandwidth per GPU, vendor figure "
               "(both directions summed, GB/s); one direction is half", unit="GB/s"),
        Column("nvlink_domain_size", "BIGINT", "GPUs reachable over the scale-up fabric (8 "
               "HGX, 72 NVL72, 2 bridged PCIe pair, 1 none)", unit="GPUs"),
        _SOURCE,
        Column("notes", "VARCHAR", "caveats, derivations, what to verify"),
    ),
    primary_key=("gpu_model",),
    partition_by=(),
)

GPU_ALIASES = TableSpec(
    name="core.gpu__codes_aliases",
    description="Names a GPU is called by (user aliases, provider names, and each canonical id "
                "itself), keyed by the normalized name (models/reference/gpu_aliases.csv).",
    columns=(
        Column("alias", "VARCHAR", "the name as written", nullable=False),
        Column("alias_key", "VARCHAR", "lowercase name without non-alphanumeric characters "
               "(models.estimation.names.normalize_name)", nullable=False),
        _GPU,
    ),
    primary_key=("alias_key",),
    partition_by=(),
)

GPU_FAMILIES = TableSpec(
    name="core.gpu__codes_families",
    description="GPU id to architecture family, the key of the efficiency defaults "
                "(models/reference/gpu_families.csv).",
    columns=(_GPU, Column("gpu_family", "VARCHAR", "vendor architecture, e.g. nvidia-hopper",
                          nullable=False)),
    primary_key=("gpu_model",),
    partition_by=(),
)

LLM_ARCHITECTURES = TableSpec(
    name="core.llm__entity_architectures",
    description="One row per LLM architecture: parameters, shape, context, MoE routing, MLA "
                "ranks, MTP, the Hugging Face config each row comes from "
                "(models/reference/llm_architectures.csv).",
    columns=(
        _LLM,
        Column("name", "VARCHAR", "display name", nullable=False),
        Column("total_params", "DOUBLE", "all parameters (all experts)", unit="parameters",
               nullable=False),
        Column("active_params", "DOUBLE", "parameters used per token", unit="parameters",
               nullable=False),
        Column("n_layers", "BIGINT", "transformer layers", unit="layers"),
        Column("hidden_size", "BIGINT", "model width d", unit="elements"),
        Column("n_heads", "BIGINT", "attention (query) heads", unit="heads"),
        Column("n_kv_heads", "BIGINT", "key/value heads (GQA; 1 for MLA's shared latent)",
               unit="heads"),
        Column("head_dim", "BIGINT", "dimension per head", unit="elements"),
        Column("vocab_size", "BIGINT", "vocabulary", unit="tokens"),
        Column("max_context_tokens", "BIGINT", "longest context", unit="tokens"),
        Column("n_experts", "BIGINT", "routed experts per MoE layer (1 = dense)",
               unit="experts"),
        Column("n_active_experts", "BIGINT", "routed experts per token", unit="experts"),
        Column("attention", "VARCHAR", "mha, gqa, mla, or none (recurrent models without a KV "
               "cache)"),
        Column("kv_lora_rank", "BIGINT", "MLA latent rank (the cached KV per layer is rank + "
               "RoPE dim); NULL = not MLA", unit="elements"),
        Column("qk_rope_head_dim", "BIGINT", "MLA decoupled RoPE key dimension",
               unit="elements"),
        Column("qk_nope_head_dim", "BIGINT", "MLA query/key dimension without RoPE",
               unit="elements"),
        Column("mtp_layers", "BIGINT", "multi-token-prediction modules shipped with the "
               "weights (speculative decoding drafts); 0 = none", unit="layers"),
        Column("attention_layers", "BIGINT", "layers with a full-length KV cache in hybrid or "
               "sliding-window models; NULL = every layer", unit="layers"),
        Column("aliases", "VARCHAR", "other names, ';'-separated"),
        Column("openrouter_model_ids", "VARCHAR", "OpenRouter model ids served by this "
               "architecture, ';'-separated"),
        Column("hf_repo_ids", "VARCHAR", "Hugging Face repositories with these weights "
               "(the config.json cited in source first), ';'-separated"),
        _SOURCE,
        Column("notes", "VARCHAR", "caveats"),
    ),
    primary_key=("llm_model",),
    partition_by=(),
)

EFFICIENCY = TableSpec(
    name="core.gpu__codes_efficiency",
    description="Prefill/decode/training efficiencies per GPU family and precision ('*' = any), "
                "literature defaults and MLPerf-fitted rows with their error "
                "(models/reference/efficiency_defaults.csv).",
    columns=(
        Column("gpu_family", "VARCHAR", "family of core.gpu__codes_families, or '*'",
               nullable=False),
        Column("precision", "VARCHAR", "number format, or '*'", nullable=False),
        *_efficiency_columns(),
        Column("mfu_training", "DOUBLE", "training model FLOPs utilization", unit=_FRACTION),
        Column("method", "VARCHAR", "literature or fitted", nullable=False),
        Column("fit_n_rows", "BIGINT", "benchmark rows fitted on", unit="rows"),
        Column("fit_n_systems", "BIGINT", "distinct systems among them", unit="systems"),
        Column("loo_median_ratio", "DOUBLE", "leave-one-GPU-out error, median of "
               "max(projected/measured, measured/projected)", unit="ratio"),
        Column("loo_max_ratio", "DOUBLE", "leave-one-GPU-out error, worst row", unit="ratio"),
        _SOURCE,
    ),
    primary_key=("gpu_family", "precision"),
    partition_by=(),
)

WORKLOAD_PROFILES = TableSpec(
    name="core.llm__codes_workload_profiles",
    description="Named request shapes the cost projection is evaluated for "
                "(models/reference/workload_profiles.csv).",
    columns=(
        Column("workload_profile", "VARCHAR", "profile name", nullable=False),
        Column("description", "VARCHAR", "what the profile stands for", nullable=False),
        Column("input_tokens", "BIGINT", "prompt length", unit="tokens", nullable=False),
        Column("output_tokens", "BIGINT", "generated length", unit="tokens", nullable=False),
        Column("tpot_slo_seconds", "DOUBLE", "time-per-output-token target; NULL = none",
               unit="s"),
        _SOURCE,
    ),
    primary_key=("workload_profile",),
    partition_by=(),
)

USD_PER_EFFECTIVE_TFLOP = TableSpec(
    name="out.gpu__daily_usd_per_effective_tflop",
    description="Dollars per effective TFLOP-hour and per 1e18 FLOP of every GPU offer, one "
                "row per precision the GPU has a dense peak for, at the assumed utilization "
                "and at 100 %.",
    columns=(
        _DATE,
        Column("provider", "VARCHAR", "provider", nullable=False),
        Column("sku", "VARCHAR", "provider's name of what is rented", nullable=False),
        Column("region", "VARCHAR", "provider region", nullable=False),
        Column("price_type", "VARCHAR", "on_demand, spot, reserved or marketplace",
               nullable=False),
        Column("commitment_months", "DOUBLE", "commitment length; 0 without commitment",
               unit="months", nullable=False),
        _GPU,
        _USD_GPU_HOUR,
        _PRECISION,
        Column("peak_dense_tflops", "DOUBLE", "dense peak at the precision (TOP/s for int8)",
               unit="TFLOP/s"),
        Column("utilization", "DOUBLE", "assumed share of the peak achieved", unit=_FRACTION),
        Column("utilization_source", "VARCHAR", "where the utilization comes from"),
        Column("effective_tflops", "DOUBLE", "peak × utilization", unit="TFLOP/s"),
        Column("usd_per_effective_tflop_hour", "DOUBLE", "price / effective TFLOP/s",
               unit="USD/(TFLOP/s·hour)"),
        Column("usd_per_exaflop", "DOUBLE", "price of 1e18 FLOP at the utilization",
               unit="USD/1e18 FLOP"),
        Column("usd_per_tflop_hour_at_peak", "DOUBLE", "price / peak TFLOP/s (100 %)",
               unit="USD/(TFLOP/s·hour)"),
        Column("usd_per_exaflop_at_peak", "DOUBLE", "price of 1e18 FLOP at 100 % of peak",
               unit="USD/1e18 FLOP"),
    ),
    primary_key=("observation_date", "provider", "sku", "region", "price_type",
                 "commitment_months", "precision"),
)

_SECONDS = "s"
COST_PER_1K_TOKENS = TableSpec(
    name="out.llm__daily_cost_per_1k_tokens",
    description="Projected cost of serving each architecture on each priced GPU, per price "
                "basis (the day's cheapest and median on-demand per-GPU price), precision and "
                "workload profile, with every assumption used.",
    columns=(
        _DATE, _LLM, _GPU,
        Column("price_basis", "VARCHAR", "cheapest_on_demand or median_on_demand",
               nullable=False),
        Column("workload_profile", "VARCHAR", "core.llm__codes_workload_profiles",
               nullable=False),
        _PRECISION,
        Column("kv_cache_precision", "VARCHAR", "number format of the KV cache"),
        Column("n_gpus", "DOUBLE", "GPUs in one serving replica (GPUs per stage × pp)",
               unit="GPUs"),
        Column("tensor_parallel_size", "DOUBLE", "tensor-parallel size of attention (1 when "
               "attention runs data-parallel)", unit="GPUs"),
        Column("pipeline_parallel_size", "DOUBLE", "pipeline stages", unit="stages"),
        Column("expert_parallel_size", "DOUBLE", "GPUs the routed experts are sharded over "
               "(1 for dense models)", unit="GPUs"),
        Column("data_parallel_size", "DOUBLE", "data-parallel attention ranks per stage (MLA "
               "models; 1 = tensor-parallel attention)", unit="ranks"),
        Column("batch_size", "DOUBLE", "concurrent sequences per replica", unit="sequences"),
        Column("max_batch_size_memory", "DOUBLE", "most sequences whose KV cache (at average "
               "occupancy) and activations fit", unit="sequences"),
        Column("fits", "BOOLEAN", "the model and one full-length sequence fit the replica"),
        Column("meets_tpot_slo", "BOOLEAN", "time per output token within the profile's "
               "target (true when there is none)"),
        _USD_GPU_HOUR,
        Column("input_tokens_per_second", "DOUBLE", "prefill throughput of the replica",
               unit="tokens/s"),
        Column("output_tokens_per_second", "DOUBLE", "generated tokens per second of the "
               "replica, prefill time included", unit="tokens/s"),
        Column("output_tokens_per_second_per_gpu", "DOUBLE", "the same per GPU",
               unit="tokens/s/GPU"),
        Column("tokens_per_decode_step", "DOUBLE", "tokens emitted per sequence per decode "
               "step (1 + accepted MTP drafts)", unit="tokens"),
        Column("ttft_seconds", "DOUBLE", "time to first token: the prompt's prefill plus one "
               "decode step of the running batch", unit=_SECONDS),
        Column("tpot_seconds", "DOUBLE", "time per output token (decode step / tokens per "
               "step)", unit=_SECONDS),
        Column("usd_per_1k_input_tokens", "DOUBLE", "prefill cost per 1,000 prompt tokens",
               unit="USD/1k tokens"),
        Column("usd_per_1k_output_tokens", "DOUBLE", "decode cost per 1,000 generated tokens",
               unit="USD/1k tokens"),
        Column("usd_per_1k_tokens_blended", "DOUBLE", "cost of a request per 1,000 of its "
               "tokens (input + output)", unit="USD/1k tokens"),
        Column("bound_prefill", "VARCHAR", "compute or memory: the roofline side of prefill"),
        Column("bound_decode", "VARCHAR", "compute or memory: the roofline side of decode"),
        Column("input_tokens", "BIGINT", "prompt tokens per request", unit="tokens"),
        Column("output_tokens", "BIGINT", "generated tokens per request", unit="tokens"),
        Column("tpot_slo_seconds", "DOUBLE", "TPOT target of the profile; NULL = none",
               unit=_SECONDS),
        Column("convention", "VARCHAR", "FLOP convention: decoder or a16z"),
        *_efficiency_columns(),
        Column("efficiency_source", "VARCHAR", "efficiency row or override used"),
        Column("link_efficiency", "DOUBLE", "achieved share of the scale-up link bandwidth",
               unit=_FRACTION),
        Column("collective_latency_us", "DOUBLE", "latency of one collective", unit="us"),
        Column("memory_utilization", "DOUBLE", "usable share of GPU memory", unit=_FRACTION),
        Column("runtime_workspace_gb", "DOUBLE", "fixed runtime memory per GPU", unit="GB"),
        Column("activation_factor", "DOUBLE", "hidden-sized activation tensors per token in "
               "flight", unit="tensors"),
        Column("max_batch_size", "BIGINT", "batch cap per scheduler", unit="sequences"),
        Column("collective_overlap", "DOUBLE", "share of collective transfer time hidden "
               "behind compute", unit=_FRACTION),
        Column("mtp_draft_tokens", "BIGINT", "MTP tokens drafted per step (MTP models)",
               unit="tokens"),
        Column("mtp_acceptance_rate", "DOUBLE", "share of drafted tokens accepted",
               unit=_FRACTION),
        Column("layout", "VARCHAR", "layout policy: cheapest or smallest"),
    ),
    primary_key=("observation_date", "llm_model", "gpu_model", "price_basis",
                 "workload_profile", "precision"),
)

_MARKET = "USD/1M tokens"
MARKET_VS_PROJECTED = TableSpec(
    name="out.llm__daily_market_vs_projected",
    description="API token prices against the projected cost floor (cheapest fitting "
                "projection of the same architecture that day) and the implied markup.",
    columns=(
        _DATE,
        Column("provider", "VARCHAR", "where the price is listed", nullable=False),
        Column("model_id", "VARCHAR", "the provider's model id", nullable=False),
        _LLM,
        Column("usd_per_million_input_tokens", "DOUBLE", "market price of input tokens",
               unit=_MARKET),
        Column("usd_per_million_output_tokens", "DOUBLE", "market price of output tokens",
               unit=_MARKET),
        Column("usd_per_million_tokens_blended", "DOUBLE", "market price blended "
               "market_input_weight:1 (input:output)", unit=_MARKET),
        Column("projected_usd_per_million_input_tokens", "DOUBLE", "input cost of the floor "
               "projection", unit=_MARKET),
        Column("projected_usd_per_million_output_tokens", "DOUBLE", "output cost of the floor "
               "projection", unit=_MARKET),
        Column("projected_usd_per_million_tokens_blended", "DOUBLE", "floor, blended like the "
               "market price", unit=_MARKET),
        Column("implied_markup_input", "DOUBLE", "market / projected, input", unit="ratio"),
        Column("implied_markup_output", "DOUBLE", "market / projected, output", unit="ratio"),
        Column("implied_markup_blended", "DOUBLE", "market / projected, blended", unit="ratio"),
        Column("floor_gpu_model", "VARCHAR", "GPU of the floor projection"),
        Column("floor_workload_profile", "VARCHAR", "workload profile of the floor projection"),
        Column("floor_precision", "VARCHAR", "precision of the floor projection"),
        Column("floor_price_basis", "VARCHAR", "price basis of the floor projection"),
        Column("floor_n_gpus", "DOUBLE", "replica size of the floor projection", unit="GPUs"),
        Column("market_input_weight", "DOUBLE", "input tokens per output token in the blend",
               unit="ratio"),
    ),
    primary_key=("observation_date", "provider", "model_id"),
)

_TPS = "tokens/s"
CALIBRATION = TableSpec(
    name="out.llm__calibration_projected_vs_measured",
    description="Every MLPerf Inference v4.1 LLM result row with the engine's projection "
                "(reference efficiencies and leave-one-GPU-out), the assumptions, and why a "
                "row was not fitted.",
    columns=(
        Column("division", "VARCHAR", "closed or open", nullable=False),
        Column("submitter", "VARCHAR", "MLPerf submitter", nullable=False),
        Column("system_id", "VARCHAR", "MLPerf system id", nullable=False),
        Column("accelerator", "VARCHAR", "accelerator as MLPerf names it"),
        Column("gpu_model", "VARCHAR", "canonical GPU id; NULL = not in the catalog"),
        Column("gpu_family", "VARCHAR", "efficiency family"),
        Column("total_accelerators", "DOUBLE", "accelerators in the system", unit="GPUs"),
        Column("benchmark", "VARCHAR", "MLPerf benchmark", nullable=False),
        Column("scenario", "VARCHAR", "Offline or Server", nullable=False),
        Column("llm_model", "VARCHAR", "architecture; NULL for benchmarks not projected"),
        Column("precision", "VARCHAR", "precision assumed for the accelerator"),
        Column("input_tokens", "DOUBLE", "prompt tokens per sample assumed", unit="tokens"),
        Column("output_tokens", "DOUBLE", "generated tokens per sample (measured)",
               unit="tokens"),
        Column("tpot_slo_seconds", "DOUBLE", "Server TPOT constraint; NULL for Offline",
               unit=_SECONDS),
        Column("measured_tokens_per_second", "DOUBLE", "system throughput reported", unit=_TPS),
        Column("measured_tokens_per_second_per_gpu", "DOUBLE", "the same per accelerator",
               unit="tokens/s/GPU"),
        Column("projected_tokens_per_second_per_gpu", "DOUBLE", "engine projection per GPU",
               unit="tokens/s/GPU"),
        Column("projected_tokens_per_second", "DOUBLE", "projection for the whole system",
               unit=_TPS),
        Column("ratio_projected_to_measured", "DOUBLE", "projected / measured", unit="ratio"),
        Column("loo_projected_tokens_per_second_per_gpu", "DOUBLE", "projection with the "
               "factor fitted without this GPU model", unit="tokens/s/GPU"),
        Column("loo_ratio_projected_to_measured", "DOUBLE", "leave-one-GPU-out projected / "
               "measured", unit="ratio"),
        Column("n_gpus_per_replica", "DOUBLE", "GPUs per replica in the projection",
               unit="GPUs"),
        Column("batch_size", "DOUBLE", "sequences per replica in the projection",
               unit="sequences"),
        Column("bound_prefill", "VARCHAR", "compute or memory"),
        Column("bound_decode", "VARCHAR", "compute or memory"),
        *_efficiency_columns(),
        Column("efficiency_source", "VARCHAR", "efficiency row used"),
        Column("used_in_fit", "BOOLEAN", "row entered the fit", nullable=False),
        Column("exclusion_reason", "VARCHAR", "why not; NULL when used"),
        Column("source_path", "VARCHAR", "result file in mlcommons/inference_results_v4.1",
               nullable=False),
    ),
    primary_key=("source_path",),
    partition_by=(),
)

TABLES: tuple[TableSpec, ...] = (
    GPU_MODELS, GPU_ALIASES, GPU_FAMILIES, LLM_ARCHITECTURES, EFFICIENCY, WORKLOAD_PROFILES,
    USD_PER_EFFECTIVE_TFLOP, COST_PER_1K_TOKENS, MARKET_VS_PROJECTED, CALIBRATION)
