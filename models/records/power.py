"""Raw record models of the power sources: interconnection-queue requests (every ISO queue and
the BPA load queue share :class:`QueueRequest`; ERCOT adds its milestone dates) and EIA-860M
generators. Fields are what the report says, typed; normalization (fuel, status, request class)
happens in the core SQL against ``core.power__codes_normalization``."""

from __future__ import annotations

from datetime import date

from models.records.base import Record, field

MW = "MW"


class QueueRequest(Record):
    """One interconnection request (generation or load) as one monthly queue report lists it."""

    report_month: date = field("first day of the month the report describes")
    sheet: str = field("layout role of the sheet or list the row comes from, e.g. large_gen, "
                       "active, withdrawn (sources/buildout/layouts/sheets.csv)")
    row_number: int = field("1-based row of the sheet or CSV the record was read from", ge=1)
    project_id: str = field("the queue's request id (ERCOT INR, MISO project #, PJM project "
                            "id, CAISO queue position, ...)", min_length=1)
    project_name: str | None = field("project name as the report writes it", default=None)
    developer: str | None = field("interconnecting entity, developer or customer", default=None)
    request_type_raw: str | None = field("what kind of request, as the report says (sheet role, "
                                         "type code such as NYISO 'L', PJM project type)", default=None)
    study_phase: str | None = field("study phase or cluster as the report says", default=None)
    status_raw: str | None = field("request status as the report says", default=None)
    fuel_raw: str | None = field("fuel or resource type as the report says", default=None)
    technology_raw: str | None = field("technology or generator type as the report says", default=None)
    capacity_mw: float | None = field("requested capacity: the report's headline MW (ERCOT "
                                      "'Capacity (MW)', MISO summer MW, PJM MW energy, CAISO "
                                      "net MW to grid, ...); repowerings may be 0 or negative",
                                      unit=MW, default=None)
    summer_capacity_mw: float | None = field("summer MW where the report gives it", unit=MW, default=None)
    winter_capacity_mw: float | None = field("winter MW where the report gives it", unit=MW, default=None)
    state: str | None = field("state as the report writes it (ERCOT: TX)", default=None)
    county: str | None = field("county as the report writes it", default=None)
    zone: str | None = field("ISO zone or study region (ERCOT CDR reporting zone, ...)", default=None)
    poi_name: str | None = field("point of interconnection (substation or line)", default=None)
    transmission_owner: str | None = field("transmission owner or utility at the POI", default=None)
    queue_date: date | None = field("date the request entered the queue", default=None)
    proposed_cod: date | None = field("current proposed commercial operation / in-service date", default=None)
    withdrawn_date: date | None = field("date the request was withdrawn", default=None)
    in_service_date: date | None = field("actual in-service date", default=None)


class ErcotGisProject(QueueRequest):
    """A project of the ERCOT GIS report's project sheets, with the GINR/GIM milestone dates."""

    screening_study_started_date: date | None = field("screening study started", default=None)
    fis_requested_date: date | None = field("full interconnection study requested", default=None)
    ia_signed_date: date | None = field("interconnection agreement signed", default=None)
    construction_start_date: date | None = field("construction start", default=None)
    construction_end_date: date | None = field("construction end", default=None)
    energization_approved_date: date | None = field("approved for energization", default=None)
    synchronization_approved_date: date | None = field("approved for synchronization", default=None)


class Eia860mGenerator(Record):
    """One generator row of an EIA-860M sheet (Operating, Planned, Retired, Canceled or
    Postponed)."""

    report_month: date = field("first day of the month the workbook describes")
    sheet: str = field("operating, planned, retired or canceled")
    row_number: int = field("1-based row of the sheet", ge=1)
    entity_id: int | None = field("EIA utility (entity) id", default=None)
    entity_name: str | None = field("utility (entity) name", default=None)
    plant_id: int = field("EIA plant id")
    plant_name: str | None = field("plant name", default=None)
    state: str | None = field("plant state (two letters)", default=None)
    county: str | None = field("plant county", default=None)
    balancing_authority_code: str | None = field("balancing authority code (2021+ vintages)", default=None)
    sector: str | None = field("sector name", default=None)
    generator_id: str = field("EIA generator id, text (leading zeros kept)", min_length=1)
    unit_code: str | None = field("unit code", default=None)
    nameplate_capacity_mw: float | None = field("nameplate capacity", unit=MW, default=None)
    net_summer_capacity_mw: float | None = field("net summer capacity", unit=MW, default=None)
    net_winter_capacity_mw: float | None = field("net winter capacity", unit=MW, default=None)
    technology: str | None = field("technology description", default=None)
    energy_source_code: str | None = field("energy source code, e.g. NG, SUN, WND, MWH", default=None)
    prime_mover_code: str | None = field("prime mover code, e.g. CT, PV, BA", default=None)
    status_raw: str | None = field("status as the sheet writes it, e.g. '(U) Under "
                                   "construction, less than or equal to 50 percent complete'", default=None)
    status_code: str | None = field("status code: OP, SB, OS, OA, P, L, T, U, V, TS, OT, RE, "
                                    "CN, IP ...", default=None)
    operating_month: date | None = field("first day of the operating month (Operating, Retired)", default=None)
    planned_operation_month: date | None = field("first day of the planned operation month "
                                                 "(Planned, Canceled or Postponed)", default=None)
    retirement_month: date | None = field("first day of the (planned) retirement month", default=None)
    latitude: float | None = field("plant latitude", unit="degrees", default=None)
    longitude: float | None = field("plant longitude", unit="degrees", default=None)
