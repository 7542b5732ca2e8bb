"""RunPod: golden parse of the GraphQL fixture, the price-field rules, the bare-list form, the key
kept out of URLs and the archive, and the real 2025-06-15 payload from shared/data."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import respx

from sources.archive import RawArchive
from sources.errors import ParseError
from sources.prices import runpod
from tests.conftest import FIXTURES
from tests.sources.results import records, rejects

FIXTURE = "runpod/gpu_types.json"


def prices(result):
    return {(r.gpu_type_id, r.price_field): r for r in records(result)}


@pytest.fixture
def parsed(fixture_snapshots):
    return runpod.parse(fixture_snapshots(runpod.SOURCE, FIXTURE))


def test_fixture_counts(parsed):
    assert len(records(parsed)) == 31
    assert Counter(r.reason for r in rejects(parsed)) == {
        "price is 0": 1,
        "communityCloud is false: not offered in the community cloud": 1,
        "gpu type id is 'unknown'": 1,
    }
    assert Counter((r.cloud, r.price_type) for r in records(parsed)) == {
        ("secure", "on_demand"): 5, ("community", "on_demand"): 5,
        ("secure", "spot"): 5, ("community", "spot"): 4, ("secure", "reserved"): 12}


def test_every_price_field_maps_to_cloud_type_and_term(parsed):
    a100 = {field: (r.cloud, r.price_type, r.commitment_months, r.usd_per_gpu_hour)
            for (gpu, field), r in prices(parsed).items() if gpu == "NVIDIA A100-SXM4-80GB"}
    assert a100 == {
        "securePrice": ("secure", "on_demand", 0, 1.74),
        "communityPrice": ("community", "on_demand", 0, 1.39),
        "secureSpotPrice": ("secure", "spot", 0, 0.95),
        "communitySpotPrice": ("community", "spot", 0, 0.79),
        "oneWeekPrice": ("secure", "reserved", 0.23, 1.69),
        "oneMonthPrice": ("secure", "reserved", 1, 1.66),
        "threeMonthPrice": ("secure", "reserved", 3, 1.644),
        "sixMonthPrice": ("secure", "reserved", 6, 1.607),
    }


def test_prices_are_per_gpu_hour_with_the_type_facts(parsed):
    h100 = prices(parsed)[("NVIDIA H100 80GB HBM3", "securePrice")]
    assert (h100.display_name, h100.memory_gb, h100.max_gpu_count) == ("H100 SXM", 80, 8)
    assert h100.usd_per_gpu_hour == 2.99


def test_null_is_skipped_zero_and_unoffered_clouds_are_rejected(parsed):
    offered = prices(parsed)
    assert ("NVIDIA H100 80GB HBM3", "oneWeekPrice") not in offered  # null: not offered
    zero, = [r for r in rejects(parsed) if r.reason == "price is 0"]
    assert (zero.record["id"], zero.record["price_field"]) == ("Tesla V100-SXM2-16GB",
                                                               "securePrice")
    placeholder, = [r for r in rejects(parsed) if r.reason.startswith("communityCloud is false")]
    assert (placeholder.record["id"], placeholder.record["communityPrice"]) == (
        "AMD Instinct MI300X OAM", 0.5)
    assert ("AMD Instinct MI300X OAM", "securePrice") in offered
    assert not [r for r in records(parsed) if r.gpu_type_id == "unknown"]


def test_bare_list_is_read_like_the_envelope(fixture_snapshots, make_snapshot):
    gpu_types = json.loads((FIXTURES / FIXTURE).read_text())["data"]["gpuTypes"]
    bare = make_snapshot("runpod", json.dumps(gpu_types).encode(), url=runpod.GRAPHQL_URL,
                         method="POST")
    enveloped = runpod.parse(fixture_snapshots(runpod.SOURCE, FIXTURE))
    assert records(runpod.parse([bare])) == records(enveloped)


def test_graphql_errors_fail_with_their_messages(fixture_snapshots):
    snapshots = fixture_snapshots(runpod.SOURCE, "runpod/bad/graphql_errors.json")
    with pytest.raises(ParseError, match=r"runpod: GraphQL errors .*Cannot query field "
                                         r".*secureSpotPrice.* POST https://api\.runpod\.io"):
        runpod.parse(snapshots)


def test_changed_schema_fails(make_snapshot):
    renamed = make_snapshot("runpod", b'{"data": {"gpuTypeList": []}}', url=runpod.GRAPHQL_URL,
                            method="POST")
    with pytest.raises(ParseError, match="no 'gpuTypes' field"):
        runpod.parse([renamed])


# ---------------------------------------------------------------------------- live path


def test_fetch_posts_the_query_with_the_key_only_in_a_header(live_session, archive_dir):
    secret = "rpa_TESTKEY0123456789"
    with respx.mock(assert_all_called=True) as network:
        route = network.post(runpod.GRAPHQL_URL).respond(
            200, content=(FIXTURES / FIXTURE).read_bytes())
        runpod.fetch(live_session(runpod.SOURCE, api_key=secret))

    request = route.calls.last.request
    assert json.loads(request.content) == {"query": runpod.GPU_TYPES_QUERY}
    assert request.headers["authorization"] == f"Bearer {secret}"
    assert secret not in str(request.url)
    [entry] = RawArchive(archive_dir).entries("runpod")
    assert entry.url == runpod.GRAPHQL_URL
    assert secret not in (archive_dir / "manifest.jsonl").read_text()


def test_fetch_without_a_key_sends_no_authorization(live_session):
    with respx.mock(assert_all_called=True) as network:
        route = network.post(runpod.GRAPHQL_URL).respond(200, json={"data": {"gpuTypes": []}})
        runpod.fetch(live_session(runpod.SOURCE))
    assert "authorization" not in route.calls.last.request.headers


# ---------------------------------------------------------------------------- real payload


@pytest.mark.shared_data
def test_real_bare_list_payload(shared_data, make_snapshot):
    path = shared_data / "prices/runpod/runpod_gpuTypes_2025-06-15.json"
    result = runpod.parse([make_snapshot("runpod", path.read_bytes(), url=f"file:{path.name}")])

    assert len(records(result)) == 149
    assert Counter((r.cloud, r.price_type, r.commitment_months) for r in records(result)) == {
        ("secure", "on_demand", 0): 23, ("community", "on_demand", 0): 32,
        ("secure", "spot", 0): 19, ("community", "spot", 0): 29,
        ("secure", "reserved", 3): 23, ("secure", "reserved", 6): 23}
    assert Counter(r.reason for r in rejects(result)) == {
        "secureCloud is false: not offered in the secure cloud": 15,
        "communityCloud is false: not offered in the community cloud": 7,
        "price is 0": 6,
        "gpu type id is 'unknown'": 1}
    known = prices(result)
    assert known[("NVIDIA A100-SXM4-80GB", "securePrice")].usd_per_gpu_hour == 1.74
    assert known[("NVIDIA H100 80GB HBM3", "communitySpotPrice")].usd_per_gpu_hour == 1.5
    assert known[("NVIDIA B200", "sixMonthPrice")].usd_per_gpu_hour == 5.559
    assert ("NVIDIA B200", "communityPrice") not in known  # 0.5 placeholder, communityCloud false
    assert not [r for r in records(result) if r.price_field == "clusterPrice"]
