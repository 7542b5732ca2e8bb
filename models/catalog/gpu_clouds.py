"""Catalog declarations of the raw tables of the GPU cloud and per-token price sources added in
"Prices, part 2". Each GPU source has its own raw table of :class:`GpuOffer` rows (one shape,
so the conformed offers table is built the same way from each); the per-token lists share the
:class:`TokenPrice` shape."""

from __future__ import annotations

from models.catalog.spec import PROVENANCE, Column, TableSpec, raw_table, record_columns
from models.records.gpu_clouds import GpuOffer, TokenPrice
from models.records.history import HistoryOffer

OFFER_KEY = ("sku", "region", "price_type", "commitment_months")


def _offers(source: str, description: str) -> TableSpec:
    return raw_table(f"raw.{source}__gpu_offers", GpuOffer, description, OFFER_KEY)


GPU_OFFER_TABLES = (
    _offers("aws_ec2", "AWS EC2 Price List: Linux on-demand and reserved (1/3-year, every "
            "offering class and purchase option, upfront amortised) prices of GPU, Trainium "
            "and Inferentia instances per region."),
    _offers("aws_spot", "AWS public spot feed: regional Linux spot prices of accelerator "
            "instances."),
    _offers("gcp_billing", "GCP Cloud Billing Catalog: GPU and TPU SKUs per accelerator-hour "
            "(on-demand, spot, 1/3-year commitments); the host VM is billed separately."),
    _offers("lambda", "Lambda Cloud instance types: on-demand prices per instance (listed in "
            "cents), with capacity availability."),
    _offers("coreweave", "CoreWeave pricing page: on-demand whole-node prices."),
    _offers("oci", "Oracle Cloud price list: GPU compute, pay-as-you-go per GPU-hour."),
    _offers("vast", "Vast.ai marketplace: every rentable offer, at its listed (marketplace) "
            "price and its interruptible bid floor (spot)."),
    _offers("linode", "Linode GPU plans: hourly price per instance, base and regional."),
    _offers("vultr", "Vultr Cloud GPU plans, including fractional GPUs."),
    _offers("akash", "Akash marketplace: min/median/weighted/max bid prices per GPU model."),
    _offers("shadeform", "Shadeform: instance prices of its upstream clouds, per region "
            "offered (listed in cents)."),
    _offers("tensordock", "TensorDock marketplace: GPU component price per host node."),
    _offers("modal", "Modal pricing page: serverless per-second GPU prices."),
    _offers("cudo", "Cudo Compute: GPU component price per machine type and data center."),
)

TOKEN_PRICE_TABLES = (
    raw_table("raw.deepinfra__token_prices", TokenPrice,
              "DeepInfra OpenAI-compatible model list: per-token prices (USD per million).",
              ("model_id",)),
    raw_table("raw.together__token_prices", TokenPrice,
              "Together AI model list: per-token prices of chat and language models (USD per "
              "million).", ("model_id",)),
)

HISTORY_OFFERS = TableSpec(
    name="raw.history__gpu_offers",
    description="Offers imported from third-party price history (`compute-atlas import-history`): "
                "SkyPilot catalogs, cloud-gpus.com tables, sooddvs tracker files. "
                "observation_date is the day the file says the offer was listed; an import "
                "replaces the rows of its origin for the providers and days it lists (a "
                "SkyPilot catalog is one cloud's: importing another cloud's catalog of the same "
                "day adds to it).",
    columns=(*PROVENANCE,
             Column("origin", "VARCHAR", "the history format: skypilot, cloud-gpus or sooddvs",
                    nullable=False),
             *record_columns(HistoryOffer)),
    primary_key=("observation_date", "origin", "provider", *OFFER_KEY),
    partition_by=("origin", "provider", "observation_date"),
)

TABLES = (*GPU_OFFER_TABLES, *TOKEN_PRICE_TABLES, HISTORY_OFFERS)
