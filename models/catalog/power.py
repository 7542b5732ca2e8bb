"""Catalog declarations for the power side of datacenter buildout: the raw tables of EIA-860M
and of every interconnection queue (ISO generation queues and the BPA load queue), the
normalization codes, the conformed queue and generator tables (core), and the queue changelog
and monthly summary (out). Monthly sources: raw tables are partitioned by ``observation_date``,
which is the first day of the report month; core and out tables by ``report_month``."""

from __future__ import annotations

from models.catalog.spec import Column, TableSpec, raw_table
from models.records.power import Eia860mGenerator, ErcotGisProject, QueueRequest

MW = "MW"

# The queue sources: raw table, ISO label, what the table holds. ERCOT adds its milestone dates
# to the shared queue record; every other queue uses QueueRequest as it is.
QUEUE_SOURCES: dict[str, tuple[str, str, str]] = {
    "ercot_gis": ("raw.ercot_gis__projects", "ERCOT",
                  "ERCOT GIS report: project sheets (Project Details; from 2022 Large Gen and "
                  "Small Gen) and Inactive Projects, one row per INR per sheet per monthly "
                  "report, with the GINR/GIM milestone dates."),
    "miso_queue": ("raw.miso_queue__projects", "MISO",
                   "MISO generator interconnection queue (giqueue/getprojects JSON, or its CSV "
                   "export), one row per project number."),
    "pjm_queue": ("raw.pjm_queue__projects", "PJM",
                  "PJM planning queue export (sheet Data), one row per project id."),
    "caiso_queue": ("raw.caiso_queue__projects", "CAISO",
                    "CAISO public queue report: active, completed and withdrawn sheets (two-row "
                    "header), one row per queue position per sheet."),
    "spp_queue": ("raw.spp_queue__projects", "SPP",
                  "SPP generation interconnection active requests, one row per GI number."),
    "nyiso_queue": ("raw.nyiso_queue__projects", "NYISO",
                    "NYISO interconnection queue workbook: active, cluster, withdrawn and "
                    "in-service sheets, one row per queue position per sheet; Type/Fuel L "
                    "marks load requests."),
    "bpa_queue": ("raw.bpa_queue__requests", "BPA",
                  "BPA line/load interconnection queue: project-level requests, load (LL; data "
                  "centres among them) and generation (GI)."),
}
RAW_QUEUES = tuple(
    raw_table(name, ErcotGisProject if source == "ercot_gis" else QueueRequest, description,
              ("sheet", "project_id"))
    for source, (name, _, description) in QUEUE_SOURCES.items())
RAW_EIA860M = raw_table(
    "raw.eia860m__generators", Eia860mGenerator,
    "EIA-860M monthly generator inventory: Operating, Planned, Retired and Canceled or "
    "Postponed sheets, one row per generator per sheet.", ("sheet", "plant_id", "generator_id"))

CODES = TableSpec(
    name="core.power__codes_normalization",
    description="How raw queue, EIA-860M and permit values map to normalized ones "
                "(models/reference/power_codes.csv): per source (or * for all) and dimension "
                "(fuel, status, request_class, eia_status, ladder_status), a case-insensitive "
                "regular expression over the dimension's key; the lowest priority that matches "
                "wins.",
    columns=(
        Column("source", "VARCHAR", "source name, or * for every source", nullable=False),
        Column("dimension", "VARCHAR", "fuel (key: fuel_raw|technology_raw), status (key: "
               "sheet|status_raw), request_class (key: sheet|request_type_raw), eia_status "
               "(key: status_code), ladder_status (the buildout status ladder; key: "
               "status|status_raw for queues, status_code for eia860m, "
               "kind|record_type|status_raw for permit filings)", nullable=False),
        Column("pattern", "VARCHAR", "regular expression matched (case-insensitive, "
               "regexp_matches) against the key", nullable=False),
        Column("normalized", "VARCHAR", "normalized value", nullable=False),
        Column("priority", "INTEGER", "lower wins when several patterns match",
               nullable=False),
        Column("note", "VARCHAR", "what the raw values mean, where from"),
    ),
    primary_key=("source", "dimension", "pattern"),
    partition_by=(),
)

_MONTH = Column("report_month", "DATE", "first day of the month the report describes",
                nullable=False)
_SOURCE = Column("source", "VARCHAR", "source name, e.g. ercot_gis", nullable=False)
_ISO = Column("iso", "VARCHAR", "ERCOT, MISO, PJM, CAISO, SPP, NYISO or BPA", nullable=False)
_PROJECT = Column("project_id", "VARCHAR", "the queue's request id", nullable=False)
_CLASS = Column("request_class", "VARCHAR", "large_gen, small_gen or load")
_FUEL = Column("fuel", "VARCHAR", "solar, wind, storage, gas, nuclear, hybrid, coal, hydro or "
               "other; NULL when the report gives none")

QUEUE_PROJECTS = TableSpec(
    name="core.power__interconnection_queue_projects",
    description="Every interconnection request of every queue source in one monthly vintage, "
                "conformed: one row per source, report month and project id, with normalized "
                "request class, fuel and status next to the raw values.",
    columns=(
        _MONTH, _SOURCE, _ISO, _PROJECT,
        Column("project_name", "VARCHAR", "project name as the report writes it"),
        _CLASS, _FUEL,
        Column("fuel_raw", "VARCHAR", "fuel as the report writes it"),
        Column("technology_raw", "VARCHAR", "technology as the report writes it"),
        Column("capacity_mw", "DOUBLE", "requested MW (the report's headline MW)", unit=MW),
        Column("status", "VARCHAR", "active, withdrawn, operational or suspended"),
        Column("status_raw", "VARCHAR", "status as the report writes it"),
        Column("study_phase", "VARCHAR", "study phase or cluster"),
        Column("state", "VARCHAR", "state"),
        Column("county", "VARCHAR", "county"),
        Column("developer", "VARCHAR", "interconnecting entity or developer"),
        Column("poi_name", "VARCHAR", "point of interconnection"),
        Column("queue_date", "DATE", "date the request entered the queue"),
        Column("proposed_cod", "DATE", "current proposed commercial operation date"),
        Column("withdrawn_date", "DATE", "withdrawal date"),
        Column("in_service_date", "DATE", "actual in-service date"),
        Column("sheet", "VARCHAR", "layout role of the sheet the row came from",
               nullable=False),
        Column("snapshot_sha256", "VARCHAR", "sha256 of the archived payload", nullable=False),
    ),
    primary_key=("report_month", "source", "project_id"),
    partition_by=("report_month",),
    examples=(
        "SELECT iso, fuel, round(sum(capacity_mw)) AS mw FROM "
        "core.power__interconnection_queue_projects WHERE report_month = DATE '2025-11-01' "
        "AND status = 'active' GROUP BY ALL ORDER BY mw DESC",),
)

EIA860M_GENERATORS = TableSpec(
    name="core.power__eia860m_generators",
    description="EIA-860M generators of one monthly workbook, conformed: one row per plant, "
                "generator and sheet, with the status code and a normalized status.",
    columns=(
        _MONTH,
        Column("plant_id", "BIGINT", "EIA plant id", nullable=False),
        Column("generator_id", "VARCHAR", "EIA generator id", nullable=False),
        Column("sheet", "VARCHAR", "operating, planned, retired or canceled", nullable=False),
        Column("plant_name", "VARCHAR", "plant name"),
        Column("entity_name", "VARCHAR", "utility (entity) name"),
        Column("state", "VARCHAR", "plant state"),
        Column("county", "VARCHAR", "plant county"),
        Column("balancing_authority_code", "VARCHAR", "balancing authority code"),
        Column("technology", "VARCHAR", "technology description"),
        Column("energy_source_code", "VARCHAR", "energy source code"),
        Column("prime_mover_code", "VARCHAR", "prime mover code"),
        Column("nameplate_capacity_mw", "DOUBLE", "nameplate capacity", unit=MW),
        Column("net_summer_capacity_mw", "DOUBLE", "net summer capacity", unit=MW),
        Column("status_code", "VARCHAR", "EIA status code (OP, SB, P, L, T, U, V, TS, ...)"),
        Column("status", "VARCHAR", "operating, standby, out_of_service, planned, "
               "under_construction, retired or canceled"),
        Column("operating_month", "DATE", "first day of the operating month"),
        Column("planned_operation_month", "DATE", "first day of the planned operation month"),
        Column("retirement_month", "DATE", "first day of the (planned) retirement month"),
        Column("latitude", "DOUBLE", "plant latitude", unit="degrees"),
        Column("longitude", "DOUBLE", "plant longitude", unit="degrees"),
        Column("snapshot_sha256", "VARCHAR", "sha256 of the archived workbook", nullable=False),
    ),
    primary_key=("report_month", "plant_id", "generator_id", "sheet"),
    partition_by=("report_month",),
)

QUEUE_CHANGES = TableSpec(
    name="out.power__queue_changes",
    description="What changed in each queue since its previous vintage (the latest report "
                "month before this one of the same source): one row per project event - added, "
                "withdrawn (marked withdrawn, or no longer listed), status_changed, completed "
                "(now operational), cod_slipped (proposed COD moved later), mw_changed.",
    columns=(
        _MONTH,
        Column("previous_report_month", "DATE", "the vintage compared against",
               nullable=False),
        _SOURCE, _ISO, _PROJECT,
        Column("project_name", "VARCHAR", "project name (current, else previous vintage)"),
        _CLASS, _FUEL,
        Column("event", "VARCHAR", "added, withdrawn, status_changed, completed, cod_slipped or "
               "mw_changed", nullable=False),
        Column("previous_value", "VARCHAR", "the value before (status, COD or MW as text)"),
        Column("current_value", "VARCHAR", "the value now"),
        Column("months_slipped", "INTEGER", "cod_slipped: months between the two proposed CODs",
               unit="months"),
        Column("mw_delta", "DOUBLE", "mw_changed: current minus previous MW", unit=MW),
        Column("capacity_mw", "DOUBLE", "the project's MW (current, else previous vintage)",
               unit=MW),
    ),
    primary_key=("report_month", "source", "project_id", "event"),
    partition_by=("report_month",),
    examples=(
        "SELECT iso, project_id, project_name, months_slipped FROM out.power__queue_changes "
        "WHERE report_month = DATE '2025-11-01' AND event = 'cod_slipped' "
        "ORDER BY months_slipped DESC LIMIT 20",),
)

MONTHLY_QUEUE_SUMMARY = TableSpec(
    name="out.power__monthly_queue_summary",
    description="Projects and MW in the queues per report month, ISO, request class, fuel and "
                "status.",
    columns=(
        _MONTH, _ISO, _CLASS, _FUEL,
        Column("status", "VARCHAR", "active, withdrawn, operational or suspended"),
        Column("n_projects", "BIGINT", "number of requests", nullable=False),
        Column("capacity_mw", "DOUBLE", "sum of requested MW (NULL MW count as unknown, not 0)",
               unit=MW),
    ),
    primary_key=(),
    partition_by=("report_month",),
)

TABLES = (*RAW_QUEUES, RAW_EIA860M, CODES, QUEUE_PROJECTS, EIA860M_GENERATORS, QUEUE_CHANGES,
          MONTHLY_QUEUE_SUMMARY)
