"""Benchmark: a GB-sized bulk file through the real fetch -> archive -> parse path. (Not collected
by pytest.)

Run: ``.venv/bin/python tests/benchmarks/bench_bulk_parse.py --mib 2000``

1. Generates an ``--mib`` MiB file in the AWS price-list CSV layout (5 metadata rows, the real
   94-column header on row 6, rows shaped like the recorded ``tests/fixtures/aws_ec2`` file): one
   accelerator row in 30, the rest other instance families, as in a real region file; of the
   accelerator rows, a few thousand distinct Linux offers, the rest other operating systems
   (which the parser filters out inside DuckDB, as it does in a real file).
2. Serves it from a local HTTP server (127.0.0.1) and, in a fresh process, fetches it through
   :class:`sources.http.FetchSession` (streamed to the archive, hashed and compressed on the
   way) and parses it with ``aws_ec2``'s parser (the archived blob, verified, read by DuckDB).
3. Times DuckDB's own ``read_csv`` ``count(*)`` on the same file in the same run, and prints one
   JSON line ``{"mib": N, "rows": ..., "seconds": ..., "duckdb_count_seconds": ...,
   "peak_rss_mib": ...}`` with the fetch and parse parts of ``seconds`` beside it.
"""

from __future__ import annotations

import argparse
import csv
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

TEMPLATE = REPO / "tests" / "fixtures" / "aws_ec2" / "us-east-1.csv"
URL_PATH = "/offers/v1.0/aws/AmazonEC2/20261119221031/us-east-1/index.csv"
DISTINCT_OFFERS = 3000
OTHER_FAMILIES = ("m5", "c6i", "r7g", "t3", "m7i", "c7g", "x2idn", "i4i", "z1d", "hpc7g")


def generate(path: Path, mib: int) -> int:
    """Write the file; returns its data rows."""
    with TEMPLATE.open(newline="") as f:
        lines = list(csv.reader(f))
    metadata, header, templates = lines[:5], lines[5], lines[6:]
    instance = header.index("Instance Type")
    sku = header.index("SKU")
    system = header.index("Operating System")
    target = mib * 2**20
    rows = accelerator_rows = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerows(metadata)
        writer.writerow(header)
        while out.tell() < target:
            batch = []
            for k in range(3000):
                row = list(templates[k % len(templates)])
                row[sku] = f"{rows + k:016X}"
                if k % 30:  # 29 rows in 30 are other instance families
                    family = OTHER_FAMILIES[k % len(OTHER_FAMILIES)]
                    row[instance] = f"{family}.{1 + k % 24}xlarge"
                elif accelerator_rows < DISTINCT_OFFERS:  # a distinct size of the family
                    family = row[instance].split(".")[0]
                    row[instance] = f"{family}.v{accelerator_rows}xlarge"
                    accelerator_rows += 1
                else:
                    row[system] = ("Windows", "RHEL", "SUSE")[k % 3]
                batch.append(row)
            writer.writerows(batch)
            rows += len(batch)
    return rows


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(url: str, archive_dir: Path) -> dict:
    """Fetch and parse in this (fresh) process; returns the figures."""
    from sources.archive import RawArchive
    from sources.http import FetchSession, HttpSettings, build_client
    from sources.prices import aws_ec2

    settings = HttpSettings(min_interval_s=0, retries=0,
                            max_response_bytes=aws_ec2.SOURCE.max_response_bytes,
                            deadline_s=aws_ec2.SOURCE.deadline_s)
    started = time.perf_counter()
    with build_client(settings) as client:
        session = FetchSession(source="aws_ec2", observation_date=date(2026, 11, 20),
                               client=client, archive=RawArchive(archive_dir), mode="live",
                               settings=settings)
        snapshot = session.get(url)
    fetched = time.perf_counter()
    result = aws_ec2.parse([snapshot])
    done = time.perf_counter()
    return {"offers": len(result.records), "rejects": len(result.rejects),
            "seconds": round(done - started, 2), "fetch_seconds": round(fetched - started, 2),
            "parse_seconds": round(done - fetched, 2), "peak_rss_mib": peak_rss_mib(),
            "archived_mib": round(snapshot.blob.stat().st_size / 2**20)}


def duckdb_count(path: Path) -> tuple[int, float]:
    import duckdb
    started = time.perf_counter()
    with duckdb.connect() as con:
        n = con.execute(f"SELECT count(*) FROM read_csv('{path}', skip=5, header=true, "
                        "all_varchar=true)").fetchone()[0]
    return n, round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=2000)
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        served = Path(tmp) / "served"
        path = served / URL_PATH.lstrip("/")
        path.parent.mkdir(parents=True)
        rows = generate(path, args.mib)
        server, base = serve(served)
        try:
            child = subprocess.run([sys.executable, __file__, "--measure", base + URL_PATH,
                                    str(Path(tmp) / "archive")],
                                   capture_output=True, text=True, env=os.environ.copy())
            if child.returncode:
                raise SystemExit(f"the measured run failed:\n{child.stderr[-3000:]}")
            measured = json.loads(child.stdout.strip().splitlines()[-1])
        finally:
            server.shutdown()
        counted, count_seconds = duckdb_count(path)
        assert counted == rows, (counted, rows)
        print(json.dumps({"mib": args.mib, "rows": rows, "seconds": measured.pop("seconds"),
                          "duckdb_count_seconds": count_seconds,
                          "peak_rss_mib": measured.pop("peak_rss_mib"), **measured}))


if __name__ == "__main__":
    main()
