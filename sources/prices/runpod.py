"""RunPod: per-GPU-hour prices of every RunPod GPU type, from its GraphQL API.

Endpoint: ``POST https://api.runpod.io/graphql`` with the :data:`GPU_TYPES_QUERY` below. It works
without a key (gpuhunt's CI uses it keyless); when ``RUNPOD_API_KEY`` is set the key goes in an
``Authorization: Bearer`` header, never in the URL, so archived URLs and logs carry no secret.

Format: the GraphQL envelope ``{"data": {"gpuTypes": [...]}}``; a response with an ``errors``
array is a failed query and raises :class:`~sources.errors.ParseError` with its messages. A bare
``[...]`` list of gpuTypes is accepted too: that is how third parties store the payload (the real
sample in ``shared/data/prices/runpod/`` is one), so such files can be ingested.

One record per (GPU type, cloud, price type/term) with a positive price; RunPod quotes every
price per GPU-hour:

* ``securePrice`` / ``communityPrice``: on-demand in the secure (datacenter) / community (hosts)
  cloud;
* ``secureSpotPrice`` / ``communitySpotPrice``: spot (interruptible) in that cloud;
* ``oneWeekPrice`` / ``oneMonthPrice`` / ``threeMonthPrice`` / ``sixMonthPrice``: reserved
  (savings plans) with commitment_months 0.23 / 1 / 3 / 6, recorded as secure-cloud prices: RunPod
  sells savings plans on datacenter pods, and the quoted commitment prices track ``securePrice``
  (e.g. 0.94× and 0.87× of it for H100 SXM in the 2025-06-15 sample), not ``communityPrice``.

``null`` means not offered and is skipped silently. ``0`` means not offered either, but because
RunPod writes it as a price it is rejected ("price is 0") so it stays visible. When the payload
says a cloud is not offered for a type (``secureCloud`` or ``communityCloud`` false), that cloud's
prices are rejected too: they are placeholders (the 2025-06-15 sample lists communityPrice 0.50
for MI300X, B200 and RTX PRO 6000, all with communityCloud false). The ``unknown`` GPU type is
rejected whole. ``clusterPrice`` (Instant Clusters, a different product sold per multi-node
cluster) is not queried and is ignored in stored payloads that have it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

from models.records.prices import RunpodGpuPrice
from sources.base import ParseResult, Source
from sources.http import FetchSession
from sources.parsing import (
    add_validated,
    load_json,
    payload_error,
    require_field,
    require_records,
    require_rows,
    require_snapshots,
)
from sources.snapshot import Snapshot

log = logging.getLogger(__name__)

NAME = "runpod"
GRAPHQL_URL = "https://api.runpod.io/graphql"
API_KEY_ENV = "RUNPOD_API_KEY"
GPU_TYPES_QUERY = """\
query GpuTypes {
  gpuTypes {
    id
    displayName
    memoryInGb
    maxGpuCount
    secureCloud
    communityCloud
    securePrice
    communityPrice
    secureSpotPrice
    communitySpotPrice
    oneWeekPrice
    oneMonthPrice
    threeMonthPrice
    sixMonthPrice
  }
}
"""

Cloud = Literal["secure", "community"]
# price field -> (cloud, price type, commitment in months)
PRICE_FIELDS: dict[str, tuple[Cloud, str, float]] = {
    "securePrice": ("secure", "on_demand", 0),
    "communityPrice": ("community", "on_demand", 0),
    "secureSpotPrice": ("secure", "spot", 0),
    "communitySpotPrice": ("community", "spot", 0),
    "oneWeekPrice": ("secure", "reserved", 0.23),  # 7 days / (365.25 / 12) days
    "oneMonthPrice": ("secure", "reserved", 1),
    "threeMonthPrice": ("secure", "reserved", 3),
    "sixMonthPrice": ("secure", "reserved", 6),
}
CLOUD_OFFERED_FLAG: dict[Cloud, str] = {"secure": "secureCloud", "community": "communityCloud"}
UNKNOWN_GPU_TYPE = "unknown"


def fetch(session: FetchSession) -> None:
    """One POST of the gpuTypes query; the API key, if any, only in a header."""
    headers = {"Authorization": f"Bearer {session.api_key}"} if session.api_key else None
    session.post(GRAPHQL_URL, json_body={"query": GPU_TYPES_QUERY}, headers=headers)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    require_snapshots(NAME, snapshots)
    result = ParseResult()
    rows_read = 0
    for snapshot in snapshots:
        for gpu_type in _gpu_types(snapshot):
            rows_read += 1
            _add_prices(snapshot, gpu_type, result)
    require_records(result, snapshots, rows_read)
    log.info("%s: %d records, %d rejects", NAME, len(result.records), len(result.rejects))
    return result


def _gpu_types(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The gpuTypes list of a GraphQL envelope or of a bare stored list."""
    payload = load_json(snapshot)
    if isinstance(payload, list):
        return require_rows(snapshot, payload, "the top level")
    if isinstance(payload, dict) and payload.get("errors"):
        messages = [error.get("message", error) if isinstance(error, dict) else error
                    for error in payload["errors"]]
        raise payload_error(snapshot, f"GraphQL errors {messages}")
    data = require_field(snapshot, payload, "data")
    return require_rows(snapshot, require_field(snapshot, data, "gpuTypes"), "data.gpuTypes")


def _add_prices(snapshot: Snapshot, gpu_type: dict[str, Any], result: ParseResult) -> None:
    if gpu_type.get("id") == UNKNOWN_GPU_TYPE:
        result.reject(snapshot, f"gpu type id is {UNKNOWN_GPU_TYPE!r}", gpu_type)
        return
    for price_field, (cloud, price_type, commitment_months) in PRICE_FIELDS.items():
        price = gpu_type.get(price_field)
        if price is None:
            continue
        rejected_row = {"price_field": price_field, **gpu_type}
        offered_flag = CLOUD_OFFERED_FLAG[cloud]
        if price == 0:
            result.reject(snapshot, "price is 0", rejected_row)
        elif gpu_type.get(offered_flag) is False:
            result.reject(snapshot, f"{offered_flag} is false: not offered in the {cloud} cloud",
                          rejected_row)
        else:
            add_validated(result, snapshot, RunpodGpuPrice, {
                "gpu_type_id": gpu_type.get("id"),
                "display_name": gpu_type.get("displayName"),
                "memory_gb": gpu_type.get("memoryInGb") or None,  # 0 = unknown
                "max_gpu_count": gpu_type.get("maxGpuCount") or None,
                "cloud": cloud,
                "price_type": price_type,
                "commitment_months": commitment_months,
                "price_field": price_field,
                "usd_per_gpu_hour": price,
            }, rejected_row)


SOURCE = Source(
    name=NAME,
    title="RunPod GPU types and prices (GraphQL)",
    family="gpu_prices",
    protocol="graphql",
    homepage="https://www.runpod.io/pricing",
    urls=(GRAPHQL_URL,),
    cadence="daily",
    terms="RunPod's public GraphQL API, answered without a key; a key from RUNPOD_API_KEY is "
          "sent as a Bearer header when set. RunPod's Terms of Service apply; prices are "
          "RunPod's published list prices per GPU-hour.",
    parser_version="1",
    record_model=RunpodGpuPrice,
    raw_table="raw.runpod__gpu_prices",
    fetch=fetch,
    parse=parse,
    api_key_env=API_KEY_ENV,
    api_key_required=False,
)
