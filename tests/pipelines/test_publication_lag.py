"""Reports published the month after the one they describe (ERCOT's GIS report, EIA-860M,
Loudoun's issued-permit workbook): the daily job and Dagster's automation work on last month's
partition for them, the current month's for every other monthly source."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import dagster as dg
import pytest

from pipelines import runner
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.sources import fetch_key, source_assets
from sources.base import due_partition
from sources.registry import SOURCES
from warehouse.connection import WarehouseSettings

LAGGED = {"ercot_gis", "eia860m", "loudoun_permits"}


def test_the_partition_due_on_a_day():
    day = date(2026, 12, 2)
    assert {s.name for s in SOURCES.values() if s.publication_lag_months} == LAGGED
    assert due_partition(SOURCES["ercot_gis"], day) == date(2026, 11, 1)
    assert due_partition(SOURCES["ercot_gis"], date(2026, 1, 31)) == date(2025, 12, 1)
    assert due_partition(SOURCES["miso_queue"], day) == date(2026, 12, 1)
    assert due_partition(SOURCES["runpod"], day) == day
    # a source that reports last month can still fetch it: its listing keeps every month
    assert all(SOURCES[name].fetches_history for name in LAGGED)


@pytest.mark.parametrize(("day", "last_month", "this_month"), [
    (date(2026, 12, 2), "2026-11-01", "2026-12-01"),
    (date(2027, 3, 2), "2027-02-01", "2027-03-01"),  # after the shortest month
    (date(2027, 1, 31), "2026-12-01", "2027-01-01"),  # across the year, late in the month
])
def test_automation_fetches_last_months_report_and_this_months_queue(day, last_month,
                                                                     this_month):
    sources = [SOURCES["ercot_gis"], SOURCES["miso_queue"]]
    assets = dg.Definitions(assets=[a for s in sources for a in source_assets(s)],
                            resources={"warehouse": WarehouseResource(data_dir="unused")})
    with dg.instance_for_test() as instance:
        before = dg.evaluate_automation_conditions(
            assets, instance, evaluation_time=datetime.combine(day, time(6, 59)))
        after = dg.evaluate_automation_conditions(
            assets, instance, evaluation_time=datetime.combine(day, time(7, 1)),
            cursor=before.cursor)
    assert after.get_requested_partitions(fetch_key(SOURCES["ercot_gis"])) == {last_month}
    assert after.get_requested_partitions(fetch_key(SOURCES["miso_queue"])) == {this_month}


def test_refresh_without_a_date_works_on_each_sources_due_partition(tmp_path, monkeypatch):
    """What `compute-atlas refresh` (no --date) runs, per source; a named --date keeps the
    partition that day falls in (an explicit backfill)."""
    started: list[tuple[str, date, int]] = []
    monkeypatch.setattr(runner, "run_sources", _refuse_to_run)
    settings = WarehouseSettings.from_env(tmp_path / "data")
    for days in (None, [date(2026, 11, 20)]):
        with pytest.raises(_Started):  # stopped at the first run: what it would fetch is known
            runner.refresh(settings, [SOURCES["miso_queue"], SOURCES["ercot_gis"]], days,
                           on_start=lambda cadence, day, n: started.append((cadence, day, n)))
    # without a date: ERCOT's partition (last month) comes first, alone; with one: both share
    # the month of the day
    today = datetime.now(UTC).date()
    assert started == [("monthly", due_partition(SOURCES["ercot_gis"], today), 1),
                       ("monthly", date(2026, 11, 1), 2)]


class _Started(Exception):
    pass


def _refuse_to_run(*args, **kwargs):
    raise _Started
