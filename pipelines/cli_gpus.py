"""``compute-atlas gpus``: which GPU, where, cheapest, on a day (like ``sky show-gpus``).

One row per GPU model with the cheapest offer, the median, how many providers and offers, and
where the cheapest is; with ``--gpu``, every offer of that GPU sorted by price. It reads the
published snapshot (``core.cloud__daily_gpu_offers``), the newest observation date by default.
GPU names resolve like everywhere else in the product (the aliases of
``models/reference/gpu_aliases.csv``, published as ``core.gpu__codes_aliases``, by
:func:`models.name_matching.resolve_name`); unknown GPUs, providers and price types list the
closest names. Only duckdb and the standard library are imported: it answers in well under a
second.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipelines.cli_options import DataDir, duckdb_message, open_published, parse_day
from pipelines.cli_output import console, fail, print_table

if TYPE_CHECKING:
    import duckdb

OFFERS = "core.cloud__daily_gpu_offers"
# Offers with the memory of their GPU model (the reference figure; the offer's own when the
# model has none: providers report e.g. 80 GB H100s as 85.5).
_OFFERS_OF_DAY = f"""
SELECT o.gpu_model, o.provider, o.region, o.price_type, o.commitment_months, o.sku,
       o.gpu_count, o.usd_per_gpu_hour, o.usd_per_hour,
       coalesce(m.memory_gb, o.gpu_memory_gb) AS gpu_memory_gb, o.origin, o.source
FROM {OFFERS} AS o LEFT JOIN core.gpu__entity_models AS m USING (gpu_model)
WHERE o.observation_date = $day AND o.usd_per_gpu_hour IS NOT NULL
"""
_FILTERS = {
    "provider": "provider = $provider",
    "price_type": "price_type = $price_type",
    "region": "contains(lower(region), lower($region))",
    "min_memory_gb": "gpu_memory_gb >= $min_memory_gb",
    "max_usd_per_gpu_hour": "usd_per_gpu_hour <= $max_usd_per_gpu_hour",
    "gpu_model": "gpu_model = $gpu_model",
}
_OVERVIEW = """
WITH offers AS ({offers}), cheapest AS (
    SELECT gpu_model, provider AS cheapest_provider, region AS cheapest_region,
           price_type AS cheapest_price_type
    FROM offers
    QUALIFY row_number() OVER (PARTITION BY gpu_model ORDER BY usd_per_gpu_hour, provider,
                                                               region, price_type, sku) = 1
)
SELECT gpu_model, max(gpu_memory_gb) AS gpu_memory_gb,
       min(usd_per_gpu_hour) AS cheapest_usd_per_gpu_hour,
       median(usd_per_gpu_hour) AS median_usd_per_gpu_hour,
       count(DISTINCT provider) AS n_providers, count(*) AS n_offers,
       any_value(cheapest_provider) AS cheapest_provider,
       any_value(cheapest_region) AS cheapest_region,
       any_value(cheapest_price_type) AS cheapest_price_type
FROM offers JOIN cheapest USING (gpu_model)
GROUP BY gpu_model ORDER BY gpu_model
"""
_OFFERS_OF_GPU = """
SELECT provider, region, price_type, commitment_months, sku, gpu_count, usd_per_gpu_hour,
       usd_per_hour, gpu_memory_gb, origin, source
FROM ({offers}) ORDER BY usd_per_gpu_hour, provider, region, price_type, sku
"""


def gpus(
    gpu: Annotated[str | None, typer.Option("--gpu", help="Every offer of this GPU, "
                                            "cheapest first (a name or alias: H100, "
                                            "'a100 80gb', 'NVIDIA L40S').")] = None,
    provider: Annotated[str | None, typer.Option(help="Only this provider, e.g. azure.")] = None,
    price_type: Annotated[str | None, typer.Option(
        "--price-type", help="on_demand, spot, reserved or marketplace.")] = None,
    region: Annotated[str | None, typer.Option(help="Regions containing this text "
                                               "(case-insensitive), e.g. us-east.")] = None,
    min_memory_gb: Annotated[float | None, typer.Option(
        "--min-memory-gb", help="At least this much memory per GPU.")] = None,
    max_usd_per_gpu_hour: Annotated[float | None, typer.Option(
        "--max-usd-per-gpu-hour", help="At most this price per GPU-hour.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Observation date (YYYY-MM-DD); "
                                            "default the newest in the snapshot.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of rows (full "
                                          "precision).")] = False,
    data_dir: DataDir = None,
) -> None:
    """The cheapest offer per GPU (median, providers, offers, where), or with --gpu every
    offer of one GPU; from the published snapshot."""
    import duckdb

    con = open_published(data_dir)
    try:
        observed = _observation_date(con, day)
        params: dict[str, Any] = {"day": observed, "provider": provider,
                                  "price_type": price_type, "region": region,
                                  "min_memory_gb": min_memory_gb,
                                  "max_usd_per_gpu_hour": max_usd_per_gpu_hour}
        _check_known(con, "provider", provider, observed)
        _check_known(con, "price_type", price_type, observed)
        if gpu is not None:
            params["gpu_model"] = _resolve_gpu(con, gpu)
        params = {k: v for k, v in params.items() if v is not None}
        offers = _OFFERS_OF_DAY + "".join(f" AND {_FILTERS[k]}" for k in params if k != "day")
        sql = (_OFFERS_OF_GPU if gpu is not None else _OVERVIEW).format(offers=offers)
        cursor = con.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        unmapped = 0 if gpu is not None else con.execute(
            f"SELECT count(*) FROM {OFFERS} WHERE observation_date = $day AND gpu_model IS NULL",
            {"day": observed}).fetchone()[0]
    except duckdb.Error as exc:
        raise fail(duckdb_message(exc)) from None
    finally:
        con.close()
    if as_json:
        records = [{"observation_date": observed.isoformat(), **dict(zip(columns, r,
                                                                         strict=True))}
                   for r in rows]
        sys.stdout.write(json.dumps(records, indent=2, default=str) + "\n")
        return
    if not rows:
        console.print(f"no offers on {observed} match"
                      + (f" {params['gpu_model']}" if gpu is not None else "")
                      + " with these filters")
        return
    what = f"{params['gpu_model']} offers" if gpu is not None else "cheapest offer per GPU"
    print_table(columns, rows, title=f"{what} on {observed} (USD per GPU-hour)")
    if unmapped:
        console.print(f"[dim]{unmapped} offers of GPUs without a canonical id are not shown "
                      "(core.gpu__daily_unmapped_names)[/]", soft_wrap=True)


def _observation_date(con: duckdb.DuckDBPyConnection, day: str | None) -> date:
    newest = con.execute(f"SELECT max(observation_date) FROM {OFFERS}").fetchone()[0]
    if newest is None:
        raise fail(f"{OFFERS} is empty in the published snapshot")
    if day is None:
        return newest
    wanted = parse_day(day)
    if not con.execute(f"SELECT count(*) FROM {OFFERS} WHERE observation_date = ?",
                       [wanted]).fetchone()[0]:
        raise fail(f"no offers observed on {wanted}; the newest observation date is {newest}")
    return wanted


def _check_known(con: duckdb.DuckDBPyConnection, column: str, value: str | None,
                 observed: date) -> None:
    from models.name_matching import unknown_name_message

    if value is None:
        return
    known = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {OFFERS} "
                                       "WHERE observation_date = ?", [observed]).fetchall()]
    if value not in known:
        raise fail(unknown_name_message(column.replace("_", " "), value, known)
                   + f" (on {observed})")


def _resolve_gpu(con: duckdb.DuckDBPyConnection, name: str) -> str:
    from models.name_matching import NameResolutionError, resolve_name

    aliases = con.execute("SELECT alias_key, gpu_model FROM core.gpu__codes_aliases").fetchall()
    try:
        return resolve_name("GPU", name, aliases)
    except NameResolutionError as exc:
        raise fail(str(exc)) from None
