"""The two buildout out tables as `make demo` fills them, checked for one state and quarter
against values worked out by hand from the committed Epoch fixtures
(``tests/fixtures/epoch_datacenters/*_cut.csv``):

Colossus 2 (5420 Tulane Rd, Memphis, TN) is the only Tennessee site. Its latest dated row on or
before the end of 2026Q2 is 2026-04-06: 490 IT MW, 661 facility MW, one building operational.
The GPU compute equivalents follow from the assumptions of
``models/reference/gpu_power_assumptions.csv`` (overhead 1.82, range 1.82-1.98, B200 from 1.79;
PUE 1.3, range 1.2-1.4) and the TDPs of ``gpu_models.csv`` (H100 700 W, B200 1,000 W, GB200
1,200 W): e.g. H100 from IT MW = floor(490e6 / (700 x 1.82)) = 384,615.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from warehouse.connection import WarehouseSettings

STATE, QUARTER, MONTH = "TN", date(2026, 4, 1), date(2026, 11, 1)

# gpu_model: (from IT MW: central, low, high), (from facility MW: central, low, high)
GPUS = {
    "h100-sxm-80gb": ((384615, 353535, 384615), (399106, 340651, 432365)),
    "b200-180gb": ((269230, 247474, 273743), (279374, 238455, 307728)),
    "gb200-186gb": ((224358, 206228, 224358), (232812, 198713, 252213)),
}


@pytest.fixture(scope="module")
def published(demo_warehouse):
    data, _ = demo_warehouse
    path = WarehouseSettings.from_env(data).published_path
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def test_mw_pipeline_for_tennessee_in_2026q2(published):
    rows = published.execute(
        "SELECT measure, status, source, n_sites, n_sites_without_mw, mw, is_projected "
        "FROM out.buildout__quarterly_mw_by_region_status "
        "WHERE report_month = ? AND state = ? AND quarter = ? ORDER BY measure",
        [MONTH, STATE, QUARTER]).fetchall()
    assert rows == [
        ("facility_mw", "operational", "epoch_datacenters", 1, 0, 661.0, False),
        ("it_mw", "operational", "epoch_datacenters", 1, 0, 490.0, False),
    ]


def test_gpus_hostable_in_tennessee_in_2026q2(published):
    rows = published.execute(
        "SELECT gpu_model, it_mw, facility_mw, tdp_w, estimate_kind, "
        "gpus_from_it_mw, gpus_from_it_mw_low, gpus_from_it_mw_high, "
        "gpus_from_facility_mw, gpus_from_facility_mw_low, gpus_from_facility_mw_high "
        "FROM out.buildout__gpu_capacity_equivalent "
        "WHERE report_month = ? AND state = ? AND quarter = ?",
        [MONTH, STATE, QUARTER]).fetchall()
    assert {r[0]: (r[5:8], r[8:11]) for r in rows} == GPUS
    assert {(r[1], r[2], r[4]) for r in rows} == {(490.0, 661.0, "compute_equivalent")}
    assert {r[0]: r[3] for r in rows} == {"h100-sxm-80gb": 700, "b200-180gb": 1000,
                                          "gb200-186gb": 1200}
