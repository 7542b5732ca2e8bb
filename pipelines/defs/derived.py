"""Derived assets: reference tables, the calibration table, the core/out tables of each domain,
and the published snapshot.

* Reference tables and the calibration are unpartitioned and rebuilt only when their inputs
  change (``warehouse.reference``).
* Each domain (prices: daily) is one multi-asset over its core and out tables, dependencies
  derived from their SQL. A partition is rebuilt in one transaction from whatever raw
  partitions exist, so a failed source never blocks it; any subset can be launched alone. Its
  checks report row counts, share mapped, price ranges and quarantined rows as numbers.
* ``published/snapshot`` brings the analysts' copy up to date with what changed.

Automation: a domain partition is rebuilt when any input of it was updated and none is still
running; the snapshot is published after any derived table updated.
"""


from typing import Any

import dagster as dg

from models.catalog import TABLES
from models.estimation.assumptions import EstimationAssumptions
from pipelines.defs.cadence import PLANS, partition_date
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import domain_group, table_key, table_metadata
from warehouse.build import DOMAINS, Domain, build_domain_partition, partition_sources
from warehouse.checks import all_check_keys
from warehouse.lineage import upstream
from warehouse.publish import publish_snapshot
from warehouse.reference import CACHED_TABLES, refresh_cached
from warehouse.schema import ensure_schema

PUBLISHED_KEY = dg.AssetKey(["published", "snapshot"])
# Rebuild when an input changed and nothing upstream is still running (missing inputs do not
# block: a source that failed leaves its partition missing, and the rest is built anyway).
REBUILD_ON_UPDATE = (dg.AutomationCondition.any_deps_updated().since_last_handled()
                     & ~dg.AutomationCondition.any_deps_in_progress()
                     & ~dg.AutomationCondition.in_progress())
DOMAIN_CADENCE = {"prices": "daily", "power": "monthly"}


def _spec(name: str, **kwargs: Any) -> dg.AssetSpec:
    return dg.AssetSpec(key=table_key(name), description=TABLES[name].description,
                        group_name=domain_group(name), kinds={"duckdb"},
                        metadata=table_metadata(name), skippable=True, **kwargs)


@dg.multi_asset(
    name="reference_tables", specs=[_spec(name) for name in CACHED_TABLES],
    can_subset=True, pool="warehouse_writer",
    description="Reference CSVs and the calibration table, rebuilt when their inputs change.")
def reference_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    names = [n for n in CACHED_TABLES if table_key(n) in context.selected_asset_keys]
    with warehouse.settings().connect() as con:
        ensure_schema(con)
        written = refresh_cached(con, names)
    for name, rows in written.items():
        yield dg.MaterializeResult(asset_key=table_key(name), metadata={
            "rebuilt": rows is not None, **({"dagster/row_count": rows} if rows is not None
                                            else {})})


class BuildConfig(dg.Config):
    """``estimation_assumptions`` overrides fields of
    :class:`models.estimation.assumptions.EstimationAssumptions` (utilization, precisions,
    batch limits, workload profiles...); every estimate row records the values it used."""

    estimation_assumptions: dict[str, Any] = {}


def _check_specs(domain: Domain) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=table_key(t), description=description,
                              blocking=False)
            for t, name, description, _ in all_check_keys() if t in domain.tables]


def domain_asset(domain: Domain) -> dg.AssetsDefinition:
    plan = PLANS[DOMAIN_CADENCE[domain.name]]

    @dg.multi_asset(
        name=f"{domain.name}_tables",
        specs=[_spec(name, deps=[table_key(d) for d in sorted(upstream(name))],
                     automation_condition=dg.AutomationCondition.in_latest_time_window()
                     & REBUILD_ON_UPDATE)
               for name in domain.tables],
        check_specs=_check_specs(domain), partitions_def=plan.partitions, can_subset=True,
        pool="warehouse_writer", backfill_policy=dg.BackfillPolicy.single_run(),
        description=f"Core and out tables of the {domain.name} domain for a partition, rebuilt "
                    "in one transaction with bad rows quarantined.")
    def build(context: dg.AssetExecutionContext, config: BuildConfig,
              warehouse: WarehouseResource):
        names = [n for n in domain.tables if table_key(n) in context.selected_asset_keys]
        assumptions = EstimationAssumptions(**config.estimation_assumptions)
        builds = []
        with warehouse.settings().connect() as con:
            ensure_schema(con)
            for key in context.partition_keys:
                builds.append(build_domain_partition(
                    con, domain, partition_date(key), tables=names, assumptions=assumptions,
                    run_id=context.run.run_id))
            provenance = {name: partition_sources(con, name, domain.partition_column,
                                                  builds[-1].partition) for name in names}
        for name in names:
            sources = provenance[name]
            later = sorted({str(d) for b in builds for t, d in b.later_changelogs if t == name})
            yield dg.MaterializeResult(asset_key=table_key(name), metadata={
                "dagster/partition_row_count": sum(b.table_rows[name] for b in builds),
                "built_from_sources": ", ".join(sources) or "n/a",
                "payloads": sum(len(v) for v in sources.values()),
                **({"later_partitions_rebuilt": ", ".join(later)} if later else {})})
        selected_checks = context.selected_asset_check_keys
        for check_key in selected_checks:
            outcomes = [c for b in builds for c in b.checks
                        if c.name == check_key.name and table_key(c.table) == check_key.asset_key]
            if not outcomes:
                continue
            numbers = {k: v for k, v in outcomes[-1].metadata.items()
                       if isinstance(v, int | float) and not isinstance(v, bool)}
            yield dg.AssetCheckResult(
                asset_key=check_key.asset_key, check_name=check_key.name,
                passed=all(c.passed for c in outcomes),
                severity=dg.AssetCheckSeverity.ERROR if outcomes[0].blocking
                else dg.AssetCheckSeverity.WARN,
                metadata={"message": "\n".join(f"{b.partition}: {c.message}" for b in builds
                                               for c in b.checks if c in outcomes),
                          **numbers})

    return build


@dg.asset(
    key=PUBLISHED_KEY, group_name="published", kinds={"duckdb"}, pool="warehouse_writer",
    deps=[table_key(n) for d in DOMAINS.values() for n in d.tables]
    + [table_key(n) for n in CACHED_TABLES],
    automation_condition=REBUILD_ON_UPDATE,
    description="Read-only snapshot of the core and out schemas for analysts (DuckDB v1.2 "
                "storage), updated with the partitions changed since the last publish and "
                "swapped in atomically.")
def published_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    with settings.connect() as con:
        ensure_schema(con)
        result = publish_snapshot(con, settings.published_path)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(result.path)), "mode": result.mode,
        "partitions_written": result.partitions,
        "size_mib": round(result.path.stat().st_size / 2**20, 2)})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[reference_tables, published_snapshot,
                                  *(domain_asset(d) for d in DOMAINS.values())])
