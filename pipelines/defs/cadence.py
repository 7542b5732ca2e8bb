"""What a source's cadence means in Dagster: its partitions, when automation fetches it, and
the deadline its freshness check holds it to. One place, so a new cadence is one row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import dagster as dg

from sources.base import Cadence

# The earliest day or month that can be filed: the price history imports reach back to 2021;
# EIA-860M's monthly workbooks to July 2015 (ERCOT's GIS reports to December 2018).
DAILY_START = "2021-01-01"
MONTHLY_START = "2015-07-01"


@dataclass(frozen=True)
class CadencePlan:
    partitions: dg.TimeWindowPartitionsDefinition
    fetch_cron: str | None  # when automation fetches the current partition (None: on demand)
    freshness_deadline_cron: str | None  # by when the latest complete partition must exist


PLANS: dict[Cadence, CadencePlan] = {
    # end_offset=1: today's partition exists (prices are observed the day they are fetched).
    "daily": CadencePlan(dg.DailyPartitionsDefinition(start_date=DAILY_START, end_offset=1),
                         "0 6 * * *", "0 9 * * *"),
    "weekly": CadencePlan(dg.WeeklyPartitionsDefinition(start_date=DAILY_START, end_offset=1),
                          "0 6 * * 1", "0 12 * * 2"),
    # Monthly reports: the current month's partition exists and is re-fetched daily until the
    # month ends, so a report published mid-month is picked up within a day.
    "monthly": CadencePlan(dg.MonthlyPartitionsDefinition(start_date=MONTHLY_START,
                                                          end_offset=1),
                           "0 7 * * *", "0 12 15 * *"),
    "on_demand": CadencePlan(dg.DailyPartitionsDefinition(start_date=DAILY_START, end_offset=1),
                             None, None),
}


def partition_date(key: str) -> date:
    """Every partition key is the ISO date its window starts on."""
    return date.fromisoformat(key)


def require_partition(cadence: Cadence, partition: date) -> str:
    """The partition key of ``partition``; ValueError when the cadence has no such partition
    (before the first one, or not yet begun)."""
    partitions = PLANS[cadence].partitions
    key = partition.isoformat()
    if not partitions.has_partition_key(key):
        first = partitions.get_first_partition_key()
        raise ValueError(f"no {cadence} partition {key}: partitions run from {first} to the "
                         "current one")
    return key
