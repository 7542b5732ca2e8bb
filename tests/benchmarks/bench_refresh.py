"""Benchmark: is a one-day refresh flat in the length of the history? (Not collected by pytest.)

Run: ``.venv/bin/python tests/benchmarks/bench_refresh.py --days 365``

1. Writes a replay archive of one day of every daily source, the largest scaled to a realistic
   size: the recorded Azure pages repeated over ``--regions`` regions (thousands of offers),
   OpenRouter's model list repeated to ~350 models, the other sources as the demo archive
   records them.
2. Refreshes a template day from it, then copies the template's raw, core and out partitions to
   ``--days`` earlier days (prices shifted a little per day), and publishes the whole history
   once (not timed).
3. In a fresh process, times what the daily schedule does for one new day, through the CLI's
   path (the Dagster runs: fetch from the replay archive, parse, rebuild, incremental publish),
   and prints one JSON line ``{"days": N, "refresh_seconds": ..., "peak_rss_mib": ...}`` plus
   the sizes of the working and published files.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

FIXTURES = REPO / "tests" / "fixtures"
TEMPLATE_DAY = date(2026, 11, 1)


def _payloads(regions: int) -> dict[str, list[tuple[str, str, bytes]]]:
    """Per source, the (method, url, body) of each request of one scaled fetch."""
    from sources.prices import azure_retail, openrouter, runpod

    pages = [json.loads((FIXTURES / f"azure_retail/page_{n}.json").read_text())
             for n in (1, 2)]
    scaled = []
    for page in pages:
        page = copy.deepcopy(page)
        page["Items"] = [dict(item, armRegionName=f"{item['armRegionName']}{r}",
                              meterId=f"{item['meterId']}-{r}")
                         for r in range(regions) for item in page["Items"]]
        scaled.append(page)
    first_url = (f"{azure_retail.API_URL}?api-version={azure_retail.API_VERSION}"
                 f"&%24filter={_quote(azure_retail.GPU_VM_FILTER)}")
    azure = [("GET", first_url, json.dumps(scaled[0]).encode()),
             ("GET", pages[0]["NextPageLink"].replace(":443", ""),
              json.dumps(scaled[1]).encode())]
    models = json.loads((FIXTURES / "openrouter/models.json").read_text())
    models["data"] = [dict(m, id=f"{m['id']}-{k}") for k in range(45) for m in models["data"]]
    return {
        "azure_retail": azure,
        "runpod": [("POST", runpod.GRAPHQL_URL, (FIXTURES / "runpod/gpu_types.json").read_bytes())],
        "openrouter": [("GET", openrouter.MODELS_URL, json.dumps(models).encode())],
    }


def _quote(text: str) -> str:
    from urllib.parse import quote_plus
    return quote_plus(text)


def write_replay_archive(root: Path, regions: int) -> None:
    """Record the scaled payloads as a replay archive (requests keyed as the sources send
    them: fetched once through a recording transport so the keys are exact)."""
    import httpx

    from sources.archive import RawArchive
    from sources.http import FetchSession, HttpSettings, build_client
    from sources.registry import SOURCES

    bodies = _payloads(regions)
    archive = RawArchive(root)
    for name, requests in bodies.items():
        answers = iter(body for _, _, body in requests)

        def answer(request: httpx.Request, answers=answers) -> httpx.Response:
            return httpx.Response(200, content=next(answers),
                                  headers={"content-type": "application/json"})

        settings = HttpSettings(min_interval_s=0, retries=0,
                                max_response_bytes=SOURCES[name].max_response_bytes)
        with build_client(settings, transport=httpx.MockTransport(answer)) as client:
            session = FetchSession(source=name, observation_date=TEMPLATE_DAY, client=client,
                                   archive=archive, mode="live", settings=settings)
            SOURCES[name].fetch(session)
    # every other daily source answers as recorded in the demo archive
    demo = RawArchive(FIXTURES / "demo_archive")
    for entry in demo.entries():
        if entry.source not in bodies and SOURCES[entry.source].cadence == "daily":
            archive.store_bytes(entry, demo.snapshot(entry).body)


def build_history(data_dir: Path, replay: Path, days: int) -> None:
    from models.catalog import TABLES
    from pipelines.steps import fetch_source, parse_source
    from sources.archive import RawArchive
    from sources.registry import SOURCES
    from warehouse.build import PRICES, build_domain_partition
    from warehouse.connection import WarehouseSettings
    from warehouse.publish import publish_snapshot
    from warehouse.reference import refresh_cached
    from warehouse.schema import ensure_schema

    settings = WarehouseSettings.from_env(data_dir)
    archive = RawArchive(settings.archive_dir)
    daily = [s for s in SOURCES.values() if s.cadence == "daily"]
    for source in daily:
        fetch_source(archive, source, TEMPLATE_DAY, "replay", replay_dir=replay)
    with settings.connect() as con:
        ensure_schema(con)
        refresh_cached(con)
        for source in daily:
            parse_source(con, archive, source, TEMPLATE_DAY, run_id="bench")
        build_domain_partition(con, PRICES, TEMPLATE_DAY, run_id="bench")
        # copy the template day back through the history, prices drifting a little
        partitioned = [t for t in TABLES.values() if t.partition_by[:1] == ("observation_date",)
                       or t.partition_by == ("source", "observation_date")]
        for spec in partitioned:
            columns = ", ".join(
                "observation_date - CAST(d AS INTEGER) AS observation_date"
                if c == "observation_date" else
                (f"{c} * (1 + 0.0005 * d) AS {c}" if c.startswith("usd_") else c)
                for c in spec.column_names)
            # oldest first, as daily refreshes would have appended them
            con.execute(f"INSERT INTO {spec.name} BY NAME SELECT {columns} FROM {spec.name}, "
                        f"range({days - 1}, 0, -1) AS r(d) WHERE observation_date = ? "
                        f"ORDER BY d DESC", [TEMPLATE_DAY])
        publish_snapshot(con, settings.published_path)


def measure(data_dir: Path, replay: Path) -> dict:
    """One daily refresh of a new day through the CLI's path, in this (fresh) process."""
    from pipelines import runner
    from sources.registry import SOURCES
    from warehouse.build import DOMAINS
    from warehouse.connection import WarehouseSettings

    settings = WarehouseSettings.from_env(data_dir)
    runner.instance()  # Dagster's start-up is not the refresh
    runner._assets()
    started = time.perf_counter()
    daily = [s for s in SOURCES.values() if s.cadence == "daily"]
    day = (TEMPLATE_DAY + timedelta(1)).isoformat()
    sources = runner.run_sources(settings, daily, day, mode="replay", replay_dir=replay)
    fetched = time.perf_counter()
    rebuild = runner.run_domain(settings, DOMAINS["prices"], day, publish=True)
    seconds = time.perf_counter() - started
    if not (sources.success and rebuild.success):
        raise SystemExit(f"refresh failed: {sources} {rebuild}")
    return {"refresh_seconds": round(seconds, 2),
            "peak_rss_mib": peak_rss_mib(),
            "fetch_parse_seconds": round(fetched - started, 2),
            "rebuild_publish_seconds": round(seconds - (fetched - started), 2)}


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: the latter is not reset by
    exec, so a child would report the parent's peak from before it was started."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--regions", type=int, default=200,
                        help="Azure regions the recorded pages are repeated over")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.measure / "replay")))
        return
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        data, home = Path(tmp) / "data", Path(tmp) / "dagster"
        home.mkdir()
        (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
        os.environ["DAGSTER_HOME"] = str(home)
        replay = data / "replay"
        # replay answers a request whatever the day, so the measured day is served too
        write_replay_archive(replay, args.regions)
        started = time.perf_counter()
        build_history(data, replay, args.days)
        built = time.perf_counter() - started
        out = subprocess.run([sys.executable, __file__, "--measure", str(data)],
                             capture_output=True, text=True, env=os.environ | {
                                 "COMPUTE_ATLAS_DAGSTER_LOG_LEVEL": "ERROR"})
        if out.returncode:
            raise SystemExit(f"the measured refresh failed:\n{out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        with_sizes = {"days": args.days, **result,
                      "offers_per_day": _offers_per_day(data),
                      "warehouse_mib": round((data / "warehouse.duckdb").stat().st_size / 2**20),
                      "published_mib": round((data / "published/compute_atlas.duckdb")
                                             .stat().st_size / 2**20),
                      "history_build_seconds": round(built, 1)}
        print(json.dumps(with_sizes))


def _offers_per_day(data: Path) -> int:
    import duckdb
    with duckdb.connect(str(data / "published/compute_atlas.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM core.cloud__daily_gpu_offers "
                           "WHERE observation_date = ?", [TEMPLATE_DAY]).fetchone()[0]


if __name__ == "__main__":
    main()
