"""out.gpu__daily_price_changes on two recorded days of cloud-gpus.com history (committed
trimmed copies, and the full files in ../shared), and the weekly and monthly roll-ups of the
daily index: a rebuilt day refreshes its week and month, and publishing picks them up."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from models.catalog import table
from pipelines import steps
from sources.archive import RawArchive
from tests.conftest import FIXTURES
from warehouse import reference
from warehouse.build import PRICES, build_domain_partition
from warehouse.publish import publish_snapshot
from warehouse.schema import ensure_schema
from warehouse.write import replace_partition

SEPTEMBER, NOVEMBER = date(2024, 9, 30), date(2024, 11, 26)
TRIMMED = {SEPTEMBER: FIXTURES / "history" / "cloud_gpus_2024-09-30_trimmed.json",
           NOVEMBER: FIXTURES / "history" / "cloud_gpus_2024-11-26_trimmed.json"}
CHANGES = "out.gpu__daily_price_changes"
WEEKLY, MONTHLY = "out.gpu__weekly_price_index", "out.gpu__monthly_price_index"


@pytest.fixture
def warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    reference.refresh_cached(con, reference.REFERENCE_TABLES)
    yield con
    con.close()


def import_day(con, tmp_path: Path, path: Path, day: date) -> None:
    outcome = steps.import_history(con, RawArchive(tmp_path / "raw"), "cloud-gpus", path, day)
    assert outcome.dates == [day] and outcome.n_rejects == 0
    build_domain_partition(con, PRICES, day)


def changes(con, day: date) -> list[tuple]:
    return con.execute(
        f"SELECT change_type, provider, sku, previous_usd_per_gpu_hour, usd_per_gpu_hour, "
        f"change_percent FROM {CHANGES} WHERE observation_date = ? "
        "ORDER BY change_type, provider, sku", [day]).fetchall()


EXPECTED_NOVEMBER = [
    ("appeared", "saladcloud", "SaladCloud RTX 3080", None, 0.09, None),
    ("appeared", "saladcloud", "SaladCloud RTX 3090", None, 0.10, None),
    ("appeared", "saladcloud", "SaladCloud RTX 4090", None, 0.18, None),
    ("appeared", "seeweb", "Seeweb A30", None, 0.31, None),
    ("appeared", "seeweb", "Seeweb H100", None, 2.22, None),
    ("appeared", "seeweb", "Seeweb L4", None, 0.40, None),
    ("appeared", "seeweb", "Seeweb L40", None, 0.90, None),
    ("appeared", "vultr", "Vultr H100", None, 2.50, None),
    ("changed", "seeweb", "Seeweb A100 80GB", 2.44, 2.00, -18.0328),
    ("changed", "seeweb", "Seeweb Quadro RTX 6000", 0.61, 0.31, -49.1803),
    ("changed", "seeweb", "Seeweb RTX A6000", 0.75, 0.78, 4.0),
    ("changed", "vultr", "Vultr A100 80GB", 2.60, 2.40, -7.6923),
    ("changed", "vultr", "Vultr A40", 1.86, 1.71, -8.0645),
    ("disappeared", "salad", "Salad RTX 3080", 0.18, None, None),
    ("disappeared", "salad", "Salad RTX 3090", 0.25, None, None),
    ("disappeared", "salad", "Salad RTX 4090", 0.30, None, None),
]


def test_two_recorded_days_give_the_known_appeared_disappeared_and_changed_offers(
        warehouse, tmp_path):
    import_day(warehouse, tmp_path, TRIMMED[SEPTEMBER], SEPTEMBER)
    assert changes(warehouse, SEPTEMBER) == []  # the source's first day: nothing to compare
    import_day(warehouse, tmp_path, TRIMMED[NOVEMBER], NOVEMBER)
    assert changes(warehouse, NOVEMBER) == EXPECTED_NOVEMBER
    # the previous observation is the source's latest earlier day, 57 days back, not the day
    # before (which has no offers): nothing is 'appeared' merely because a day was missed
    previous = warehouse.execute(f"SELECT DISTINCT previous_observation_date, source, "
                                 f"is_backfill FROM {CHANGES}").fetchall()
    assert previous == [(SEPTEMBER, "history_cloud_gpus", True)]


def test_rebuilding_an_earlier_day_rebuilds_the_changes_of_the_next_one(warehouse, tmp_path):
    import_day(warehouse, tmp_path, TRIMMED[NOVEMBER], NOVEMBER)
    assert changes(warehouse, NOVEMBER) == []  # alone, November has nothing to compare with
    import_day(warehouse, tmp_path, TRIMMED[SEPTEMBER], SEPTEMBER)  # a backfill, filed later
    assert changes(warehouse, NOVEMBER) == EXPECTED_NOVEMBER


def _cloud_gpus_prices(path: Path) -> dict[tuple[str, str], str]:
    return {(p["name"], key): value for p in json.loads(path.read_text())["data"]
            for key, value in p.items() if key.startswith("cost") and value not in ("-", "")}


@pytest.mark.shared_data
def test_the_full_recorded_files_change_as_their_cells_do(warehouse, tmp_path, shared_data):
    folder = shared_data / "prices" / "trackers" / "cloud-gpus_com"
    files = {day: folder / f"cloud_gpu_{day}.json" for day in (SEPTEMBER, NOVEMBER)}
    for day, path in files.items():
        import_day(warehouse, tmp_path, path, day)
    before, after = (_cloud_gpus_prices(files[d]) for d in (SEPTEMBER, NOVEMBER))
    counts = dict(warehouse.execute(f"SELECT change_type, count(*) FROM {CHANGES} "
                                    "WHERE observation_date = ? GROUP BY ALL",
                                    [NOVEMBER]).fetchall())
    assert counts == {"appeared": len(after.keys() - before.keys()),
                      "disappeared": len(before.keys() - after.keys()),
                      "changed": sum(before[k] != after[k] for k in before.keys() & after.keys())}
    assert counts == {"appeared": 8, "disappeared": 3, "changed": 5}
    assert ("changed", "seeweb", "Seeweb A100 80GB", 2.44, 2.0, -18.0328) in changes(
        warehouse, NOVEMBER)


def _daily_index(con, day: date, median: float) -> None:
    replace_partition(con, table("out.gpu__daily_price_index"), pd.DataFrame([{
        "observation_date": day, "gpu_model": "h100-sxm-80gb", "price_type": "on_demand",
        "is_backfill": False, "min_usd_per_gpu_hour": median - 1,
        "median_usd_per_gpu_hour": median, "max_usd_per_gpu_hour": median + 1, "n_offers": 3,
        "n_providers": 2}]), {"observation_date": day})
    build_domain_partition(con, PRICES, day, tables=(WEEKLY, MONTHLY))


def test_a_rebuilt_day_refreshes_its_week_and_month_and_the_publish_copies_them(
        warehouse, tmp_path):
    monday, wednesday, next_monday = date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 23)
    for day, median in ((monday, 2.0), (wednesday, 4.0), (next_monday, 3.0)):
        _daily_index(warehouse, day, median)
    target = tmp_path / "published.duckdb"
    publish_snapshot(warehouse, target)
    _daily_index(warehouse, wednesday, 6.0)  # the day is rebuilt: its week and month follow
    assert publish_snapshot(warehouse, target).mode == "incremental"
    query = ("SELECT period_start_date, min_usd_per_gpu_hour, median_usd_per_gpu_hour, "
             "max_usd_per_gpu_hour, n_days FROM {} ORDER BY 1")
    with duckdb.connect(str(target), read_only=True) as published:
        assert published.execute(query.format(WEEKLY)).fetchall() == [
            (monday, 1.0, 4.0, 7.0, 2), (next_monday, 2.0, 3.0, 4.0, 1)]
        assert published.execute(query.format(MONTHLY)).fetchall() == [
            (date(2026, 11, 1), 1.0, 3.0, 7.0, 3)]


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0)], ids=["in order", "backwards"])
def test_each_skypilot_cloud_is_compared_with_its_own_previous_catalog(warehouse, tmp_path,
                                                                       order):
    """SkyPilot history is one catalog per cloud, filed on the days each was published: GCP's
    on the 1st and 3rd (one price cut), Lambda's on the 2nd. The 2nd is Lambda's first catalog
    (nothing to compare) and says nothing of GCP's offers; the 3rd compares GCP with the 1st,
    whichever order they are imported in."""
    catalog = FIXTURES / "history" / "skypilot_runpod_v8_layout.csv"
    cut = tmp_path / "gcp_catalog_cut.csv"
    cut.write_text(catalog.read_text().replace(",,2.69,", ",,2.49,", 1))
    imports = [("gcp", catalog, date(2025, 3, 1)), ("lambda", catalog, date(2025, 3, 2)),
               ("gcp", cut, date(2025, 3, 3))]
    archive = RawArchive(tmp_path / "raw")
    for cloud, path, day in (imports[i] for i in order):
        steps.import_history(warehouse, archive, "skypilot", path, day, cloud=cloud)
        build_domain_partition(warehouse, PRICES, day)
    assert changes(warehouse, date(2025, 3, 1)) == changes(warehouse, date(2025, 3, 2)) == []
    assert changes(warehouse, date(2025, 3, 3)) == [
        ("changed", "gcp", "1x_H100-SXM_SECURE", 2.69, 2.49, -7.4349)]
