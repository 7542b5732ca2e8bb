"""models/reference/azure_vm_skus.csv, the Azure GPU VM size table joined to Azure prices at the
core layer: well-formed, tied to the GPU catalogue, and covering the sizes Azure actually prices."""

from __future__ import annotations

import csv
import json
import re

import pytest

from tests.conftest import FIXTURES, REPO

REFERENCE = REPO / "models" / "reference"
SIZE_DOCS = re.compile(
    r"https://learn\.microsoft\.com/azure/virtual-machines/sizes/gpu-accelerated/[a-z0-9-]+$")


def read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


SIZES = {row["arm_sku_name"]: row for row in read_csv("azure_vm_skus.csv")}


def test_table_is_well_formed():
    rows = read_csv("azure_vm_skus.csv")
    assert list(rows[0]) == ["arm_sku_name", "gpu_model", "gpu_count", "vcpus", "memory_gb",
                             "source", "notes"]
    assert len(SIZES) == len(rows), "an arm_sku_name is listed twice"
    gpu_models = {row["gpu_model"] for row in read_csv("gpu_models.csv")}
    for row in rows:
        assert row["arm_sku_name"].startswith("Standard_N"), row
        assert row["gpu_model"] in gpu_models, row
        assert 0 < float(row["gpu_count"]) <= 8, row
        assert int(row["vcpus"]) > 0 and float(row["memory_gb"]) > 0, row
        assert SIZE_DOCS.match(row["source"]), row


@pytest.mark.parametrize(("size", "gpu_model", "gpu_count"), [
    ("Standard_ND96asr_v4", "a100-sxm-40gb", 8),
    ("Standard_ND96isr_H100_v5", "h100-sxm-80gb", 8),
    ("Standard_NC40ads_H100_v5", "h100-nvl-94gb", 1),
    ("Standard_ND128isr_NDR_GB200_v6", "gb200-186gb", 4),
    ("Standard_NV6ads_A10_v5", "a10-24gb", 1 / 6),
    ("Standard_NV12ads_A10_v5", "a10-24gb", 1 / 3),
])
def test_known_sizes(size, gpu_model, gpu_count):
    assert SIZES[size]["gpu_model"] == gpu_model
    assert float(SIZES[size]["gpu_count"]) == pytest.approx(gpu_count)


def test_fixture_sizes_map_except_the_deliberately_unmapped_one():
    pages = [json.loads((FIXTURES / f"azure_retail/page_{n}.json").read_text()) for n in (1, 2)]
    sizes = {item["armSkuName"] for page in pages for item in page["Items"]
             if item["armSkuName"].startswith("Standard_")}
    assert sizes - SIZES.keys() == {"Standard_NC8ads_A10_v4"}


@pytest.mark.shared_data
def test_sizes_priced_in_the_2025_gpu_list_map(shared_data):
    """The shared file is derived, not raw: its ``skuName`` holds Azure's armSkuName for some rows
    (``Standard_NC24ads_A100_v4``) and a squashed meter name for others (``ND96isrH100v5``,
    ``NDamsrA100v4 Type1``), so only the ``Standard_`` values are arm sizes that must map
    exactly. Squashed names are matched by lower-casing and dropping ``Standard_`` and
    underscores. The rest stay unmapped, and that is expected: meter names that do not spell
    their size (``ND96asr_A100_v4`` prices Standard_ND96asr_v4), variants this table does not
    cover (ND96is/isf/isfl/isnIB/isrf H100, ND96ams A100, ``_NU``) and Dedicated Host types."""
    rows = json.loads((shared_data / "prices/azure/azure_retail_gpu_filtered_2025-06-21.json")
                      .read_text())
    names = {row["skuName"] for row in rows}
    arm_sizes = {name for name in names if name.startswith("Standard_")}
    assert arm_sizes, "the file no longer carries any arm size names"
    assert arm_sizes <= SIZES.keys()

    def squashed(name: str) -> str:
        return name.removeprefix("Standard_").replace("_", "").lower()

    by_squashed = {squashed(size): size for size in SIZES}
    meter_style = {squashed(name) for name in names - arm_sizes}
    assert {by_squashed[name] for name in meter_style if name in by_squashed} == {
        "Standard_ND96isr_H100_v5", "Standard_ND96isr_H200_v5", "Standard_NC40ads_H100_v5",
        "Standard_NC80adis_H100_v5", "Standard_NCC40ads_H100_v5",
        "Standard_ND128isr_NDR_GB200_v6"}
