"""Every Dagster check result of the derived tables carries numbers the UI can plot: row
counts, share mapped, price ranges, quarantined rows."""

import dagster as dg
import pytest

from pipelines.defs.derived import domain_asset, reference_tables
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.sources import source_assets
from sources.archive import RawArchive
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE
from warehouse.build import POWER, PRICES
from warehouse.checks import all_check_keys

# Enough sources for offers (mapped and unmapped GPU names), token prices and a queue.
DAILY = ("runpod", "azure_retail", "openrouter")
MONTHLY = ("ercot_gis",)


def _materialize_parsed(data, names, partition):
    archive, demo = RawArchive(data / "raw"), RawArchive(DEMO_ARCHIVE)
    for name in names:
        for entry in demo.entries(name):
            archive.store_bytes(entry, demo.snapshot(entry).body)
    parse_assets = [source_assets(SOURCES[name])[1] for name in names]
    result = dg.materialize(parse_assets, partition_key=partition,
                            resources={"warehouse": WarehouseResource(data_dir=str(data))})
    assert result.success


@pytest.fixture(scope="module")
def evaluations(tmp_path_factory):
    data = tmp_path_factory.mktemp("checks") / "data"
    resources = {"warehouse": WarehouseResource(data_dir=str(data))}
    _materialize_parsed(data, DAILY, str(DEMO_DATE))
    _materialize_parsed(data, MONTHLY, str(DEMO_DATE.replace(day=1)))
    assert dg.materialize([reference_tables], resources=resources).success  # GPU names
    found = []
    for domain, partition in ((PRICES, str(DEMO_DATE)), (POWER, str(DEMO_DATE.replace(day=1)))):
        result = dg.materialize([domain_asset(domain)], partition_key=partition,
                                resources=resources)
        assert result.success
        found += result.get_asset_check_evaluations()
    return found


def _numbers(evaluation) -> dict[str, float]:
    return {k: v.value for k, v in evaluation.metadata.items()
            if isinstance(v.value, int | float) and not isinstance(v.value, bool)}


def test_every_check_of_the_derived_tables_reports(evaluations):
    tables = set(PRICES.tables) | set(POWER.tables)
    expected = {(t, name) for t, name, _, _ in all_check_keys() if t in tables}
    reported = {(".".join(e.asset_key.path), e.check_name) for e in evaluations}
    assert reported == expected


def test_every_check_result_carries_numeric_metadata(evaluations):
    for evaluation in evaluations:
        assert _numbers(evaluation), (evaluation.check_name, evaluation.metadata)
        assert "message" in evaluation.metadata


def test_offer_and_quarantine_checks_carry_their_measures(evaluations):
    by_name = {(".".join(e.asset_key.path), e.check_name): _numbers(e) for e in evaluations}
    offers = by_name[("core.cloud__daily_gpu_offers", "offers_summary")]
    assert offers["row_count"] > 0 and 0 < offers["share_mapped"] <= 1
    assert 0 < offers["min_usd_per_gpu_hour"] <= offers["max_usd_per_gpu_hour"]
    assert offers["n_providers"] >= 2
    assert by_name[("core.cloud__daily_gpu_offers", "price_bounds")] == {"quarantined_rows": 0}
    tokens = by_name[("core.llm__daily_token_prices", "token_prices_summary")]
    assert tokens["row_count"] > 0 and tokens["min_usd_per_million_output"] >= 0
    queue = by_name[("core.power__interconnection_queue_projects", "queue_summary")]
    assert queue["row_count"] > 0 and queue["capacity_mw"] > 0
