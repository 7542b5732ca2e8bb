"""Raw record models of the open data-center inventories: OpenStreetMap elements (Overpass),
PNNL IM3 atlas features and Epoch AI's data centers with their dated timelines. Fields are what
the inventory says, typed; matching them into sites happens in the warehouse
(:mod:`warehouse.facilities`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from models.records.base import Number, Record, field
from models.records.power import MW, optional

DEGREES = "degrees"
SiteStatus = Literal["operational", "under_construction"]


class OsmElement(Record):
    """One OpenStreetMap element tagged as a data center (or a data center under construction)."""

    element_type: Literal["node", "way", "relation"] = field("OSM element type")
    element_id: int = field("OSM element id (unique per element type)", ge=1)
    name: str | None = optional("name tag")
    operator: str | None = optional("operator tag")
    latitude: Number = field("node position, or the centre of a way or relation", unit=DEGREES,
                             ge=-90, le=90)
    longitude: Number = field("node position, or the centre of a way or relation",
                              unit=DEGREES, ge=-180, le=180)
    state: str | None = optional("two-letter state from addr:state (or the compiled file's "
                                 "state column)")
    city: str | None = optional("addr:city tag")
    data_center_tags: str = field("the tags that make it a data center, e.g. "
                                  "'telecom=data_center; building=data_center'", min_length=1)
    site_status: SiteStatus = field("under_construction when a construction tag names a data "
                                    "center (construction=data_center, building=construction "
                                    "with one, or the compiled file's site_class "
                                    "'construction'), else operational")
    is_building: bool = field("a building (way or relation with a building=* tag other than "
                              "construction) rather than a site outline or a point")
    footprint_m2: Number | None = optional("footprint area as the compiled file gives it (the "
                                           "Overpass centre output carries no geometry)",
                                           unit="m2")
    tags_json: str | None = optional("every tag of the element, as a JSON object")


class Im3Facility(Record):
    """One feature of the PNNL IM3 Open Source Data Center Atlas (existing facilities)."""

    record_id: str = field("stable id built from the feature itself (the atlas has none): "
                           "'<type>:<lat>,<lon>' of its point, 5 decimals (about 1 m)",
                           min_length=1)
    name: str | None = optional("facility name")
    operator: str | None = optional("operator")
    state: str | None = optional("two-letter state (the CSV's full state name mapped)")
    county: str | None = optional("county")
    site_type: Literal["building", "campus", "point"] = field(
        "the atlas's type: a building footprint, a campus outline, or a point only")
    square_feet: Number | None = optional("footprint floor area", unit="sq ft")
    latitude: Number = field("the feature's point (a footprint's centroid)", unit=DEGREES,
                             ge=-90, le=90)
    longitude: Number = field("the feature's point (a footprint's centroid)", unit=DEGREES,
                              ge=-180, le=180)
    geometry_type: str = field("geometry the point came from: Point, Polygon, MultiPolygon, or "
                               "csv (the CSV's lat/lon)")


class EpochTimelineRow(Record):
    """One dated row of Epoch AI's data_center_timelines.csv joined with its site's row of
    data_centers.csv (CC BY 4.0, Epoch AI). A site listed without any dated row has one record
    with ``timeline_date`` unknown; a dated row whose site is not listed has no site fields."""

    data_center: str = field("Epoch's data-center name ('Name' / 'Data center')", min_length=1)
    timeline_date: date | None = optional("the date the row describes ('Date')")
    construction_status_raw: str | None = optional("free-text 'Construction status'")
    buildings_operational: Number | None = optional("'Buildings operational'",
                                                    unit="buildings")
    it_mw: Number | None = optional("'IT power (MW)'", unit=MW)
    facility_mw: Number | None = optional("'Power (MW)': facility power", unit=MW)
    h100e: Number | None = optional("'H100 equivalents'", unit="H100e")
    capital_cost_busd: Number | None = optional("'Total capital cost (2025 USD billions)'",
                                                unit="USD bn")
    water_use_mgd: Number | None = optional("'Water use (MGD)'", unit="MGD")
    site_listed: bool = field("the site has a row in data_centers.csv (else the site fields "
                              "below are unknown)")
    current_it_mw: Number | None = optional("site 'Current power (MW)', which is IT power",
                                            unit=MW)
    current_h100e: Number | None = optional("site 'Current H100 equivalents'", unit="H100e")
    current_capital_cost_busd: Number | None = optional(
        "site 'Current total capital cost (2025 USD billions)'", unit="USD bn")
    owner: str | None = optional("site 'Owner', Epoch's confidence tags kept")
    users: str | None = optional("site 'Users', Epoch's confidence tags kept")
    project: str | None = optional("site 'Project'")
    current_chip_types: str | None = optional("site 'Current chip types'")
    energy_companies: str | None = optional("site 'Energy companies'")
    country: str | None = optional("site 'Country'")
    address: str | None = optional("site 'Address'")
    state: str | None = optional("two-letter state read from the address when it is "
                                 "unambiguous (', TX 75154', 'Mississippi'); else unknown")
