"""The normalisation pitfalls of the new price sources, each on its fixture: spot vs on-demand vs
reserved kept apart, upfront fees amortised, whole-instance vs per-GPU prices, cents and
per-second prices, fractional GPUs, footnoted counts, marketplace distributions."""

from __future__ import annotations

from collections import Counter

import pytest

from sources.errors import ParseError
from sources.prices import aws_ec2, aws_spot, gcp_billing
from sources.prices.offers import HOURS_PER_MONTH
from tests.conftest import FIXTURES
from tests.sources.offer_specs import SPECS
from tests.sources.results import records, rejects
from tests.sources.test_gpu_offer_sources import snapshots_of


def offers(make_snapshot, name, bodies=None):
    return records(SPECS[name].source.parse(snapshots_of(make_snapshot, SPECS[name], bodies)))


def by_sku(items):
    return {(o.sku, o.region, o.price_type): o for o in items}


def test_aws_keeps_linux_shared_used_capacity_only(make_snapshot):
    skus = {o.sku.split()[0] for o in offers(make_snapshot, "aws_ec2")}
    assert "m5.large" not in skus  # not an accelerator
    p5 = [o for o in offers(make_snapshot, "aws_ec2")
          if o.sku.startswith("p5.48xlarge") and o.region == "us-east-1"]
    # Windows, Dedicated, UnusedCapacityReservation and CapacityBlock rows are all filtered
    assert sorted((o.price_type, o.commitment_months, o.sku) for o in p5) == [
        ("on_demand", 0, "p5.48xlarge"),
        ("reserved", 12, "p5.48xlarge convertible No Upfront"),
        ("reserved", 12, "p5.48xlarge standard Partial Upfront"),
        ("reserved", 36, "p5.48xlarge standard All Upfront")]


def test_aws_reserved_upfront_is_amortised_over_the_term(make_snapshot):
    p5 = {o.sku: o for o in offers(make_snapshot, "aws_ec2") if o.region == "us-east-1"}
    partial = p5["p5.48xlarge standard Partial Upfront"]
    assert partial.usd_per_hour == pytest.approx(19.4 + 170000 / (12 * HOURS_PER_MONTH))
    assert (partial.listed_price, partial.upfront_usd) == (19.4, 170000)
    whole = p5["p5.48xlarge standard All Upfront"]
    assert whole.usd_per_hour == pytest.approx(650000 / (36 * HOURS_PER_MONTH))
    assert whole.usd_per_gpu_hour == pytest.approx(whole.usd_per_hour / 8)


def test_aws_accelerator_counts_slices_and_neuron_chips(make_snapshot):
    found = {o.sku: (o.provider_gpu_name, o.gpu_count) for o in offers(make_snapshot, "aws_ec2")
             if o.price_type == "on_demand" and o.region == "us-east-1"}
    assert found["g6f.large"] == ("L4", 0.125)  # 3 GB of a 24 GB L4
    assert found["trn1.32xlarge"] == ("Trainium", 16)  # GPU column empty: instance table
    assert found["inf2.xlarge"] == ("Inferentia2", 1)
    assert found["p4de.24xlarge"] == ("A100 SXM4 80GB", 8)


def test_aws_renamed_header_and_bad_prices(make_snapshot):
    spec = SPECS["aws_ec2"]
    renamed = (FIXTURES / "aws_ec2/bad/price_column_renamed.csv").read_bytes()
    snapshot = make_snapshot("aws_ec2", renamed, url=spec.urls[0])
    with pytest.raises(ParseError, match=r"lacks \['PricePerUnit'\]"):
        aws_ec2.parse([snapshot])
    bad = make_snapshot("aws_ec2", (FIXTURES / "aws_ec2/bad/bad_prices.csv").read_bytes(),
                        url=spec.urls[0])
    result = aws_ec2.parse([bad])
    assert len(result.records) == 1
    assert sorted(r.reason for r in rejects(result)) == [
        "price is 0", "price is negative ('-1.5')", "price is not a number ('abc')",
        "price is not finite ('Infinity')", "price is not finite ('NaN')"]


def test_aws_spot_reads_the_feed_and_its_legacy_jsonp_form(make_snapshot):
    spot = by_sku(offers(make_snapshot, "aws_spot"))
    g6 = spot[("g6.12xlarge", "us-east-1", "spot")]
    assert (g6.gpu_count, g6.usd_per_hour, g6.usd_per_gpu_hour) == (4, 1.9711, 1.9711 / 4)
    assert all(o.price_type == "spot" for o in spot.values())
    legacy = make_snapshot("aws_spot", (FIXTURES / "aws_spot/legacy_spot.js").read_bytes(),
                           url=aws_spot.SPOT_URL)
    (p3,) = records(aws_spot.parse([legacy]))
    assert (p3.sku, p3.region, p3.provider_gpu_name) == ("p3.2xlarge", "us-east-1",
                                                         "V100 SXM2 16GB")


@pytest.mark.parametrize(("description", "usage", "expected"), [
    ("Nvidia L4 GPU attached to Spot Preemptible VMs running in Hong Kong", None,
     ("spot", 0, "Nvidia L4 GPU", "Hong Kong")),
    ("Commitment v1: H200 141GB GPU running in Netherlands for 1 Year", None,
     ("reserved", 12, "H200 141GB GPU", "Netherlands")),
    ("Commitment v1: Nvidia Tesla A100 GPU running in APAC for 3 Years", None,
     ("reserved", 36, "Nvidia Tesla A100 GPU", "APAC")),
    ("Nvidia H100 80GB GPU running in Sao Paulo", "OnDemand",
     ("on_demand", 0, "Nvidia H100 80GB GPU", "Sao Paulo")),
    ("TPU v5e chip running in Iowa", "Preemptible", ("spot", 0, "TPU v5e", "Iowa")),
    ("Licensing Fee for FreeBSD (GPU cost)", None, "licence fee"),
    ("Reserved Nvidia H100 80GB GPU in Frankfurt in Calendar Mode", None,
     "calendar-mode reservation"),
    ("Nvidia Tesla P4 GPU attached to DWS Defined Duration VMs running in Americas", None,
     "DWS capacity product"),
])
def test_gcp_sku_descriptions(description, usage, expected):
    sku = {"description": description}
    if usage:
        sku["category"] = {"resourceGroup": "GPU", "usageType": usage}
    assert gcp_billing.classify(sku) == expected


def test_gcp_live_pages_price_gpus_and_whole_instances(make_snapshot):
    bodies = [(FIXTURES / f"gcp_billing/{name}.json").read_bytes()
              for name in ("compute_page_1", "compute_page_2", "tpu_page_1")]
    snapshots = [make_snapshot("gcp_billing", body, url=gcp_billing.SOURCE.urls[0], sequence=i)
                 for i, body in enumerate(bodies)]
    result = gcp_billing.parse(snapshots)
    assert sorted((o.sku, o.region, o.price_type, o.price_basis) for o in records(result)) == [
        ("Nvidia H100 80GB GPU", "us-central1", "on_demand", "gpu"),
        ("Nvidia L4 GPU", "asia-east2", "spot", "gpu"),
        ("TPU v5e", "us-central1", "on_demand", "gpu"),
        ("a3-highgpu-8g", "us-central1", "on_demand", "instance")]
    assert result.excluded == {"not an accelerator": 2}  # the A3 core and RAM SKUs
    by_sku = {o.sku: o for o in records(result)}
    assert by_sku["TPU v5e"].usd_per_gpu_hour == 1.2  # units 1 + nanos 2e8
    gpu, machine = by_sku["Nvidia H100 80GB GPU"], by_sku["a3-highgpu-8g"]
    host = 208 * 0.029563 + 1872 * 0.002472  # vCPUs x core SKU + GiB x RAM SKU
    assert machine.usd_per_hour == pytest.approx(8 * gpu.usd_per_gpu_hour + host)
    assert machine.usd_per_gpu_hour > gpu.usd_per_gpu_hour  # the host is part of the price
    assert (machine.gpu_count, machine.vcpus) == (8, 208)


def test_lambda_cents_become_dollars(make_snapshot):
    lam = {o.sku: o for o in offers(make_snapshot, "lambda")}
    h100 = lam["gpu_8x_h100_sxm5"]
    assert (h100.listed_price, h100.listed_unit) == (2752, "USD cents/hour")
    assert (h100.usd_per_hour, h100.usd_per_gpu_hour) == (27.52, 3.44)
    assert (h100.available, lam["gpu_1x_h100_pcie"].available) == (True, False)
    assert "cpu_4x_general" not in lam


def test_lambda_api_error_is_a_parse_error(make_snapshot):
    body = b'{"error": {"code": "global/invalid-api-key", "message": "API key was invalid"}}'
    with pytest.raises(ParseError, match="API key was invalid"):
        SPECS["lambda"].source.parse([make_snapshot("lambda", body, url=SPECS["lambda"].urls[0])])


def test_coreweave_page_and_scrape_give_the_same_whole_node_offers(make_snapshot):
    page = offers(make_snapshot, "coreweave")
    scrape = (FIXTURES / "coreweave/pricing_scrape_2026-01-13.json").read_bytes()
    from_scrape = offers(make_snapshot, "coreweave", [scrape])
    assert page == from_scrape
    gb200 = next(o for o in page if o.sku == "NVIDIA GB200 NVL72")
    assert (gb200.gpu_count, gb200.price_basis, gb200.usd_per_gpu_hour) == (4, "instance", 10.5)


def test_vultr_fractional_and_multi_gpu_plans(make_snapshot):
    plans = {o.sku: o for o in offers(make_snapshot, "vultr")}
    slice_ = plans["vcg-a100-1c-6g-4vram"]
    assert (slice_.gpu_count, slice_.gpu_memory_gb) == (0.05, 4)
    assert slice_.usd_per_gpu_hour == pytest.approx(0.123 / 0.05)
    assert plans["vcg-l40s-32c-375g-96vram"].gpu_count == 2
    a16 = plans["vcg-a16-6c-64g-16vram"]  # no hourly_cost: the monthly price, per hour
    assert (a16.listed_unit, a16.usd_per_hour) == ("USD/month", pytest.approx(343 / 730.5))


def test_akash_keeps_the_price_distribution(make_snapshot):
    h100 = sorted((o.sku, o.usd_per_gpu_hour) for o in offers(make_snapshot, "akash")
                  if o.provider_gpu_name == "H100 SXM5 80GB")
    assert h100 == [("nvidia h100 80Gi SXM5 (max)", 2.35), ("nvidia h100 80Gi SXM5 (med)", 1.55),
                    ("nvidia h100 80Gi SXM5 (min)", 1.27),
                    ("nvidia h100 80Gi SXM5 (weightedAverage)", 1.58)]
    assert {o.price_type for o in offers(make_snapshot, "akash")} == {"marketplace"}


def test_shadeform_cents_per_upstream_cloud_and_region(make_snapshot):
    found = offers(make_snapshot, "shadeform")
    scaleway = [o for o in found if o.seller == "scaleway"]
    assert len(scaleway) == 3 and {o.usd_per_hour for o in scaleway} == {0.9}
    h200 = next(o for o in found if o.seller == "excesssupply")
    assert (h200.gpu_count, h200.usd_per_hour, h200.provider_gpu_name) == (8, 19.6,
                                                                           "H200 141GB")


def test_tensordock_and_modal_are_per_gpu(make_snapshot):
    td = {o.provider_gpu_name: o for o in offers(make_snapshot, "tensordock")}
    assert (td["h100-sxm5-80gb"].price_basis, td["h100-sxm5-80gb"].usd_per_hour) == ("gpu", 2.25)
    assert td["a100-pcie-80gb"].available is False  # amount 0 on that node
    modal = {o.sku: o for o in offers(make_snapshot, "modal")}
    assert modal["Nvidia H100"].usd_per_gpu_hour == pytest.approx(0.001097 * 3600)
    assert modal["Nvidia A100, 80 GB"].provider_gpu_name == "A100, 80 GB"


def test_oci_keeps_usd_per_gpu_prices_only(make_snapshot):
    result = SPECS["oci"].source.parse(snapshots_of(make_snapshot, SPECS["oci"]))
    assert result.excluded == {"not priced per GPU hour": 2}
    h100 = next(o for o in records(result) if o.provider_gpu_name == "H100 SXM")
    assert (h100.usd_per_gpu_hour, h100.price_basis, h100.region) == (10, "gpu", "global")


def test_token_lists_keep_per_token_models_only(make_snapshot):
    spec = SPECS["together"]
    result = spec.source.parse(snapshots_of(make_snapshot, spec))
    assert result.excluded == {"not priced per token": 6,
                               "no per-token price (0 input and output)": 1}
    llama = next(r for r in records(result)
                 if r.model_id == "meta-llama/Llama-3.3-70B-Instruct-Turbo")
    assert (llama.usd_per_million_input_tokens, llama.usd_per_million_output_tokens) == (0.88,
                                                                                          0.88)
    deep = records(SPECS["deepinfra"].source.parse(snapshots_of(make_snapshot,
                                                                SPECS["deepinfra"])))
    assert Counter(r.usd_per_million_cached_input_tokens is not None for r in deep)[True] >= 3
