"""Benchmark of facility matching (not collected by pytest).

Run: ``.venv/bin/python tests/benchmarks/bench_facilities.py [--records N]``

Builds N synthetic candidate records (sites of four records 50-200 m apart, sites 5 km apart,
in the layout of ``inputs.datacenter__facility_candidates``), then times the two builders the
power domain runs each month: the matching (``core.datacenter__assn_facility_records``) and the
facilities table built from it, and prints seconds and peak RSS as JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from warehouse.facilities import facilities, facility_records  # noqa: E402

SOURCES = (("osm_datacenters", 3), ("im3_atlas", 4), ("im3_atlas", 4), ("permits", 5))


def candidates(n: int) -> pd.DataFrame:
    rows = []
    for i in range(n):
        site, member = divmod(i, 4)
        source, priority = SOURCES[member]
        rows.append({"report_month": date(2026, 11, 1), "source": source,
                     "record_id": f"r{i}", "priority": priority, "name": f"Site {site} Campus",
                     "operator": None, "county": None, "state": "TX",
                     "latitude": 30 + (site // 200) * 0.05 + member * 0.0005,
                     "longitude": -100 + (site % 200) * 0.05, "location_precision": "building",
                     "status": "operational", "it_mw": None, "facility_mw": None,
                     "h100e": None, "square_feet": None, "snapshot_sha256": "0" * 64})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    frame = candidates(args.records)
    started = time.perf_counter()
    records = facility_records(frame)
    matched = time.perf_counter()
    sites = facilities(frame, records)
    done = time.perf_counter()
    print(json.dumps({"records": args.records, "sites": len(sites),
                      "matching_seconds": round(matched - started, 3),
                      "facilities_seconds": round(done - matched, 3),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                            / 1024, 1)}))


if __name__ == "__main__":
    main()
