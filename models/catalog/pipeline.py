"""Catalog declarations of the pipeline's own bookkeeping: the source run log, parser rejects,
quarantined rows, and (in the working warehouse only) the partitions changed since the last
publish and the input fingerprints of cached tables."""

from __future__ import annotations

from models.catalog.spec import PROVENANCE, Column, TableSpec

SOURCE_REJECTS = TableSpec(
    name="raw.source__rejects",
    description="Input rows a parser refused, with the reason (malformed values, duplicate "
                "keys, absurd prices); nothing disappears silently.",
    columns=(
        Column("source", "VARCHAR", "source name, e.g. azure_retail", nullable=False),
        *PROVENANCE,
        Column("reject_number", "BIGINT", "position of the reject within the fetch",
               nullable=False),
        Column("reason", "VARCHAR", "why the row was refused", nullable=False),
        Column("record_json", "VARCHAR", "the input row as JSON", nullable=False),
    ),
    primary_key=("source", "observation_date", "reject_number"),
    partition_by=("source", "observation_date"),
)

SOURCE_RUNS = TableSpec(
    name="core.pipeline__events_source_runs",
    description="The source run log: for every attempt to parse one source's payload into one "
                "partition, a 'started' row and then a 'success' or 'failed' row (a 'started' "
                "row with nothing after it is a run that crashed). Fetch failures appear here "
                "too, as the error of the parse that found no payload. Append-only; secrets "
                "are redacted from every message.",
    columns=(
        Column("run_id", "VARCHAR", "id of the run (a Dagster run id)", nullable=False),
        Column("attempt_id", "VARCHAR", "id shared by the started row and the final row of "
               "one attempt", nullable=False),
        Column("source", "VARCHAR", "source name", nullable=False),
        Column("observation_date", "DATE", "the partition: the day observed, or the first day "
               "of the month a monthly report describes", nullable=False),
        Column("mode", "VARCHAR", "live (network), replay (recorded archive), archive "
               "(re-parse of our own archive, i.e. a backfill) or file (ingest)", nullable=False),
        Column("status", "VARCHAR", "started, success or failed", nullable=False),
        Column("started_datetime", "TIMESTAMP", "start of the attempt (UTC)", nullable=False),
        Column("finished_datetime", "TIMESTAMP", "end of the attempt (UTC); NULL on the "
               "started row"),
        Column("fetch_id", "VARCHAR", "archive fetch id of the snapshots parsed"),
        Column("n_snapshots", "BIGINT", "payloads parsed"),
        Column("n_records", "BIGINT", "rows written to the raw table"),
        Column("n_rejects", "BIGINT", "rows refused by the parser"),
        Column("skipped_fetches", "VARCHAR", "newer fetches of the partition that did not "
               "parse and were passed over, with why"),
        Column("error_message", "VARCHAR", "what failed and where; NULL on success"),
    ),
    primary_key=("attempt_id", "status"),
    partition_by=(),
)

QUARANTINE = TableSpec(
    name="core.pipeline__quarantined_rows",
    description="Rows of core and out tables that failed a blocking check, with the check and "
                "the reason. They are removed from their table in the same transaction that "
                "built it, so no publish ever contains them; rebuilding a partition re-checks "
                "it and replaces its quarantine rows.",
    columns=(
        Column("table_name", "VARCHAR", "table the row was built for", nullable=False),
        Column("partition_date", "DATE", "the partition it belonged to", nullable=False),
        Column("check_name", "VARCHAR", "the blocking check it failed", nullable=False),
        Column("reason", "VARCHAR", "why the check refused it", nullable=False),
        Column("row_json", "VARCHAR", "the row as JSON", nullable=False),
        Column("run_id", "VARCHAR", "run that quarantined it"),
        Column("quarantined_datetime", "TIMESTAMP", "when (UTC)", nullable=False),
    ),
    partition_by=("table_name", "partition_date"),
)

CHANGED_PARTITIONS = TableSpec(
    name="pipeline.changed_partitions",
    description="Partitions written since the last publish (working warehouse only): publish "
                "copies exactly these into the published file, then clears them.",
    columns=(
        Column("change_id", "BIGINT", "increasing id of the write", nullable=False),
        Column("table_name", "VARCHAR", "table written", nullable=False),
        Column("partition_json", "VARCHAR", "the partition as JSON ({} for a whole table)",
               nullable=False),
    ),
    partition_by=(),
)

INPUT_FINGERPRINTS = TableSpec(
    name="pipeline.input_fingerprints",
    description="sha256 of the inputs a cached table was last built from (working warehouse "
                "only); the table is rebuilt only when its inputs change.",
    columns=(
        Column("table_name", "VARCHAR", "cached table", nullable=False),
        Column("inputs_sha256", "VARCHAR", "fingerprint of its inputs", nullable=False),
        Column("built_datetime", "TIMESTAMP", "when it was built (UTC)", nullable=False),
    ),
    primary_key=("table_name",),
    partition_by=(),
)

TABLES = (SOURCE_REJECTS, SOURCE_RUNS, QUARANTINE, CHANGED_PARTITIONS, INPUT_FINGERPRINTS)
