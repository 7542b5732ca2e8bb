"""The market report on the demo day plus two days of recorded history (so the price changes
section has real changes): `compute-atlas report` writes one HTML file and the CSV behind each
chart, states each chart's source tables and dates, shows the buildout sections only when their
tables are published, runs as a Dagster asset after the publish, and opens offline in a real
headless browser with every chart rendered."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from models.catalog import TABLES
from pipelines import steps
from pipelines.cli import app
from pipelines.definitions import defs
from pipelines.defs.cadence import PLANS
from pipelines.defs.derived import PUBLISHED_KEY
from pipelines.defs.report import REPORT_KEY, market_report
from pipelines.defs.resources import WarehouseResource
from sources.archive import RawArchive
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE, FIXTURES
from warehouse.build import PRICES, build_domain_partition
from warehouse.connection import WarehouseSettings
from warehouse.publish import publish_snapshot
from warehouse.reference import refresh_cached
from warehouse.report import REPORT_FILE, SECTIONS
from warehouse.schema import ensure_schema

runner = CliRunner()
PRICE_SECTIONS = ["price_index_history", "cheapest_offers", "usd_per_effective_tflop",
                  "token_prices", "price_changes"]
BUILDOUT_SECTIONS = ["buildout_mw_by_region_status", "gpus_hostable"]
MW_TABLE = "out.buildout__quarterly_mw_by_region_status"
GPUS_TABLE = "out.buildout__gpu_capacity_equivalent"
CHROMIUM = os.environ.get("COMPUTE_ATLAS_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """The demo day's live offers, and the cloud-gpus.com history of September and November
    2024 filed as the two days before and on it, built and published."""
    settings = WarehouseSettings.from_env(tmp_path_factory.mktemp("report") / "data")
    archive = RawArchive(settings.archive_dir)
    daily = [s for s in SOURCES.values() if s.cadence == "daily"]
    for source in daily:
        assert steps.fetch_source(archive, source, DEMO_DATE, "replay",
                                  replay_dir=DEMO_ARCHIVE).ok, source.name
    history = FIXTURES / "history"
    with settings.connect() as con:
        ensure_schema(con)
        refresh_cached(con)
        for source in daily:
            steps.parse_source(con, archive, source, DEMO_DATE, run_id="report")
        for day, name in ((DEMO_DATE - timedelta(days=2), "cloud_gpus_2024-09-30_trimmed.json"),
                          (DEMO_DATE, "cloud_gpus_2024-11-26_trimmed.json")):
            steps.import_history(con, archive, "cloud-gpus", history / name, day)
            build_domain_partition(con, PRICES, day, run_id="report")
        publish_snapshot(con, settings.published_path)
    return settings.data_dir


# The buildout rows the report must pick: the newest vintage (report month) on or before the
# report day, at its latest quarter on or before that day.
VINTAGE, QUARTER = "2026-10-01", "2026-07-01"
MW_ROWS = (  # report_month, quarter, state, iso, status, measure, source, mw, n_sites
    (VINTAGE, QUARTER, "TX", "ERCOT", "operational", "it_mw", "epoch_datacenters", 500, 5),
    (VINTAGE, QUARTER, "TX", "ERCOT", "permitting", "queued_load_mw", "ercot_gis", 1200, 3),
    (VINTAGE, QUARTER, None, "PJM", "permitting", "queued_load_mw", "pjm_queue", 900, 2),
    (VINTAGE, "2026-04-01", "TX", "ERCOT", "operational", "it_mw", "epoch_datacenters", 400, 4),
    (VINTAGE, "2027-01-01", "TX", "ERCOT", "permitting", "queued_load_mw", "ercot_gis", 9999, 9),
    ("2026-07-01", QUARTER, "TX", "ERCOT", "operational", "it_mw", "epoch_datacenters", 123, 1),
)
GPU_ROWS = (  # report_month, quarter, state, gpu_model, from IT MW (central, low, high),
    #           from facility MW (central, low, high)
    (VINTAGE, QUARTER, "TX", "h100-sxm-80gb", (300000, 250000, 350000), (200000, 150000, 220000)),
    (VINTAGE, QUARTER, "VA", "h100-sxm-80gb", (100000, 80000, 120000), (None, None, None)),
    (VINTAGE, QUARTER, "TX", "gb200-186gb", (90000, 70000, 110000), (None, None, None)),
    ("2026-07-01", QUARTER, "TX", "h100-sxm-80gb", (1, 1, 1), (1, 1, 1)),
)


def with_buildout(data_dir: Path, target: Path) -> Path:
    """A copy of the data directory whose snapshot also has the buildout tables (declared as
    the catalog declares them)."""
    shutil.copytree(data_dir / "published", target / "published")
    with duckdb.connect(str(target / "published" / "compute_atlas.duckdb")) as con:
        for name in (MW_TABLE, GPUS_TABLE):
            con.execute(f"DROP TABLE IF EXISTS {name}")
            con.execute(TABLES[name].create_sql())
        for month, quarter, state, iso, status, measure, source, mw, n in MW_ROWS:
            con.execute(f"INSERT INTO {MW_TABLE} BY NAME SELECT ?::DATE AS report_month, "
                        "?::DATE AS quarter, 'q' AS quarter_label, false AS is_projected, "
                        "? AS state, ? AS iso, ? AS status, ? AS measure, ? AS source, "
                        "? AS mw, ? AS n_sites, 0 AS n_sites_without_mw",
                        [month, quarter, state, iso, status, measure, source, mw, n])
        for month, quarter, state, gpu, it, facility in GPU_ROWS:
            con.execute(f"INSERT INTO {GPUS_TABLE} BY NAME SELECT ?::DATE AS report_month, "
                        "?::DATE AS quarter, 'q' AS quarter_label, false AS is_projected, "
                        "? AS state, ? AS gpu_model, 'compute_equivalent' AS estimate_kind, "
                        "1 AS n_sites, 0 AS n_sites_without_it_mw, "
                        "0 AS n_sites_without_facility_mw, 700 AS tdp_w, "
                        "1.82 AS overhead_factor, 1.82 AS overhead_factor_low, "
                        "1.98 AS overhead_factor_high, 1.3 AS pue, 1.2 AS pue_low, "
                        "1.4 AS pue_high, ? AS gpus_from_it_mw, ? AS gpus_from_it_mw_low, "
                        "? AS gpus_from_it_mw_high, ? AS gpus_from_facility_mw, "
                        "? AS gpus_from_facility_mw_low, ? AS gpus_from_facility_mw_high",
                        [month, quarter, state, gpu, *it, *facility])
    return target


def report(data_dir: Path, out: Path, *extra: str) -> str:
    result = runner.invoke(app, ["report", "--date", str(DEMO_DATE), "--data-dir",
                                 str(data_dir), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def charts(html: str) -> list[str]:
    return [s.slug for s in SECTIONS if f'id="chart-{s.slug}"' in html]


def test_every_price_chart_is_written_with_its_csv_sources_and_dates(data_dir, tmp_path):
    output = report(data_dir, tmp_path)
    html = (tmp_path / REPORT_FILE).read_text()
    assert charts(html) == PRICE_SECTIONS
    assert f"wrote {tmp_path / REPORT_FILE} (5 charts, 2 without)" in output
    for slug in BUILDOUT_SECTIONS:  # published but empty here: a note and an empty CSV
        assert f'id="note-{slug}"' in html
        assert pd.read_csv(tmp_path / f"{slug}.csv").empty
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    # every chart states its source tables and the dates of its data, in the SVG itself
    assert "Source: out.gpu__daily_price_changes · data: 2026-11-20" in html
    assert "Source: out.gpu__weekly_price_index · data: 2026-11-16" in html
    changes = pd.read_csv(tmp_path / "price_changes.csv")
    assert sorted(zip(changes["sku"], changes["change_percent"], strict=True)) == [
        ("Seeweb A100 80GB", -18.0328), ("Seeweb Quadro RTX 6000", -49.1803),
        ("Seeweb RTX A6000", 4.0), ("Vultr A100 80GB", -7.6923), ("Vultr A40", -8.0645)]
    assert set(changes["previous_observation_date"]) == {str(DEMO_DATE - timedelta(days=2))}
    cheapest = pd.read_csv(tmp_path / "cheapest_offers.csv")
    assert cheapest["gpu_model"].is_unique and len(cheapest) > 20
    with duckdb.connect(str(data_dir / "published" / "compute_atlas.duckdb"),
                        read_only=True) as con:
        h100 = con.execute("SELECT min(usd_per_gpu_hour) FROM core.cloud__daily_gpu_offers "
                           "WHERE observation_date = ? AND gpu_model = 'h100-sxm-80gb'",
                           [DEMO_DATE]).fetchone()[0]
    assert cheapest.set_index("gpu_model").loc["h100-sxm-80gb", "usd_per_gpu_hour"] == h100
    history = pd.read_csv(tmp_path / "price_index_history.csv")
    assert set(history["origin"]) == {"live", "history"}


def test_a_snapshot_from_before_the_buildout_tables_skips_their_sections(data_dir, tmp_path):
    older = tmp_path / "data"
    shutil.copytree(data_dir / "published", older / "published")
    with duckdb.connect(str(older / "published" / "compute_atlas.duckdb")) as con:
        for name in (MW_TABLE, GPUS_TABLE):
            con.execute(f"DROP TABLE {name}")
    report(older, tmp_path / "out")
    html = (tmp_path / "out" / REPORT_FILE).read_text()
    assert charts(html) == PRICE_SECTIONS
    assert f"skipped: {MW_TABLE} is not in the published snapshot" in html
    assert not (tmp_path / "out" / "gpus_hostable.csv").exists()


def test_buildout_sections_appear_once_their_tables_have_rows(data_dir, tmp_path):
    data = with_buildout(data_dir, tmp_path / "data")
    report(data, tmp_path / "out")
    html = (tmp_path / "out" / REPORT_FILE).read_text()
    assert charts(html) == PRICE_SECTIONS + BUILDOUT_SECTIONS
    mw = pd.read_csv(tmp_path / "out" / "buildout_mw_by_region_status.csv")
    # the latest quarter on or before the report date, never a later one
    # of the newest vintage only, at the latest quarter on or before the report date
    assert sorted(zip(mw["quarter"], mw["region"], mw["status"], mw["mw"], strict=True)) == [
        (QUARTER, "PJM", "permitting", 900.0), (QUARTER, "TX", "operational", 500.0),
        (QUARTER, "TX", "permitting", 1200.0)]
    gpus = pd.read_csv(tmp_path / "out" / "gpus_hostable.csv").set_index(["gpu_model", "basis"])
    assert gpus.loc[("h100-sxm-80gb", "it_mw"), "gpus_hostable_high"] == 470000
    assert gpus.loc[("h100-sxm-80gb", "facility_mw"), "gpus_hostable"] == 200000
    assert ("gb200-186gb", "facility_mw") not in gpus.index  # no facility MW: no row, not 0
    assert f"Source: {GPUS_TABLE} · data: 2026-07-01" in html


def test_the_default_output_is_the_days_folder_under_the_data_dir(data_dir):
    result = runner.invoke(app, ["report", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert (data_dir / "reports" / str(DEMO_DATE) / REPORT_FILE).is_file()
    missing = runner.invoke(app, ["report", "--data-dir", str(data_dir / "nowhere")])
    assert missing.exit_code == 1 and "no published snapshot" in missing.output
    bad = runner.invoke(app, ["report", "--date", "20-11-2026", "--data-dir", str(data_dir)])
    assert bad.exit_code == 1 and "not a date" in bad.output


def test_the_report_asset_runs_after_the_publish_for_its_day(data_dir):
    node = defs().resolve_asset_graph().get(REPORT_KEY)
    assert node.parent_keys == {PUBLISHED_KEY}
    assert node.partitions_def == PLANS["daily"].partitions
    assert node.automation_condition is not None
    result = dg.materialize([market_report], partition_key=str(DEMO_DATE),
                            resources={"warehouse": WarehouseResource(data_dir=str(data_dir))})
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["charts"].value == 5 and metadata["rows/price_changes"].value == 5
    assert (data_dir / "reports" / str(DEMO_DATE) / REPORT_FILE).is_file()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_the_report_renders_every_chart_in_a_real_browser_offline(data_dir, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    data = with_buildout(data_dir, tmp_path / "data")
    report(data, tmp_path / "out")
    requested: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.goto((tmp_path / "out" / REPORT_FILE).as_uri())
            for section in SECTIONS:
                chart = page.locator(f"figure#chart-{section.slug} > svg")
                assert chart.count() == 1, section.slug
                box = chart.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 80, (section.slug, box)
                marks = page.locator(f"figure#chart-{section.slug} svg path, "
                                     f"figure#chart-{section.slug} svg rect").count()
                assert marks > 5, section.slug
            assert page.locator("figure.chart").count() == len(SECTIONS)
        finally:
            browser.close()
    assert requested == [(tmp_path / "out" / REPORT_FILE).as_uri()]  # nothing else loaded
