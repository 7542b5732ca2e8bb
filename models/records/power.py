"""Raw record models of the power sources: interconnection-queue requests (every ISO queue and
the BPA load queue share :class:`QueueRequest`; ERCOT adds its milestone dates) and EIA-860M
generators. Fields are what the report says, typed; normalization (fuel, status, request class)
happens in the core SQL against ``core.power__codes_normalization``."""

from __future__ import annotations

from datetime import date
from typing import Any

from models.records.base import Number, Record, field

MW = "MW"


def optional(description: str, **kwargs: Any) -> Any:
    """A field that may be unknown (None, the default)."""
    return field(description, default=None, **kwargs)


class QueueRequest(Record):
    """One interconnection request (generation or load) as one monthly queue report lists it."""

    report_month: date = field("first day of the month the report describes")
    sheet: str = field("layout role of the sheet or list the row comes from, e.g. large_gen, "
                       "active, withdrawn (sources/buildout/layouts/sheets.csv)")
    row_number: int = field("1-based row of the sheet or CSV the record was read from", ge=1)
    project_id: str = field("the queue's request id (ERCOT INR, MISO project #, PJM project "
                            "id, CAISO queue position, ...)", min_length=1)
    project_name: str | None = optional("project name as the report writes it")
    developer: str | None = optional("interconnecting entity, developer or customer")
    request_type_raw: str | None = optional("what kind of request, as the report says (sheet role, "
                                         "type code such as NYISO 'L', PJM project type)")
    study_phase: str | None = optional("study phase or cluster as the report says")
    status_raw: str | None = optional("request status as the report says")
    fuel_raw: str | None = optional("fuel or resource type as the report says")
    technology_raw: str | None = optional("technology or generator type as the report says")
    capacity_mw: Number | None = optional("requested capacity: the report's headline MW (ERCOT "
                                      "'Capacity (MW)', MISO summer MW, PJM MW energy, CAISO "
                                      "net MW to grid, ...); repowerings may be 0 or negative",
                                      unit=MW)
    summer_capacity_mw: Number | None = optional("summer MW where the report gives it", unit=MW)
    winter_capacity_mw: Number | None = optional("winter MW where the report gives it", unit=MW)
    state: str | None = optional("state as the report writes it (ERCOT: TX)")
    county: str | None = optional("county as the report writes it")
    zone: str | None = optional("ISO zone or study region (ERCOT CDR reporting zone, ...)")
    poi_name: str | None = optional("point of interconnection (substation or line)")
    transmission_owner: str | None = optional("transmission owner or utility at the POI")
    queue_date: date | None = optional("date the request entered the queue")
    proposed_cod: date | None = optional("current proposed commercial operation / in-service date")
    withdrawn_date: date | None = optional("date the request was withdrawn")
    in_service_date: date | None = optional("actual in-service date")


class ErcotGisProject(QueueRequest):
    """A project of the ERCOT GIS report's project sheets, with the GINR/GIM milestone dates."""

    screening_study_started_date: date | None = optional("screening study started")
    fis_requested_date: date | None = optional("full interconnection study requested")
    ia_signed_date: date | None = optional("interconnection agreement signed")
    construction_start_date: date | None = optional("construction start")
    construction_end_date: date | None = optional("construction end")
    energization_approved_date: date | None = optional("approved for energization")
    synchronization_approved_date: date | None = optional("approved for synchronization")


class Eia860mGenerator(Record):
    """One generator row of an EIA-860M sheet (Operating, Planned, Retired, Canceled or
    Postponed)."""

    report_month: date = field("first day of the month the workbook describes")
    sheet: str = field("operating, planned, retired or canceled")
    row_number: int = field("1-based row of the sheet", ge=1)
    entity_id: int | None = optional("EIA utility (entity) id")
    entity_name: str | None = optional("utility (entity) name")
    plant_id: int = field("EIA plant id")
    plant_name: str | None = optional("plant name")
    state: str | None = optional("plant state (two letters)")
    county: str | None = optional("plant county")
    balancing_authority_code: str | None = optional("balancing authority code (2021+ vintages)")
    sector: str | None = optional("sector name")
    generator_id: str = field("EIA generator id, text (leading zeros kept)", min_length=1)
    unit_code: str | None = optional("unit code")
    nameplate_capacity_mw: Number | None = optional("nameplate capacity", unit=MW)
    net_summer_capacity_mw: Number | None = optional("net summer capacity", unit=MW)
    net_winter_capacity_mw: Number | None = optional("net winter capacity", unit=MW)
    technology: str | None = optional("technology description")
    energy_source_code: str | None = optional("energy source code, e.g. NG, SUN, WND, MWH")
    prime_mover_code: str | None = optional("prime mover code, e.g. CT, PV, BA")
    status_raw: str | None = optional("status as the sheet writes it, e.g. '(U) Under "
                                   "construction, less than or equal to 50 percent complete'")
    status_code: str | None = optional("status code: OP, SB, OS, OA, P, L, T, U, V, TS, OT, RE, "
                                    "CN, IP ...")
    operating_month: date | None = optional("first day of the operating month (Operating, Retired)")
    planned_operation_month: date | None = optional("first day of the planned operation month "
                                                 "(Planned, Canceled or Postponed)")
    retirement_month: date | None = optional("first day of the (planned) retirement month")
    latitude: Number | None = optional("plant latitude", unit="degrees")
    longitude: Number | None = optional("plant longitude", unit="degrees")
