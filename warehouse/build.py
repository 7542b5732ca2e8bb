"""Rebuilding the core and out tables of one partition, in one transaction, with quarantine.

A :class:`Domain` is a set of derived tables sharing a partition column (prices: daily
``observation_date``; power records: monthly ``report_month``). A changelog table compares a
partition with each source's previous one, so rebuilding a partition also rebuilds the
changelog of each source's next partition; a roll-up table (weekly, monthly) is recomputed for
the whole period holding the partition (``warehouse.transform.ROLLUPS``).
:func:`build_domain_partition` rebuilds the chosen tables of one partition in dependency order
(derived from their SQL by :mod:`warehouse.lineage`), runs each table's checks right after
building it — quarantining bad rows before anything downstream reads them — and commits
everything together or nothing.

It reads whatever raw partitions exist: a source that failed today leaves its raw partition as
it was (or absent), and the others are built all the same. Every core row keeps the sha256 of
the payload it came from, and :func:`partition_sources` says which sources and payloads a
partition was built from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from models.catalog import table
from models.estimation.assumptions import EstimationAssumptions
from models.estimation.tables import (
    cost_per_1k_tokens,
    market_vs_projected,
    usd_per_effective_tflop,
)
from warehouse.checks import QUARANTINE, BlockingCheckFailed, CheckOutcome, checks_for
from warehouse.facilities import facilities, facility_records
from warehouse.lineage import PYTHON_BUILT_INPUTS, build_order
from warehouse.transform import partition_of, select_partition
from warehouse.write import PartitionWrite, record_change, transaction, write_partition


@dataclass(frozen=True)
class Domain:
    """``changelogs`` maps each changelog table (a partition compared with each source's
    previous partition) to the table whose partitions it compares: rebuilding a partition of a
    changelog also rebuilds it for each source's next partition, which was compared against
    the rows just replaced."""

    name: str
    partition_column: str
    tables: tuple[str, ...]
    changelogs: Mapping[str, str] = field(default_factory=dict)


PRICES = Domain("prices", "observation_date", (
    "core.cloud__daily_gpu_offers", "core.gpu__daily_unmapped_names",
    "core.llm__daily_token_prices", "out.gpu__daily_price_index",
    "out.gpu__daily_price_changes", "out.gpu__weekly_price_index",
    "out.gpu__monthly_price_index",
    "out.gpu__daily_usd_per_effective_tflop", "out.llm__daily_cost_per_1k_tokens",
    "out.llm__daily_market_vs_projected"),
    changelogs={"out.gpu__daily_price_changes": "core.cloud__daily_gpu_offers"})
POWER = Domain("power", "report_month", (
    "core.power__interconnection_queue_projects", "core.power__eia860m_generators",
    "out.power__queue_changes", "out.power__monthly_queue_summary",
    "core.permits__datacenter_filings",
    "core.datacenter__epoch_timelines", "core.datacenter__assn_facility_records",
    "core.datacenter__facilities",
    "out.buildout__quarterly_mw_by_region_status", "out.buildout__gpu_capacity_equivalent"),
    changelogs={"out.power__queue_changes": "core.power__interconnection_queue_projects"})
DOMAINS: dict[str, Domain] = {d.name: d for d in (PRICES, POWER)}

PythonBuilder = Callable[[list[pd.DataFrame], EstimationAssumptions], pd.DataFrame]
PYTHON_BUILDERS: dict[str, PythonBuilder] = {
    "out.gpu__daily_usd_per_effective_tflop":
        lambda frames, a: usd_per_effective_tflop(frames[0], assumptions=a),
    "out.llm__daily_cost_per_1k_tokens":
        lambda frames, a: cost_per_1k_tokens(frames[0], assumptions=a),
    "out.llm__daily_market_vs_projected":
        lambda frames, a: market_vs_projected(frames[0], frames[1], assumptions=a),
    "core.datacenter__facilities": lambda frames, a: facilities(frames[0], frames[1]),
    "core.datacenter__assn_facility_records": lambda frames, a: facility_records(frames[0]),
}


@dataclass
class PartitionBuild:
    """What one rebuild wrote and found."""

    partition: date
    table_rows: dict[str, int] = field(default_factory=dict)
    checks: list[CheckOutcome] = field(default_factory=list)
    # changelog partitions after this one, rebuilt because they compare against it
    later_changelogs: list[tuple[str, date]] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        return sum(c.metadata.get("quarantined_rows", 0) for c in self.checks)


def _frame(con: duckdb.DuckDBPyConnection, name: str, column: str, value: date,
           assumptions: EstimationAssumptions) -> pd.DataFrame:
    if name not in PYTHON_BUILT_INPUTS:
        return select_partition(con, name, value, column)
    inputs = [select_partition(con, q, value, column) for q in PYTHON_BUILT_INPUTS[name]]
    if any(frame.empty for frame in inputs):
        return pd.DataFrame(columns=list(table(name).column_names))
    return PYTHON_BUILDERS[name](inputs, assumptions)


def _build_table(con: duckdb.DuckDBPyConnection, build: PartitionBuild, name: str, column: str,
                 value: date, assumptions: EstimationAssumptions, run_id: str | None) -> int:
    """Replace the partition of ``name`` that rebuilding ``column = value`` covers (a roll-up:
    the period holding it), quarantine its bad rows and run its checks; rows kept."""
    partition = partition_of(name, value, column)
    frame = _frame(con, name, column, value, assumptions)
    rows = write_partition(con, PartitionWrite(table(name), frame, partition))
    [(part_column, part_value)] = partition.items()
    con.execute(f"DELETE FROM {QUARANTINE} WHERE table_name = ? AND partition_date = ?",
                [name, part_value])
    row_checks, table_checks = checks_for(name)
    for check in row_checks:
        outcome = check.quarantine(con, part_column, part_value, run_id)
        build.checks.append(outcome)
        rows -= outcome.metadata["quarantined_rows"]
    for check in table_checks:
        outcome = check.evaluate(con, part_column, part_value)
        build.checks.append(outcome)
        if outcome.blocking and not outcome.passed:
            raise BlockingCheckFailed(f"{name} {check.name} on {part_value}: "
                                      f"{outcome.message}")
    record_change(con, QUARANTINE, {"table_name": name, "partition_date": part_value})
    return rows


def _next_partitions(con: duckdb.DuckDBPyConnection, compared: str, column: str,
                     value: date) -> list[date]:
    """Each source's (and, where the table has providers, each source and provider's) first
    partition of ``compared`` after ``value``: every later partition a changelog may have
    compared against ``value`` (rebuilding one more than needed changes nothing)."""
    feed = "source, provider" if "provider" in table(compared).column_names else "source"
    rows = con.execute(f"SELECT DISTINCT min({column}) FROM {compared} WHERE {column} > ? "
                       f"GROUP BY {feed} ORDER BY 1", [value]).fetchall()
    return [row[0] for row in rows]


def build_domain_partition(con: duckdb.DuckDBPyConnection, domain: Domain, value: date, *,
                           tables: Sequence[str] | None = None,
                           assumptions: EstimationAssumptions | None = None,
                           run_id: str | None = None) -> PartitionBuild:
    """Rebuild ``tables`` (default: all of the domain's) for one partition, atomically, with
    the changelogs of later partitions that compared against it."""
    assumptions = assumptions or EstimationAssumptions()
    chosen = list(tables or domain.tables)
    unknown = sorted(set(chosen) - set(domain.tables))
    if unknown:
        raise KeyError(f"{unknown} are not tables of the {domain.name} domain")
    column = domain.partition_column
    build = PartitionBuild(value)
    with transaction(con):
        for name in build_order(chosen):
            build.table_rows[name] = _build_table(con, build, name, column, value, assumptions,
                                                  run_id)
        for changelog, compared in domain.changelogs.items():
            if changelog not in chosen:
                continue
            for later in _next_partitions(con, compared, column, value):
                _build_table(con, PartitionBuild(later), changelog, column, later,
                             assumptions, run_id)
                build.later_changelogs.append((changelog, later))
    return build


def partition_sources(con: duckdb.DuckDBPyConnection, table_name: str, column: str,
                      value: date) -> dict[str, list[str]]:
    """Which sources (and payload sha256s) rows of a partition came from."""
    spec = table(table_name)
    if "source" not in spec.column_names or "snapshot_sha256" not in spec.column_names:
        return {}
    rows = con.execute(f"SELECT source, list(DISTINCT snapshot_sha256 ORDER BY snapshot_sha256) "
                       f"FROM {table_name} WHERE {column} = ? GROUP BY source ORDER BY source",
                       [value]).fetchall()
    return {source: shas for source, shas in rows}
