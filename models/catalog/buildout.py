"""Catalog declarations for datacenter buildout evidence other than power records: permit and
land-use filings and parcels classified as data-center related, the facilities resolved across
inventories (Epoch AI, OpenStreetMap, PNNL IM3) and filings, Epoch's dated timelines, and the
two out tables that turn them into a MW pipeline by region and status and into a GPU compute
equivalent. Monthly, like the power records they are joined with: every table is partitioned
by ``report_month``, the month whose vintage of each source it was built from, except the
reference table of the assumptions that turn MW into GPUs.

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
        Column("kind", "VARCHAR", "building_permit, land_use_application, parcel (a data-center "
               "parcel) or zoning_parcel (a parcel zoned for data centers: capacity for "
               "future builds, never a site)",
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

MEASURES = ("it_mw", "facility_mw", "queued_load_mw", "planned_generation_mw")
COMPUTE_EQUIVALENT = "compute_equivalent"

_QUARTER = Column("quarter", "DATE", "first day of the quarter whose END the status and MW "
                  "describe", nullable=False)
_QUARTER_LABEL = Column("quarter_label", "VARCHAR", "the quarter as text, e.g. '2026Q3'",
                        nullable=False)
_PROJECTED = Column("is_projected", "BOOLEAN", "true when a value in the row is a projection: "
                    "the quarter starts after the report month's quarter, or the Epoch row "
                    "carried to the quarter end is dated after Epoch's download",
                    nullable=False)
_FACTOR = "dimensionless"

GPU_POWER_ASSUMPTIONS = TableSpec(
    name="core.buildout__codes_gpu_power_assumptions",
    description="How datacenter MW are turned into a GPU compute equivalent "
                "(models/reference/gpu_power_assumptions.csv, research/buildout.md §4.2): per "
                "GPU model, Epoch AI's non-GPU server and system overhead factor (1.82, from "
                "DGX H100) and the PUE, each with the low and high values of the range "
                "out.buildout__gpu_capacity_equivalent reports. TDP comes from "
                "core.gpu__entity_models.",
    columns=(
        Column("gpu_model", "VARCHAR", "GPU id (core.gpu__entity_models)", nullable=False),
        Column("overhead_factor", "DOUBLE", "IT watts per GPU TDP watt (server, network, "
               "storage); Epoch's 1.82", unit=_FACTOR, nullable=False),
        Column("overhead_factor_low", "DOUBLE", "low end of the overhead range", unit=_FACTOR,
               nullable=False),
        Column("overhead_factor_high", "DOUBLE", "high end of the overhead range",
               unit=_FACTOR, nullable=False),
        Column("pue", "DOUBLE", "power usage effectiveness: facility MW per IT MW",
               unit=_FACTOR, nullable=False),
        Column("pue_low", "DOUBLE", "low end of the PUE range", unit=_FACTOR, nullable=False),
        Column("pue_high", "DOUBLE", "high end of the PUE range", unit=_FACTOR,
               nullable=False),
        Column("source", "VARCHAR", "where the values come from", nullable=False),
        Column("notes", "VARCHAR", "derivations and what to verify"),
    ),
    primary_key=("gpu_model",),
    partition_by=(),
)

QUARTERLY_MW = TableSpec(
    name="out.buildout__quarterly_mw_by_region_status",
    description="The datacenter MW pipeline: one row per report month, quarter, state, ISO, "
                "ladder status, measure and source, with the MW and the sites behind them. "
                "Measures are different populations and are never added together: it_mw and "
                "facility_mw are Epoch AI's IT and facility power per site, carried forward "
                "step-wise (never interpolated) to each quarter end across the whole timeline; "
                "queued_load_mw are load requests in the interconnection queues (BPA LL, NYISO "
                "L); planned_generation_mw are EIA-860M planned generators (generation, not "
                "load). Snapshot sources (queues, EIA-860M, and the sites of "
                "core.datacenter__facilities) describe the report month and fill its quarter. "
                "Sites are counted once across sources: a resolved facility Epoch dates is "
                "counted under epoch_datacenters, every other facility once under its anchor "
                "source (facility_id prefix) with its MW, NULL when no source gives any, so "
                "n_sites of it_mw or facility_mw may be added across sources, MW only within "
                "one measure. Unknown stays unknown: a row whose sites have no MW has NULL mw, "
                "a status no rule maps is 'unknown'.",
    columns=(
        _MONTH, _QUARTER, _QUARTER_LABEL, _PROJECTED, _STATE,
        Column("iso", "VARCHAR", "ISO or balancing area where the source says it (queues; "
               "EIA-860M balancing authority), else NULL"),
        Column("status", "VARCHAR", "status on the ladder (" + ", ".join(STATUS_LADDER)
               + ") or unknown", nullable=False),
        Column("measure", "VARCHAR", "what the MW are: " + ", ".join(MEASURES),
               nullable=False),
        _SOURCE,
        Column("n_sites", "BIGINT", "sites in the row: datacenter sites (it_mw, facility_mw), "
               "load requests (queued_load_mw) or generating plants (planned_generation_mw)",
               nullable=False),
        Column("n_sites_without_mw", "BIGINT", "of n_sites, those whose MW are unknown",
               nullable=False),
        Column("mw", "DOUBLE", "sum of the measure over the sites with known MW; NULL when "
               "none is known", unit=MW),
    ),
    primary_key=("report_month", "quarter", "state", "iso", "status", "measure", "source"),
    partition_by=("report_month",),
    examples=(
        "SELECT state, measure, source, round(sum(mw)) AS mw, sum(n_sites) AS sites "
        "FROM out.buildout__quarterly_mw_by_region_status "
        "WHERE report_month = DATE '2026-11-01' AND quarter = DATE '2026-10-01' "
        "AND status = 'under_construction' GROUP BY ALL ORDER BY mw DESC NULLS LAST",),
)

_GPUS = "GPUs"
GPU_CAPACITY = TableSpec(
    name="out.buildout__gpu_capacity_equivalent",
    description="How many GPUs the IT and facility MW of a state could power in a quarter: a "
                "compute equivalent, never a count of installed GPUs. One row per report "
                "month, quarter, state and GPU model, from the it_mw and facility_mw of "
                "out.buildout__quarterly_mw_by_region_status over every status but cancelled "
                "(sites are counted once across sources there). Epoch AI's power formula "
                "inverted (research/buildout.md §4.2): GPUs = IT MW x 1e6 / (TDP x overhead) "
                "and facility MW x 1e6 / (TDP x overhead x PUE), rounded down, with the TDP, "
                "overhead and PUE in the row. The low and high GPUs vary the overhead (Epoch's "
                "1.82 up to the 1.98 Epoch's own H100-only sites imply) and, from facility MW, "
                "the PUE (1.2-1.4, the IQR of facility/IT power in Epoch's timelines); the "
                "values are in core.buildout__codes_gpu_power_assumptions.",
    columns=(
        _MONTH, _QUARTER, _QUARTER_LABEL, _PROJECTED, _STATE,
        Column("gpu_model", "VARCHAR", "GPU id (core.gpu__entity_models)", nullable=False),
        Column("estimate_kind", "VARCHAR", "always 'compute_equivalent': GPUs the power could "
               "host, not GPUs installed", nullable=False),
        Column("it_mw", "DOUBLE", "IT MW of the sites with known IT power", unit=MW),
        Column("facility_mw", "DOUBLE", "facility MW of the sites with known facility power",
               unit=MW),
        Column("n_sites", "BIGINT", "sites in the state and quarter", nullable=False),
        Column("n_sites_without_it_mw", "BIGINT", "of n_sites, those whose IT MW are unknown "
               "(not in it_mw: the GPUs are a floor for the state)", nullable=False),
        Column("n_sites_without_facility_mw", "BIGINT", "of n_sites, those whose facility MW "
               "are unknown", nullable=False),
        Column("tdp_w", "DOUBLE", "GPU TDP used", unit="W", nullable=False),
        Column("overhead_factor", "DOUBLE", "IT watts per GPU TDP watt used for the central "
               "figures", unit=_FACTOR, nullable=False),
        Column("overhead_factor_low", "DOUBLE", "overhead used for the high figures",
               unit=_FACTOR, nullable=False),
        Column("overhead_factor_high", "DOUBLE", "overhead used for the low figures",
               unit=_FACTOR, nullable=False),
        Column("pue", "DOUBLE", "PUE used for the central facility figure", unit=_FACTOR,
               nullable=False),
        Column("pue_low", "DOUBLE", "PUE used for the high facility figure", unit=_FACTOR,
               nullable=False),
        Column("pue_high", "DOUBLE", "PUE used for the low facility figure", unit=_FACTOR,
               nullable=False),
        Column("gpus_from_it_mw", "BIGINT", "it_mw x 1e6 / (tdp_w x overhead_factor)",
               unit=_GPUS),
        Column("gpus_from_it_mw_low", "BIGINT", "the same with overhead_factor_high",
               unit=_GPUS),
        Column("gpus_from_it_mw_high", "BIGINT", "the same with overhead_factor_low",
               unit=_GPUS),
        Column("gpus_from_facility_mw", "BIGINT", "facility_mw x 1e6 / (tdp_w x "
               "overhead_factor x pue)", unit=_GPUS),
        Column("gpus_from_facility_mw_low", "BIGINT", "the same with overhead_factor_high and "
               "pue_high", unit=_GPUS),
        Column("gpus_from_facility_mw_high", "BIGINT", "the same with overhead_factor_low and "
               "pue_low", unit=_GPUS),
    ),
    primary_key=("report_month", "quarter", "state", "gpu_model"),
    partition_by=("report_month",),
    examples=(
        "SELECT quarter_label, is_projected, gpu_model, gpus_from_it_mw_low, gpus_from_it_mw, "
        "gpus_from_it_mw_high FROM out.buildout__gpu_capacity_equivalent "
        "WHERE report_month = DATE '2026-11-01' AND state = 'VA' ORDER BY quarter, gpu_model",),
)

TABLES = (DATACENTER_FILINGS, FACILITIES, FACILITY_RECORDS, EPOCH_TIMELINES,
          GPU_POWER_ASSUMPTIONS, QUARTERLY_MW, GPU_CAPACITY)
