"""Dagster wiring: every source has its own fetch and parse assets, cadence partitions and a
freshness check; automation is on by default; lineage comes from the SQL; one asset launches
alone; a fetch archives while another process holds the warehouse's write lock."""

import multiprocessing
import time

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.defs.cadence import PLANS
from pipelines.defs.derived import domain_asset
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.sources import source_assets
from pipelines.defs.tables import table_key
from sources.archive import RawArchive
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE
from warehouse.build import PRICES
from warehouse.connection import WarehouseLockedError, WarehouseSettings
from warehouse.lineage import upstream

DEFS = defs()
GRAPH = DEFS.resolve_asset_graph()


def test_every_source_has_fetch_and_parse_assets_partitioned_by_its_cadence():
    for source in SOURCES.values():
        fetch = GRAPH.get(dg.AssetKey(["archive", source.name]))
        parse = GRAPH.get(table_key(source.raw_table))
        assert parse.parent_keys == {fetch.key}
        assert fetch.partitions_def == PLANS[source.cadence].partitions
        assert parse.partitions_def == PLANS[source.cadence].partitions
        assert fetch.automation_condition is not None and parse.automation_condition is not None


def test_reference_tables_are_unpartitioned_and_derived_tables_follow_their_sql():
    assert GRAPH.get(table_key("core.gpu__entity_models")).partitions_def is None
    for name in PRICES.tables:
        node = GRAPH.get(table_key(name))
        assert node.parent_keys == {table_key(d) for d in upstream(name)}, name
        assert node.partitions_def == PLANS["daily"].partitions


def test_freshness_checks_and_automation_are_on_by_default():
    checks = {key.asset_key for key in DEFS.resolve_asset_graph().asset_check_keys}
    for source in SOURCES.values():
        assert table_key(source.raw_table) in checks, source.name
    sensors = {s.name: s for s in DEFS.sensors}
    assert sensors["automation"].default_status == dg.DefaultSensorStatus.RUNNING
    freshness = [s for name, s in sensors.items() if "freshness" in name]
    assert freshness and freshness[0].default_status == dg.DefaultSensorStatus.RUNNING
    dg.Definitions.validate_loadable(DEFS)


def test_one_parse_asset_launches_alone_from_the_archive(tmp_path):
    data = tmp_path / "data"
    source = SOURCES["openrouter"]
    archive = RawArchive(data / "raw")
    demo = RawArchive(DEMO_ARCHIVE)
    for entry in demo.entries("openrouter"):
        archive.store_bytes(entry, demo.snapshot(entry).body)
    _, parse = source_assets(source)
    result = dg.materialize([parse], partition_key=str(DEMO_DATE),
                            resources={"warehouse": WarehouseResource(data_dir=str(data))})
    assert result.success
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["dagster/row_count"].value > 0


def test_a_subset_of_derived_tables_launches_alone(tmp_path):
    data = tmp_path / "data"
    result = dg.materialize(
        [domain_asset(PRICES)], partition_key=str(DEMO_DATE),
        selection=[table_key("core.llm__daily_token_prices")],
        resources={"warehouse": WarehouseResource(data_dir=str(data))})
    assert result.success
    keys = {e.asset_key for e in result.get_asset_materialization_events()}
    assert keys == {table_key("core.llm__daily_token_prices")}


def _hold_lock(database: str, ready, release) -> None:
    con = duckdb.connect(database)
    con.execute("CREATE TABLE IF NOT EXISTS held (x INT)")
    ready.set()
    release.wait(60)
    con.close()


def test_fetch_archives_while_another_process_holds_the_write_lock(tmp_path):
    data = tmp_path / "data"
    settings = WarehouseSettings.from_env(data)
    settings.data_dir.mkdir(parents=True)
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(settings.database, ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        fetch, _ = source_assets(SOURCES["runpod"])
        started = time.monotonic()
        result = dg.materialize(
            [fetch], partition_key=str(DEMO_DATE),
            resources={"warehouse": WarehouseResource(data_dir=str(data))},
            run_config={"ops": {"archive__runpod": {"config": {
                "mode": "replay", "replay_dir": str(DEMO_ARCHIVE)}}}})
        assert result.success and time.monotonic() - started < 60
        assert RawArchive(settings.archive_dir).latest_fetch("runpod", DEMO_DATE)
        # what does need the lock says so in one line
        with pytest.raises(WarehouseLockedError, match="locked by another process"), \
                settings.connect():
            pass
    finally:
        release.set()
        holder.join(30)
