"""OpenStreetMap data-center features from the Overpass API, tiled over the US.

Live path (keyless): ``POST https://overpass-api.de/api/interpreter`` with the Overpass QL
query in the form field ``data``. A whole-US query times out, so the query runs once per
15-degree tile of the contiguous US, Alaska and Hawaii (:data:`TILES`, 17 requests, one at a
time and paced by the client) and the answers are de-duplicated on (type, id): a way crossing
a tile edge comes back from both tiles. The query asks for ``telecom=data_center``,
``building=data_center``, ``industrial=data_centre``/``data_center`` and
``construction=data_center``/``data_centre`` (which covers ``building=construction`` with a
data-center construction tag), with ``out center tags;`` (a node's position, a way's or
relation's centre, no geometry).

A partial inventory is never parsed as if it were whole: a tile answered with an HTTP error
after the client's retries (429, 504, ...) fails the fetch and leaves an incomplete fetch in
the archive; a tile answered 200 with an Overpass runtime error in ``remark`` (query timed out,
out of memory) fails the fetch too, and the parser refuses any fetch holding such a tile or
holding fewer tiles than :data:`TILES` (a fetch that stopped early).

Also read: one Overpass JSON answer ingested by hand (any area), and - a separate format - the
compiled CSV of the us-data-center-observatory project (``osm_type, osm_id, name, operator,
lat, lon, footprint_m2, site_class, state, ...``), a third-party compilation of the same tiled
query; its ``site_class`` 'construction' is the construction status.

Status: under_construction when a construction tag names a data center, or the element is a
data center with ``building=construction``; otherwise operational (a mapped data center exists).
Data © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from models.records.inventories import OsmElement
from sources.base import ParseResult, Source
from sources.buildout.cells import number, text
from sources.errors import FetchError, ParseError
from sources.http import MIB, FetchSession
from sources.parsing import (
    add_validated,
    csv_rows,
    load_json,
    payload_error,
    require_field,
    require_records,
    require_rows,
    require_snapshots,
    starts_like_json,
)
from sources.snapshot import Snapshot

NAME = "osm_datacenters"
INTERPRETER_URL = "https://overpass-api.de/api/interpreter"
TILE_DEGREES = 15
# (south, west, north, east) of each region the tiles cover: contiguous US, Alaska, Hawaii.
REGIONS = ((24.0, -125.0, 50.0, -66.0), (51.0, -180.0, 72.0, -129.0),
           (18.0, -161.0, 23.0, -154.0))
_DATA_CENTER = r"^data_cent(er|re)$"
# Key and value pattern of every tag that makes an element a data center (or one being built).
DATA_CENTER_TAGS = (("telecom", _DATA_CENTER), ("building", _DATA_CENTER),
                    ("industrial", _DATA_CENTER), ("construction", _DATA_CENTER))
COMPILED_COLUMNS = ("osm_type", "osm_id", "name", "operator", "lat", "lon", "site_class",
                    "state")


def tiles(regions: Sequence[tuple[float, float, float, float]] = REGIONS,
          step: float = TILE_DEGREES) -> list[tuple[float, float, float, float]]:
    """The regions cut into tiles of at most ``step`` degrees a side, south-west first."""
    out = []
    for south, west, north, east in regions:
        lat = south
        while lat < north:
            lon = west
            while lon < east:
                out.append((lat, lon, min(lat + step, north), min(lon + step, east)))
                lon += step
            lat += step
    return out


TILES = tiles()


def query(tile: tuple[float, float, float, float]) -> str:
    """The Overpass QL query of one tile."""
    bbox = ",".join(f"{v:g}" for v in tile)
    parts = "".join(f'  nwr["{key}"~"{pattern}"]({bbox});\n' for key, pattern in DATA_CENTER_TAGS)
    return f"[out:json][timeout:55];\n(\n{parts});\nout center tags;\n"


def runtime_error(payload: Any) -> str | None:
    """Overpass's ``remark`` when it reports a runtime error (a 200 answer that is partial)."""
    remark = payload.get("remark") if isinstance(payload, dict) else None
    return remark if isinstance(remark, str) and "error" in remark.lower() else None


def fetch(session: FetchSession) -> None:
    for tile in TILES:
        snapshot = session.post(INTERPRETER_URL, form={"data": query(tile)})
        error = runtime_error(load_json(snapshot))
        if error:
            raise FetchError(f"{NAME}: tile {tile} answered with an Overpass runtime error "
                             f"({error[:200]!r}); no partial inventory is kept")


def _matching_tags(tags: dict[str, str]) -> list[str]:
    return [f"{key}={tags[key]}" for key, pattern in DATA_CENTER_TAGS
            if re.match(pattern, str(tags.get(key, "")))]


def _element_fields(element: dict[str, Any]) -> dict[str, Any]:
    tags = element.get("tags") or {}
    position = element if element.get("type") == "node" else element.get("center") or {}
    matched = _matching_tags(tags)
    building = tags.get("building")
    return {
        "element_type": element.get("type"), "element_id": element.get("id"),
        "name": text(tags.get("name")), "operator": text(tags.get("operator")),
        "latitude": position.get("lat"), "longitude": position.get("lon"),
        "state": text(tags.get("addr:state")), "city": text(tags.get("addr:city")),
        "data_center_tags": "; ".join(matched),
        "site_status": "under_construction"
        if any(t.startswith("construction=") for t in matched) or building == "construction"
        else "operational",
        "is_building": element.get("type") != "node" and building not in (None, "no",
                                                                           "construction"),
        "tags_json": json.dumps(tags, sort_keys=True, ensure_ascii=False) if tags else None,
    }


def _overpass(snapshot: Snapshot, result: ParseResult, seen: set[tuple[str, int]]) -> int:
    payload = load_json(snapshot)
    error = runtime_error(payload)
    if error:
        raise payload_error(snapshot, f"an Overpass runtime error ({error[:200]!r}): the "
                                      "answer is partial")
    elements = require_rows(snapshot, require_field(snapshot, payload, "elements"), "elements")
    for element in elements:
        key = (element.get("type"), element.get("id"))
        if key in seen:
            result.exclude("element already listed by another tile")
            continue
        fields = _element_fields(element)
        if not fields["data_center_tags"]:
            result.reject(snapshot, "no data-center tag (telecom, building, industrial or "
                                    "construction = data_center)", element)
        elif fields["latitude"] is None:
            result.reject(snapshot, "no position: a way or relation without 'center' (query "
                                    "without 'out center')", element)
        else:
            seen.add(key)
            add_validated(result, snapshot, OsmElement, fields, element)
    return len(elements)


def _compiled(snapshot: Snapshot, result: ParseResult, seen: set[tuple[str, int]]) -> int:
    rows = csv_rows(snapshot, COMPILED_COLUMNS, "an OSM data-center CSV")
    for row in rows:
        try:
            element_id, footprint = number(row["osm_id"]), number(row.get("footprint_m2"))
            latitude, longitude = number(row["lat"]), number(row["lon"])
        except ValueError as exc:
            result.reject(snapshot, f"invalid row: {exc}", row)
            continue
        key = (row["osm_type"], int(element_id) if element_id is not None else 0)
        if key in seen:
            result.reject(snapshot, f"duplicate of an earlier row for {key}", row)
            continue
        seen.add(key)
        site_class = text(row["site_class"])
        add_validated(result, snapshot, OsmElement, {
            "element_type": row["osm_type"], "element_id": key[1],
            "name": text(row["name"]), "operator": text(row["operator"]),
            "latitude": latitude, "longitude": longitude, "state": text(row["state"]),
            "data_center_tags": f"site_class={site_class} (compiled file)",
            "site_status": "under_construction" if site_class == "construction"
            else "operational",
            "is_building": site_class == "building",
            "footprint_m2": footprint or None,  # the compiled file writes 0.0 for points
        }, row)
    return len(rows)


def _require_every_tile(snapshots: Sequence[Snapshot]) -> None:
    queries = {s.request_body_sha256 for s in snapshots if s.method == "POST"}
    if queries and len(queries) != len(TILES):
        raise ParseError(f"{NAME}: the fetch holds {len(queries)} of the {len(TILES)} tiles "
                         f"(fetch {snapshots[0].fetch_id}); a partial inventory is not parsed")


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    require_snapshots(NAME, snapshots)
    _require_every_tile(snapshots)
    result, seen, rows_read = ParseResult(), set(), 0
    for snapshot in snapshots:
        read = _overpass if starts_like_json(snapshot) else _compiled
        rows_read += read(snapshot, result, seen)
    require_records(result, snapshots, rows_read)
    return result


SOURCE = Source(
    name=NAME,
    title="OpenStreetMap data centers (Overpass API, tiled over the US)",
    family="buildout",
    protocol="overpass",
    homepage="https://wiki.openstreetmap.org/wiki/Tag:telecom%3Ddata_center",
    urls=(INTERPRETER_URL,),
    cadence="monthly",
    terms="© OpenStreetMap contributors. Data under the Open Database License (ODbL 1.0); "
          "attribution required. Overpass API public instance: keyless, one query at a time.",
    parser_version="1",
    record_model=OsmElement,
    raw_table="raw.osm_datacenters__elements",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
