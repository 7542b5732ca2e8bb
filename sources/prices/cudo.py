"""Cudo Compute: per-GPU-hour prices of the GPUs in each Cudo data center, from its public
machine type list.

Endpoint (keyless, as gpuhunt reads it): ``GET https://rest.compute.cudo.org/v1/vms/
machine-types-2``, one response. Docs: https://www.cudocompute.com/docs/rest-api (Virtual
machines, "List machine types v2").

Format: ``{machineTypes: [{machineType, dataCenterId, gpuModel, gpuModelId, maxGpuFree,
maxVcpuFree, maxMemoryGibFree, minVcpuPerGpu, maxVcpuPerGpu, gpuPriceHr: {value},
vcpuPriceHr: {value}, memoryGibPriceHr: {value}, minStorageGibPriceHr: {value},
ipv4PriceHr: {value}}]}``, prices as decimal strings in USD per hour per unit.

Pricing is by component, like TensorDock's and GCP's attachable GPUs: a VM pays ``gpuPriceHr``
per GPU plus vCPUs, memory, disk and an IPv4 address chosen by the user. One record per machine
type and data center with a GPU model: the GPU component (price_basis ``gpu``, gpu_count 1; the
host's resources are billed on top and not included), price_type on_demand, region the data
center, ``available`` whether a GPU is free there (``maxGpuFree`` > 0). CPU-only machine types
(no ``gpuModelId``) are excluded by policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import rows_at
from sources.prices.offers import add_offer, offer_source, parse_offers
from sources.snapshot import Snapshot

NAME = "cudo"
MACHINE_TYPES_URL = "https://rest.compute.cudo.org/v1/vms/machine-types-2"


def fetch(session: FetchSession) -> None:
    session.get(MACHINE_TYPES_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, rows_at("machineTypes"), _add_machine_type)


def _add_machine_type(snapshot: Snapshot, machine: dict[str, Any],
                      result: ParseResult) -> None:
    if not machine.get("gpuModelId"):
        result.exclude("no GPU")
        return
    price = machine.get("gpuPriceHr")
    if not isinstance(price, dict):
        result.reject(snapshot, "no gpuPriceHr object (field renamed?)", machine)
        return
    free = machine.get("maxGpuFree")
    add_offer(result, snapshot, machine, listed_price=price.get("value"),
              listed_unit="USD/hour", price_basis="gpu", gpu_count=1,
              sku=f"{machine.get('machineType')} {machine.get('dataCenterId')}",
              region=machine.get("dataCenterId") or "unknown", seller=None,
              provider_gpu_name=machine.get("gpuModel"), gpu_memory_gb=None, vcpus=None,
              memory_gb=None, price_type="on_demand",
              available=free > 0 if isinstance(free, int) else None,
              offer_id=machine.get("machineType"))


SOURCE = offer_source(
    name=NAME,
    title="Cudo Compute GPU prices per data center (component pricing)",
    protocol="json_api",
    homepage="https://www.cudocompute.com/pricing",
    urls=(MACHINE_TYPES_URL,),
    terms="Cudo Compute's REST API machine type list, answered without a key; Cudo's Terms "
          "of Service apply. GPU component prices per GPU-hour; vCPU, memory, disk and IPv4 "
          "are billed on top.",
    fetch=fetch,
    parse=parse,
)
