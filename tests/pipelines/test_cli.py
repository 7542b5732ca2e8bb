"""The CLI on the demo archive: refresh --replay, status, query, export, sources, ingest, errors."""

import json

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE, FIXTURES

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "data"
    result = runner.invoke(app, ["refresh", "--replay", str(DEMO_ARCHIVE), "--date",
                                 str(DEMO_DATE), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    return data


def test_refresh_prints_progress_and_summary(data_dir):
    result = runner.invoke(app, ["refresh", "--replay", str(DEMO_ARCHIVE), "--date",
                                 str(DEMO_DATE), "--data-dir", str(data_dir), "-s", "openrouter"])
    assert result.exit_code == 0, result.output
    assert "✓ openrouter 2026-11-20 (replay)" in result.output
    assert "refresh cli-" in result.output


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
    assert bad.exit_code == 1 and "no table" in bad.output


def test_status_lists_every_source(data_dir):
    result = runner.invoke(app, ["status", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    for name in ("azure_retail", "runpod", "openrouter"):
        assert name in result.output


def test_sources_json():
    result = runner.invoke(app, ["sources", "--json"])
    listed = json.loads(result.output)
    assert {s["name"] for s in listed} == set(SOURCES)
    families = [s["family"] for s in listed]
    assert families.count("gpu_prices") >= 15 and families.count("token_prices") >= 3


def test_ingest_then_query_sees_the_data(tmp_path):
    data = tmp_path / "data"
    payload = next((FIXTURES / "openrouter").glob("*.json"))
    result = runner.invoke(app, ["ingest", "openrouter", str(payload), "--as-of", "2026-11-18",
                                 "--data-dir", str(data)])
    # only one source ran, so the GPU tables are empty: that is a warning, not a failure
    assert "✓ openrouter 2026-11-18 (file)" in result.output, result.output
    query = runner.invoke(app, ["query", "SELECT count(*) AS n FROM core.llm__daily_token_prices "
                                "WHERE observation_date = '2026-11-18'", "--format", "json",
                                "--data-dir", str(data)])
    assert json.loads(query.output)[0]["n"] > 0


def test_unknown_source_and_bad_date_exit_nonzero(tmp_path):
    result = runner.invoke(app, ["refresh", "-s", "nope", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "unknown source 'nope'" in result.output
    result = runner.invoke(app, ["refresh", "--date", "2026-13-01", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "not a date" in result.output
    result = runner.invoke(app, ["refresh", "--replay", str(tmp_path), "--data-dir",
                                 str(tmp_path)])
    assert result.exit_code == 1 and "not a raw archive" in result.output
