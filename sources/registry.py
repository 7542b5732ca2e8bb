"""The source registry: every source compute-atlas collects, by name.

Adding a source = a module under ``sources/<family>/`` that defines ``SOURCE``, a record model
in ``models/records``, a raw table in ``models/catalog``, and one line here.
"""

from __future__ import annotations

from models.name_matching import unknown_name_message
from sources.base import Source
from sources.buildout import (
    bpa_queue,
    caiso_queue,
    eia860m,
    epoch_datacenters,
    ercot_gis,
    filings,
    im3_atlas,
    miso_queue,
    nyiso_queue,
    osm_datacenters,
    pjm_queue,
    spp_queue,
)
from sources.prices import (
    akash,
    aws_ec2,
    aws_spot,
    azure_retail,
    coreweave,
    cudo,
    deepinfra,
    gcp_billing,
    lambda_cloud,
    linode,
    modal,
    oci,
    openrouter,
    runpod,
    shadeform,
    tensordock,
    together,
    vast,
    vultr,
)

SOURCES: dict[str, Source] = {
    s.name: s for s in (
        azure_retail.SOURCE, runpod.SOURCE, openrouter.SOURCE,
        aws_ec2.SOURCE, aws_spot.SOURCE, gcp_billing.SOURCE, lambda_cloud.SOURCE,
        coreweave.SOURCE, oci.SOURCE, vast.SOURCE, linode.SOURCE, vultr.SOURCE, akash.SOURCE,
        shadeform.SOURCE, tensordock.SOURCE, modal.SOURCE, cudo.SOURCE,
        deepinfra.SOURCE, together.SOURCE,
        # datacenter buildout: power records (monthly)
        ercot_gis.SOURCE, eia860m.SOURCE, miso_queue.SOURCE, pjm_queue.SOURCE,
        caiso_queue.SOURCE, spp_queue.SOURCE, nyiso_queue.SOURCE, bpa_queue.SOURCE,
        # datacenter buildout: permits, land use and parcels (monthly, configured in
        # sources/buildout/jurisdictions.csv)
        *filings.SOURCES,
        # datacenter buildout: open inventories (monthly)
        osm_datacenters.SOURCE, im3_atlas.SOURCE, epoch_datacenters.SOURCE,
    )
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(unknown_name_message("source", name, SOURCES)) from None
