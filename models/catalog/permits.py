"""Catalog declarations of the permit, land-use and parcel sources' raw tables. Each
jurisdiction configured in ``sources/buildout/jurisdictions.csv`` (one row per source) gets
``raw.<source>__<entity>``, the entity following from the row's kind (permits, applications,
parcels), declared from the shared record model :class:`~models.records.permits.PermitFiling`.
The catalog reads the three columns it needs from that file, so adding a jurisdiction row adds
its raw table; the conformed table they feed is ``core.permits__datacenter_filings``
(:mod:`models.catalog.buildout`)."""

from __future__ import annotations

import csv
from pathlib import Path

from models.catalog.spec import TableSpec, raw_table
from models.records.permits import PermitFiling

JURISDICTIONS_CSV = (Path(__file__).resolve().parents[2] / "sources" / "buildout"
                     / "jurisdictions.csv")
# kind of record -> entity part of the raw table name
ENTITIES: dict[str, str] = {"building_permit": "permits",
                            "land_use_application": "applications", "parcel": "parcels",
                            "zoning_parcel": "zoning_parcels"}


def raw_filings_table_name(source: str, kind: str) -> str:
    """``raw.<source>__<entity>``; KeyError naming the kinds for an unknown kind."""
    try:
        return f"raw.{source}__{ENTITIES[kind]}"
    except KeyError:
        raise KeyError(f"{source}: unknown kind {kind!r} (known: {', '.join(ENTITIES)})") \
            from None


def _raw_filings_tables() -> tuple[TableSpec, ...]:
    with JURISDICTIONS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        raw_table(raw_filings_table_name(row["name"], row["kind"]), PermitFiling,
                  f"{row['title']}: records classified as data-center related, one row per "
                  f"{row['kind'].replace('_', ' ')} id per monthly vintage, with the "
                  "classification evidence.", ("record_id",))
        for row in rows)


TABLES = _raw_filings_tables()
