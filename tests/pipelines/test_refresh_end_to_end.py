"""End to end on recorded payloads, through the Dagster definitions the CLI runs: a replay
refresh fills every table and publishes; a broken source fails alone and keeps its payload; a
rerun is idempotent; backfills re-parse the newest fetch that parses."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines import runner
from pipelines.steps import fetch_source, parse_source, resolve_mode
from sources.archive import RawArchive
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE
from warehouse.connection import WarehouseSettings
from warehouse.schema import ensure_schema

# the price sources the demo archive records
ALL = [s for s in SOURCES.values() if s.cadence == "daily"]


@pytest.fixture
def settings(tmp_path):
    return WarehouseSettings.from_env(tmp_path / "data")


def _rows(settings, sql, params=()):
    with settings.connect(read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _published(settings, sql):
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    settings = WarehouseSettings.from_env(tmp_path_factory.mktemp("e2e") / "data")
    report = runner.refresh(settings, ALL, [DEMO_DATE], mode="replay", replay_dir=DEMO_ARCHIVE)
    return settings, report


def test_replay_refresh_fills_every_table_and_numbers_trace_to_payloads(refreshed):
    settings, report = refreshed
    assert report.ok, report
    [prices] = report.domains
    for name in ("core.cloud__daily_gpu_offers", "core.llm__daily_token_prices",
                 "out.gpu__daily_price_index", "out.llm__daily_cost_per_1k_tokens"):
        assert prices.table_rows[name] > 0, name
    shas = {r[0] for r in _rows(settings, "SELECT DISTINCT snapshot_sha256 "
                                          "FROM core.cloud__daily_gpu_offers")}
    archived = {e.sha256 for e in RawArchive(settings.archive_dir).entries()}
    assert shas and shas <= archived
    [(low, providers)] = _published(
        settings, "SELECT min_usd_per_gpu_hour, n_providers FROM out.gpu__daily_price_index "
                  "WHERE gpu_model = 'h100-sxm-80gb' AND price_type = 'on_demand'")
    assert low > 0 and providers >= 2  # the index spans providers
    modes = {r[0] for r in _rows(settings, "SELECT DISTINCT mode FROM "
                                           "core.pipeline__events_source_runs "
                                           "WHERE status = 'success'")}
    assert modes == {"replay"}
    log = RawArchive(settings.archive_dir).fetch_log()
    assert sorted(r["status"] for r in log) == ["started"] * len(ALL) + ["success"] * len(ALL)


def test_a_rerun_keeps_core_rows_identical_and_records_new_assumptions(refreshed):
    settings, _ = refreshed
    tables = ("core.cloud__daily_gpu_offers", "out.gpu__daily_price_index")
    before = {t: _published(settings, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    report = runner.refresh(settings, ALL, [DEMO_DATE], mode="replay",
                            replay_dir=DEMO_ARCHIVE,
                            assumptions={"precisions": ["fp8"],
                                         "effective_tflop_utilization": 0.3})
    assert report.ok
    assert {t: _published(settings, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
    assert _published(settings, "SELECT DISTINCT precision FROM "
                                "out.llm__daily_cost_per_1k_tokens") == [("fp8",)]
    assert _published(settings, "SELECT DISTINCT utilization FROM "
                                "out.gpu__daily_usd_per_effective_tflop") == [(0.3,)]


def test_a_broken_source_fails_alone_and_keeps_its_payload(settings, tmp_path):
    # a replay archive whose openrouter answer is an HTML error page
    broken = tmp_path / "broken"
    archive = RawArchive(DEMO_ARCHIVE)
    target = RawArchive(broken)
    for entry in archive.entries():
        body = archive.snapshot(entry).body
        if entry.source == "openrouter":
            body = b"<!doctype html><html><body>Bad gateway</body></html>"
        target.store_bytes(entry, body)
    report = runner.refresh(settings, ALL, [DEMO_DATE], mode="replay", replay_dir=broken)
    failed = {s.source: s.error for s in report.failed_sources}
    assert set(failed) == {"openrouter"} and "HTML page" in failed["openrouter"]
    assert report.published is not None  # the others were built and published
    assert _rows(settings, "SELECT count(*) FROM core.cloud__daily_gpu_offers")[0][0] > 0
    kept = [e for e in RawArchive(settings.archive_dir).entries("openrouter")]
    assert kept and RawArchive(settings.archive_dir).snapshot(kept[0]).body.startswith(b"<!doc")
    statuses = [r[0] for r in _rows(settings, "SELECT status FROM "
                                              "core.pipeline__events_source_runs WHERE "
                                              "source = 'openrouter' ORDER BY started_datetime, "
                                              "status DESC")]
    assert statuses == ["started", "failed"]


def test_backfill_reparses_the_newest_fetch_that_parses_and_says_what_it_skipped(settings):
    archive = RawArchive(settings.archive_dir)
    fetch_source(archive, SOURCES["openrouter"], DEMO_DATE, "replay", replay_dir=DEMO_ARCHIVE)
    # a newer openrouter fetch of the same day that does not parse
    [good] = archive.entries("openrouter")
    bad = type(good)(**{**good.__dict__, "fetch_id": "newer0broken",
                        "fetched_at": good.fetched_at.replace(hour=23)})
    archive.store_bytes(bad, b'{"data": "not a list"}')
    report = runner.refresh(settings, [SOURCES["openrouter"]], [DEMO_DATE], mode="archive")
    [outcome] = report.sources
    assert outcome.status == "success" and outcome.mode == "archive"
    assert "newer0broken" in (outcome.skipped_fetches or "")
    assert report.ok


def test_a_past_day_with_nothing_archived_fails_with_a_clear_message(settings):
    with settings.connect() as con:
        ensure_schema(con)
        outcome = parse_source(con, RawArchive(settings.archive_dir), SOURCES["runpod"],
                               date(2026, 11, 1), run_id="test")
    assert outcome.status == "failed"
    assert "holds no complete fetch for 2026-11-01" in outcome.error
    assert resolve_mode("auto", SOURCES["runpod"], date(2026, 11, 1)) == "archive"


CRASH = """
import os, sys
from datetime import date
from dataclasses import replace
from pipelines.steps import parse_source
from sources.archive import RawArchive
from sources.registry import SOURCES
from warehouse.connection import WarehouseSettings
from warehouse.schema import ensure_schema

def die(snapshots):
    os._exit(3)  # the process dies mid-parse: no exception, no cleanup

settings = WarehouseSettings.from_env(sys.argv[1])
with settings.connect() as con:
    ensure_schema(con)
    parse_source(con, RawArchive(settings.archive_dir), replace(SOURCES["runpod"], parse=die),
                 date(2026, 11, 20), run_id="crashing-run")
"""


def test_a_crash_mid_run_leaves_a_run_log_row_saying_so(settings, tmp_path):
    import subprocess
    import sys

    from typer.testing import CliRunner

    from pipelines.cli import app

    archive = RawArchive(settings.archive_dir)
    fetch_source(archive, SOURCES["runpod"], DEMO_DATE, "replay", replay_dir=DEMO_ARCHIVE)
    script = tmp_path / "crash.py"
    script.write_text(CRASH)
    died = subprocess.run([sys.executable, str(script), str(settings.data_dir)],
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert died.returncode == 3
    rows = _rows(settings, "SELECT run_id, status, finished_datetime FROM "
                           "core.pipeline__events_source_runs")
    assert rows == [("crashing-run", "started", None)]
    status = CliRunner().invoke(app, ["status", "--data-dir", str(settings.data_dir)])
    assert status.exit_code == 0 and "crashed" in status.output
