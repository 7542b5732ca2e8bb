"""Catalog declarations for price sources (raw), conformed price tables (core) and price
indexes (out)."""

from __future__ import annotations

from models.catalog.spec import Column, TableSpec, raw_table
from models.records.prices import AzureRetailPrice, OpenrouterModelPrice, RunpodGpuPrice

_DATE = Column("observation_date", "DATE", "the day the prices were observed", nullable=False)
_USD_PER_GPU_HOUR = "USD/GPU-hour"

RAW_AZURE = raw_table(
    "raw.azure_retail__gpu_prices", AzureRetailPrice,
    "Azure Retail Prices API meters of N-series (GPU) VM sizes: Linux on-demand, spot and "
    "reservation prices per region. Windows, Low Priority, DevTest and Dedicated Host rows "
    "are excluded.",
    ("arm_region_name", "arm_sku_name", "price_type", "commitment_months"))

RAW_RUNPOD = raw_table(
    "raw.runpod__gpu_prices", RunpodGpuPrice,
    "RunPod GraphQL gpuTypes prices per GPU-hour: secure/community cloud, on-demand, spot and "
    "commitment terms.",
    ("gpu_type_id", "cloud", "price_type", "commitment_months"))

RAW_OPENROUTER = raw_table(
    "raw.openrouter__models", OpenrouterModelPrice,
    "OpenRouter /api/v1/models: every listed model with its per-token prices.",
    ("model_id",))

GPU_OFFERS = TableSpec(
    name="core.cloud__daily_gpu_offers",
    description="Every GPU rental offer observed on a day, conformed across providers: one row "
                "per provider, SKU, region, price type and commitment, priced per hour and per "
                "GPU-hour. gpu_model is NULL when the provider's GPU name maps to no canonical "
                "id (see core.gpu__daily_unmapped_names).",
    columns=(
        _DATE,
        Column("provider", "VARCHAR", "provider, e.g. azure, runpod", nullable=False),
        Column("sku", "VARCHAR", "the provider's name of what is rented (VM size, GPU type and "
               "cloud)", nullable=False),
        Column("region", "VARCHAR", "provider region; 'global' where prices do not vary by "
               "region", nullable=False),
        Column("provider_gpu_name", "VARCHAR", "the GPU as the provider names it (RunPod GPU "
               "type id; Azure VM size)"),
        Column("gpu_model", "VARCHAR", "canonical GPU id (core.gpu__entity_models)"),
        Column("gpu_count", "DOUBLE", "GPUs in the offer; fractional for GPU slices", unit="GPUs"),
        Column("price_type", "VARCHAR", "on_demand, spot, reserved or marketplace (host-listed "
               "capacity, e.g. RunPod community cloud)", nullable=False),
        Column("commitment_months", "DOUBLE", "commitment length; 0 without commitment",
               unit="months", nullable=False),
        Column("usd_per_hour", "DOUBLE", "price of the whole offer per hour", unit="USD/hour"),
        Column("usd_per_gpu_hour", "DOUBLE", "price per GPU per hour", unit=_USD_PER_GPU_HOUR),
        Column("gpu_memory_gb", "DOUBLE", "memory per GPU", unit="GB"),
        Column("vcpus", "DOUBLE", "vCPUs in the offer", unit="vCPUs"),
        Column("memory_gb", "DOUBLE", "host memory in the offer", unit="GB"),
        Column("price_basis", "VARCHAR", "what the provider's listed price is for: 'instance' "
               "(the whole offer) or 'gpu' (one GPU; GCP and OCI also bill the host VM "
               "separately)", nullable=False),
        Column("is_backfill", "BOOLEAN", "true for offers imported from third-party history "
               "(import-history), false for offers fetched live", nullable=False),
        Column("origin", "VARCHAR", "'live' for fetched offers; the import-history FORMAT "
               "(skypilot, cloud-gpus, sooddvs) for backfilled ones", nullable=False),
        Column("source", "VARCHAR", "source the offer came from", nullable=False),
        Column("source_url", "VARCHAR", "URL of the payload (redacted)", nullable=False),
        Column("snapshot_sha256", "VARCHAR", "sha256 of the archived payload", nullable=False),
    ),
    primary_key=("observation_date", "provider", "sku", "region", "price_type",
                 "commitment_months"),
)

UNMAPPED_GPU_NAMES = TableSpec(
    name="core.gpu__daily_unmapped_names",
    description="Provider GPU names seen on a day that map to no canonical GPU id. Kept visible "
                "and flagged by a check; add an alias (models/reference/gpu_aliases.csv) or a "
                "VM size (models/reference/azure_vm_skus.csv) to map them.",
    columns=(
        _DATE,
        Column("provider", "VARCHAR", "provider", nullable=False),
        Column("provider_gpu_name", "VARCHAR", "the unmapped name", nullable=False),
        Column("n_offers", "BIGINT", "offers carrying that name", nullable=False),
    ),
    primary_key=("observation_date", "provider", "provider_gpu_name"),
)

AZURE_VM_SKUS = TableSpec(
    name="core.cloud__codes_azure_vm_skus",
    description="Maintained table of Azure GPU VM sizes: GPU model and count per size "
                "(models/reference/azure_vm_skus.csv).",
    columns=(
        Column("arm_sku_name", "VARCHAR", "Azure VM size", nullable=False),
        Column("gpu_model", "VARCHAR", "canonical GPU id", nullable=False),
        Column("gpu_count", "DOUBLE", "GPUs per VM; fractional for GPU slices", unit="GPUs",
               nullable=False),
        Column("vcpus", "DOUBLE", "vCPUs per VM", unit="vCPUs"),
        Column("memory_gb", "DOUBLE", "host memory per VM", unit="GB"),
        Column("source", "VARCHAR", "where the facts come from", nullable=False),
        Column("notes", "VARCHAR", "remarks"),
    ),
    primary_key=("arm_sku_name",),
    partition_by=(),
)

TOKEN_PRICES = TableSpec(
    name="core.llm__daily_token_prices",
    description="Per-token API prices per model and day, in USD per million tokens.",
    columns=(
        _DATE,
        Column("provider", "VARCHAR", "where the price is listed, e.g. openrouter",
               nullable=False),
        Column("model_id", "VARCHAR", "the provider's model id", nullable=False),
        Column("model_name", "VARCHAR", "display name"),
        Column("usd_per_million_input_tokens", "DOUBLE", "price of input (prompt) tokens",
               unit="USD/1M tokens", nullable=False),
        Column("usd_per_million_output_tokens", "DOUBLE", "price of output (completion) tokens",
               unit="USD/1M tokens", nullable=False),
        Column("context_length", "BIGINT", "context window", unit="tokens"),
        Column("source_url", "VARCHAR", "URL of the payload (redacted)", nullable=False),
        Column("snapshot_sha256", "VARCHAR", "sha256 of the archived payload", nullable=False),
    ),
    primary_key=("observation_date", "provider", "model_id"),
)

PRICE_INDEX = TableSpec(
    name="out.gpu__daily_price_index",
    description="Daily GPU price index: spread of per-GPU-hour prices across all offers of a "
                "GPU model and price type (every region and commitment counts as an offer), "
                "live offers and imported history apart.",
    columns=(
        _DATE,
        Column("gpu_model", "VARCHAR", "canonical GPU id", nullable=False),
        Column("price_type", "VARCHAR", "on_demand, spot, reserved or marketplace",
               nullable=False),
        Column("is_backfill", "BOOLEAN", "true for offers imported from third-party history "
               "(compute-atlas import-history), false for live ones; filter on it to include or "
               "leave out the backfill", nullable=False),
        Column("min_usd_per_gpu_hour", "DOUBLE", "cheapest offer", unit=_USD_PER_GPU_HOUR,
               nullable=False),
        Column("median_usd_per_gpu_hour", "DOUBLE", "median offer", unit=_USD_PER_GPU_HOUR,
               nullable=False),
        Column("max_usd_per_gpu_hour", "DOUBLE", "dearest offer", unit=_USD_PER_GPU_HOUR,
               nullable=False),
        Column("n_offers", "BIGINT", "offers counted", nullable=False),
        Column("n_providers", "BIGINT", "distinct providers among them", nullable=False),
    ),
    primary_key=("observation_date", "gpu_model", "price_type", "is_backfill"),
)

_OFFER_KEY = ("provider", "sku", "region", "price_type", "commitment_months")
_OFFER_COLUMNS = {c.name: c for c in GPU_OFFERS.columns}

PRICE_CHANGES = TableSpec(
    name="out.gpu__daily_price_changes",
    description="GPU offers that appeared, disappeared or changed price on a day, against the "
                "previous observation of the same source (the latest earlier day it has offers "
                "on, so a missed day does not make every offer 'appeared'). An offer is keyed "
                "like core.cloud__daily_gpu_offers (provider, sku, region, price type, "
                "commitment) within its source. A source's first day, or a day it did not "
                "deliver, yields no rows.",
    columns=(
        _DATE,
        Column("previous_observation_date", "DATE", "the source's previous day with offers, "
               "compared against", nullable=False),
        Column("source", "VARCHAR", "source of the offer", nullable=False),
        *(_OFFER_COLUMNS[name] for name in _OFFER_KEY),
        Column("gpu_model", "VARCHAR", "canonical GPU id (the newer observation's)"),
        Column("gpu_count", "DOUBLE", "GPUs in the offer (the newer observation's)",
               unit="GPUs"),
        _OFFER_COLUMNS["is_backfill"],
        Column("change_type", "VARCHAR", "appeared (listed now, not before), disappeared "
               "(listed before, not now) or changed (per-hour or per-GPU-hour price differs)",
               nullable=False),
        Column("previous_usd_per_hour", "DOUBLE", "price of the whole offer per hour before; "
               "NULL for appeared", unit="USD/hour"),
        Column("usd_per_hour", "DOUBLE", "price of the whole offer per hour now; NULL for "
               "disappeared", unit="USD/hour"),
        Column("previous_usd_per_gpu_hour", "DOUBLE", "price per GPU-hour before; NULL for "
               "appeared", unit=_USD_PER_GPU_HOUR),
        Column("usd_per_gpu_hour", "DOUBLE", "price per GPU-hour now; NULL for disappeared",
               unit=_USD_PER_GPU_HOUR),
        Column("change_usd_per_gpu_hour", "DOUBLE", "new minus old price per GPU-hour (changed "
               "offers)", unit=_USD_PER_GPU_HOUR),
        Column("change_percent", "DOUBLE", "change as a percentage of the old price per "
               "GPU-hour (changed offers)", unit="percent"),
    ),
    primary_key=("observation_date", "source", *_OFFER_KEY),
)


def _period_index(name: str, period: str, start: str) -> TableSpec:
    """The daily index rolled up to one period (a week or a month): one shape for both."""
    return TableSpec(
        name=name,
        description=f"{period.capitalize()}ly GPU price index: out.gpu__daily_price_index "
                    f"rolled up to the {period} (every day of it the daily index has, backfill "
                    f"history included), so a chart over years reads this small table. A "
                    f"rebuild of any day recomputes its {period}.",
        columns=(
            Column("period_start_date", "DATE", f"first day of the {period} ({start})",
                   nullable=False),
            *(c for c in PRICE_INDEX.columns if c.name in ("gpu_model", "price_type",
                                                            "is_backfill")),
            Column("min_usd_per_gpu_hour", "DOUBLE", f"cheapest offer of the {period}",
                   unit=_USD_PER_GPU_HOUR, nullable=False),
            Column("median_usd_per_gpu_hour", "DOUBLE", "median of the daily medians",
                   unit=_USD_PER_GPU_HOUR, nullable=False),
            Column("max_usd_per_gpu_hour", "DOUBLE", f"dearest offer of the {period}",
                   unit=_USD_PER_GPU_HOUR, nullable=False),
            Column("n_days", "BIGINT", f"days of the {period} with an index", unit="days",
                   nullable=False),
            Column("max_n_offers", "BIGINT", "most offers counted on one day", nullable=False),
            Column("max_n_providers", "BIGINT", "most providers on one day", nullable=False),
        ),
        primary_key=("period_start_date", "gpu_model", "price_type", "is_backfill"),
        partition_by=("period_start_date",),
    )


WEEKLY_PRICE_INDEX = _period_index("out.gpu__weekly_price_index", "week", "a Monday")
MONTHLY_PRICE_INDEX = _period_index("out.gpu__monthly_price_index", "month", "the 1st")

TABLES = (RAW_AZURE, RAW_RUNPOD, RAW_OPENROUTER, AZURE_VM_SKUS,
          GPU_OFFERS, UNMAPPED_GPU_NAMES, TOKEN_PRICES, PRICE_INDEX, PRICE_CHANGES,
          WEEKLY_PRICE_INDEX, MONTHLY_PRICE_INDEX)
