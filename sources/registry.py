"""The source registry: every source compute-atlas collects, by name.

Adding a source = a module under ``sources/<family>/`` that defines ``SOURCE``, a record model
in ``models/records``, a raw table in ``models/catalog``, and one line here.
"""

from __future__ import annotations

from sources.base import Source
from sources.buildout import (
    bpa_queue,
    caiso_queue,
    eia860m,
    ercot_gis,
    miso_queue,
    nyiso_queue,
    pjm_queue,
    spp_queue,
)
from sources.prices import azure_retail, openrouter, runpod

SOURCES: dict[str, Source] = {
    s.name: s for s in (
        azure_retail.SOURCE, runpod.SOURCE, openrouter.SOURCE,
        # datacenter buildout: power records (monthly)
        ercot_gis.SOURCE, eia860m.SOURCE, miso_queue.SOURCE, pjm_queue.SOURCE,
        caiso_queue.SOURCE, spp_queue.SOURCE, nyiso_queue.SOURCE, bpa_queue.SOURCE,
    )
}


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known sources: {', '.join(SOURCES)}") from None
