"""The daily market report as an asset: after each publish, the report of the day is written
from the published snapshot (``warehouse.report``) into ``<data dir>/reports/<day>/``.

Daily partitions, like the prices it reports; automation runs the latest day's report whenever
the snapshot was published and nothing upstream is still running. It only reads the published
file, so it needs no slot in the warehouse writers' pool.
"""

import dagster as dg

from pipelines.defs.cadence import PLANS, partition_date
from pipelines.defs.derived import PUBLISHED_KEY, REBUILD_ON_UPDATE
from pipelines.defs.resources import WarehouseResource

REPORT_KEY = dg.AssetKey(["published", "market_report"])


@dg.asset(
    key=REPORT_KEY, group_name="published", kinds={"html"}, deps=[PUBLISHED_KEY],
    partitions_def=PLANS["daily"].partitions,
    automation_condition=dg.AutomationCondition.in_latest_time_window() & REBUILD_ON_UPDATE,
    description="The daily market report: one self-contained HTML file of charts (inline SVG, "
                "viewable offline) and the CSV behind each chart, from the published snapshot.")
def market_report(context: dg.AssetExecutionContext,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    from warehouse.report import write_report  # altair and vl-convert load only here

    settings = warehouse.settings()
    day = partition_date(context.partition_key)
    report = write_report(settings.published_path, settings.reports_dir / day.isoformat(), day)
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(report.html)), "charts": report.charts,
        "sections_without_chart": len(report.sections) - report.charts,
        **{f"rows/{s.section.slug}": s.rows for s in report.sections}})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[market_report])
