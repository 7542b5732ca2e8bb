"""The history parsers (SkyPilot catalogs, cloud-gpus.com, sooddvs) on every shared history file,
each count checked against an independent reading of the file, and on layouts the shared data
does not have (other versions, other clouds, new GPU keys)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from datetime import date

import pytest

from sources.errors import ParseError
from sources.history import cloud_gpus, skypilot, sooddvs
from tests.conftest import FIXTURES
from tests.sources.results import records, rejects

SKYPILOT_FILES = {  # file -> cloud
    "gcp_2022-02-17_skypilot-v0.csv": "gcp", "gcp_2022-04-15_skypilot-v0.csv": "gcp",
    "gcp_vms_v7_2026-04-02_anycloud-bootstrap.csv": "gcp",
    "lambda_vms_v7_2026-04-02_anycloud-bootstrap.csv": "lambda",
    "lambda_vms_v7_commit1158013_us-east-1_only.csv": "lambda",
    "shadeform_vms_2025-10-12.csv": "shadeform", "vast_vms_v6_commit0078d6b.csv": "vast",
}
CLOUD_GPUS_DIR = "prices/trackers/cloud-gpus_com"
SOODDVS_DIR = "prices/trackers/sooddvs_gpu-pricing"
SOODDVS_FILES = ("gpu_pricing_raw_2026-05-21.csv", "gpu_pricing_history_2026-06-15.csv",
                 "gpu_pricing_2026-06-15.json")
AS_OF = date(2026, 6, 15)


def snap(make_snapshot, body: bytes):
    return make_snapshot("history", body, url="file:history", method="FILE")


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------------------- SkyPilot


def skypilot_expected(body: bytes, cloud: str) -> tuple[int, int]:
    """(offers, duplicates) read independently: one offer per non-empty Price/SpotPrice of a
    row with an accelerator, keyed by instance (or count+accelerator), zone, price column."""
    keys = []
    for row in csv_rows(body):
        if not row["AcceleratorName"]:
            continue
        instance = row["InstanceType"] or \
            f"{float(row['AcceleratorCount']):g}x {row['AcceleratorName']}"
        place = row.get("AvailabilityZone") or row["Region"]
        keys += [(instance, place, column) for column in ("Price", "SpotPrice")
                 if (row.get(column) or "").strip()]
    return len(set(keys)), len(keys) - len(set(keys))


@pytest.mark.shared_data
@pytest.mark.parametrize("name", SKYPILOT_FILES)
def test_every_shared_skypilot_catalog(make_snapshot, shared_data, name):
    body = (shared_data / "prices/skypilot_catalog" / name).read_bytes()
    result = skypilot.parse(snap(make_snapshot, body), as_of=AS_OF, cloud=SKYPILOT_FILES[name])
    offers, duplicates = skypilot_expected(body, SKYPILOT_FILES[name])
    assert (len(result.records), len(result.rejects)) == (offers, duplicates)
    assert {r.reason.split(" for ")[0] for r in rejects(result)} <= \
        {"duplicate of an earlier record"}
    assert all(o.provider == SKYPILOT_FILES[name] and o.observed_date == AS_OF
               for o in records(result))


@pytest.mark.shared_data
def test_skypilot_gcp_attachable_gpus_are_priced_per_gpu(make_snapshot, shared_data):
    body = (shared_data / "prices/skypilot_catalog/gcp_2022-02-17_skypilot-v0.csv").read_bytes()
    offers = records(skypilot.parse(snap(make_snapshot, body), as_of=date(2022, 2, 17),
                                    cloud="gcp"))
    four = next(o for o in offers if o.sku == "4x V100" and o.price_type == "on_demand")
    assert (four.price_basis, four.gpu_count) == ("gpu", 4)
    assert four.usd_per_hour == pytest.approx(4 * four.listed_price)
    assert {o.price_type for o in offers} == {"on_demand", "spot"}


def test_skypilot_other_layout_and_cloud(make_snapshot):
    body = (FIXTURES / "history/skypilot_runpod_v8_layout.csv").read_bytes()
    result = skypilot.parse(snap(make_snapshot, body), as_of=AS_OF, cloud="runpod")
    assert Counter(o.price_type for o in records(result)) == {"on_demand": 4, "spot": 2}
    assert result.excluded == {"no accelerator": 1}
    h100 = next(o for o in records(result) if o.sku == "8x_H100-SXM_SECURE")
    assert (h100.region, h100.gpu_count, h100.usd_per_gpu_hour) == ("US-TX-3", 8, 2.69)
    vast = skypilot.parse(snap(make_snapshot, body), as_of=AS_OF, cloud="vast")
    assert Counter(o.price_type for o in records(vast)) == {"marketplace": 4, "spot": 2}


def test_skypilot_needs_the_cloud_and_a_catalog(make_snapshot):
    body = (FIXTURES / "history/skypilot_runpod_v8_layout.csv").read_bytes()
    with pytest.raises(ParseError, match="--cloud"):
        skypilot.parse(snap(make_snapshot, body), as_of=AS_OF)
    with pytest.raises(ParseError, match="not a SkyPilot catalog"):
        skypilot.parse(snap(make_snapshot, b"date,provider\n2026-01-01,x\n"), as_of=AS_OF,
                       cloud="aws")


# ---------------------------------------------------------------------------- cloud-gpus


def cloud_gpus_expected(body: bytes, as_of: date) -> Counter:
    """Price types of the priced cells, read independently."""
    found: Counter = Counter()
    for provider in json.loads(body)["data"]:
        spot = re.search(r"AWS|Amazon|Google|GCP", provider["name"]) and \
            date(2022, 2, 9) <= as_of < date(2023, 10, 5)
        kind = "spot" if spot else "reserved" if provider.get("reserved") is True else \
            "on_demand"
        for key, value in provider.items():
            if key.startswith("cost") and key != "costml100" \
                    and re.fullmatch(r"\$\d+(\.\d+)?", str(value).strip()):
                found[kind] += float(str(value).strip()[1:]) > 0
    return found


@pytest.mark.shared_data
def test_every_shared_cloud_gpus_snapshot(make_snapshot, shared_data):
    files = sorted((shared_data / CLOUD_GPUS_DIR).glob("cloud_gpu_*.json"))
    assert len(files) == 16
    for path in files:
        as_of = date.fromisoformat(path.stem.removeprefix("cloud_gpu_"))
        result = cloud_gpus.parse(snap(make_snapshot, path.read_bytes()), as_of=as_of)
        assert Counter(o.price_type for o in records(result)) == \
            cloud_gpus_expected(path.read_bytes(), as_of), path.name
        assert all(re.match("price is (not a number|0)", r.reason) for r in rejects(result))


def test_cloud_gpus_new_keys_and_spot_period(make_snapshot):
    body = (FIXTURES / "history/cloud_gpus_new_keys.json").read_bytes()
    result = cloud_gpus.parse(snap(make_snapshot, body), as_of=date(2026, 1, 5))
    assert sorted((o.provider, o.provider_gpu_name, o.price_type) for o in records(result)) == [
        ("Google Cloud", "H100", "on_demand"), ("Google Cloud", "L4", "on_demand"),
        ("Lambda", "B200", "on_demand"), ("Lambda", "H100", "on_demand"),
        ("Lambda", "gb300", "on_demand")]
    assert result.excluded == {"not offered": 2}
    in_2022 = cloud_gpus.parse(snap(make_snapshot, body), as_of=date(2022, 6, 1))
    assert {(o.provider, o.price_type) for o in records(in_2022)} == {
        ("Google Cloud", "spot"), ("Lambda", "on_demand")}


# ---------------------------------------------------------------------------- sooddvs


def sooddvs_expected(body: bytes) -> int:
    if body.lstrip().startswith(b"{"):
        return sum(len(p["skus"]) for p in json.loads(body)["providers"].values())
    return sum(row.get("source") != "historical_estimate" for row in csv_rows(body))


@pytest.mark.shared_data
@pytest.mark.parametrize("name", SOODDVS_FILES)
def test_every_shared_sooddvs_file(make_snapshot, shared_data, name):
    body = (shared_data / SOODDVS_DIR / name).read_bytes()
    result = sooddvs.parse(snap(make_snapshot, body), as_of=AS_OF)
    assert (len(result.records), len(result.rejects)) == (sooddvs_expected(body), 0)


@pytest.mark.shared_data
def test_sooddvs_history_keeps_observed_days_and_drops_estimates(make_snapshot, shared_data):
    body = (shared_data / SOODDVS_DIR / "gpu_pricing_history_2026-06-15.csv").read_bytes()
    result = sooddvs.parse(snap(make_snapshot, body), as_of=AS_OF)
    days = {o.observed_date for o in records(result)}
    assert min(days) == date(2026, 5, 21) and max(days) == date(2026, 6, 15)
    assert result.excluded == {"tracker's estimate, not observed": 88}
    assert Counter(o.commitment_months for o in records(result)
                   if o.price_type == "reserved").keys() <= {12, 36}


def test_sooddvs_reordered_columns_and_unknown_tier(make_snapshot):
    body = (FIXTURES / "history/sooddvs_raw_reordered.csv").read_bytes()
    result = sooddvs.parse(snap(make_snapshot, body), as_of=date(2026, 7, 1))
    found = {(o.provider, o.price_type, o.commitment_months): o for o in records(result)}
    assert len(found) == 5
    assert found[("Azure", "reserved", 12)].usd_per_gpu_hour == pytest.approx(44.24 / 8)
    vast = found[("Vast", "on_demand", 0)]
    assert (vast.price_basis, vast.usd_per_gpu_hour) == ("gpu", 1.87)
    assert [r.reason for r in rejects(result)] == ["unknown price_tier 'weekly'"]
