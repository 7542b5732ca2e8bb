"""The buildout out tables on DuckDB: the MW pipeline by region and status, and the GPU compute
equivalent, built by the power domain from hand-made core rows whose expected numbers are
written out by hand; measures never mixed; and an empirical check of the MW-to-GPU inversion
against Epoch AI's own H100-equivalents (real timelines in ../shared, skipped when absent)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from models.buildout_reference import gpu_power_assumptions
from models.catalog import table
from models.catalog.buildout import MEASURES
from warehouse.build import POWER, build_domain_partition
from warehouse.reference import refresh_cached
from warehouse.schema import ensure_schema
from warehouse.write import replace_partition

MONTH = date(2026, 8, 1)  # report month: its quarter is 2026Q3
MW_TABLE = "out.buildout__quarterly_mw_by_region_status"
GPU_TABLE = "out.buildout__gpu_capacity_equivalent"
OUT_TABLES = [MW_TABLE, GPU_TABLE]
REFERENCE = ["core.power__codes_normalization", "core.gpu__entity_models",
             "core.buildout__codes_gpu_power_assumptions"]
SHA = "0" * 64
ALPHA, BETA = "The Dalles Alpha", "The Dalles Beta"

# Epoch site Alpha: dated rows carried step-wise to each quarter end; the 2027 row is Epoch's
# projection. Beta has only a projected row, dated inside the report month's quarter.
TIMELINES = [
    (ALPHA, date(2025, 11, 15), False, "under_construction", 50.0, 65.0),
    (ALPHA, date(2026, 2, 10), False, "operational", 100.0, 130.0),
    (ALPHA, date(2026, 5, 20), False, "operational", 150.0, 195.0),
    (ALPHA, date(2027, 3, 1), True, "operational", 300.0, 390.0),
    (BETA, date(2026, 9, 15), True, "under_construction", 40.0, 52.0),
]
FACILITIES = [
    # Alpha is dated by Epoch: counted from the timelines, not again as a facility
    ("epoch_datacenters:" + ALPHA, "operational", 150.0, 195.0),
    # sites known without any MW
    ("osm_datacenters:way/4242", "under_construction", None, None),
    ("loudoun_permits:SPEX-2026-0001", "permitted", None, None),
]
QUEUE = [  # (project_id, request_class, status, status_raw, capacity_mw)
    ("L0673", "load", "active", "STUDY", 300.0),
    ("L0588", "load", "operational", "ENERGIZED", 100.0),
    ("L0700", "load", "active", "CONST AGRMT EXE", None),
    ("G0610", "large_gen", "active", "STUDY", 500.0),  # generation request: not load
]
GENERATORS = [  # (plant_id, generator_id, sheet, status_code, nameplate MW)
    (1001, "G1", "planned", "U", 200.0),
    (1001, "G2", "planned", "V", 100.0),
    (1003, "ST1", "planned", "TS", None),
    (1002, "PV1", "planned", "P", 50.0),
    (1004, "GT1", "operating", "OP", 400.0),  # operating: not planned generation
]


def insert(con, name: str, rows: list[dict]) -> None:
    spec = table(name)
    frame = pd.DataFrame([{"report_month": MONTH, **row} for row in rows])
    if "snapshot_sha256" in spec.column_names:
        frame["snapshot_sha256"] = SHA
    replace_partition(con, spec, frame, {"report_month": MONTH})


def load_timelines(con, rows) -> None:
    insert(con, "core.datacenter__epoch_timelines", [
        {"data_center": name, "facility_id": f"epoch_datacenters:{name}", "timeline_date": day,
         "is_projected": projected, "status": status, "it_mw": it_mw,
         "facility_mw": facility_mw, "state": "OR"}
        for name, day, projected, status, it_mw, facility_mw in rows])


def load_queue(con, rows) -> None:
    insert(con, "core.power__interconnection_queue_projects", [
        {"source": "bpa_queue", "iso": "BPA", "project_id": project, "request_class": kind,
         "status": status, "status_raw": raw, "capacity_mw": mw, "state": "OR",
         "sheet": "requests"}
        for project, kind, status, raw, mw in rows])


def load_generators(con, rows) -> None:
    insert(con, "core.power__eia860m_generators", [
        {"plant_id": plant, "generator_id": generator, "sheet": sheet, "status_code": code,
         "nameplate_capacity_mw": mw, "state": "OR", "balancing_authority_code": "BPAT"}
        for plant, generator, sheet, code, mw in rows])


def new_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    ensure_schema(con)
    refresh_cached(con, REFERENCE, force=True)
    return con


@pytest.fixture
def con(tmp_path):
    connection = new_warehouse(tmp_path / "buildout.duckdb")
    load_timelines(connection, TIMELINES)
    insert(connection, "core.datacenter__facilities", [
        {"facility_id": facility_id, "status": status, "it_mw": it_mw,
         "facility_mw": facility_mw, "state": "OR", "n_records": 1,
         "sources": facility_id.split(":")[0]}
        for facility_id, status, it_mw, facility_mw in FACILITIES])
    load_queue(connection, QUEUE)
    load_generators(connection, GENERATORS)
    build_domain_partition(connection, POWER, MONTH, tables=OUT_TABLES)
    yield connection
    connection.close()


def mw_rows(con, quarter: date) -> list[tuple]:
    return con.execute(
        f"SELECT measure, source, status, iso, n_sites, n_sites_without_mw, mw, is_projected "
        f"FROM {MW_TABLE} WHERE report_month = ? AND quarter = ? AND state = 'OR' "
        f"ORDER BY measure, source, status", [MONTH, quarter]).fetchall()


def test_mw_by_region_and_status_for_one_state_and_quarter(con):
    # 2026Q3 (the report month's quarter): Alpha's May row carried to 30 September; Beta's
    # projected September row; the OSM site without MW; BPA load requests by ladder rung
    # (STUDY -> permitting, CONST AGRMT EXE -> permitted, ENERGIZED -> operational); EIA-860M
    # planned plants (U+V on plant 1001 = 300 MW, TS plant 1003 without MW, P plant 1002).
    # The permit-only site is permitted, without MW.
    assert mw_rows(con, date(2026, 7, 1)) == [
        ("facility_mw", "epoch_datacenters", "operational", None, 1, 0, 195.0, False),
        ("facility_mw", "epoch_datacenters", "under_construction", None, 1, 0, 52.0, True),
        ("facility_mw", "loudoun_permits", "permitted", None, 1, 1, None, False),
        ("facility_mw", "osm_datacenters", "under_construction", None, 1, 1, None, False),
        ("it_mw", "epoch_datacenters", "operational", None, 1, 0, 150.0, False),
        ("it_mw", "epoch_datacenters", "under_construction", None, 1, 0, 40.0, True),
        ("it_mw", "loudoun_permits", "permitted", None, 1, 1, None, False),
        ("it_mw", "osm_datacenters", "under_construction", None, 1, 1, None, False),
        ("planned_generation_mw", "eia860m", "announced", "BPA", 1, 0, 50.0, False),
        ("planned_generation_mw", "eia860m", "under_construction", "BPA", 2, 1, 300.0, False),
        ("queued_load_mw", "bpa_queue", "operational", "BPA", 1, 0, 100.0, False),
        ("queued_load_mw", "bpa_queue", "permitted", "BPA", 1, 1, None, False),
        ("queued_load_mw", "bpa_queue", "permitting", "BPA", 1, 0, 300.0, False),
    ]


def test_epoch_power_is_carried_step_wise_to_each_quarter_end(con):
    rows = con.execute(
        f"SELECT quarter_label, status, mw, is_projected FROM {MW_TABLE} "
        f"WHERE measure = 'it_mw' AND source = 'epoch_datacenters' ORDER BY quarter, status"
    ).fetchall()
    assert rows == [
        ("2025Q4", "under_construction", 50.0, False),  # 15 Nov row, never interpolated
        ("2026Q1", "operational", 100.0, False),
        ("2026Q2", "operational", 150.0, False),
        ("2026Q3", "operational", 150.0, False),  # May row carried: no newer observation
        ("2026Q3", "under_construction", 40.0, True),  # Beta's projected September row
        ("2026Q4", "operational", 150.0, True),  # after the report month: projected
        ("2026Q4", "under_construction", 40.0, True),  # Beta carried past its last row
        ("2027Q1", "operational", 300.0, True),  # Alpha's projected 2027 row
        ("2027Q1", "under_construction", 40.0, True),
    ]
    # the vintage's timelines end in 2027Q1: nothing is invented after it
    assert con.execute(f"SELECT max(quarter_label) FROM {MW_TABLE}").fetchone() == ("2027Q1",)


def test_gpus_hostable_for_one_state_and_quarter(con):
    # 2026Q3: IT MW 150 + 40 = 190, facility MW 195 + 52 = 247; the OSM and permit sites count
    # as sites without MW. H100 700 W: 190e6 / (700 x 1.82) = 149,136.6; from facility MW
    # 247e6 / (700 x 1.82 x 1.3) = 149,136.6; low 247e6 / (700 x 1.98 x 1.4) = 127,293.3;
    # high 247e6 / (700 x 1.82 x 1.2) = 161,564.6; IT low 190e6 / (700 x 1.98) = 137,085.3.
    row = con.execute(
        f"SELECT estimate_kind, it_mw, facility_mw, n_sites, n_sites_without_it_mw, tdp_w, "
        f"overhead_factor, pue, gpus_from_it_mw, gpus_from_it_mw_low, gpus_from_it_mw_high, "
        f"gpus_from_facility_mw, gpus_from_facility_mw_low, gpus_from_facility_mw_high, "
        f"is_projected FROM {GPU_TABLE} WHERE state = 'OR' AND quarter = DATE '2026-07-01' "
        f"AND gpu_model = 'h100-sxm-80gb'").fetchone()
    assert row == ("compute_equivalent", 190.0, 247.0, 4, 2, 700.0, 1.82, 1.3,
                   149_136, 137_085, 149_136, 149_136, 127_293, 161_564, True)


def test_100_it_mw_host_78492_h100(con):
    # 2026Q1: Alpha alone, 100 IT MW. 1e8 / (700 x 1.82) = 78,492.9; B200 1e8 / (1000 x 1.82)
    # = 54,945.1; GB200 1e8 / (1200 x 1.82) = 45,787.5.
    rows = con.execute(
        f"SELECT gpu_model, it_mw, gpus_from_it_mw, tdp_w FROM {GPU_TABLE} "
        f"WHERE state = 'OR' AND quarter = DATE '2026-01-01' ORDER BY gpu_model").fetchall()
    assert rows == [("b200-180gb", 100.0, 54_945, 1000.0),
                    ("gb200-186gb", 100.0, 45_787, 1200.0),
                    ("h100-sxm-80gb", 100.0, 78_492, 700.0)]


def test_measures_are_never_summed_together(con):
    """More queued load and planned generation in the state change only their own rows: IT and
    facility MW, and so the GPUs, stay as they were."""
    def datacenter_power():
        return (con.execute(f"SELECT * FROM {MW_TABLE} WHERE measure IN ('it_mw', "
                            f"'facility_mw') ORDER BY ALL").fetchall(),
                con.execute(f"SELECT * FROM {GPU_TABLE} ORDER BY ALL").fetchall())

    def total(measure: str) -> float:
        return con.execute(f"SELECT sum(mw) FROM {MW_TABLE} WHERE measure = ?",
                           [measure]).fetchone()[0]

    before, load, generation = datacenter_power(), total("queued_load_mw"), total(
        "planned_generation_mw")
    load_queue(con, [*QUEUE, ("L0999", "load", "active", "STUDY", 1000.0)])
    load_generators(con, [*GENERATORS, (1005, "CC1", "planned", "U", 2000.0)])
    build_domain_partition(con, POWER, MONTH, tables=OUT_TABLES)
    assert datacenter_power() == before
    assert (total("queued_load_mw"), total("planned_generation_mw")) == (load + 1000.0,
                                                                        generation + 2000.0)
    measures = con.execute(f"SELECT DISTINCT measure FROM {MW_TABLE}").fetchall()
    assert {m for (m,) in measures} == set(MEASURES)
    keys = con.execute(f"SELECT count(*), count(DISTINCT (quarter, state, iso, status, "
                       f"measure, source)) FROM {MW_TABLE}").fetchone()
    assert keys[0] == keys[1]


def test_a_site_epoch_dates_is_not_counted_again_as_a_facility(con):
    sites = con.execute(
        f"SELECT source, sum(n_sites) FROM {MW_TABLE} WHERE measure = 'it_mw' "
        f"AND quarter = DATE '2026-07-01' GROUP BY source ORDER BY source").fetchall()
    assert sites == [("epoch_datacenters", 2), ("loudoun_permits", 1), ("osm_datacenters", 1)]


def test_cancelled_sites_host_no_gpus(con):
    load_timelines(con, [*TIMELINES, (BETA, date(2026, 9, 20), True, "cancelled", 0.0, 0.0)])
    build_domain_partition(con, POWER, MONTH, tables=OUT_TABLES)
    assert con.execute(f"SELECT n_sites, it_mw FROM {GPU_TABLE} WHERE quarter = DATE "
                       f"'2026-07-01' AND gpu_model = 'h100-sxm-80gb'").fetchone() == (3, 150.0)


def readme_queries() -> dict[str, str]:
    """The README's buildout example queries by their first comment line."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in readme.split("```sql")[1:] if "GPUs hostable in Virginia" in b)
    statements = block.split("```")[0].split(";")
    return {s.strip().splitlines()[0].lstrip("- "): s for s in statements if s.strip()}


def test_readme_example_queries_work(con):
    queries = readme_queries()
    under_construction = con.execute(
        queries["MW under construction by state this quarter (sum within a measure, never "
                "across measures)"]).fetchall()
    assert under_construction == [
        ("OR", "facility_mw", 2, 1, 52.0), ("OR", "it_mw", 2, 1, 40.0),
        ("OR", "planned_generation_mw", 2, 1, 300.0)]
    virginia = next(q for title, q in queries.items() if "GPUs hostable in Virginia" in title)
    assert con.execute(virginia).fetchall() == []
    assert len(con.execute(virginia.replace("'VA'", "'OR'")).fetchall()) == 6 * 3


@pytest.mark.parametrize(("column", "value", "message"), [
    ("gpu_model", "h100", "not a gpu_models.csv id"),
    ("pue_low", "1.35", "range must hold its central value"),
    ("overhead_factor", "0.9", "numbers >= 1"),
    ("source", " ", "no source"),
])
def test_bad_assumptions_are_refused_with_the_line(tmp_path, column, value, message):
    frame = pd.read_csv(Path(__file__).resolve().parents[2] / "models" / "reference"
                        / "gpu_power_assumptions.csv", dtype=str, keep_default_na=False)
    frame.loc[1, column] = value
    path = tmp_path / "gpu_power_assumptions.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=f"line 3: .*{message}"):
        gpu_power_assumptions(path)


# --- empirical check on Epoch AI's real timelines ------------------------------------------

EPOCH_DOWNLOAD = date(2026, 8, 3)  # PROVENANCE.md: downloaded about 2026-08-03
STATE = re.compile(r",\s*([A-Z]{2})\s+\d{5}")


def epoch_core_rows(folder: Path) -> tuple[list[tuple], dict[str, str]]:
    """Epoch's timelines as core rows (state from the site's US address, else its country),
    and each site's chip types; a timeline site the site list lacks (EdgeCore Mesa PH03) has
    no state."""
    sites = pd.read_csv(folder / "data_centers.csv")
    state = {row.Name: (m.group(1) if (m := STATE.search(str(row.Address))) else row.Country)
             for row in sites.itertuples()}
    timelines = pd.read_csv(folder / "data_center_timelines.csv", parse_dates=["Date"])
    rows = [(r["Data center"], r["Date"].date(), r["Date"].date() > EPOCH_DOWNLOAD, None,
             r["IT power (MW)"], r["Power (MW)"], r["H100 equivalents"],
             state.get(r["Data center"]))
            for _, r in timelines.iterrows()]
    return rows, sites.set_index("Name")["All chip types"].fillna("").to_dict()


def quartiles(values: pd.Series) -> tuple[float, float, float]:
    q = values.quantile([0.25, 0.5, 0.75])
    return float(q[0.25]), float(q[0.5]), float(q[0.75])


def test_h100_per_facility_mw_against_epochs_h100_equivalents(tmp_path, shared_data):
    rows, chips = epoch_core_rows(shared_data / "buildout" / "epoch")
    con = new_warehouse(tmp_path / "epoch.duckdb")
    insert(con, "core.datacenter__epoch_timelines", [
        {"data_center": name, "timeline_date": day, "is_projected": projected, "status": status,
         "it_mw": it_mw, "facility_mw": facility_mw, "h100e": h100e, "state": state}
        for name, day, projected, status, it_mw, facility_mw, h100e, state in rows])
    build_domain_partition(con, POWER, MONTH, tables=OUT_TABLES)
    ours = con.execute(
        f"SELECT gpus_from_facility_mw / facility_mw, gpus_from_facility_mw_low / facility_mw, "
        f"gpus_from_facility_mw_high / facility_mw, pue_low, pue_high FROM {GPU_TABLE} "
        f"WHERE gpu_model = 'h100-sxm-80gb' AND facility_mw > 1").df()
    epoch = con.execute(
        "SELECT data_center, h100e / facility_mw AS per_mw, facility_mw / it_mw AS pue "
        "FROM core.datacenter__epoch_timelines WHERE facility_mw > 0 AND it_mw > 0 "
        "AND h100e > 0").df()
    con.close()
    central, low, high = (quartiles(ours[c])[1] for c in ours.columns[:3])
    h100_only = epoch[epoch.data_center.map(chips) == "H100"]
    all_sites, only_h100, pue = (quartiles(epoch.per_mw), quartiles(h100_only.per_mw),
                                 quartiles(epoch.pue))
    print(f"\nours: H100 per facility MW {central:.0f} (range {low:.0f}-{high:.0f}) over "
          f"{len(ours)} state-quarters")
    print(f"Epoch H100e per facility MW, all {len(epoch)} rows: median {all_sites[1]:.0f}, "
          f"IQR {all_sites[0]:.0f}-{all_sites[2]:.0f}")
    print(f"Epoch H100e per facility MW, {len(h100_only)} rows of H100-only sites: median "
          f"{only_h100[1]:.0f}, IQR {only_h100[0]:.0f}-{only_h100[2]:.0f}")
    print(f"Epoch facility/IT power: median {pue[1]:.2f}, IQR {pue[0]:.2f}-{pue[2]:.2f}")
    # 1e6 / (700 x 1.82 x 1.3) = 603.8 per facility MW, whatever the state's MW
    assert central == pytest.approx(603.8, abs=1)
    # Epoch's H100-only sites fall inside our range, and its facility/IT ratio in our PUE range
    assert low <= only_h100[1] <= high
    assert ours.pue_low.iloc[0] <= pue[1] <= ours.pue_high.iloc[0]
    # newer chips are worth more than one H100 per TDP watt: all sites sit above H100-only ones
    assert all_sites[1] > central


def test_a_negative_mw_row_is_quarantined_and_the_summaries_are_numbers(tmp_path):
    con = new_warehouse(tmp_path / "checks.duckdb")
    load_timelines(con, TIMELINES)
    insert(con, "core.power__eia860m_generators", [
        {"plant_id": 2001, "generator_id": "G1", "sheet": "planned", "status_code": "U",
         "nameplate_capacity_mw": -50.0, "state": "NV", "balancing_authority_code": "NEVP"}])
    build = build_domain_partition(con, POWER, MONTH, tables=OUT_TABLES)
    [reason] = con.execute(
        "SELECT reason FROM core.pipeline__quarantined_rows WHERE table_name = ? "
        "AND check_name = 'vocabulary_and_mw'", [MW_TABLE]).fetchone()
    assert "mw -50.0" in reason
    assert con.execute(f"SELECT count(*) FROM {MW_TABLE} WHERE state = 'NV'").fetchone()[0] == 0
    summaries = {c.name: c.metadata for c in build.checks if c.name.endswith("_summary")}
    assert summaries["mw_pipeline_summary"]["it_mw_this_quarter"] > 0
    assert summaries["gpu_equivalent_summary"]["h100_from_it_mw_this_quarter"] > 0
    assert all(isinstance(v, int | float) for m in summaries.values() for v in m.values())
    con.close()
