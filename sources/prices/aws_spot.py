"""AWS EC2 spot prices of accelerator instances, from the public feed behind
https://aws.amazon.com/ec2/spot/pricing/.

Endpoint (keyless): ``GET https://website.spot.ec2.aws.a2z.com/spot.json``, one JSON document
(a few MB) with the current spot price of every instance size in every region. The legacy
``spot-price.s3.amazonaws.com/spot.js`` feed (frozen since 2024-05) wrapped the same document in
a JSONP ``callback(...)``; such a wrapper is stripped so archived copies of either parse.

Format: ``{vers, config: {rate: "perhr", valueColumns: ["linux", "mswin"], currencies: ["USD"],
regions: [{region, instanceTypes: [{type, sizes: [{size, vCPU, memoryGiB, valueColumns:
[{name, prices: {USD}}]}]}]}]}}``. Prices are USD per instance-hour as decimal strings;
``"N/A*"`` means the size has no spot price in that region. Regions are region codes
(``us-east-1``); the legacy feed's names (``us-east``, ``eu-ireland``...) are translated by
:data:`LEGACY_REGIONS`.

One record per (region, accelerator instance size) with a Linux price, price_type ``spot``.
The feed is regional, not per availability zone. It says nothing about accelerators: model and
count come from ``sources.prices.aws_instances``. Sizes without an accelerator and ``mswin``
prices are excluded by policy; "N/A*" Linux prices are excluded as "no spot price"; other
non-numbers, zero and negative prices are rejected with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import (
    load_json,
    payload_error,
    require_field,
    require_rows,
)
from sources.prices.aws_instances import accelerator, accelerator_count
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "aws_spot"
SPOT_URL = "https://website.spot.ec2.aws.a2z.com/spot.json"
NOT_OFFERED = "N/A*"
LEGACY_REGIONS = {
    "us-east": "us-east-1", "us-west": "us-west-1", "eu-ireland": "eu-west-1",
    "apac-sin": "ap-southeast-1", "apac-syd": "ap-southeast-2", "apac-tokyo": "ap-northeast-1",
    "sa-east-1": "sa-east-1",
}


def fetch(session: FetchSession) -> None:
    session.get(SPOT_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, _sizes, _add_size)


def _sizes(snapshot: Snapshot) -> list[tuple[Any, dict[str, Any]]]:
    """(region code, size) for every instance size of every region of the feed."""
    config = require_field(snapshot, _document(snapshot), "config")
    sizes = []
    for region in require_rows(snapshot, require_field(snapshot, config, "regions"),
                               "config.regions"):
        code = LEGACY_REGIONS.get(region.get("region"), region.get("region"))
        for group in require_rows(snapshot, region.get("instanceTypes", []),
                                  f"instanceTypes of {code}"):
            sizes += [(code, size) for size in
                      require_rows(snapshot, group.get("sizes", []), "sizes")]
    return sizes


def _document(snapshot: Snapshot) -> Any:
    """The feed's JSON, with the legacy JSONP ``callback(...);`` wrapper removed if present."""
    text = snapshot.body.strip()
    if text.startswith(b"callback(") and text.rstrip(b";").endswith(b")"):
        inner = text[len(b"callback("):].rstrip(b";")[:-1]
        try:
            return json.loads(inner)
        except ValueError as exc:
            raise payload_error(snapshot, f"malformed JSON inside callback(): {exc}") from exc
    return load_json(snapshot)


def _add_size(snapshot: Snapshot, row: tuple[Any, dict[str, Any]],
              result: ParseResult) -> None:
    region, size = row
    instance_type = size.get("size")
    if not isinstance(instance_type, str) or accelerator(instance_type) is None:
        result.exclude("no accelerator")
        return
    linux = [column for column in size.get("valueColumns") or []
             if isinstance(column, dict) and column.get("name") == "linux"]
    raw = {"region": region, **size}
    if not linux:
        result.reject(snapshot, "no linux price column", raw)
        return
    price = (linux[0].get("prices") or {}).get("USD")
    if price == NOT_OFFERED:
        result.exclude("no spot price")
        return
    add_offer(result, snapshot, raw, listed_price=price, listed_unit="USD/hour",
              price_basis="instance", gpu_count=accelerator_count(instance_type),
              sku=instance_type, region=region, seller=None,
              provider_gpu_name=accelerator(instance_type), gpu_memory_gb=None,
              vcpus=optional_number(size.get("vCPU")),
              memory_gb=optional_number(size.get("memoryGiB"), 1.073741824),
              price_type="spot", available=None, offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="AWS EC2 spot prices of accelerator instances (public spot feed)",
    protocol="json_api",
    homepage="https://aws.amazon.com/ec2/spot/pricing/",
    urls=(SPOT_URL,),
    terms="The JSON feed behind AWS's public spot pricing page, keyless and undocumented "
          "(may change without notice); regional prices, not per availability zone. AWS Site "
          "Terms apply.",
    fetch=fetch,
    parse=parse,
)
