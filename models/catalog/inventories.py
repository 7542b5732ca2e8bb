"""Catalog declarations for the raw tables of the open data-center inventories: OpenStreetMap
(Overpass), the PNNL IM3 atlas and Epoch AI. Monthly sources: each raw table is partitioned by
``observation_date``, the first day of the report month. The core tables built from them
(facilities, their source records, Epoch timelines) are declared in :mod:`.buildout`."""

from __future__ import annotations

from models.catalog.spec import raw_table
from models.records.inventories import EpochTimelineRow, Im3Facility, OsmElement

RAW_OSM = raw_table(
    "raw.osm_datacenters__elements", OsmElement,
    "OpenStreetMap elements tagged telecom=data_center, building=data_center, "
    "industrial=data_centre or a data-center construction tag, from a tiled Overpass query "
    "over the US (© OpenStreetMap contributors, ODbL): one row per element.",
    ("element_type", "element_id"))
RAW_IM3 = raw_table(
    "raw.im3_atlas__facilities", Im3Facility,
    "PNNL IM3 Open Source Data Center Atlas (existing facilities; GeoJSON centroids or "
    "footprints, or the CSV vintage): one row per feature.", ("record_id",))
RAW_EPOCH = raw_table(
    "raw.epoch_datacenters__timelines", EpochTimelineRow,
    "Epoch AI data centers (CC BY 4.0, credit Epoch AI): one row per dated timeline row, "
    "joined with its site's row (owner, address, current power); a site without dated rows "
    "has one row with no date.", ("data_center", "timeline_date"))

TABLES = (RAW_OSM, RAW_IM3, RAW_EPOCH)
