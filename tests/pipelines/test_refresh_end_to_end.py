"""End to end on recorded payloads: a replay refresh fills every table; a broken source fails
alone, keeps its payload and writes nothing; a rerun after the fix succeeds; backfills re-parse."""

import shutil
from datetime import date

import duckdb
import pytest

from pipelines.refresh import Refresher
from sources.archive import RawArchive
from sources.registry import SOURCES
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE
from warehouse.connection import WarehouseSettings


@pytest.fixture
def settings(tmp_path):
    return WarehouseSettings.from_env(tmp_path / "data")


def _count(settings, sql):
    with settings.connect(read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def _published_count(settings, sql):
    con = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_replay_refresh_fills_every_table_and_publishes(settings):
    report = Refresher(settings, replay_dir=DEMO_ARCHIVE).run([DEMO_DATE], mode="replay")
    assert not report.failed_sources, report.failed_sources
    assert report.published == settings.published_path
    rows = report.days[0].table_rows
    for table in ("core.cloud__daily_gpu_offers", "core.llm__daily_token_prices",
                  "out.gpu__daily_price_index"):
        assert rows[table] > 0, table
    # the published snapshot has the out table, and its numbers trace back to archived payloads
    assert _published_count(settings, "SELECT count(*) FROM out.gpu__daily_price_index") > 0
    with settings.connect(read_only=True) as con:
        shas = {r[0] for r in con.execute(
            "SELECT DISTINCT snapshot_sha256 FROM core.cloud__daily_gpu_offers").fetchall()}
        h100 = con.execute(
            "SELECT min_usd_per_gpu_hour, n_providers FROM out.gpu__daily_price_index "
            "WHERE gpu_model = 'h100-sxm-80gb' AND price_type = 'on_demand'").fetchone()
    archived = {e.sha256 for e in RawArchive(settings.archive_dir).entries()}
    assert shas and shas <= archived
    # Azure, RunPod and most of the newer sources list H100s on demand in the demo archive:
    # the index spans providers.
    assert h100 is not None and h100[0] > 0 and h100[1] >= 2


def test_same_partition_twice_gives_identical_rows(settings):
    tables = ("core.cloud__daily_gpu_offers", "core.llm__daily_token_prices",
              "out.gpu__daily_price_index")

    def snapshot():
        with settings.connect(read_only=True) as con:
            return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}

    Refresher(settings, replay_dir=DEMO_ARCHIVE).run([DEMO_DATE], mode="replay")
    first = snapshot()
    Refresher(settings, replay_dir=DEMO_ARCHIVE).run([DEMO_DATE], mode="replay")
    assert snapshot() == first and all(first.values())


def test_a_missing_recording_fails_that_source_only_and_a_rerun_succeeds(settings, tmp_path):
    broken = tmp_path / "broken_archive"
    shutil.copytree(DEMO_ARCHIVE, broken)
    manifest = broken / "manifest.jsonl"
    lines = manifest.read_text().splitlines()
    kept = [line for line in lines if '"source": "runpod"' not in line]
    manifest.write_text("\n".join(kept) + "\n")

    report = Refresher(settings, replay_dir=broken).run([DEMO_DATE], mode="replay")
    [failed] = report.failed_sources
    assert failed.source == "runpod" and "no recording of POST https://api.runpod.io/graphql" \
        in failed.error
    assert {o.source for o in report.sources if o.ok} == set(SOURCES) - {"runpod"}
    assert report.published is not None  # the others still publish
    assert _count(settings, "SELECT count(*) FROM raw.runpod__gpu_prices") == 0
    assert _count(settings, "SELECT count(*) FROM core.cloud__daily_gpu_offers "
                            "WHERE provider = 'azure'") > 0
    assert _count(settings, "SELECT count(*) FROM core.pipeline__events_source_runs "
                            "WHERE source = 'runpod' AND status = 'failed'") == 1

    rerun = Refresher(settings, replay_dir=DEMO_ARCHIVE).run([DEMO_DATE], ["runpod"],
                                                             mode="replay")
    assert not rerun.failed_sources
    assert _count(settings, "SELECT count(*) FROM raw.runpod__gpu_prices") > 0


def test_bad_payload_keeps_previous_rows_and_the_raw_payload(settings, tmp_path):
    Refresher(settings, replay_dir=DEMO_ARCHIVE).run([DEMO_DATE], mode="replay")
    before = _count(settings, "SELECT count(*) FROM raw.openrouter__models")
    html = tmp_path / "error.html"
    html.write_bytes(b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    from sources.http import ingest_file

    snapshot = ingest_file(source="openrouter", observation_date=DEMO_DATE,
                           path=html, archive=RawArchive(settings.archive_dir),
                           max_bytes=1 << 30)
    report = Refresher(settings).run([DEMO_DATE], ["openrouter"],
                                     ingested={"openrouter": snapshot})
    [failed] = report.failed_sources
    assert "expected JSON" in failed.error and "HTML page" in failed.error
    assert _count(settings, "SELECT count(*) FROM raw.openrouter__models") == before
    assert any(e.sha256 == snapshot.sha256 for e in RawArchive(settings.archive_dir).entries())


def test_backfill_reparses_the_archive_without_network(settings):
    Refresher(settings, replay_dir=DEMO_ARCHIVE).run([DEMO_DATE], mode="replay")
    with settings.connect() as con:
        con.execute("DELETE FROM raw.azure_retail__gpu_prices")
    report = Refresher(settings).run([DEMO_DATE], mode="auto")  # a past day: archive mode
    assert {o.mode for o in report.sources} == {"archive"}
    assert not report.failed_sources
    assert _count(settings, "SELECT count(*) FROM raw.azure_retail__gpu_prices") > 0


def test_backfill_of_a_day_never_fetched_says_so(settings):
    report = Refresher(settings).run([date(2025, 1, 2)], ["openrouter"], mode="auto")
    [failed] = report.failed_sources
    assert "holds no complete fetch for 2025-01-02" in failed.error
