"""Record models of the price sources: Azure Retail Prices, RunPod GraphQL, OpenRouter models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from models.records.base import Number, Record, field

PriceType = Literal["on_demand", "spot", "reserved", "marketplace"]
# Above these a price is a data error, not a market price: no machine rents for $5,000 an
# hour, and no model is sold at $10,000 per million tokens. Such rows are rejected at parse.
ABSURD_USD_PER_HOUR = 5000.0
ABSURD_USD_PER_TOKEN = 0.01


class AzureRetailPrice(Record):
    """One Linux GPU-VM meter of the Azure Retail Prices API, as Azure lists it, with the price
    type and the hourly price made explicit."""

    arm_region_name: str = field("Azure region id (armRegionName), e.g. eastus")
    location: str | None = field("Azure's display name of the region (location)")
    arm_sku_name: str = field("VM size (armSkuName), e.g. Standard_ND96isr_H100_v5")
    sku_name: str = field("Azure's SKU name (skuName), e.g. 'ND96isr H100 v5 Spot'")
    meter_name: str = field("Azure's meter name (meterName)")
    meter_id: str = field("Azure's meter id (meterId)")
    sku_id: str = field("Azure's SKU id (skuId)")
    product_name: str = field("Azure's product name (productName), e.g. "
                              "'Virtual Machines NDsr H100 v5 Series'")
    azure_price_type: str = field("Azure's price type (type): Consumption or Reservation")
    price_type: PriceType = field("on_demand, spot or reserved (derived from type and skuName)")
    reservation_term: str | None = field("Azure's reservationTerm, e.g. '1 Year'; NULL unless "
                                         "reserved")
    commitment_months: Number = field("length of the commitment; 0 for on-demand and spot",
                                     unit="months", ge=0)
    currency_code: str = field("currency of retail_price (currencyCode); USD is requested")
    retail_price: Number = field("Azure's retailPrice as listed: per hour for Consumption, "
                                "for the whole term for Reservation", unit="USD")
    unit_of_measure: str = field("Azure's unitOfMeasure, e.g. '1 Hour'")
    usd_per_hour: Number = field("price of the whole VM per hour (reservations: term price "
                                 "divided by the hours in the term)", unit="USD/hour", gt=0,
                                 le=ABSURD_USD_PER_HOUR)
    effective_start_date: date | None = field("date the price took effect (effectiveStartDate)")
    is_primary_meter_region: bool | None = field("Azure's isPrimaryMeterRegion")


class RunpodGpuPrice(Record):
    """One price of one RunPod GPU type: a cloud (secure/community) and a price type/term.
    RunPod quotes every price per GPU-hour."""

    gpu_type_id: str = field("RunPod gpuTypes id, e.g. 'NVIDIA A100-SXM4-80GB'")
    display_name: str | None = field("RunPod displayName, e.g. 'A100 SXM'")
    memory_gb: Number | None = field("GPU memory as RunPod lists it (memoryInGb)", unit="GB")
    max_gpu_count: int | None = field("most GPUs of this type in one pod (maxGpuCount)")
    cloud: Literal["secure", "community"] = field("RunPod cloud: secure (datacenter) or "
                                                  "community (hosts)")
    price_type: PriceType = field("on_demand, spot (interruptible) or reserved (commitment)")
    commitment_months: Number = field("length of the commitment; 0 for on-demand and spot; "
                                     "one week is 0.23", unit="months", ge=0)
    price_field: str = field("the RunPod field the price came from, e.g. communitySpotPrice")
    usd_per_gpu_hour: Number = field("price per GPU per hour", unit="USD/GPU-hour", gt=0,
                                     le=ABSURD_USD_PER_HOUR)


class OpenrouterModelPrice(Record):
    """One model of OpenRouter's /api/v1/models list with its per-token prices in USD."""

    model_id: str = field("OpenRouter model id, e.g. 'meta-llama/llama-3.1-70b-instruct'")
    canonical_slug: str | None = field("OpenRouter canonical_slug (dated id)")
    name: str | None = field("display name")
    created_datetime: datetime | None = field("when OpenRouter listed the model (UTC)")
    context_length: int | None = field("context window in tokens", unit="tokens")
    modality: str | None = field("architecture.modality, e.g. 'text->text'")
    tokenizer: str | None = field("architecture.tokenizer")
    usd_per_input_token: Number = field("pricing.prompt: price per input token", unit="USD/token",
                                       ge=0, le=ABSURD_USD_PER_TOKEN)
    usd_per_output_token: Number = field("pricing.completion: price per output token",
                                        unit="USD/token", ge=0, le=ABSURD_USD_PER_TOKEN)
    usd_per_request: Number | None = field("pricing.request: fixed price per request",
                                          unit="USD/request", ge=0)
    usd_per_input_cache_read_token: Number | None = field(
        "pricing.input_cache_read: price per cached input token read", unit="USD/token", ge=0,
        le=ABSURD_USD_PER_TOKEN)
