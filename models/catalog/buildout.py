"""Catalog declarations for datacenter buildout evidence other than power records: permit and
land-use filings and parcels classified as data-center related, the facilities resolved across
inventories (Epoch AI, OpenStreetMap, PNNL IM3) and filings, Epoch's dated timelines, and the
two out tables that turn them into a MW pipeline by region and status and into a GPU compute
equivalent. Monthly, like the power records they are joined with: every table is partitioned
by ``report_month``, the month whose vintage of each source it was built from.

The status ladder every source is mapped onto (research/buildout.md §4.1), earliest first:
``announced``, ``land_use`` (zoning, rezoning, special exception, legislative application),
``permitting``, ``permitted``, ``under_construction``, ``energized`` (commissioning),
``operational``, and ``cancelled`` (withdrawn, denied). A status no rule maps is NULL in core
tables and ``unknown`` in out tables: unknown is never guessed.
"""

from __future__ import annotations

from models.catalog.spec import Column, TableSpec

MW = "MW"
STATUS_LADDER = ("announced", "land_use", "permitting", "permitted", "under_construction",
                 "energized", "operational", "cancelled")

_MONTH = Column("report_month", "DATE", "first day of the month of the source vintages the "
                "row was built from", nullable=False)
_SOURCE = Column("source", "VARCHAR", "registered source name, e.g. loudoun_permits",
                 nullable=False)
_STATUS = Column("status", "VARCHAR", "status on the ladder: " + ", ".join(STATUS_LADDER)
                 + "; NULL when no rule maps the raw status")
_STATE = Column("state", "VARCHAR", "two-letter US state (or country code outside the US)")
_LAT = Column("latitude", "DOUBLE", "latitude, WGS84", unit="degrees")
_LON = Column("longitude", "DOUBLE", "longitude, WGS84", unit="degrees")
_PRECISION = Column("location_precision", "VARCHAR", "where the point comes from: parcel, "
                    "footprint, building, address (geocoded), site (an inventory's site "
                    "point), county (a centroid is never a site) or NULL when unknown")

DATACENTER_FILINGS = TableSpec(
    name="core.permits__datacenter_filings",
    description="Permit, land-use and parcel records classified as data-center related, from "
                "every permit, land-use and parcel source of one monthly vintage: one row per "
                "source and record id, with the raw and ladder status, size, cost, location "
                "and the evidence that classified it. Personal names are never kept.",
    columns=(
        _MONTH, _SOURCE,
        Column("jurisdiction", "VARCHAR", "the publishing jurisdiction, e.g. "
               "'Loudoun County, VA'", nullable=False),
        Column("record_id", "VARCHAR", "the jurisdiction's permit, application or parcel id",
               nullable=False),
        Column("kind", "VARCHAR", "building_permit, land_use_application or parcel",
               nullable=False),
        Column("title", "VARCHAR", "plan, project or permit name as filed"),
        Column("description", "VARCHAR", "work or plan description as filed"),
        Column("filed_date", "DATE", "date the application was filed"),
        Column("issued_date", "DATE", "date the permit was issued or the application decided"),
        Column("status_raw", "VARCHAR", "status as the jurisdiction writes it"),
        _STATUS,
        Column("square_feet", "DOUBLE", "permitted or parcel floor area", unit="sq ft"),
        Column("estimated_cost_usd", "DOUBLE", "estimated construction cost or valuation",
               unit="USD"),
        Column("applicant", "VARCHAR", "owner or applicant organisation (never a person)"),
        Column("address", "VARCHAR", "site address"),
        Column("county", "VARCHAR", "county"),
        _STATE, _LAT, _LON, _PRECISION,
        Column("classification_method", "VARCHAR", "what classified the record: field_value "
               "(the source labels it, e.g. Structure Type or use code), dataset (the "
               "publisher's layer lists data centers only), keyword, operator (a known "
               "operator or LLC name), known_site (the address of a known data-center parcel) "
               "or spatial (inside a known footprint)", nullable=False),
        Column("classification_evidence", "VARCHAR", "the field and text that matched, e.g. "
               "\"Structure Type = 'Data Center'\"", nullable=False),
        Column("snapshot_sha256", "VARCHAR", "sha256 of the archived payload", nullable=False),
    ),
    primary_key=("report_month", "source", "record_id"),
    partition_by=("report_month",),
    examples=(
        "SELECT jurisdiction, status, count(*) AS filings, round(sum(square_feet)) AS sqft "
        "FROM core.permits__datacenter_filings WHERE report_month = DATE '2026-11-01' "
        "GROUP BY ALL ORDER BY filings DESC",),
)

FACILITIES = TableSpec(
    name="core.datacenter__facilities",
    description="Data-center sites resolved across Epoch AI, OpenStreetMap, PNNL IM3, parcels "
                "and permits: one row per site per report month. Records are matched by "
                "distance and name (scored, see core.datacenter__assn_facility_records); a "
                "record that matches nothing is its own site.",
    columns=(
        _MONTH,
        Column("facility_id", "VARCHAR", "stable site id: '<source>:<record id>' of the "
               "site's anchor record (Epoch, else parcel, else OSM, IM3, permit)",
               nullable=False),
        Column("name", "VARCHAR", "site name (anchor record's, else the first named member)"),
        Column("operator", "VARCHAR", "owner or operator"),
        Column("county", "VARCHAR", "county"),
        _STATE, _LAT, _LON, _PRECISION, _STATUS,
        Column("it_mw", "DOUBLE", "current IT power (Epoch)", unit=MW),
        Column("facility_mw", "DOUBLE", "current facility power (Epoch)", unit=MW),
        Column("h100e", "DOUBLE", "current H100-equivalents (Epoch)", unit="H100e"),
        Column("square_feet", "DOUBLE", "largest floor area or footprint among the members",
               unit="sq ft"),
        Column("n_records", "INTEGER", "source records resolved into the site",
               nullable=False),
        Column("sources", "VARCHAR", "comma-separated sources of the member records",
               nullable=False),
    ),
    primary_key=("report_month", "facility_id"),
    partition_by=("report_month",),
)

FACILITY_RECORDS = TableSpec(
    name="core.datacenter__assn_facility_records",
    description="Which source record belongs to which site, and why: one row per record per "
                "report month, with the match score, distance and name similarity.",
    columns=(
        _MONTH,
        Column("facility_id", "VARCHAR", "the site (core.datacenter__facilities)",
               nullable=False),
        _SOURCE,
        Column("record_id", "VARCHAR", "the record's id in its source", nullable=False),
        Column("match_method", "VARCHAR", "anchor (the site's own record), distance, name, "
               "distance+name", nullable=False),
        Column("match_score", "DOUBLE", "0-1 score the match was accepted on (1 for anchor)",
               nullable=False),
        Column("distance_m", "DOUBLE", "distance to the anchor", unit="m"),
        Column("name_similarity", "DOUBLE", "0-1 name similarity to the anchor"),
        Column("snapshot_sha256", "VARCHAR", "sha256 of the record's archived payload",
               nullable=False),
    ),
    primary_key=("report_month", "source", "record_id"),
    partition_by=("report_month",),
)

EPOCH_TIMELINES = TableSpec(
    name="core.datacenter__epoch_timelines",
    description="Epoch AI's dated rows per data center (CC BY 4.0, credit Epoch AI): IT and "
                "facility MW, H100-equivalents and construction status at each date; rows "
                "dated after the vintage's download are Epoch's projections and flagged so.",
    columns=(
        _MONTH,
        Column("data_center", "VARCHAR", "Epoch's data-center name", nullable=False),
        Column("facility_id", "VARCHAR", "the resolved site "
               "(core.datacenter__facilities)"),
        Column("timeline_date", "DATE", "the date the row describes", nullable=False),
        Column("is_projected", "BOOLEAN", "true when timeline_date is after the vintage's "
               "download date (a projection, not an observation)", nullable=False),
        Column("construction_status_raw", "VARCHAR", "Epoch's free-text construction status"),
        _STATUS,
        Column("buildings_operational", "DOUBLE", "buildings operational", unit="buildings"),
        Column("it_mw", "DOUBLE", "IT power", unit=MW),
        Column("facility_mw", "DOUBLE", "facility power (Epoch's 'Power (MW)')", unit=MW),
        Column("h100e", "DOUBLE", "H100-equivalents", unit="H100e"),
        Column("capital_cost_busd", "DOUBLE", "total capital cost, 2025 USD billions",
               unit="USD bn"),
        _STATE,
        Column("snapshot_sha256", "VARCHAR", "sha256 of the archived payload", nullable=False),
    ),
    primary_key=("report_month", "data_center", "timeline_date"),
    partition_by=("report_month",),
)

TABLES = (DATACENTER_FILINGS, FACILITIES, FACILITY_RECORDS, EPOCH_TIMELINES)
