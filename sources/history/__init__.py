"""Parsers of third-party price history (SkyPilot catalogs, cloud-gpus.com, sooddvs/gpu-pricing)
for ``compute-atlas import-history``: each turns one archived file into
:class:`HistoryOffer` rows, the offers the file says were on sale on a day.

Interface (the same in each module): ``parse(snapshot, *, as_of, cloud=None) -> ParseResult``.
``snapshot`` is the archived file (so an import is archived like any payload), ``as_of`` the day
the file describes (``--as-of``), ``cloud`` the cloud a SkyPilot catalog is for (the file does
not say). Records are :class:`HistoryOffer`; rejects carry their reasons. ``observed_date`` is
the row's own date where the file has one (the sooddvs history), else ``as_of``. The caller
writes them to ``core.cloud__daily_gpu_offers`` with ``is_backfill = true`` and ``origin`` = the
format name (:data:`ORIGINS`).
"""

from __future__ import annotations

from models.records.history import HistoryOffer

ORIGINS = ("skypilot", "cloud-gpus", "sooddvs")

__all__ = ["ORIGINS", "HistoryOffer"]
