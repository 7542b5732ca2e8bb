"""Per-source assets: for every registered source a fetch asset and a parse asset, partitioned
by the source's cadence, automated at that cadence, with a freshness check.

* ``archive/<source>`` fetches into the raw archive (never opens DuckDB, so it runs while the
  warehouse is locked); automation fetches the current partition on the cadence's cron.
* ``raw/<source>__<entity>`` parses the newest archived fetch of its partition that parses into
  the raw table; it runs whenever its fetch materializes, and backfills (re-parses) alone.

A failed fetch or parse fails its own step, with the error as the failure's description; other
sources' steps do not depend on it and run on. Retrying is the HTTP client's job (backoff,
``Retry-After``); the step is not retried again on top of it.
"""


from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from pipelines.defs.cadence import PLANS, partition_date
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_key, table_metadata
from pipelines.steps import fetch_source, parse_source
from sources.archive import RawArchive
from sources.base import Source
from sources.registry import SOURCES
from warehouse.schema import ensure_schema


class FetchConfig(dg.Config):
    """``auto`` fetches live for the current partition (any partition for a source whose listing
    keeps its history) and nothing for past ones, which are re-parsed from the archive;
    ``replay`` serves requests from ``replay_dir``; ``archive`` fetches nothing."""

    mode: str = "auto"
    replay_dir: str | None = None


class ParseConfig(dg.Config):
    """``fetch_id`` parses exactly that archived fetch (``compute-atlas ingest`` sets it);
    otherwise the newest fetch of the partition that parses."""

    fetch_id: str | None = None


def fetch_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["archive", source.name])


def _run_start(context: dg.AssetExecutionContext) -> datetime | None:
    stats = context.instance.get_run_stats(context.run.run_id)
    started = stats.start_time if stats else None
    return datetime.fromtimestamp(started, UTC).replace(tzinfo=None) if started else None


# A report published the month after the one it describes (Source.publication_lag_months):
# automation works on the partition before the latest, which is the newest one that can exist.
# A lookback takes the partitions that START within it of the latest window's end: the last
# two months start 59-62 days before it, the one before them 89-92, so 75 days takes two.
PREVIOUS_MONTH = (dg.AutomationCondition.in_latest_time_window(timedelta(days=75))
                  & ~dg.AutomationCondition.in_latest_time_window()
                  ).with_label("in_previous_time_window")


def _automation(source: Source, condition: dg.AutomationCondition) -> dg.AutomationCondition:
    """``condition`` (on_cron, eager: both target the latest time window) aimed at the
    partition due for ``source``."""
    if not source.publication_lag_months:
        return condition
    return condition.replace("in_latest_time_window", PREVIOUS_MONTH)


def source_assets(source: Source) -> list[dg.AssetsDefinition]:
    plan = PLANS[source.cadence]
    automate = plan.fetch_cron is not None

    @dg.asset(
        key=fetch_key(source), partitions_def=plan.partitions, group_name=source.family,
        kinds={"python"},
        description=f"Fetch {source.title} into the raw archive ({source.cadence}; "
                    f"{', '.join(source.urls)}).",
        automation_condition=_automation(source, dg.AutomationCondition.on_cron(
            plan.fetch_cron)) if automate else None,
        metadata={"source": source.name, "cadence": source.cadence, "terms": source.terms},
    )
    def fetch(context: dg.AssetExecutionContext, config: FetchConfig,
              warehouse: WarehouseResource) -> dg.MaterializeResult:
        day = partition_date(context.partition_key)
        outcome = fetch_source(RawArchive(warehouse.settings().archive_dir), source, day,
                               config.mode, replay_dir=Path(config.replay_dir)
                               if config.replay_dir else None)
        if not outcome.ok:
            raise dg.Failure(description=outcome.error,
                             metadata={"mode": outcome.mode, "fetch_id": outcome.fetch_id or "",
                                       "responses_archived": outcome.n_snapshots})
        return dg.MaterializeResult(metadata={
            "status": outcome.status, "mode": outcome.mode, "fetch_id": outcome.fetch_id or "",
            "responses": outcome.n_snapshots, "bytes": outcome.bytes_archived,
            "seconds": round(outcome.seconds, 3)})

    @dg.asset(
        key=table_key(source.raw_table), deps=[fetch_key(source)],
        partitions_def=plan.partitions, group_name=source.family, kinds={"duckdb"},
        pool="warehouse_writer", description=f"{source.title}: parsed rows "
                                             f"({source.raw_table}).",
        automation_condition=_automation(source, dg.AutomationCondition.eager()) if automate
        else None,
        metadata=table_metadata(source.raw_table) | {"source": source.name},
    )
    def parse(context: dg.AssetExecutionContext, config: ParseConfig,
              warehouse: WarehouseResource) -> dg.MaterializeResult:
        day = partition_date(context.partition_key)
        settings = warehouse.settings()
        with settings.connect() as con:
            ensure_schema(con)
            outcome = parse_source(con, RawArchive(settings.archive_dir), source, day,
                                   run_id=context.run.run_id, fetch_id=config.fetch_id,
                                   fresh_since=_run_start(context))
        if outcome.skipped:
            context.log.warning(f"{source.name} {day}: skipped newer fetches that did not "
                                f"parse: {'; '.join(outcome.skipped)}")
        if not outcome.ok:
            raise dg.Failure(description=outcome.error)
        return dg.MaterializeResult(metadata={
            "dagster/row_count": outcome.n_records, "rejects": outcome.n_rejects,
            "payloads": outcome.n_snapshots, "fetch_id": outcome.fetch_id or "",
            "mode": outcome.mode, "skipped_fetches": len(outcome.skipped),
            **{f"excluded: {k}": v for k, v in outcome.excluded.items()}})

    return [fetch, parse]


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    """One per source with a schedule: the latest complete partition of its raw table must be
    parsed by the cadence's deadline."""
    checks: list[dg.AssetChecksDefinition] = []
    for source in SOURCES.values():
        plan = PLANS[source.cadence]
        if plan.freshness_deadline_cron:
            checks.extend(dg.build_time_partition_freshness_checks(
                assets=[table_key(source.raw_table)],
                deadline_cron=plan.freshness_deadline_cron,
                severity=dg.AssetCheckSeverity.WARN))
    return checks


@dg.definitions
def defs() -> dg.Definitions:
    checks = freshness_checks()
    return dg.Definitions(
        assets=[a for source in SOURCES.values() for a in source_assets(source)],
        asset_checks=checks,
        sensors=[
            dg.AutomationConditionSensorDefinition(
                "automation", target=dg.AssetSelection.all(),
                default_status=dg.DefaultSensorStatus.RUNNING),
            dg.build_sensor_for_freshness_checks(
                freshness_checks=checks, default_status=dg.DefaultSensorStatus.RUNNING),
        ])
