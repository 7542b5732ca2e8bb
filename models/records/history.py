"""Record model of offers imported from third-party price history."""

from __future__ import annotations

from datetime import date

from models.records.base import field
from models.records.gpu_clouds import GpuOffer


class HistoryOffer(GpuOffer):
    """An offer read from a third-party history file: a GpuOffer plus who sold it and when."""

    provider: str = field("the cloud or provider the offer is from, e.g. gcp, lambda, AWS")
    observed_date: date = field("the day the file says the offer was listed")
