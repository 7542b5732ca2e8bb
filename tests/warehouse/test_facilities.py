"""Facility entity resolution (warehouse.facilities) on hand-built cases, and the Epoch
timelines and facility tables built on DuckDB from the inventory fixtures plus filings rows
inserted directly (the filings table is built by the permit sources)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from models.catalog import table
from sources.buildout import epoch_datacenters, im3_atlas, osm_datacenters
from tests.conftest import FIXTURES
from tests.sources.power_helpers import month_snapshot, raw_frame
from warehouse.build import POWER, build_domain_partition
from warehouse.facilities import (
    MIN_SCORE,
    facilities,
    facility_records,
    haversine_m,
    name_similarity,
    name_tokens,
)
from warehouse.schema import ensure_schema
from warehouse.write import replace_partition

MONTH = date(2026, 8, 1)
LAT, LON = 39.0, -77.5
METRES_PER_DEGREE_LAT = 111_195.0


def north(metres: float) -> float:
    return LAT + metres / METRES_PER_DEGREE_LAT


def record(source: str, record_id: str, name: str | None, lat: float | None = LAT,
           lon: float | None = LON, **extra) -> dict:
    priority = {"epoch_datacenters": 1, "parcels": 2, "osm_datacenters": 3, "im3_atlas": 4,
                "permits": 5}[source]
    return {"report_month": MONTH, "source": source, "record_id": record_id,
            "priority": priority, "name": name, "operator": None, "county": None,
            "state": extra.pop("state", "VA"), "latitude": lat, "longitude": lon,
            "location_precision": "building" if lat is not None else None,
            "status": extra.pop("status", "operational"), "it_mw": None, "facility_mw": None,
            "h100e": None, "square_feet": extra.pop("square_feet", None),
            "snapshot_sha256": "0" * 64, **extra}


def assignments(candidates: list[dict]) -> dict[str, str]:
    frame = facility_records(pd.DataFrame(candidates))
    return dict(zip(frame["source"] + ":" + frame["record_id"], frame["facility_id"],
                    strict=True))


def sites_of(candidates: list[dict]) -> pd.DataFrame:
    """core.datacenter__facilities of the candidates, built as the warehouse builds it."""
    frame = pd.DataFrame(candidates)
    return facilities(frame, facility_records(frame))


def test_name_tokens_and_similarity():
    assert name_tokens("Meta Sarpy Data Center, LLC") == {"meta", "sarpy"}
    assert name_tokens(None) == frozenset() and name_tokens("Data Center") == frozenset()
    assert name_similarity(name_tokens("Google Omaha"), name_tokens("Google Omaha DC")) == 1
    assert name_similarity(name_tokens("Meta Temple"), name_tokens("Meta")) == 0.5
    assert name_similarity(name_tokens("Meta"), frozenset()) is None
    assert haversine_m(LAT, LON, north(80), LON) == pytest.approx(80, abs=0.5)


def test_close_records_with_similar_names_merge_and_far_ones_do_not():
    sites = assignments([
        record("osm_datacenters", "way/1", "Ashburn Campus DC1"),
        record("im3_atlas", "building:a", "Ashburn DC1 Data Center", north(80)),
        record("im3_atlas", "building:b", "Ashburn DC1 Data Center", north(5_000)),
    ])
    assert sites == {"osm_datacenters:way/1": "osm_datacenters:way/1",
                     "im3_atlas:building:a": "osm_datacenters:way/1",
                     "im3_atlas:building:b": "im3_atlas:building:b"}
    frame = facility_records(pd.DataFrame([
        record("osm_datacenters", "way/1", "Ashburn Campus DC1"),
        record("im3_atlas", "building:a", "Ashburn DC1 Data Center", north(80))]))
    member = frame.iloc[1]
    assert member.match_method == "distance+name"
    assert member.distance_m == pytest.approx(80, abs=0.5)
    assert member.name_similarity == 1.0
    assert member.match_score == pytest.approx((1 - 80 / 1000 + 1) / 2, abs=1e-3)
    assert frame.iloc[0].match_method == "anchor" and frame.iloc[0].match_score == 1.0


@pytest.mark.parametrize(("metres", "other_name", "joins"), [
    (150, None, True),  # no name: distance alone, within 200 m
    (250, None, False),
    (790, "Ashburn DC1", True),  # same name: up to 800 m
    (850, "Ashburn DC1", False),
    (150, "Sterling Two", False),  # different names 150 m apart: separate buildings
    (150, "Ashburn", True),  # half the tokens shared, within 200 m
])
def test_thresholds(metres, other_name, joins):
    sites = assignments([record("osm_datacenters", "way/1", "Ashburn DC1"),
                         record("im3_atlas", "x", other_name, north(metres))])
    assert (sites["im3_atlas:x"] == "osm_datacenters:way/1") is joins


def test_unmatched_records_stay_their_own_site():
    frame = sites_of([record("permits", "P-1", "Warehouse", north(3_000)),
                      record("osm_datacenters", "way/1", "Ashburn DC1")])
    assert sorted(frame.facility_id) == ["osm_datacenters:way/1", "permits:P-1"]
    assert set(frame.n_records) == {1}


def test_epoch_sites_match_by_name_in_their_state_and_never_join_each_other():
    candidates = [
        record("epoch_datacenters", "Meta Temple", "Meta Temple", None, None, state="TX",
               it_mw=152.0),
        record("epoch_datacenters", "Meta Temple 2", "Meta Temple", None, None, state="TX"),
        record("osm_datacenters", "way/7", "Meta Temple Data Center", 31.1, -97.3,
               state=None),
        record("osm_datacenters", "way/8", None, 31.1005, -97.3),  # 55 m from way/7
        record("im3_atlas", "campus:x", "Meta Temple", 39.0, -77.0, state="VA"),
    ]
    candidates[2]["state"] = "TX"
    sites = assignments(candidates)
    assert sites["epoch_datacenters:Meta Temple 2"] == "epoch_datacenters:Meta Temple 2"
    assert sites["osm_datacenters:way/7"] == "epoch_datacenters:Meta Temple"
    # the site took way/7's point, so the unnamed building beside it joins by distance
    assert sites["osm_datacenters:way/8"] == "epoch_datacenters:Meta Temple"
    assert sites["im3_atlas:campus:x"] == "im3_atlas:campus:x"  # same name, other state
    frame = sites_of(candidates).set_index("facility_id")
    temple = frame.loc["epoch_datacenters:Meta Temple"]
    assert (temple.n_records, temple.sources, temple.it_mw) == (
        3, "epoch_datacenters,osm_datacenters", 152.0)
    assert (temple.latitude, temple.location_precision) == (31.1, "building")


def test_ids_are_stable_across_months_and_input_order():
    month_one = [record("osm_datacenters", "way/1", "Ashburn DC1"),
                 record("im3_atlas", "a", "Ashburn DC1", north(40)),
                 record("permits", "P-9", None, north(60))]
    # next month: new records arrive (one far away, one IM3 near) and rows come reordered
    month_two = [record("im3_atlas", "b", None, north(90)), *reversed(month_one),
                 record("im3_atlas", "c", "Elsewhere", north(9_000))]
    first, second = assignments(month_one), assignments(month_two)
    assert all(second[key] == value for key, value in first.items())
    assert second["im3_atlas:b"] == "osm_datacenters:way/1"
    assert second["im3_atlas:c"] == "im3_atlas:c"
    assert MIN_SCORE == 0.6


def test_five_thousand_records_resolve_into_their_sites():
    """(How long it takes: tests/benchmarks/bench_facilities.py.)"""
    rows = []
    for i in range(5_000):  # 1,250 sites of four records each, 50-200 m apart, 5 km apart
        site, member = divmod(i, 4)
        lat = 30 + (site // 50) * 0.05 + member * 0.0005
        lon = -100 + (site % 50) * 0.05
        source = ("osm_datacenters", "im3_atlas", "im3_atlas", "permits")[member]
        rows.append(record(source, f"r{i}", f"Site {site} Campus", lat, lon))
    frame = sites_of(rows)
    assert len(frame) == 1_250 and set(frame.n_records) == {4}


# --- on DuckDB ---------------------------------------------------------------------------------

@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(connection)
    yield connection
    connection.close()


def load(con, module, *files: str) -> None:
    snapshots = [month_snapshot(module.NAME, (FIXTURES / f).read_bytes(), MONTH, sequence=i)
                 for i, f in enumerate(files)]
    frame = raw_frame(module.SOURCE, module.parse(snapshots))
    replace_partition(con, table(module.SOURCE.raw_table), frame, {"observation_date": MONTH})


def filing(record_id: str, kind: str, lat: float | None, lon: float | None, precision: str,
           title: str) -> dict:
    row = dict.fromkeys(table("core.permits__datacenter_filings").column_names)
    return row | {"report_month": MONTH, "source": "loudoun_permits",
                  "jurisdiction": "Loudoun County, VA", "record_id": record_id, "kind": kind,
                  "title": title, "status": "permitted", "state": "VA", "latitude": lat,
                  "longitude": lon, "location_precision": precision,
                  "classification_method": "field_value",
                  "classification_evidence": "Structure Type = 'Data Center'",
                  "snapshot_sha256": "f" * 64}


@pytest.fixture
def built(con):
    load(con, epoch_datacenters, "epoch_datacenters/data_centers_cut.csv",
         "epoch_datacenters/data_center_timelines_cut.csv")
    load(con, osm_datacenters, "osm_datacenters/overpass_san_antonio_cut.json")
    load(con, im3_atlas, "im3_atlas/im3_datacenter_footprints_cut.geojson")
    filings = pd.DataFrame([
        # a permit 30 m from the H5 building in San Antonio, same name
        filing("B-1", "building_permit", 29.4296, -98.4869, "address",
               "H5 Data Centers San Antonio"),
        filing("B-2", "building_permit", 39.1, -77.6, "county", "County centroid only"),
        filing("B-3", "building_permit", None, None, "address", "No point"),
        filing("PARCEL-1", "parcel", 29.42937, -98.48690, "parcel", "H5 San Antonio"),
        # zoned for data centers, on the same spot: capacity, not a site
        filing("ZONED-1", "zoning_parcel", 29.42937, -98.48690, "parcel", "H5 San Antonio"),
    ], columns=list(table("core.permits__datacenter_filings").column_names))
    replace_partition(con, table("core.permits__datacenter_filings"), filings,
                      {"report_month": MONTH})
    build_domain_partition(con, POWER, MONTH, tables=[
        "core.datacenter__epoch_timelines", "core.datacenter__assn_facility_records",
        "core.datacenter__facilities"])
    return con


def test_epoch_timelines_status_and_projections(built):
    rows = built.execute(
        "SELECT data_center, timeline_date, is_projected, status, facility_id "
        "FROM core.datacenter__epoch_timelines ORDER BY ALL").df()
    assert len(rows) == 22
    # the fixture's download is 2026-12-01 (after the month): judged as of 2026-08-31
    projected = rows[rows.is_projected]
    assert sorted(zip(projected.data_center, projected.timeline_date.astype(str),
                      strict=True)) == [
        ("DayOne Nusajaya", "2026-10-02"), ("Meta Temple", "2026-09-30"),
        ("Stream Phoenix", "2030-01-01")]
    by_key = {(r.data_center, str(r.timeline_date)[:10]): r.status for r in rows.itertuples()}
    assert by_key[("Colossus 2", "2025-02-28")] == "under_construction"  # land clearing
    assert by_key[("Colossus 2", "2025-10-19")] == "operational"  # 1 building, 239 IT MW
    assert set(rows.facility_id) == {f"epoch_datacenters:{n}" for n in rows.data_center}
    facilities_ids = {r[0] for r in built.execute(
        "SELECT facility_id FROM core.datacenter__facilities").fetchall()}
    assert set(rows[rows.data_center != "EdgeCore Mesa PH03"].facility_id) <= facilities_ids


def test_filings_with_a_site_point_join_and_parcels_anchor_before_osm(built):
    records = built.execute(
        "SELECT source, record_id, facility_id, match_method "
        "FROM core.datacenter__assn_facility_records ORDER BY ALL").df()
    by_record = {(r.source, r.record_id): (r.facility_id, r.match_method)
                 for r in records.itertuples()}
    # county-centroid and point-less filings take no part
    assert ("loudoun_permits", "B-2") not in by_record
    assert ("loudoun_permits", "B-3") not in by_record
    assert ("loudoun_permits", "ZONED-1") not in by_record  # a zoning parcel is not a site
    assert by_record[("loudoun_permits", "PARCEL-1")] == ("loudoun_permits:PARCEL-1", "anchor")
    assert by_record[("osm_datacenters", "way/102129663")][0] == "loudoun_permits:PARCEL-1"
    assert by_record[("loudoun_permits", "B-1")][0] == "loudoun_permits:PARCEL-1"
    n_candidates = 4 + 8 + 4 + 2  # Epoch sites, OSM, IM3 footprints, located filings
    assert len(records) == n_candidates + 1  # EdgeCore Mesa PH03 (timeline only) is a site too
    site = built.execute(
        "SELECT name, n_records, sources, location_precision, state, status FROM "
        "core.datacenter__facilities WHERE facility_id = 'loudoun_permits:PARCEL-1'").fetchone()
    assert site == ("H5 San Antonio", 3, "loudoun_permits,osm_datacenters", "parcel", "VA",
                    "permitted")
    epoch = built.execute(
        "SELECT it_mw, facility_mw, h100e, status FROM core.datacenter__facilities "
        "WHERE facility_id = 'epoch_datacenters:Meta Temple'").fetchone()
    # current IT MW and H100e from the site row; facility MW and status from the latest row
    # that is not a projection (2025-12-09: 152 IT MW, 198 MW; 2026-09-30 is projected)
    assert epoch[:3] == pytest.approx((152.0, 198.0, 173247.6719844078))
    assert epoch[3] == "operational"


def test_epoch_mw_outside_bounds_is_quarantined_with_the_reason(built):
    built.execute("UPDATE raw.epoch_datacenters__timelines SET it_mw = -5 "
                  "WHERE data_center = 'Meta Temple' AND timeline_date = DATE '2025-12-09'")
    build = build_domain_partition(built, POWER, MONTH,
                                   tables=["core.datacenter__epoch_timelines"])
    assert build.quarantined == 1
    [reason] = built.execute("SELECT reason FROM core.pipeline__quarantined_rows").fetchone()
    assert reason == "it_mw -5.0, facility_mw 198.0 outside [0, 20000]"
    summary = next(c for c in build_domain_partition(
        built, POWER, MONTH, tables=["core.datacenter__facilities"]).checks
        if c.name == "facilities_summary")
    assert summary.passed and summary.metadata["n_records"] == 19


@pytest.mark.parametrize(("text", "buildings", "it_mw", "status"), [
    ("Building 1 looks complete, but not yet operational", 1.0, 0.0, "operational"),
    ("Nothing visible yet", 0.0, 12.0, "operational"),
    ("Project cancelled after the rezoning was denied", 0.0, 0.0, "cancelled"),
    ("Land clearing begins for Building 1-2", 0.0, 0.0, "under_construction"),
    ("The substation looks complete; commissioning expected", 0.0, 0.0, "under_construction"),
    ("CoreWeave signed the first lease package for 250 MW", 0.0, 0.0, "announced"),
    ("Satellite image unclear", 0.0, 0.0, None),
    (None, None, None, None),
])
def test_epoch_status_rules(con, text, buildings, it_mw, status):
    row = dict.fromkeys(table("raw.epoch_datacenters__timelines").column_names)
    row |= {"observation_date": MONTH, "fetched_datetime": pd.Timestamp("2026-08-03"),
            "source_url": "file:t.csv", "snapshot_sha256": "a" * 64, "parser_version": "1",
            "data_center": "Site", "timeline_date": date(2026, 1, 1), "site_listed": False,
            "construction_status_raw": text, "buildings_operational": buildings,
            "it_mw": it_mw}
    replace_partition(con, table("raw.epoch_datacenters__timelines"), pd.DataFrame([row]),
                      {"observation_date": MONTH})
    build_domain_partition(con, POWER, MONTH, tables=["core.datacenter__epoch_timelines"])
    got = con.execute("SELECT status, construction_status_raw, is_projected "
                      "FROM core.datacenter__epoch_timelines").fetchone()
    assert got == (status, text, False)
