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

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import load_json, payload_error, require_field
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "tensordock"
HOSTNODES_URL = "https://dashboard.tensordock.com/api/v0/client/deploy/hostnodes"


def fetch(session: FetchSession) -> None:
    session.get(HOSTNODES_URL, params={"minGPUCount": "1"})


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, _node_gpus, _add_gpu)


def _node_gpus(snapshot: Snapshot) -> list[tuple[str, Any, str | None, Any]]:
    """(node id, node, GPU model, GPU entry) per GPU model of each node; a node without a GPU
    object yields one row with model None (rejected)."""
    payload = load_json(snapshot)
    if isinstance(payload, dict) and payload.get("success") is False:
        raise payload_error(snapshot, "success is false")
    nodes = require_field(snapshot, payload, "hostnodes")
    if not isinstance(nodes, dict):
        raise payload_error(snapshot, "'hostnodes' is not an object keyed by node id")
    rows: list[tuple[str, Any, str | None, Any]] = []
    for node_id, node in nodes.items():
        gpus = _gpus(node)
        rows += [(node_id, node, model, gpu) for model, gpu in gpus.items()] if gpus \
            else [(node_id, node, None, None)]
    return rows


def _gpus(node: Any) -> dict[str, Any] | None:
    specs = node.get("specs") if isinstance(node, dict) else None
    gpus = specs.get("gpu") if isinstance(specs, dict) else None
    return gpus if isinstance(gpus, dict) else None


def _add_gpu(snapshot: Snapshot, row: tuple[str, Any, str | None, Any],
             result: ParseResult) -> None:
    node_id, node, model, gpu = row
    if model is None:
        result.reject(snapshot, "no specs.gpu object", {"node": node_id, "raw": node})
        return
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


SOURCE = offer_source(
    name=NAME,
    title="TensorDock marketplace: GPU prices per host node",
    protocol="json_api",
    homepage="https://www.tensordock.com/cloud-gpus",
    urls=(HOSTNODES_URL,),
    terms="TensorDock's public v0 host node list, keyless (may be retired in favour of the "
          "keyed v2 API); TensorDock's Terms of Service apply. Host-set GPU component prices "
          "per GPU-hour; vCPU and RAM are billed on top.",
    fetch=fetch,
    parse=parse,
)
