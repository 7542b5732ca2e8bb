"""The "Prices, part 2" parsers on the real recorded payloads in ../shared/data/prices: offer
counts and mapping rates pinned per payload, and at least 95% of all recorded offers mapped to
a canonical GPU."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from sources.prices import coreweave, deepinfra, gcp_billing, linode, together, vast
from tests.sources.offer_specs import mapping_rate
from tests.sources.results import records, rejects

pytestmark = pytest.mark.shared_data

# payload -> (source, offers, rejects, mapping rate); GPU offers only carry a mapping rate.
GPU_PAYLOADS = {
    "gcp/gcp_cloudbilling_gpu_skus_2025-06-17.json": (gcp_billing, 1142, 96, 1138 / 1142),
    "coreweave/coreweave_pricing_page_scrape_2026-01-13.json": (coreweave, 9, 0, 8 / 9),
    "vast/vast_bundles_H100SXM_query_2026-07-15.json": (vast, 12, 0, 1.0),
    "vast/vast_bundles_offers_A100_SXM4_2026-06-03_first3.json": (vast, 6, 0, 1.0),
    "linode/linode_types_v4beta_cassette_2024-07-11.yaml": (linode, 4, 0, 1.0),
}
TOKEN_PAYLOADS = {
    "deepinfra/deepinfra_openai_models_2026-04-17.json": (deepinfra, 88, 0),
    "together/together_models_2026-01-23.json": (together, 61, 0),
}


def body_of(path: Path) -> bytes:
    """The response body of a recorded payload; a go-vcr cassette (Linode) holds it inside."""
    if path.suffix != ".yaml":
        return path.read_bytes()
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    body = cassette["interactions"][0]["response"]["body"]
    return (body if isinstance(body, str) else body["string"]).encode()


def parse_payload(make_snapshot, shared_data, relative, module):
    body = body_of(shared_data / "prices" / relative)
    method = "POST" if module is vast else "GET"
    return module.parse([make_snapshot(module.NAME, body, url=module.SOURCE.urls[0],
                                       method=method)])


@pytest.mark.parametrize("relative", GPU_PAYLOADS)
def test_recorded_gpu_payload_is_pinned(make_snapshot, shared_data, relative):
    module, n_offers, n_rejects, rate = GPU_PAYLOADS[relative]
    result = parse_payload(make_snapshot, shared_data, relative, module)
    assert (len(result.records), len(result.rejects)) == (n_offers, n_rejects)
    assert mapping_rate(records(result)) == pytest.approx(rate)


@pytest.mark.parametrize("relative", TOKEN_PAYLOADS)
def test_recorded_token_payload_is_pinned(make_snapshot, shared_data, relative):
    module, n_models, n_rejects = TOKEN_PAYLOADS[relative]
    result = parse_payload(make_snapshot, shared_data, relative, module)
    assert (len(result.records), len(result.rejects)) == (n_models, n_rejects)


def test_at_least_95_percent_of_all_recorded_offers_map(make_snapshot, shared_data):
    offers = [offer for relative, (module, *_) in GPU_PAYLOADS.items()
              for offer in records(parse_payload(make_snapshot, shared_data, relative, module))]
    assert len(offers) == sum(count for _, count, _, _ in GPU_PAYLOADS.values())
    assert mapping_rate(offers) >= 0.95


def test_gcp_payload_price_types_and_what_stays_out(make_snapshot, shared_data):
    result = parse_payload(make_snapshot, shared_data,
                           "gcp/gcp_cloudbilling_gpu_skus_2025-06-17.json", gcp_billing)
    assert Counter((o.price_type, o.commitment_months) for o in records(result)) == {
        ("on_demand", 0): 282, ("spot", 0): 290, ("reserved", 12): 285, ("reserved", 36): 285}
    assert result.excluded == {"licence fee": 155, "calendar-mode reservation": 124,
                               "DWS capacity product": 115}
    assert {r.reason for r in rejects(result)} == {"price is 0"}
    h100 = {(o.price_type, o.commitment_months): o.usd_per_gpu_hour for o in records(result)
            if o.sku == "Nvidia H100 80GB GPU" and o.region == "Sao Paulo"}
    # commitments are cheaper than on-demand, and every offer is one GPU without its host
    assert h100[("reserved", 36)] < h100[("reserved", 12)] < h100[("on_demand", 0)]
    assert {(o.gpu_count, o.price_basis) for o in records(result)} == {(1.0, "gpu")}


def test_coreweave_scrape_reads_footnoted_counts_as_whole_nodes(make_snapshot, shared_data):
    result = parse_payload(make_snapshot, shared_data,
                           "coreweave/coreweave_pricing_page_scrape_2026-01-13.json", coreweave)
    by_sku = {o.sku: o for o in records(result)}
    gb200 = by_sku["NVIDIA GB200 NVL72"]
    assert (gb200.gpu_count, gb200.usd_per_hour, gb200.usd_per_gpu_hour) == (4, 42.0, 10.5)
    assert by_sku["NVIDIA HGX H100"].usd_per_gpu_hour == pytest.approx(49.24 / 8)
    assert result.excluded == {"contact sales": 1}  # GB300 NVL72


def test_vast_keeps_every_offer_at_both_prices(make_snapshot, shared_data):
    relative = "vast/vast_bundles_H100SXM_query_2026-07-15.json"
    result = parse_payload(make_snapshot, shared_data, relative, vast)
    offers = json.loads((shared_data / "prices" / relative).read_bytes())["offers"]
    listed = sorted(o["dph_total"] / o["num_gpus"] for o in offers)
    kept = sorted(o.usd_per_gpu_hour for o in records(result) if o.price_type == "marketplace")
    assert kept == pytest.approx(listed)  # the whole distribution, not one price per bucket
    bids = {o.offer_id: o.usd_per_hour for o in records(result) if o.price_type == "spot"}
    assert bids == pytest.approx({str(o["id"]): o["min_bid"] for o in offers})
