"""Raw record model of the permit, land-use and parcel sources: every jurisdiction configured in
``sources/buildout/jurisdictions.csv`` emits :class:`PermitFiling` rows, so all their raw tables
share one shape. Fields are what the jurisdiction says, typed; the only derived fields are the
classification that let the record in (method and evidence) and where its point comes from.
Personal names are never fields: an applicant is an organisation or nothing."""

from __future__ import annotations

from datetime import date

from models.records.base import Number, Record, field
from models.records.power import optional


class PermitFiling(Record):
    """One filing (building permit, land-use application) or parcel classified as
    data-center related, as one monthly vintage of its jurisdiction's feed lists it."""

    report_month: date = field("first day of the month of the vintage")
    record_id: str = field("the jurisdiction's permit, application or parcel id", min_length=1)
    kind: str = field("building_permit, land_use_application, parcel (a data-center parcel) or "
                      "zoning_parcel (zoned for data centers: capacity, not a site)")
    jurisdiction: str = field("publishing jurisdiction, e.g. 'Loudoun County, VA'")
    record_type: str | None = optional("permit type and work class, plan type or land-use code "
                                       "as the source writes it")
    use_type: str | None = optional("what the structure or parcel is used for as the source "
                                    "says (Loudoun Structure Type, Maricopa use description)")
    title: str | None = optional("plan, project, building or permit name as filed")
    description: str | None = optional("work or plan description as filed")
    filed_date: date | None = optional("date the application was filed or opened")
    issued_date: date | None = optional("date the permit was issued or the application decided")
    status_raw: str | None = optional("status as the jurisdiction writes it")
    square_feet: Number | None = optional("permitted floor area, or the parcel's lot area",
                                          unit="sq ft")
    estimated_cost_usd: Number | None = optional("estimated construction cost, valuation or "
                                                 "sale price", unit="USD")
    applicant: str | None = optional("owner, applicant or contractor organisation (never a "
                                     "person's name)")
    address: str | None = optional("site address")
    parcel_id: str | None = optional("parcel number (PIN, APN, MCPI, GPIN)")
    county: str | None = optional("county")
    state: str | None = optional("two-letter state")
    latitude: Number | None = optional("latitude, WGS84", unit="degrees")
    longitude: Number | None = optional("longitude, WGS84", unit="degrees")
    location_precision: str | None = optional("where the point comes from: parcel (centroid), "
                                              "building, address (geocoded); NULL without one")
    classification_method: str = field("field_value, dataset, keyword, operator or known_site")
    classification_evidence: str = field("the field and text that matched")
