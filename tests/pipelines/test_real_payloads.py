"""Conformance: real payloads captured from the public APIs (../shared/data/prices) go through
the whole refresh; skipped when that folder is absent."""

from datetime import date

import pytest

from pipelines import runner
from sources.archive import RawArchive
from sources.http import ingest_file
from sources.registry import SOURCES
from warehouse.connection import WarehouseSettings

DATACENTER_GPUS = {"a100-sxm-80gb", "a100-pcie-80gb", "h100-sxm-80gb", "h100-pcie-80gb",
                   "h100-nvl-94gb", "h200-sxm-141gb", "b200-180gb", "mi300x-192gb",
                   "l40s-48gb", "l4-24gb", "a40-48gb"}


@pytest.fixture
def settings(tmp_path):
    return WarehouseSettings.from_env(tmp_path / "data")


def _ingest(settings, source, path, day):
    snapshot = ingest_file(source=source, observation_date=day, path=path,
                           archive=RawArchive(settings.archive_dir), max_bytes=1 << 30)
    return runner.refresh(settings, [SOURCES[source]], [day],
                          fetch_ids={source: snapshot.fetch_id})


def test_real_runpod_payload_maps_every_datacenter_gpu(settings, shared_data):
    day = date(2025, 6, 15)
    payload = shared_data / "prices/runpod/runpod_gpuTypes_2025-06-15.json"
    report = _ingest(settings, "runpod", payload, day)
    assert not report.failed_sources and report.published
    assert report.domains[0].table_rows["core.cloud__daily_gpu_offers"] == 149
    with settings.connect(read_only=True) as con:
        mapped = {r[0] for r in con.execute(
            "SELECT DISTINCT gpu_model FROM core.cloud__daily_gpu_offers "
            "WHERE gpu_model IS NOT NULL").fetchall()}
        h100 = con.execute("SELECT min_usd_per_gpu_hour FROM out.gpu__daily_price_index "
                           "WHERE gpu_model = 'h100-sxm-80gb' AND price_type = 'on_demand'"
                           ).fetchone()[0]
        unmapped = {r[0] for r in con.execute(
            "SELECT provider_gpu_name FROM core.gpu__daily_unmapped_names").fetchall()}
    assert mapped >= DATACENTER_GPUS
    assert h100 == pytest.approx(2.99)  # RunPod secure-cloud H100 SXM, 2025-06-15
    # only consumer/workstation cards without a spec row stay unmapped, and stay visible
    assert unmapped and all("RTX" in name or "V100-FHHL" in name for name in unmapped)


def test_real_openrouter_payload_fills_token_prices(settings, shared_data):
    day = date(2026, 5, 20)
    report = _ingest(settings, "openrouter",
                     shared_data / "prices/openrouter/openrouter_models_2026-05-20.json", day)
    assert not report.failed_sources
    assert report.domains[0].table_rows["core.llm__daily_token_prices"] == 353
