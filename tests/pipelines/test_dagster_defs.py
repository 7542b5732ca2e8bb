"""Dagster wiring: definitions load, the schedule is on by default, and the refresh asset
materializes on the demo archive with its checks."""

import dagster as dg
import duckdb

from pipelines.definitions import defs
from pipelines.defs.daily_refresh import daily_refresh
from pipelines.defs.resources import WarehouseResource
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE


def test_definitions_load_with_assets_checks_and_schedule():
    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    keys = {k.to_user_string() for k in definitions.resolve_all_asset_keys()}
    assert {"raw/azure_retail__gpu_prices", "core/cloud__daily_gpu_offers",
            "out/gpu__daily_price_index", "published/snapshot"} <= keys
    schedule = definitions.resolve_schedule_def("daily_refresh_job_schedule")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "0 6 * * *"


def test_materialize_on_the_demo_archive(tmp_path):
    result = dg.materialize(
        [daily_refresh],
        partition_key=str(DEMO_DATE),
        resources={"warehouse": WarehouseResource(data_dir=str(tmp_path / "data"))},
        run_config={"ops": {"daily_refresh": {"config": {
            "mode": "replay", "replay_dir": str(DEMO_ARCHIVE),
            "estimation_assumptions": {"precisions": ["fp8"],
                                       "effective_tflop_utilization": 0.3}}}}},
    )
    assert result.success
    events = result.get_asset_materialization_events()
    materialized = {e.asset_key.to_user_string() for e in events}
    assert {"raw/runpod__gpu_prices", "out/gpu__daily_price_index",
            "published/snapshot"} <= materialized
    checks = {(c.asset_key.to_user_string(), c.check_name): c.passed
              for c in result.get_asset_check_evaluations()}
    assert checks[("raw/openrouter__models", "fetch_succeeded")] is True
    assert checks[("core/cloud__daily_gpu_offers", "price_bounds")] is True
    # the run's assumptions are stored in the rows they produced
    con = duckdb.connect(str(tmp_path / "data" / "published" / "compute_atlas.duckdb"),
                         read_only=True)
    assert con.execute("SELECT DISTINCT precision FROM out.llm__daily_cost_per_1k_tokens"
                       ).fetchall() == [("fp8",)]
    assert con.execute("SELECT DISTINCT utilization FROM out.gpu__daily_usd_per_effective_tflop"
                       ).fetchall() == [(0.3,)]
    con.close()


def test_failing_sources_fail_the_run_visibly(tmp_path):
    empty_archive = tmp_path / "empty"
    empty_archive.mkdir()
    (empty_archive / "manifest.jsonl").write_text("")
    result = dg.materialize(
        [daily_refresh],
        partition_key=str(DEMO_DATE),
        resources={"warehouse": WarehouseResource(data_dir=str(tmp_path / "data"))},
        run_config={"ops": {"daily_refresh": {"config": {
            "mode": "replay", "replay_dir": str(empty_archive)}}}},
        raise_on_error=False,
    )
    assert not result.success
    checks = {(c.asset_key.to_user_string(), c.check_name): c.passed
              for c in result.get_asset_check_evaluations()}
    assert checks[("raw/azure_retail__gpu_prices", "fetch_succeeded")] is False
