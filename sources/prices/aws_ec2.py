"""AWS EC2 Price List bulk files: on-demand and reserved Linux prices of AWS's GPU, Trainium and
Inferentia instances, per region.

Endpoints (keyless, https://pricing.us-east-1.amazonaws.com): the offer index
``/offers/v1.0/aws/index.json`` names the EC2 region index (``offers.AmazonEC2.
currentRegionIndexUrl``); the region index ``{regions: {<code>: {currentVersionUrl}}}`` names one
offer file per region, fetched as CSV (``currentVersionUrl`` with ``.json`` swapped for ``.csv``).
:func:`fetch` takes every commercial and GovCloud region (Local Zones and Wavelength zones, codes
like ``us-east-1-mia-1``, are skipped: they sell no accelerator instances). Docs:
https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-the-aws-price-list-bulk-api.html

Format: each region file is a CSV of one row per price dimension with 5 metadata rows
(FormatVersion, Disclaimer, Publication Date, Version, OfferCode) and the header on row 6. The
files are hundreds of MB each, so :func:`parse` never loads one into Python: DuckDB reads the
archived body from a temporary file and returns only the accelerator rows (a few thousand).

Kept: ``TermType`` OnDemand (price_type on_demand) and Reserved (reserved; ``LeaseContractLength``
1yr/3yr = 12/36 months, one offer per ``OfferingClass`` and ``PurchaseOption``, its hourly
rate plus the upfront fee amortised over the term), for the accelerator instance
families, with ``Operating System`` Linux, ``Tenancy`` Shared, ``Pre Installed S/W``
NA, ``CapacityStatus`` Used and, where the column exists, ``MarketOption`` OnDemand. Everything
else (Windows/RHEL/SUSE, dedicated hosts, SQL Server images, capacity-reservation bookkeeping
rows, Capacity Blocks) is filtered out by policy inside DuckDB and never reaches Python.

Units: every price is per instance-hour in USD (``Unit`` Hrs); reserved upfront fees are
``Unit`` Quantity. The accelerator model is not in the price list: it comes from the instance
family (``sources.prices.aws_instances``); the count from the ``GPU`` column, or for Neuron
instances (whose ``GPU`` is empty) from the instance type table there. g6f/gr6f sizes sell a
fraction of an L4: the count is the GPU memory over an L4's 24 GB.

Rejected with a reason: prices that are missing, not numbers or not positive; accelerator rows
whose count cannot be found; a reserved term without its hourly rate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import duckdb

from sources.base import ParseResult
from sources.errors import FetchError, ParseError
from sources.http import MIB, FetchSession
from sources.parsing import (
    load_json,
    payload_error,
    require_field,
    require_snapshots,
)
from sources.prices.aws_instances import ACCELERATORS, accelerator_count
from sources.prices.offers import add_offer, finish, offer_source, optional_number
from sources.snapshot import Snapshot

NAME = "aws_ec2"
BASE_URL = "https://pricing.us-east-1.amazonaws.com"
OFFERS_INDEX_URL = f"{BASE_URL}/offers/v1.0/aws/index.json"
# Commercial and GovCloud regions; Local Zones and Wavelength zones have longer codes.
REGION_CODE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
METADATA_ROWS = 5

FRACTIONAL_FAMILIES = {"g6f": 24.0, "gr6f": 24.0}  # family -> memory (GB) of a whole GPU
LEASE_MONTHS = {"1yr": 12, "3yr": 36}
# CSV header -> name in the query; all are required except those in OPTIONAL_COLUMNS.
COLUMNS = {
    "TermType": "term_type", "Unit": "unit", "PricePerUnit": "price", "Currency": "currency",
    "RateCode": "rate_code", "OfferTermCode": "offer_term_code", "SKU": "sku",
    "LeaseContractLength": "lease", "PurchaseOption": "purchase_option",
    "OfferingClass": "offering_class", "Instance Type": "instance_type", "vCPU": "vcpu",
    "Memory": "memory", "GPU": "gpu", "GPU Memory": "gpu_memory", "Region Code": "region",
    "Operating System": "os", "Tenancy": "tenancy", "Pre Installed S/W": "preinstalled",
    "CapacityStatus": "capacity_status",
}
OPTIONAL_COLUMNS = {"MarketOption": "market_option"}


# ---------------------------------------------------------------------------- fetch


def fetch(session: FetchSession) -> None:
    """Offer index, then the EC2 region index, then one CSV per wanted region."""
    offers = load_json(session.get(OFFERS_INDEX_URL))
    try:
        region_index_path = offers["offers"]["AmazonEC2"]["currentRegionIndexUrl"]
    except (KeyError, TypeError):
        raise FetchError(f"{NAME}: the offer index has no AmazonEC2 "
                         "currentRegionIndexUrl") from None
    region_index = session.get(_absolute(region_index_path))
    for url in region_csv_urls(region_index):
        session.get(url)


def _absolute(path: str) -> str:
    if not isinstance(path, str) or not path.startswith("/offers/"):
        raise FetchError(f"{NAME}: unexpected price list path {path!r}")
    return BASE_URL + path


def region_csv_urls(region_index: Snapshot) -> list[str]:
    """The CSV URL of every wanted region in a region index, sorted by region code."""
    regions = require_field(region_index, load_json(region_index), "regions")
    if not isinstance(regions, dict):
        raise payload_error(region_index, "'regions' is not an object")
    urls = []
    for code in sorted(regions):
        if not REGION_CODE.match(code):
            continue
        entry = regions[code]
        path = entry.get("currentVersionUrl") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path.endswith(".json"):
            raise payload_error(region_index, f"region {code} has no currentVersionUrl")
        urls.append(_absolute(path[: -len(".json")] + ".csv"))
    return urls


# ---------------------------------------------------------------------------- parse


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    """Offers of every region CSV of one fetch; the fetch must hold every region the region
    index lists (a half-fetched price list never loads)."""
    require_snapshots(NAME, snapshots)
    csvs = [s for s in snapshots if s.url.endswith(".csv") or s.method == "FILE"]
    indexes = [s for s in snapshots if s.url.endswith("region_index.json")]
    if indexes:
        missing = sorted(set(region_csv_urls(indexes[-1])) - {s.url for s in csvs})
        if missing:
            raise payload_error(indexes[-1], f"incomplete fetch: {len(missing)} region file(s) "
                                             f"not fetched, first {missing[0]}")
    if not csvs:
        raise ParseError(f"{NAME}: no region CSV among {len(snapshots)} snapshot(s)")
    result = ParseResult()
    rows_read = 0
    for snapshot in csvs:
        rows = accelerator_rows(snapshot)
        rows_read += len(rows)
        _add_region(snapshot, rows, result)
    return finish(NAME, result, csvs, rows_read)


def accelerator_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The Linux/shared/no-software price rows of accelerator families in one region CSV,
    read by DuckDB from a temporary file (the body never enters Python whole)."""
    with snapshot.local_file(suffix=".csv") as path:
        con = duckdb.connect()
        try:
            relation = f"read_csv('{path}', skip={METADATA_ROWS}, header=true, " \
                       "all_varchar=true, delim=',', quote='\"', escape='\"')"
            try:
                header = [row[0] for row in con.execute(
                    f"SELECT column_name FROM (DESCRIBE SELECT * FROM {relation})").fetchall()]
            except duckdb.Error as exc:
                raise payload_error(snapshot, f"not a price list CSV ({exc})") from exc
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise payload_error(snapshot, f"CSV header (row {METADATA_ROWS + 1}) lacks "
                                              f"{missing}; it has {header[:12]}")
            wanted = {**COLUMNS, **{k: v for k, v in OPTIONAL_COLUMNS.items() if k in header}}
            select = ", ".join(f'"{column}" AS {alias}' for column, alias in wanted.items())
            market = "AND coalesce(market_option, 'OnDemand') = 'OnDemand'" \
                if "MarketOption" in header else ""
            query = f"""
                SELECT * FROM (SELECT {select} FROM {relation})
                WHERE split_part(instance_type, '.', 1) IN (SELECT unnest($families))
                  AND term_type IN ('OnDemand', 'Reserved') AND os = 'Linux'
                  AND tenancy = 'Shared' AND preinstalled = 'NA' AND capacity_status = 'Used'
                  {market}
                ORDER BY instance_type, term_type, offer_term_code, unit"""
            try:
                cursor = con.execute(query, {"families": list(ACCELERATORS)})
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            except duckdb.Error as exc:
                raise payload_error(snapshot, f"unreadable price list CSV ({exc})") from exc
        finally:
            con.close()


def _add_region(snapshot: Snapshot, rows: list[dict[str, Any]], result: ParseResult) -> None:
    terms: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        terms.setdefault((row["sku"], row["offer_term_code"]), []).append(row)
    for dimensions in terms.values():
        hourly = [d for d in dimensions if d["unit"] == "Hrs"]
        upfront = [d for d in dimensions if d["unit"] == "Quantity"]
        if len(hourly) != 1:
            result.reject(snapshot, f"{len(hourly)} hourly rates for one term", dimensions[0])
            continue
        _add_term(snapshot, hourly[0], upfront[0] if upfront else None, result)


def _add_term(snapshot: Snapshot, row: dict[str, Any], upfront_row: dict[str, Any] | None,
              result: ParseResult) -> None:
    instance_type = row["instance_type"]
    family = instance_type.split(".")[0]
    count = _accelerator_count(row, family)
    if row["currency"] not in (None, "USD"):
        result.reject(snapshot, f"price in {row['currency']}, not USD", row)
        return
    if row["term_type"] == "Reserved":
        months = LEASE_MONTHS.get(row["lease"] or "")
        if months is None:
            result.reject(snapshot, f"unknown LeaseContractLength {row['lease']!r}", row)
            return
        sku = f"{instance_type} {row['offering_class']} {row['purchase_option']}"
        price_type = "reserved"
    else:
        months, sku, price_type = 0, instance_type, "on_demand"
    upfront = upfront_row["price"] if upfront_row else None
    add_offer(result, snapshot, row, listed_price=row["price"], listed_unit="USD/hour",
              price_basis="instance", gpu_count=count, upfront_usd=upfront,
              commitment_months=months, sku=sku, region=row["region"], seller=None,
              provider_gpu_name=ACCELERATORS[family],
              gpu_memory_gb=_gpu_memory_per_accelerator(row, count),
              vcpus=optional_number(row["vcpu"]), memory_gb=optional_number(row["memory"]),
              price_type=price_type, available=None, offer_id=row["rate_code"])


def _accelerator_count(row: dict[str, Any], family: str) -> float | None:
    if family in FRACTIONAL_FAMILIES:
        memory = optional_number(row["gpu_memory"])
        return round(memory / FRACTIONAL_FAMILIES[family] * 8) / 8 if memory else None
    # Neuron instances leave GPU empty; fall back to the instance type table.
    return optional_number(row["gpu"]) or accelerator_count(row["instance_type"])


def _gpu_memory_per_accelerator(row: dict[str, Any], count: float | None) -> float | None:
    total = optional_number(row["gpu_memory"])
    if not total or not count:
        return None
    return total / count if count >= 1 else total  # a slice: the memory it gets


SOURCE = offer_source(
    name=NAME,
    title="AWS EC2 Price List: GPU, Trainium and Inferentia instances (on-demand, reserved)",
    protocol="bulk_file",
    homepage="https://aws.amazon.com/ec2/pricing/on-demand/",
    urls=(OFFERS_INDEX_URL,
          f"{BASE_URL}/offers/v1.0/aws/AmazonEC2/current/region_index.json",
          f"{BASE_URL}/offers/v1.0/aws/AmazonEC2/<version>/<region>/index.csv"),
    terms="AWS Price List bulk files, public and keyless; 'for informational purposes only', "
          "prices subject to the terms on aws.amazon.com. One CSV per region, hundreds of MB "
          "each (streamed to the archive, read by DuckDB).",
    fetch=fetch,
    parse=parse,
    max_response_bytes=8 * 1024 * MIB,
    deadline_s=3600.0,
)
