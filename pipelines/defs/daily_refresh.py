"""The daily refresh as one Dagster multi-asset, its checks, the job and the schedule.

Why one step: sources must fail independently. If each source were its own step, a failed
fetch would make Dagster skip every downstream core/out step for that day. Here the step runs
:class:`pipelines.refresh.Refresher` (the same code as ``compute-atlas refresh``), reports a
materialization for every table it wrote, a failed ``fetch_succeeded`` check for every source
that failed, the data-contract checks, and only then fails the run if any source failed — so
the failure is visible while the other sources' data is kept and published.

Backfills: past partitions re-parse archived payloads (``mode: auto``); a partition range runs
in one step (``BackfillPolicy.single_run``), e.g.
``dg launch --assets '*' --partition-range 2026-11-01...2026-11-05``.
"""

from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from models.catalog import TABLES, TableSpec
from models.estimation.assumptions import EstimationAssumptions
from pipelines.defs.resources import WarehouseResource
from pipelines.refresh import (
    CALIBRATION_TABLE,
    CORE_TABLES,
    ESTIMATE_TABLES,
    OUT_TABLES,
    Refresher,
    RefreshReport,
)
from sources.registry import SOURCES
from warehouse.checks import CHECKS
from warehouse.reference import REFERENCE_TABLES

daily_partitions = dg.DailyPartitionsDefinition(start_date="2025-01-01", end_offset=1)

PUBLISHED_KEY = dg.AssetKey(["published", "snapshot"])
RAW_TABLES = tuple(s.raw_table for s in SOURCES.values())
# What each table is built from (lineage in the UI).
UPSTREAM: dict[str, tuple[str, ...]] = {
    "core.cloud__daily_gpu_offers": ("raw.azure_retail__gpu_prices", "raw.runpod__gpu_prices",
                                     "core.cloud__codes_azure_vm_skus",
                                     "core.gpu__codes_aliases", "core.gpu__entity_models"),
    "core.gpu__daily_unmapped_names": ("core.cloud__daily_gpu_offers",),
    "core.llm__daily_token_prices": ("raw.openrouter__models",),
    "out.gpu__daily_price_index": ("core.cloud__daily_gpu_offers",),
    "out.gpu__daily_usd_per_effective_tflop": ("core.cloud__daily_gpu_offers",
                                               "core.gpu__entity_models",
                                               "core.gpu__codes_efficiency"),
    "out.llm__daily_cost_per_1k_tokens": ("core.cloud__daily_gpu_offers",
                                          "core.llm__entity_architectures",
                                          "core.llm__codes_workload_profiles",
                                          "core.gpu__codes_efficiency"),
    "out.llm__daily_market_vs_projected": ("core.llm__daily_token_prices",
                                           "out.llm__daily_cost_per_1k_tokens"),
    CALIBRATION_TABLE: ("core.gpu__codes_efficiency", "core.llm__entity_architectures"),
}
WRITTEN_TABLES = (*RAW_TABLES, "raw.source__rejects", "core.pipeline__events_source_runs",
                  *REFERENCE_TABLES, CALIBRATION_TABLE, *CORE_TABLES, *OUT_TABLES,
                  *ESTIMATE_TABLES)


def table_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(name.split("."))


def column_schema(spec: TableSpec) -> dg.TableSchema:
    return dg.TableSchema(columns=[
        dg.TableColumn(c.name, c.type, description=c.description + (f" [{c.unit}]" if c.unit
                                                                     else ""))
        for c in spec.columns])


def _spec(name: str) -> dg.AssetSpec:
    spec = TABLES[name]
    return dg.AssetSpec(
        key=table_key(name),
        description=spec.description,
        deps=[table_key(d) for d in UPSTREAM.get(name, ())],
        group_name=f"{spec.schema}_{name.split('.', 1)[1].split('__', 1)[0]}",
        kinds={"duckdb"},
        metadata={"dagster/column_schema": column_schema(spec), "dagster/table_name": name},
        skippable=True,
    )


def _asset_specs() -> list[dg.AssetSpec]:
    # Built in a function: the defs loader would register module-level specs a second time.
    return [_spec(name) for name in WRITTEN_TABLES] + [_published_spec()]


def _published_spec() -> dg.AssetSpec:
    return dg.AssetSpec(
    key=PUBLISHED_KEY, group_name="published", kinds={"duckdb"},
    deps=[table_key(n) for n in WRITTEN_TABLES if not n.startswith("raw.")],
    description="Read-only snapshot of the core and out schemas for analysts (DuckDB v1.2 "
                "storage), swapped in atomically after each refresh.", skippable=True)


def _check_specs() -> list[dg.AssetCheckSpec]:
    fetch_checks = [
        dg.AssetCheckSpec("fetch_succeeded", asset=table_key(s.raw_table),
                          description=f"{s.name} was collected and parsed for every date of "
                                      "the run")
        for s in SOURCES.values()]
    contract_checks = [
        dg.AssetCheckSpec(c.name, asset=table_key(c.table), description=c.description,
                          blocking=c.blocking)
        for c in CHECKS]
    return fetch_checks + contract_checks


class RefreshConfig(dg.Config):
    """How to collect: ``auto`` fetches live for today and re-parses the archive for past
    days; ``replay`` serves requests from ``replay_dir``; ``archive`` forces re-parsing.

    ``estimation_assumptions`` overrides fields of
    :class:`models.estimation.assumptions.EstimationAssumptions` (utilization, precisions,
    batch limits, workload profiles...); every estimate row records the values it used."""

    mode: str = "auto"
    replay_dir: str | None = None
    sources: list[str] | None = None
    estimation_assumptions: dict[str, Any] = {}


def _results(report: RefreshReport, days: list[date]):
    failed = {o.source for o in report.failed_sources}
    for source in SOURCES.values():
        outcomes = [o for o in report.sources if o.source == source.name]
        if not outcomes:
            continue
        errors = [f"{o.observation_date}: {o.error}" for o in outcomes if not o.ok]
        yield dg.AssetCheckResult(
            asset_key=table_key(source.raw_table), check_name="fetch_succeeded",
            passed=not errors, severity=dg.AssetCheckSeverity.ERROR,
            metadata={"errors": "\n".join(errors) or "none",
                      "modes": ", ".join(sorted({o.mode for o in outcomes}))})
        if source.name not in failed:
            yield dg.MaterializeResult(asset_key=table_key(source.raw_table), metadata={
                "dagster/partition_row_count": sum(o.n_records for o in outcomes),
                "rejects": sum(o.n_rejects for o in outcomes),
                "payloads": sum(o.n_snapshots for o in outcomes),
                "fetch_ids": ", ".join(o.fetch_id or "" for o in outcomes)})
    yield dg.MaterializeResult(asset_key=table_key("raw.source__rejects"))
    yield dg.MaterializeResult(asset_key=table_key("core.pipeline__events_source_runs"))
    for name in (*REFERENCE_TABLES, CALIBRATION_TABLE):
        yield dg.MaterializeResult(asset_key=table_key(name))
    for name in (*CORE_TABLES, *OUT_TABLES, *ESTIMATE_TABLES):
        yield dg.MaterializeResult(asset_key=table_key(name), metadata={
            "dagster/partition_row_count": sum(d.table_rows.get(name, 0) for d in report.days)})
    for check in CHECKS:
        outcomes = [c for d in report.days for c in d.checks
                    if (c.name, c.table) == (check.name, check.table)]
        yield dg.AssetCheckResult(
            asset_key=table_key(check.table), check_name=check.name,
            passed=all(c.passed for c in outcomes),
            severity=dg.AssetCheckSeverity.ERROR if check.blocking
            else dg.AssetCheckSeverity.WARN,
            metadata={"messages": "\n".join(f"{d}: {c.message}" for d, c in
                                            zip(days, outcomes, strict=True))})
    if report.published:
        yield dg.MaterializeResult(asset_key=PUBLISHED_KEY,
                                   metadata={"path": dg.MetadataValue.path(str(report.published))})


@dg.multi_asset(
    name="daily_refresh",
    specs=_asset_specs(),
    check_specs=_check_specs(),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse_writer",
)
def daily_refresh(context: dg.AssetExecutionContext, config: RefreshConfig,
                  warehouse: WarehouseResource):
    """Collect every source for the partition's days, rebuild core/out, check, publish."""
    days = [date.fromisoformat(key) for key in context.partition_keys]
    refresher = Refresher(
        warehouse.settings(), run_id=context.run.run_id,
        assumptions=EstimationAssumptions(**config.estimation_assumptions),
        replay_dir=Path(config.replay_dir) if config.replay_dir else None,
        on_source_done=lambda o: (context.log.info if o.ok else context.log.error)(
            f"{o.source} {o.observation_date} ({o.mode}): "
            + (f"{o.n_records} rows, {o.n_rejects} rejects" if o.ok else o.error)))
    report = refresher.run(days, config.sources, config.mode)
    yield from _results(report, days)
    if report.publish_skipped_reason:
        context.log.warning(f"not published: {report.publish_skipped_reason}")
    if report.failed_sources:
        raise dg.Failure(
            description="sources failed: " + "; ".join(
                f"{o.source} {o.observation_date}: {o.error}" for o in report.failed_sources),
            metadata={"published": str(report.published)})


daily_refresh_job = dg.define_asset_job("daily_refresh_job", selection=[daily_refresh])
daily_refresh_schedule = dg.build_schedule_from_partitioned_job(
    daily_refresh_job, hour_of_day=6, default_status=dg.DefaultScheduleStatus.RUNNING)
