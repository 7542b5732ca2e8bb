"""Benchmark: how long the analyst's CLI commands take, start-up included. (Not collected by
pytest.)

Run after ``make demo``: ``.venv/bin/python tests/benchmarks/bench_cli.py [--runs 7]``

Each command runs in a fresh process (``subprocess``, output to /dev/null, so nothing is a
terminal), once to warm the file cache and then ``--runs`` times; one JSON line per command
gives the wall seconds' min and median and its exit code. ``--cli`` points at another
checkout's ``compute-atlas`` to measure a before/after pair on the same data. Commands that
checkout does not have exit non-zero and say so in ``exit_code``.

* ``help``: ``compute-atlas --help`` (imports only what the command list needs);
* ``gpus``: the cheapest offer per GPU from the published snapshot;
* ``query_csv_100k``: 100,000 rows of ``query --format csv`` (streamed);
* ``query_table_31k``: the demo's 31k-row cost table rendered as a rich table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

QUERY_100K = ("SELECT c.* FROM out.llm__daily_cost_per_1k_tokens AS c, range(4) "
              "LIMIT 100000")
QUERY_31K = "SELECT * FROM out.llm__daily_cost_per_1k_tokens"


def commands(data_dir: Path) -> dict[str, list[str]]:
    data = ["--data-dir", str(data_dir)]
    return {
        "help": ["--help"],
        "gpus": ["gpus", *data],
        "query_csv_100k": ["query", QUERY_100K, "--format", "csv", *data],
        "query_table_31k": ["query", QUERY_31K, "--format", "table", *data],
    }


def time_command(argv: list[str], runs: int) -> dict:
    walls = []
    code = 0
    for attempt in range(runs + 1):
        started = time.perf_counter()
        code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              check=False).returncode
        if attempt:  # the first run only warms the file cache
            walls.append(time.perf_counter() - started)
    return {"min_s": round(min(walls), 3), "median_s": round(statistics.median(walls), 3),
            "runs": runs, "exit_code": code}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", type=Path, default=REPO / ".venv" / "bin" / "compute-atlas")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data" / "demo")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="names of the commands to time")
    args = parser.parse_args()
    if not (args.data_dir / "published" / "compute_atlas.duckdb").is_file():
        parser.error(f"no published snapshot under {args.data_dir}: run `make demo` first")
    for name, argv in commands(args.data_dir.resolve()).items():
        if args.only and name not in args.only:
            continue
        figures = time_command([str(args.cli), *argv], args.runs)
        print(json.dumps({"command": name, **figures}), flush=True)


if __name__ == "__main__":
    main()
