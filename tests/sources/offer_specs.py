"""How the tests reach into each "Prices, part 2" source's fixture: which files make one fetch,
what their parse must give, and where the first listed price sits (so bad prices can be planted
in a real-shaped payload)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.estimation.names import gpu_alias_keys, normalize_name
from sources.base import Source
from sources.prices import (
    akash,
    aws_ec2,
    aws_spot,
    coreweave,
    cudo,
    deepinfra,
    gcp_billing,
    lambda_cloud,
    linode,
    modal,
    oci,
    shadeform,
    tensordock,
    together,
    vast,
    vultr,
)

PriceSlot = Callable[[Any], tuple[dict[str, Any], str]]


@dataclass(frozen=True)
class Spec:
    source: Source
    files: tuple[str, ...]
    urls: tuple[str, ...]
    records: int
    rejects: int
    # JSON payload -> (object holding the first price, its key); None for text formats.
    price_slot: PriceSlot | None = None
    # Where renaming a field must cost the offer its price, when that is not the price's own
    # key (GCP may omit a zero ``units``, so renaming it is not an error).
    rename_slot: PriceSlot | None = None


def _first(mapping: dict[str, Any]) -> Any:
    return next(iter(mapping.values()))


SPECS: dict[str, Spec] = {spec.source.name: spec for spec in (
    Spec(aws_ec2.SOURCE, ("aws_ec2/us-east-1.csv", "aws_ec2/eu-west-1.csv"),
         ("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/20250523232744/"
          "us-east-1/index.csv",
          "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/20250523232744/"
          "eu-west-1/index.csv"), 13, 0),
    Spec(aws_spot.SOURCE, ("aws_spot/spot.json",), (aws_spot.SPOT_URL,), 7, 0,
         lambda d: (d["config"]["regions"][0]["instanceTypes"][1]["sizes"][0]
                    ["valueColumns"][0]["prices"], "USD")),
    Spec(gcp_billing.SOURCE, ("gcp_billing/skus_2025-06-17_cut.json",),
         (gcp_billing.SOURCE.urls[0],), 14, 1,
         lambda d: (d[0]["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]
                    ["unitPrice"], "units"),
         lambda d: (d[0]["pricingInfo"][0]["pricingExpression"]["tieredRates"][0],
                    "unitPrice")),
    Spec(lambda_cloud.SOURCE, ("lambda/instance_types.json",), (lambda_cloud.INSTANCE_TYPES_URL,),
         8, 0, lambda d: (d["data"]["gpu_8x_h100_sxm5"]["instance_type"],
                          "price_cents_per_hour")),
    Spec(coreweave.SOURCE, ("coreweave/pricing.html",), (coreweave.PRICING_URL,), 9, 0),
    Spec(oci.SOURCE, ("oci/products.json",), (oci.PRODUCTS_URL,), 9, 0,
         lambda d: (d["items"][0]["currencyCodeLocalizations"][0]["prices"][0], "value")),
    Spec(vast.SOURCE, ("vast/bundles_h100sxm_2026-07-15.json",), (vast.BUNDLES_URL,), 12, 0,
         lambda d: (d["offers"][0], "dph_total")),
    Spec(linode.SOURCE, ("linode/types_page_1.json", "linode/types_page_2.json"),
         (linode.TYPES_URL, linode.TYPES_URL), 4, 0,
         lambda d: (d["data"][0]["price"], "hourly")),
    Spec(vultr.SOURCE, ("vultr/plans_page_1.json", "vultr/plans_page_2.json"),
         (vultr.PLANS_URL, vultr.PLANS_URL), 5, 0, lambda d: (d["plans"][0], "hourly_cost"),
         # without hourly_cost the documented monthly_cost fallback applies
         lambda d: (d["plans"][0], "gpu_vram_gb")),
    Spec(akash.SOURCE, ("akash/gpu_prices.json",), (akash.GPU_PRICES_URL,), 16, 0,
         lambda d: (d["models"][0]["price"], "min")),
    Spec(shadeform.SOURCE, ("shadeform/instance_types.json",), (shadeform.TYPES_URL,), 9, 0,
         lambda d: (d["instance_types"][0], "hourly_price")),
    Spec(tensordock.SOURCE, ("tensordock/hostnodes.json",), (tensordock.HOSTNODES_URL,), 5, 0,
         lambda d: (_first(_first(d["hostnodes"])["specs"]["gpu"]), "price")),
    Spec(modal.SOURCE, ("modal/pricing.html",), (modal.PRICING_URL,), 9, 0),
    Spec(cudo.SOURCE, ("cudo/machine_types.json",), (cudo.MACHINE_TYPES_URL,), 5, 0,
         lambda d: (d["machineTypes"][0]["gpuPriceHr"], "value"),
         lambda d: (d["machineTypes"][0], "gpuPriceHr")),
    Spec(deepinfra.SOURCE, ("deepinfra/models.json",), (deepinfra.MODELS_URL,), 15, 0,
         lambda d: (d["data"][0]["metadata"]["pricing"], "input_tokens")),
    Spec(together.SOURCE, ("together/models.json",), (together.MODELS_URL,), 10, 0,
         lambda d: (d[0]["pricing"], "input")),
)}
GPU_SPECS = {name: spec for name, spec in SPECS.items() if spec.source.family == "gpu_prices"}
JSON_SPECS = {name: spec for name, spec in SPECS.items() if spec.price_slot is not None}


# (method, host, path, paging parameter value) -> fixture answering that request, for fetches
# over a mocked network; the paging parameter is pageToken (GCP), page (Linode) or cursor (Vultr).
FETCH_FIXTURES: dict[tuple[str, str, str, str | None], str] = {
    ("GET", "pricing.us-east-1.amazonaws.com", "/offers/v1.0/aws/index.json", None):
        "aws_ec2/offers_index.json",
    ("GET", "pricing.us-east-1.amazonaws.com",
     "/offers/v1.0/aws/AmazonEC2/current/region_index.json", None): "aws_ec2/region_index.json",
    ("GET", "pricing.us-east-1.amazonaws.com",
     "/offers/v1.0/aws/AmazonEC2/20250523232744/us-east-1/index.csv", None):
        "aws_ec2/us-east-1.csv",
    ("GET", "pricing.us-east-1.amazonaws.com",
     "/offers/v1.0/aws/AmazonEC2/20250523232744/eu-west-1/index.csv", None):
        "aws_ec2/eu-west-1.csv",
    ("GET", "website.spot.ec2.aws.a2z.com", "/spot.json", None): "aws_spot/spot.json",
    ("GET", "cloudbilling.googleapis.com", "/v1/services/6F81-5844-456A/skus", None):
        "gcp_billing/compute_page_1.json",
    ("GET", "cloudbilling.googleapis.com", "/v1/services/6F81-5844-456A/skus",
     "CiAKGjBBMUItMkMzRC00RTVG"): "gcp_billing/compute_page_2.json",
    ("GET", "cloudbilling.googleapis.com", "/v1/services/E000-3F24-B8AA/skus", None):
        "gcp_billing/tpu_page_1.json",
    ("GET", "cloud.lambdalabs.com", "/api/v1/instance-types", None): "lambda/instance_types.json",
    ("GET", "www.coreweave.com", "/pricing", None): "coreweave/pricing.html",
    ("GET", "apexapps.oracle.com", "/pls/apex/cetools/api/v1/products/", None):
        "oci/products.json",
    ("POST", "console.vast.ai", "/api/v0/bundles/", None): "vast/bundles_h100sxm_2026-07-15.json",
    ("GET", "api.linode.com", "/v4/linode/types", "1"): "linode/types_page_1.json",
    ("GET", "api.linode.com", "/v4/linode/types", "2"): "linode/types_page_2.json",
    ("GET", "api.vultr.com", "/v2/plans", None): "vultr/plans_page_1.json",
    ("GET", "api.vultr.com", "/v2/plans", "bmV4dF9fdmNnLWExNi0="): "vultr/plans_page_2.json",
    ("GET", "console-api.akash.network", "/v1/gpu-prices", None): "akash/gpu_prices.json",
    ("GET", "api.shadeform.ai", "/v1/instances/types", None): "shadeform/instance_types.json",
    ("GET", "dashboard.tensordock.com", "/api/v0/client/deploy/hostnodes", None):
        "tensordock/hostnodes.json",
    ("GET", "modal.com", "/pricing", None): "modal/pricing.html",
    ("GET", "rest.compute.cudo.org", "/v1/vms/machine-types-2", None):
        "cudo/machine_types.json",
    ("GET", "api.deepinfra.com", "/v1/openai/models", None): "deepinfra/models.json",
    ("GET", "api.together.xyz", "/v1/models", None): "together/models.json",
}
PAGING_PARAMETERS = ("pageToken", "page", "cursor")


def fixture_for(method: str, url) -> str | None:
    """The fixture that answers a request (``url`` an httpx.URL), or None."""
    page = next((url.params[p] for p in PAGING_PARAMETERS if p in url.params), None)
    return FETCH_FIXTURES.get((method, url.host, url.path, page))


def mapping_rate(offers) -> float:
    """Share of offers whose provider GPU name has a canonical id, matched exactly as the core
    SQL fragments match it (the normalized name against core.gpu__codes_aliases)."""
    keys = set(gpu_alias_keys()["alias_key"])
    offers = list(offers)
    mapped = [o for o in offers if o.provider_gpu_name
              and normalize_name(o.provider_gpu_name) in keys]
    return len(mapped) / len(offers)
