"""The CLI on the demo archive: refresh --replay, status, query, export, sources, ingest, errors."""

import json
import multiprocessing

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from sources.archive import RawArchive
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE, FIXTURES
from tests.pipelines.test_dagster_defs import _hold_lock

runner = CliRunner()


@pytest.fixture(scope="module")
def refreshed(demo_warehouse):
    return demo_warehouse


@pytest.fixture(scope="module")
def data_dir(refreshed):
    return refreshed[0]


def test_refresh_prints_progress_and_summary(refreshed):
    _, output = refreshed
    assert "✓ openrouter 2026-11-20 (replay)" in output
    assert "published" in output and "dagster runs:" in output


def test_the_cli_run_is_in_dagsters_run_history(refreshed, dagster_home):
    import dagster as dg
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"compute_atlas/origin": "cli"}))
    assert len(runs) >= 2


def test_a_locked_warehouse_is_one_line_and_exit_1(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(data / "warehouse.duckdb"), ready, release))
    holder.start()
    try:
        assert ready.wait(60)
        result = runner.invoke(app, ["refresh", "--replay", str(DEMO_ARCHIVE), "--date",
                                     str(DEMO_DATE), "--data-dir", str(data)])
    finally:
        release.set()
        holder.join(30)
    assert result.exit_code == 1
    assert "error:" in result.output and "locked by another process" in result.output
    assert "Traceback" not in result.output


def test_query_truncates_long_values_in_the_terminal(data_dir):
    sql = "SELECT repeat('x', 100000) AS long_text"
    result = runner.invoke(app, ["query", sql, "--format", "table", "--data-dir", str(data_dir)])
    assert result.exit_code == 0 and "100,000 characters" in result.output
    assert len(result.output) < 5000
    full = runner.invoke(app, ["query", sql, "--format", "csv", "--data-dir", str(data_dir)])
    assert len(full.output) > 100_000


def test_query_formats(data_dir):
    sql = "SELECT gpu_model, n_offers FROM out.gpu__daily_price_index ORDER BY 1, 2 LIMIT 3"
    as_json = runner.invoke(app, ["query", sql, "--format", "json", "--data-dir", str(data_dir)])
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.output)
    assert len(rows) == 3 and set(rows[0]) == {"gpu_model", "n_offers"}
    as_csv = runner.invoke(app, ["query", sql, "--format", "csv", "--data-dir", str(data_dir)])
    assert as_csv.output.splitlines()[0] == "gpu_model,n_offers"


def test_query_error_is_a_message_not_a_traceback(data_dir):
    result = runner.invoke(app, ["query", "SELECT * FROM nope", "--data-dir", str(data_dir)])
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output


def test_export_csv_and_parquet(data_dir, tmp_path):
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"index.{fmt}"
        result = runner.invoke(app, ["export", "out.gpu__daily_price_index", "--format", fmt,
                                     "--out", str(out), "--data-dir", str(data_dir)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    bad = runner.invoke(app, ["export", "out.nope", "--data-dir", str(data_dir)])
    assert bad.exit_code == 1 and "unknown table 'out.nope'" in bad.output


def test_status_lists_every_source(data_dir):
    result = runner.invoke(app, ["status", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    for name in ("azure_retail", "runpod", "openrouter"):
        assert name in result.output


def test_sources_json():
    result = runner.invoke(app, ["sources", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == list(SOURCES)
    assert {r["cadence"] for r in rows if r["family"] == "buildout"} == {"monthly"}
    assert all(r["urls"] and r["terms"] for r in rows)
    families = [r["family"] for r in rows]
    assert families.count("gpu_prices") >= 15 and families.count("token_prices") >= 3


def test_ingest_then_query_sees_the_data(tmp_path):
    data = tmp_path / "data"
    payload = next((FIXTURES / "openrouter").glob("*.json"))
    result = runner.invoke(app, ["ingest", "openrouter", str(payload), "--as-of", "2026-11-18",
                                 "--data-dir", str(data)])
    # only one source ran, so the GPU tables are empty: that is a warning, not a failure
    assert result.exit_code == 0, result.output
    assert "✓ openrouter 2026-11-18 (file)" in result.output
    query = runner.invoke(app, ["query", "SELECT count(*) AS n FROM core.llm__daily_token_prices "
                                "WHERE observation_date = '2026-11-18'", "--format", "json",
                                "--data-dir", str(data)])
    assert query.exit_code == 0 and json.loads(query.output)[0]["n"] == 7


def test_ingest_refuses_a_missing_file_and_a_file_over_the_cap(tmp_path, monkeypatch):
    missing = runner.invoke(app, ["ingest", "openrouter", str(tmp_path / "nope.json"),
                                  "--as-of", "2026-11-18", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1 and "no such file" in missing.output
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    from dataclasses import replace

    from sources import registry
    monkeypatch.setitem(registry.SOURCES, "openrouter",
                        replace(registry.SOURCES["openrouter"], max_response_bytes=1024))
    over = runner.invoke(app, ["ingest", "openrouter", str(big), "--as-of", "2026-11-18",
                               "--data-dir", str(tmp_path)])
    assert over.exit_code == 1 and "over the source's 1,024 byte cap" in over.output
    assert "Traceback" not in over.output


def test_unknown_source_and_bad_date_exit_nonzero(tmp_path):
    result = runner.invoke(app, ["refresh", "-s", "nope", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "unknown source 'nope'" in result.output
    result = runner.invoke(app, ["refresh", "--date", "2026-13-01", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "not a date" in result.output
    result = runner.invoke(app, ["refresh", "--replay", str(tmp_path), "--data-dir",
                                 str(tmp_path)])
    assert result.exit_code == 1 and "not a raw archive" in result.output


def test_ingest_files_a_monthly_report_under_its_month_and_builds_the_power_tables(tmp_path):
    data = tmp_path / "data"
    report = FIXTURES / "ercot_gis" / "gis_report_2018-12_cut.xlsx"
    result = runner.invoke(app, ["ingest", "ercot_gis", str(report), "--as-of", "2019-04-17",
                                 "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "✓ ercot_gis 2019-04-01 (file)" in result.output
    query = runner.invoke(app, ["query", "SELECT report_month, iso, count(*) AS n, "
                                "sum(capacity_mw) AS mw FROM "
                                "core.power__interconnection_queue_projects GROUP BY ALL",
                                "--format", "json", "--data-dir", str(data)])
    [row] = json.loads(query.output)
    assert row["report_month"].startswith("2019-04-01") and row["iso"] == "ERCOT"
    assert row["n"] > 0 and row["mw"] > 0


def test_import_history_files_backfill_offers_that_the_index_can_tell_apart(tmp_path):
    data = tmp_path / "data"
    catalog = FIXTURES / "history" / "skypilot_runpod_v8_layout.csv"
    result = runner.invoke(app, ["import-history", "skypilot", str(catalog), "--as-of",
                                 "2021-06-01", "--cloud", "runpod", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "imported 6 offers (skypilot, 1 days: 2021-06-01 to 2021-06-01)" in result.output
    query = runner.invoke(app, ["query", "SELECT is_backfill, origin, provider, count(*) AS n, "
                                "count(gpu_model) AS mapped FROM core.cloud__daily_gpu_offers "
                                "GROUP BY ALL", "--format", "json", "--data-dir", str(data)])
    assert json.loads(query.output) == [{"is_backfill": True, "origin": "skypilot",
                                         "provider": "runpod", "n": 6, "mapped": 6}]
    archived = RawArchive(data / "raw").entries("history_skypilot")
    assert len(archived) == 1 and archived[0].url == f"file:{catalog.name}"
    # another cloud's catalog of the same day adds to the day; it does not replace runpod's
    other = runner.invoke(app, ["import-history", "skypilot", str(catalog), "--as-of",
                                "2021-06-01", "--cloud", "lambda", "--data-dir", str(data)])
    assert other.exit_code == 0, other.output
    query = runner.invoke(app, ["query", "SELECT provider, count(*) AS n FROM "
                                "core.cloud__daily_gpu_offers GROUP BY ALL ORDER BY provider",
                                "--format", "json", "--data-dir", str(data)])
    assert json.loads(query.output) == [{"provider": "lambda", "n": 6},
                                        {"provider": "runpod", "n": 6}]
    unknown = runner.invoke(app, ["import-history", "nope", str(catalog), "--as-of",
                                  "2021-06-01", "--data-dir", str(data)])
    assert unknown.exit_code == 1 and "unknown history format 'nope'" in unknown.output


def test_query_prints_null_as_empty_not_nan(data_dir):
    result = runner.invoke(app, ["query", "SELECT NULL::VARCHAR AS a, NULL::DOUBLE AS b, "
                                 "NULL::DATE AS c, 1 AS d", "--format", "table",
                                 "--data-dir", str(data_dir)])
    assert result.exit_code == 0
    assert "nan" not in result.output.lower() and "NaT" not in result.output


def test_a_day_before_the_first_partition_is_one_line_and_the_payload_is_kept(tmp_path):
    data = tmp_path / "data"
    report = FIXTURES / "ercot_gis" / "gis_report_2018-12_cut.xlsx"
    result = runner.invoke(app, ["ingest", "ercot_gis", str(report), "--as-of", "2012-03-01",
                                 "--data-dir", str(data)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no monthly partition 2012-03-01: partitions run from 2015-07-01" in result.output
    assert RawArchive(data / "raw").entries("ercot_gis")


def test_a_failing_source_is_one_line_without_a_stack_trace(tmp_path):
    archive = RawArchive(tmp_path / "only_openrouter")
    demo = RawArchive(DEMO_ARCHIVE)
    for entry in demo.entries("openrouter"):
        archive.store_bytes(entry, demo.snapshot(entry).body)
    result = runner.invoke(app, ["refresh", "--replay", str(archive.root), "--date",
                                 str(DEMO_DATE), "-s", "openrouter", "-s", "runpod",
                                 "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert "✓ openrouter" in result.output
    assert "✗ runpod 2026-11-20: replay archive" in result.output
    assert "Traceback" not in result.output and "Stack Trace" not in result.output
