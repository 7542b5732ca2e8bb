"""Record models shared by the GPU cloud price sources added in "Prices, part 2" (AWS, GCP,
Lambda, CoreWeave, OCI, Vast, the neoclouds) and by the per-token price lists (DeepInfra,
Together).

Every GPU source writes :class:`GpuOffer` rows to its own raw table: the provider's listing as
listed (price as written, its unit, whether it is per instance or per GPU) plus the normalised
hourly prices, so the conformed offers table can be built the same way from every source and a
price can always be traced back to what the provider actually said.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from models.records.base import Number, Record, field
from models.records.prices import PriceType

PriceBasis = Literal["instance", "gpu"]


class GpuOffer(Record):
    """One rentable GPU offer: an instance type (or GPU type, or marketplace listing) in a
    region, at one price type and commitment."""

    sku: str = field("what is rented, as the provider names it (instance type, plan id, "
                     "marketplace offer id); reserved terms add the term options")
    region: str = field("provider region or zone; 'global' where the price does not vary by "
                        "region")
    seller: str | None = field("who runs the hardware when it is not the provider itself "
                               "(Shadeform's upstream cloud, a Vast host id)")
    provider_gpu_name: str | None = field("the accelerator as the provider names it, mapped to "
                                          "a canonical id by core.gpu__codes_aliases")
    gpu_count: Number = field("accelerators per instance; below 1 for a GPU slice",
                             unit="GPUs", gt=0)
    gpu_memory_gb: Number | None = field("memory per accelerator as the provider lists it",
                                        unit="GB", gt=0)
    vcpus: Number | None = field("vCPUs in the instance", unit="vCPUs", gt=0)
    memory_gb: Number | None = field("host memory in the instance", unit="GB", gt=0)
    price_type: PriceType = field("on_demand, spot (interruptible), reserved (commitment) or "
                                  "marketplace (host-listed capacity)")
    commitment_months: Number = field("length of the commitment; 0 without one", unit="months",
                                     ge=0)
    price_basis: PriceBasis = field("whether the listed price is for the whole instance or "
                                    "per GPU")
    listed_price: Number = field("the price as the provider lists it, in listed_unit", ge=0)
    listed_unit: str = field("unit of listed_price, e.g. 'USD/hour', 'USD cents/hour', "
                             "'USD/second'")
    upfront_usd: Number | None = field("one-off payment of a reserved term, amortised into "
                                      "usd_per_hour over the term", unit="USD", ge=0)
    usd_per_hour: Number = field("effective price of the whole instance per hour (upfront "
                                "payments amortised)", unit="USD/hour", gt=0)
    usd_per_gpu_hour: Number = field("usd_per_hour divided by gpu_count", unit="USD/GPU-hour",
                                    gt=0)
    available: bool | None = field("whether the provider says the offer can be launched now; "
                                   "NULL when it does not say")
    offer_id: str | None = field("the provider's id of this listing when it has one (Vast "
                                 "offer id, GCP skuId, AWS rate code)")

    @model_validator(mode="after")
    def _per_gpu_matches_instance(self) -> GpuOffer:
        expected = self.usd_per_hour / self.gpu_count
        if abs(self.usd_per_gpu_hour - expected) > 1e-9 * max(1.0, expected):
            raise ValueError(f"usd_per_gpu_hour {self.usd_per_gpu_hour} is not usd_per_hour / "
                             f"gpu_count ({expected})")
        return self


class TokenPrice(Record):
    """One model of a per-token API price list, prices in USD per million tokens."""

    model_id: str = field("the provider's model id, e.g. 'meta-llama/Llama-3.3-70B-Instruct'")
    model_name: str | None = field("display name")
    model_type: str | None = field("the provider's model type (chat, embedding, ...) when it "
                                   "says")
    context_length: int | None = field("context window", unit="tokens", gt=0)
    usd_per_million_input_tokens: Number = field("price of input (prompt) tokens",
                                                unit="USD/1M tokens", ge=0)
    usd_per_million_output_tokens: Number = field("price of output (completion) tokens",
                                                 unit="USD/1M tokens", ge=0)
    usd_per_million_cached_input_tokens: Number | None = field(
        "price of cached input tokens read, when listed", unit="USD/1M tokens", ge=0)
