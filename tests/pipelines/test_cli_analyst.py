"""The analyst's commands on the demo warehouse: gpus, query output (formats, display,
streaming), export flags, estimate --provider, status labels, unknown names, and what the fast
commands import."""

import json
import subprocess
import sys
import textwrap
from datetime import date

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cli_output import display_cell, display_number
from pipelines.cli_status import freshness_label
from sources.registry import SOURCES
from tests.conftest import REPO

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(demo_warehouse):
    return demo_warehouse[0]


def _run(data_dir, *args):
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)])


def _json(data_dir, *args):
    result = _run(data_dir, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_gpus_is_one_row_per_gpu_with_the_cheapest_offer_and_where(data_dir):
    rows = {r["gpu_model"]: r for r in _json(data_dir, "gpus")}
    h100 = rows["h100-sxm-80gb"]
    assert h100["observation_date"] == "2026-11-20"
    assert h100["cheapest_usd_per_gpu_hour"] == pytest.approx(0.3351111)
    assert (h100["cheapest_provider"], h100["cheapest_region"],
            h100["cheapest_price_type"]) == ("vast", "Taiwan, TW", "spot")
    assert h100["n_offers"] == 45 and h100["n_providers"] == 14
    assert h100["cheapest_usd_per_gpu_hour"] <= h100["median_usd_per_gpu_hour"]
    assert h100["gpu_memory_gb"] == 80  # the GPU's figure, not a provider's 85.5
    with duckdb.connect(str(data_dir / "published" / "compute_atlas.duckdb"),
                        read_only=True) as con:
        mapped = con.execute("SELECT count(DISTINCT gpu_model), count(gpu_model) "
                             "FROM core.cloud__daily_gpu_offers").fetchone()
    assert len(rows) == mapped[0] and sum(r["n_offers"] for r in rows.values()) == mapped[1]


def test_gpus_filters_narrow_the_offers(data_dir):
    rows = _json(data_dir, "gpus", "--price-type", "on_demand", "--min-memory-gb", "80",
                 "--max-usd-per-gpu-hour", "3", "--region", "US")
    assert rows and all(r["cheapest_price_type"] == "on_demand" for r in rows)
    assert all(r["gpu_memory_gb"] >= 80 and r["cheapest_usd_per_gpu_hour"] <= 3 for r in rows)
    assert all("us" in r["cheapest_region"].lower() for r in rows)
    azure = _json(data_dir, "gpus", "--provider", "azure")
    assert azure and {r["cheapest_provider"] for r in azure} == {"azure"}


def test_gpus_with_a_gpu_alias_lists_every_offer_cheapest_first(data_dir):
    offers = _json(data_dir, "gpus", "--gpu", "NVIDIA H100", "--provider", "runpod")
    prices = [o["usd_per_gpu_hour"] for o in offers]
    assert len(offers) == 6 and prices == sorted(prices) and prices[0] == 1.5
    assert {o["price_type"] for o in offers} == {"spot", "reserved", "marketplace",
                                                 "on_demand"}
    table = _run(data_dir, "gpus", "--gpu", "h100 sxm", "--price-type", "on_demand")
    assert table.exit_code == 0, table.output
    assert "h100-sxm-80gb offers on 2026-11-20" in table.output
    assert "2.99" in table.output and "2.9900" not in table.output


def test_gpus_unknown_names_list_the_closest(data_dir):
    cases = {("--gpu", "H1000"): "candidates: a100-sxm-80gb",
             ("--provider", "azur"): "closest: azure",
             ("--price-type", "ondemand"): "closest: on_demand"}
    for args, expected in cases.items():
        result = _run(data_dir, "gpus", *args)
        assert result.exit_code == 1 and expected in result.output, result.output
        assert "Traceback" not in result.output
    day = _run(data_dir, "gpus", "--date", "2026-11-19")
    assert day.exit_code == 1 and "the newest observation date is 2026-11-20" in day.output
    none = _run(data_dir, "gpus", "--max-usd-per-gpu-hour", "0.01")
    assert none.exit_code == 0 and "no offers on 2026-11-20 match" in none.output


def test_query_writes_csv_when_piped_and_a_table_when_asked(data_dir):
    sql = ("SELECT DATE '2026-11-20' AS day, 4::BIGINT AS gpus, NULL::BIGINT AS missing, "
           "0.8899999::DOUBLE AS price, 8.0::DOUBLE AS gpu_count")
    piped = _run(data_dir, "query", sql)
    assert piped.exit_code == 0
    assert piped.output.splitlines() == ["day,gpus,missing,price,gpu_count",
                                         "2026-11-20,4,,0.8899999,8.0"]
    table = _run(data_dir, "query", sql, "--format", "table")
    cells = [c.strip() for c in table.output.splitlines()[3].split("│")[1:-1]]
    assert cells == ["2026-11-20", "4", "", "0.89", "8"]
    as_json = json.loads(_run(data_dir, "query", sql, "--format", "json").output)
    assert as_json == [{"day": "2026-11-20", "gpus": 4, "missing": None, "price": 0.8899999,
                        "gpu_count": 8.0}]


def test_query_table_shows_the_first_rows_and_says_how_many_there_are(data_dir):
    result = _run(data_dir, "query", "SELECT range AS i FROM range(250)", "--format", "table")
    assert result.exit_code == 0
    assert "100 of 250 rows shown" in result.output and "│ 99 │" in result.output
    assert "│ 100 │" not in result.output


def test_query_streams_every_row_of_a_large_result(data_dir):
    sql = "SELECT c.* FROM out.llm__daily_cost_per_1k_tokens AS c, range(4) LIMIT 100000"
    result = _run(data_dir, "query", sql, "--format", "csv")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 100_001


def test_piped_tables_are_as_wide_as_their_content(data_dir):
    result = _run(data_dir, "query", "SELECT * FROM out.gpu__daily_price_index LIMIT 3",
                  "--format", "table")
    header = result.output.splitlines()[1]
    for column in ("observation_date", "median_usd_per_gpu_hour", "n_providers"):
        assert column in header  # not folded or cut at the terminal's 80 or 200 columns


def test_display_rounds_floats_and_keeps_dates_and_integers():
    assert display_number(0.8899999) == "0.89" and display_number(4.0) == "4"
    assert display_number(1.2e-05) == "1.2e-05" and display_number(31320.123456) == "31320.1235"
    assert display_number(-0.0) == "0" and display_number(float("nan")) == "nan"
    assert display_cell(date(2026, 11, 20)) == "2026-11-20" and display_cell(None) == ""
    assert display_cell(True) == "true" and display_cell(7) == "7"


def test_export_flags_select_rows_and_columns(data_dir, tmp_path):
    out = tmp_path / "azure.csv"
    result = _run(data_dir, "export", "core.cloud__daily_gpu_offers", "--columns",
                  "observation_date,provider,usd_per_gpu_hour", "--where", "provider = 'azure'",
                  "--since", "2026-11-20", "--until", "2026-11-20", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "observation_date,provider,usd_per_gpu_hour"
    assert len(lines) > 1 and all(",azure," in line for line in lines[1:])
    assert f"{len(lines) - 1} rows" in result.output
    later = _run(data_dir, "export", "core.cloud__daily_gpu_offers", "--since", "2026-11-21",
                 "--out", str(tmp_path / "none.csv"))
    assert later.exit_code == 0 and ": 0 rows" in later.output


def test_export_by_month_and_the_quarantine_and_the_rejects(data_dir, tmp_path):
    monthly = _run(data_dir, "export", "out.gpu__daily_price_index", "--format", "parquet",
                   "--by-month", "--out", str(tmp_path / "index"))
    assert monthly.exit_code == 0, monthly.output
    assert [p.name for p in (tmp_path / "index").iterdir()] == ["month=2026-11"]
    quarantine = _run(data_dir, "export", "core.pipeline__quarantined_rows", "--out",
                      str(tmp_path / "q.csv"))
    assert quarantine.exit_code == 0, quarantine.output
    assert (tmp_path / "q.csv").read_text().startswith("table_name,partition_date,check_name")
    rejects = _run(data_dir, "export", "raw.source__rejects", "--out", str(tmp_path / "r.csv"))
    assert rejects.exit_code == 0, rejects.output
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM raw.source__rejects").fetchone()[0]
    assert n > 0 and f"{n:,} rows" in rejects.output


def test_export_errors_are_one_line_with_candidates(data_dir, tmp_path):
    cases = {("core.cloud_gpu_offers",): "closest: core.cloud__daily_gpu_offers",
             ("core.cloud__daily_gpu_offers", "--columns", "gpu_modl"): "closest: gpu_model",
             ("core.gpu__entity_models", "--since", "2026-01-01"): "no date column",
             ("core.cloud__daily_gpu_offers", "--where", "nope = 1"): "nope",
             ("core.cloud__daily_gpu_offers", "--since", "2026-13-01"): "not a date",
             ("out.gpu__daily_price_index", "--by-month"): "need --format parquet"}
    for args, expected in cases.items():
        result = _run(data_dir, "export", *args, "--out", str(tmp_path / "x"))
        assert result.exit_code == 1 and expected in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_estimate_takes_the_newest_price_at_a_provider(data_dir):
    out = _json(data_dir, "estimate", "inference", "--model", "Llama 3.1 70B", "--gpu", "H100",
                "--provider", "runpod")
    assert out["usd_per_gpu_hour"] == 2.99  # RunPod's on-demand H100, not its spot price
    assert out["price_source"] == {"provider": "runpod", "observation_date": "2026-11-20",
                                   "region": "global", "price_type": "on_demand",
                                   "sku": "NVIDIA H100 80GB HBM3 (secure cloud)",
                                   "usd_per_gpu_hour": 2.99}
    assert out["usd_per_1k_output_tokens"] > 0
    training = _json(data_dir, "estimate", "training", "--params", "7e9", "--tokens", "1e9",
                     "--gpu", "H100", "--provider", "runpod")
    assert training["usd_per_gpu_hour"] == 2.99 and training["usd"] > 0


def test_estimate_provider_errors(data_dir):
    base = ("estimate", "inference", "--model", "Llama 3.1 70B")
    cases = {("--gpu", "H100", "--provider", "runpd"): "closest: runpod",
             ("--gpu", "B300", "--provider", "runpod"): "providers that have one: none",
             ("--provider", "runpod"): "--provider needs --gpu",
             ("--gpu", "H100", "--provider", "runpod", "--usd-per-gpu-hour", "2"): "not both"}
    for args, expected in cases.items():
        result = _run(data_dir, *base, *args)
        assert result.exit_code == 1 and expected in result.output, (args, result.output)


def test_status_labels_freshness_against_the_cadence(data_dir):
    result = _run(data_dir, "status")
    assert result.exit_code == 0, result.output
    for label in ("expected by now", "freshness", "newest partition", "a partition is due"):
        assert label in result.output
    daily, monthly = SOURCES["runpod"], SOURCES["ercot_gis"]
    today = date(2026, 11, 25)
    assert freshness_label(daily, date(2026, 11, 24), today) == "[green]fresh[/]"
    assert freshness_label(daily, date(2026, 11, 20), today) == "[yellow]late: 4 days behind[/]"
    assert freshness_label(daily, None, today) == "[red]never collected[/]"
    assert freshness_label(monthly, date(2026, 10, 1), today) == "[green]fresh[/]"
    assert freshness_label(monthly, date(2026, 7, 1), date(2026, 12, 20)) == (
        "[yellow]late: 4 months behind[/]")  # expected: November


def test_refresh_and_ingest_list_the_closest_source(tmp_path):
    result = runner.invoke(app, ["refresh", "-s", "runpd", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "closest: runpod" in result.output
    result = runner.invoke(app, ["ingest", "ercot", str(tmp_path), "--as-of", "2026-11-01",
                                 "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "closest: ercot_gis" in result.output


def test_help_gpus_and_query_import_neither_pandas_nor_dagster(data_dir):
    script = textwrap.dedent(f"""
        import sys
        from pipelines.cli import app
        for args in (["--help"], ["gpus", "--help"], ["gpus"], ["query", "SELECT 1"]):
            try:
                app(args + ([] if "--help" in args else ["--data-dir", {str(data_dir)!r}]))
            except SystemExit as exit:
                assert exit.code in (0, None), (args, exit.code)
        heavy = ("pandas", "numpy", "dagster", "altair", "httpx", "pipelines.runner")
        print(sorted(m for m in heavy if m in sys.modules))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
