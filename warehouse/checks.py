"""The data contract of core and out tables, as checks run while a partition is built.

Two kinds:

* :class:`RowCheck` — blocking, row by row: rows that match ``bad_when`` (a SQL condition on
  the table's columns) are moved to ``core.pipeline__quarantined_rows`` with the reason, inside
  the transaction that built the partition, before anything downstream reads them. So a bad row
  is never published, by this run or any later one.
* :class:`TableCheck` — a measure of the whole partition (row count, share mapped, schema);
  a warning unless ``blocking``, in which case a failure aborts the build (nothing changes).

Both return :class:`CheckOutcome` with numeric metadata (counts, shares, min/max) that Dagster
plots and the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from models.catalog import TABLES
from models.catalog.buildout import MEASURES, STATUS_LADDER

# Per-GPU-hour prices outside this range are data errors, not market moves: the cheapest
# marketplace GPUs rent for cents, and no single accelerator lists above ~$20/hour today.
USD_PER_GPU_HOUR_BOUNDS = (0.01, 100.0)
USD_PER_MILLION_TOKENS_MAX = 1000.0
QUARANTINE = "core.pipeline__quarantined_rows"
OFFERS = "core.cloud__daily_gpu_offers"
QUEUE = "core.power__interconnection_queue_projects"
TOKENS = "core.llm__daily_token_prices"
INDEX = "out.gpu__daily_price_index"
FACILITIES = "core.datacenter__facilities"
EPOCH_TIMELINES = "core.datacenter__epoch_timelines"
MW_PIPELINE = "out.buildout__quarterly_mw_by_region_status"
GPU_EQUIVALENT = "out.buildout__gpu_capacity_equivalent"
# No single site draws more (the largest Epoch site projects a few GW).
SITE_MW_MAX = 20_000


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    table: str
    passed: bool
    blocking: bool
    message: str
    metadata: dict[str, Any] = field(default_factory=dict)


class BlockingCheckFailed(RuntimeError):
    """A blocking table check failed: the partition is not rebuilt."""


@dataclass(frozen=True)
class RowCheck:
    """Rows of ``table`` matching ``bad_when`` are quarantined with ``reason`` (a SQL text
    expression, so the reason can quote the value)."""

    name: str
    table: str
    description: str
    bad_when: str
    reason: str
    blocking: bool = True

    def quarantine(self, con: duckdb.DuckDBPyConnection, column: str, value: date,
                   run_id: str | None) -> CheckOutcome:
        where = f"{column} = $v AND ({self.bad_when})"
        params = {"v": value}
        con.execute(
            f"INSERT INTO {QUARANTINE} BY NAME SELECT '{self.table}' AS table_name, "
            f"$v AS partition_date, '{self.name}' AS check_name, ({self.reason}) AS reason, "
            f"to_json(t)::VARCHAR AS row_json, $run AS run_id, "
            f"now()::TIMESTAMP AS quarantined_datetime FROM {self.table} AS t WHERE {where}",
            params | {"run": run_id})
        n = con.execute(f"SELECT count(*) FROM {self.table} WHERE {where}", params).fetchone()[0]
        con.execute(f"DELETE FROM {self.table} WHERE {where}", params)
        message = "no row failed" if n == 0 else f"{n} rows quarantined: {self.description}"
        return CheckOutcome(self.name, self.table, n == 0, self.blocking, message,
                            {"quarantined_rows": n})


Measure = Callable[[duckdb.DuckDBPyConnection, str, date], tuple[bool, str, dict[str, Any]]]


@dataclass(frozen=True)
class TableCheck:
    name: str
    table: str
    description: str
    blocking: bool
    measure: Measure

    def evaluate(self, con: duckdb.DuckDBPyConnection, column: str, value: date) -> CheckOutcome:
        passed, message, metadata = self.measure(con, column, value)
        return CheckOutcome(self.name, self.table, passed, self.blocking, message, metadata)


def _has_rows(table: str) -> Measure:
    def measure(con, column, value):
        n = con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [value]).fetchone()[0]
        return n > 0, f"{n} rows on {value}", {"row_count": n}
    return measure


def _schema_matches(table: str) -> Measure:
    def measure(con, column, value):
        schema, name = table.split(".", 1)
        actual = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position", [schema, name]).fetchall()]
        expected = list(TABLES[table].column_names)
        return (actual == expected,
                "columns match the catalog" if actual == expected
                else f"columns {actual} differ from the catalog {expected}",
                {"columns": len(actual)})
    return measure


def _offer_summary(con, column, value):
    n, mapped, low, high, providers = con.execute(
        f"SELECT count(*), count(gpu_model), min(usd_per_gpu_hour), max(usd_per_gpu_hour), "
        f"count(DISTINCT provider) FROM {OFFERS} WHERE {column} = ?", [value]).fetchone()
    share = mapped / n if n else 0.0
    return n > 0, f"{n} offers from {providers} providers, {share:.1%} mapped to a GPU", {
        "row_count": n, "share_mapped": round(share, 4), "n_providers": providers,
        "min_usd_per_gpu_hour": low, "max_usd_per_gpu_hour": high}


def _no_unmapped_gpu_names(con, column, value):
    rows = con.execute(
        "SELECT provider, provider_gpu_name, n_offers FROM core.gpu__daily_unmapped_names "
        f"WHERE {column} = ? ORDER BY n_offers DESC", [value]).fetchall()
    names = [f"{p}: {n} ({k} offers)" for p, n, k in rows]
    return (not rows,
            "every provider GPU name maps to a canonical id" if not rows
            else f"{len(rows)} unmapped provider GPU names: {', '.join(names[:10])}",
            {"unmapped_names": len(rows), "unmapped_offers": sum(r[2] for r in rows)})


def _token_summary(con, column, value):
    n, low, high = con.execute(
        f"SELECT count(*), min(usd_per_million_output_tokens), "
        f"max(usd_per_million_output_tokens) FROM {TOKENS} WHERE {column} = ?",
        [value]).fetchone()
    return n > 0, f"{n} token prices", {"row_count": n, "min_usd_per_million_output": low,
                                        "max_usd_per_million_output": high}


def _queue_summary(con, column, value):
    n, isos, mw = con.execute(
        f"SELECT count(*), count(DISTINCT iso), sum(capacity_mw) FROM {QUEUE} "
        f"WHERE {column} = ?", [value]).fetchone()
    return n > 0, f"{n} projects in {isos} ISO queues, {mw or 0:,.0f} MW", {
        "row_count": n, "n_isos": isos, "capacity_mw": float(mw or 0)}


def _facilities_summary(con, column, value):
    n, merged, located, records = con.execute(
        f"SELECT count(*), count(*) FILTER (n_records > 1), count(latitude), sum(n_records) "
        f"FROM {FACILITIES} WHERE {column} = ?", [value]).fetchone()
    return n > 0, f"{n} sites from {records or 0} records, {merged} of them merged", {
        "row_count": n, "n_merged": merged, "n_located": located,
        "n_records": int(records or 0)}


def _mw_pipeline_summary(con, column, value):
    n, sites, quarters, it_mw, load_mw = con.execute(
        f"SELECT count(*), sum(n_sites) FILTER (quarter = date_trunc('quarter', {column})), "
        f"count(DISTINCT quarter), sum(mw) FILTER (measure = 'it_mw' AND NOT is_projected "
        f"AND quarter = date_trunc('quarter', {column})), sum(mw) FILTER "
        f"(measure = 'queued_load_mw') FROM {MW_PIPELINE} WHERE {column} = ?",
        [value]).fetchone()
    return n > 0, (f"{n} rows over {quarters} quarters; this quarter: {sites or 0} sites, "
                   f"{it_mw or 0:,.0f} IT MW dated, {load_mw or 0:,.0f} MW of load queued"), {
        "row_count": n, "n_quarters": quarters, "n_sites_this_quarter": int(sites or 0),
        "it_mw_this_quarter": float(it_mw or 0), "queued_load_mw": float(load_mw or 0)}


def _gpu_equivalent_summary(con, column, value):
    n, states, h100 = con.execute(
        f"SELECT count(*), count(DISTINCT state), sum(gpus_from_it_mw) FILTER "
        f"(gpu_model = 'h100-sxm-80gb' AND quarter = date_trunc('quarter', {column})) "
        f"FROM {GPU_EQUIVALENT} WHERE {column} = ?", [value]).fetchone()
    return n > 0, f"{n} rows in {states} states; {h100 or 0:,} H100 equivalents this quarter", {
        "row_count": n, "n_states": states, "h100_from_it_mw_this_quarter": int(h100 or 0)}


_LOW, _HIGH = USD_PER_GPU_HOUR_BOUNDS


def _out_of_bounds(column: str, low: float, high: float, *, low_inclusive: bool) -> str:
    below = f"{column} <= {low}" if low_inclusive else f"{column} < {low}"
    return f"{column} IS NOT NULL AND (NOT isfinite({column}) OR {below} OR {column} > {high})"


ROW_CHECKS: tuple[RowCheck, ...] = (
    RowCheck("price_bounds", OFFERS,
             f"usd_per_gpu_hour is finite and within ({_LOW}, {_HIGH}]; usd_per_hour finite and "
             "positive",
             f"({_out_of_bounds('usd_per_gpu_hour', _LOW, _HIGH, low_inclusive=True)}) OR "
             f"(usd_per_hour IS NOT NULL AND (NOT isfinite(usd_per_hour) OR usd_per_hour <= 0))",
             "'usd_per_gpu_hour ' || coalesce(usd_per_gpu_hour::VARCHAR, 'NULL') || "
             "', usd_per_hour ' || coalesce(usd_per_hour::VARCHAR, 'NULL') || "
             f"' outside ({_LOW}, {_HIGH}] per GPU-hour or not finite'"),
    RowCheck("gpu_models_known", OFFERS, "every gpu_model exists in core.gpu__entity_models",
             "gpu_model IS NOT NULL AND gpu_model NOT IN "
             "(SELECT gpu_model FROM core.gpu__entity_models)",
             "'gpu_model ' || gpu_model || ' is not in core.gpu__entity_models'"),
    RowCheck("capacity_bounds", QUEUE,
             "capacity_mw is finite and within [0, 20000] (no single request is larger)",
             _out_of_bounds("capacity_mw", 0, 20_000, low_inclusive=False),
             "'capacity_mw ' || capacity_mw::VARCHAR || ' outside [0, 20000] or not finite'"),
    RowCheck("price_bounds", TOKENS,
             f"token prices finite and within [0, {USD_PER_MILLION_TOKENS_MAX}] USD per million",
             _out_of_bounds("usd_per_million_input_tokens", 0, USD_PER_MILLION_TOKENS_MAX,
                            low_inclusive=False) + " OR " +
             _out_of_bounds("usd_per_million_output_tokens", 0, USD_PER_MILLION_TOKENS_MAX,
                            low_inclusive=False),
             "'input ' || usd_per_million_input_tokens::VARCHAR || ', output ' || "
             f"usd_per_million_output_tokens::VARCHAR || ' USD/1M outside [0, "
             f"{USD_PER_MILLION_TOKENS_MAX}] or not finite'"),
    RowCheck("mw_bounds", EPOCH_TIMELINES,
             f"it_mw and facility_mw finite and within [0, {SITE_MW_MAX}]",
             _out_of_bounds("it_mw", 0, SITE_MW_MAX, low_inclusive=False) + " OR " +
             _out_of_bounds("facility_mw", 0, SITE_MW_MAX, low_inclusive=False),
             "'it_mw ' || coalesce(it_mw::VARCHAR, 'NULL') || ', facility_mw ' || "
             f"coalesce(facility_mw::VARCHAR, 'NULL') || ' outside [0, {SITE_MW_MAX}]'"),
    RowCheck("vocabulary_and_mw", MW_PIPELINE,
             "status on the ladder (or unknown), a known measure, mw finite and not negative",
             f"status NOT IN {(*STATUS_LADDER, 'unknown')} OR measure NOT IN {MEASURES} OR "
             "(mw IS NOT NULL AND (NOT isfinite(mw) OR mw < 0))",
             "'status ' || status || ', measure ' || measure || ', mw ' || "
             "coalesce(mw::VARCHAR, 'NULL') || ': not in the vocabulary, or MW negative or "
             "not finite'"),
)

TABLE_CHECKS: tuple[TableCheck, ...] = (
    TableCheck("schema_matches_catalog", OFFERS, "columns equal the catalog declaration", True,
               _schema_matches(OFFERS)),
    TableCheck("offers_summary", OFFERS, "the day has offers; share mapped to a GPU, price "
               "range", False, _offer_summary),
    TableCheck("no_unmapped_gpu_names", "core.gpu__daily_unmapped_names",
               "every provider GPU name maps to a canonical id (warning: unmapped names are "
               "kept, not dropped)", False, _no_unmapped_gpu_names),
    TableCheck("schema_matches_catalog", TOKENS, "columns equal the catalog declaration", True,
               _schema_matches(TOKENS)),
    TableCheck("token_prices_summary", TOKENS, "the day has token prices; price range", False,
               _token_summary),
    TableCheck("has_rows", INDEX, "the day's price index is not empty", False, _has_rows(INDEX)),
    TableCheck("queue_summary", QUEUE, "the month's queue projects: rows, ISOs, MW", False,
               _queue_summary),
    TableCheck("facilities_summary", FACILITIES, "the month's sites: how many, from how many "
               "records, how many merged several records", False, _facilities_summary),
    TableCheck("mw_pipeline_summary", MW_PIPELINE, "the month's MW pipeline: rows, quarters, "
               "sites, dated IT MW and queued load MW of the report month's quarter", False,
               _mw_pipeline_summary),
    TableCheck("gpu_equivalent_summary", GPU_EQUIVALENT, "the month's GPU compute "
               "equivalent: rows, states, H100 equivalents of the report month's quarter", False,
               _gpu_equivalent_summary),
)


def checks_for(table: str) -> tuple[list[RowCheck], list[TableCheck]]:
    return ([c for c in ROW_CHECKS if c.table == table],
            [c for c in TABLE_CHECKS if c.table == table])


def all_check_keys() -> list[tuple[str, str, str, bool]]:
    """(table, check name, description, blocking) of every check, for Dagster's check specs."""
    return [(c.table, c.name, c.description, c.blocking) for c in (*ROW_CHECKS, *TABLE_CHECKS)]
