"""TensorDock: per-GPU-hour prices of the GPUs its marketplace hosts offer, from TensorDock's
host node list.

Endpoint (keyless): ``GET https://dashboard.tensordock.com/api/v0/client/deploy/hostnodes``
with ``minGPUCount=1``, one response listing every host node with free GPUs. (TensorDock's v2 API
needs a key; v0 is what computeprices and OpenComputePrices read.)

Format: ``{success, hostnodes: {<node id>: {location: {city, region, country}, specs: {gpu:
{<gpu model>: {amount, price, vram}}, cpu: {amount, price}, ram: {amount, price}, storage:
{amount, price}}}}}``. ``success`` false is a failed call (ParseError). Pricing is by
component: ``gpu.<model>.price`` is USD per GPU-hour, and a VM also pays per vCPU-hour and per
GB-hour of RAM chosen by the user, like GCP's attachable GPUs.

One record per host node and GPU model: the GPU component price (price_basis ``gpu``,
gpu_count 1, the host's vCPUs and RAM priced separately and not included), price_type
``marketplace`` (hosts set prices), region ``<city>, <country>``, seller the node id;
``available`` is whether the node has GPUs of that model free (``amount`` > 0). GPU model ids
such as "geforcertx4090-pcie-24gb" are kept as TensorDock writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.records.gpu_clouds import GpuOffer
from sources.base import ParseResult, Source
from sources.http import FetchSession
from sources.parsing import load_json, payload_error, require_field, require_snapshots
from sources.prices.offers import add_offer, finish, optional_number
from sources.snapshot import Snapshot

NAME = "tensordock"
HOSTNODES_URL = "https://dashboard.tensordock.com/api/v0/client/deploy/hostnodes"


def fetch(session: FetchSession) -> None:
    session.get(HOSTNODES_URL, params={"minGPUCount": "1"})


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    require_snapshots(NAME, snapshots)
    result = ParseResult()
    rows_read = 0
    for snapshot in snapshots:
        payload = load_json(snapshot)
        if isinstance(payload, dict) and payload.get("success") is False:
            raise payload_error(snapshot, "success is false")
        nodes = require_field(snapshot, payload, "hostnodes")
        if not isinstance(nodes, dict):
            raise payload_error(snapshot, "'hostnodes' is not an object keyed by node id")
        for node_id, node in nodes.items():
            gpus = _gpus(node)
            if gpus is None:
                rows_read += 1
                result.reject(snapshot, "no specs.gpu object", {"node": node_id, "raw": node})
                continue
            for model, gpu in gpus.items():
                rows_read += 1
                _add_gpu(snapshot, node_id, node, model, gpu, result)
    return finish(NAME, result, snapshots, rows_read)


def _gpus(node: Any) -> dict[str, Any] | None:
    specs = node.get("specs") if isinstance(node, dict) else None
    gpus = specs.get("gpu") if isinstance(specs, dict) else None
    return gpus if isinstance(gpus, dict) else None


def _add_gpu(snapshot: Snapshot, node_id: str, node: dict[str, Any], model: str, gpu: Any,
             result: ParseResult) -> None:
    raw = {"node": node_id, "model": model, "gpu": gpu, "location": node.get("location")}
    if not isinstance(gpu, dict):
        result.reject(snapshot, "GPU entry is not an object", raw)
        return
    location = node.get("location") if isinstance(node.get("location"), dict) else {}
    region = ", ".join(str(location[key]) for key in ("city", "country") if location.get(key))
    amount = gpu.get("amount")
    add_offer(result, snapshot, raw, listed_price=gpu.get("price"), listed_unit="USD/hour",
              price_basis="gpu", gpu_count=1, sku=f"{node_id} {model}",
              region=region or "unknown", seller=node_id, provider_gpu_name=model,
              gpu_memory_gb=optional_number(gpu.get("vram")), vcpus=None, memory_gb=None,
              price_type="marketplace",
              available=amount > 0 if isinstance(amount, int) else None, offer_id=node_id)


SOURCE = Source(
    name=NAME,
    title="TensorDock marketplace: GPU prices per host node",
    family="gpu_prices",
    protocol="json_api",
    homepage="https://www.tensordock.com/cloud-gpus",
    urls=(HOSTNODES_URL,),
    cadence="daily",
    terms="TensorDock's public v0 host node list, keyless (may be retired in favour of the "
          "keyed v2 API); TensorDock's Terms of Service apply. Host-set GPU component prices "
          "per GPU-hour; vCPU and RAM are billed on top.",
    parser_version="1",
    record_model=GpuOffer,
    raw_table="raw.tensordock__gpu_offers",
    fetch=fetch,
    parse=parse,
)
