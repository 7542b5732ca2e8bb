"""PNNL IM3 Open Source Data Center Atlas: existing US data-center buildings, campuses and
points (built from OpenStreetMap by PNNL's IM3 project).

Live path (keyless): ``GET https://raw.githubusercontent.com/IMMM-SFA/datacenter-atlas/main/
static/im3_datacenter_centroids.geojson``, the point layer the atlas web app loads (one
GeoJSON FeatureCollection, CRS84, properties ``state_abb, county, operator, name, sqft,
type``). Every vintage seen is read: the centroid layer, the footprint layer of the same app
(Polygon and MultiPolygon features: the point is the footprint's area-weighted centroid), and
the CSV release (``name, operator, state, county, sqft, lat, lon, type``, full state names; the
Hugging Face mirror ``sarkarghya/im3_open_source_data_center_atlas_*``). The format is told
from the body, not the file name.

The atlas has no feature ids, so :attr:`Im3Facility.record_id` is built from the feature: its
type and point to 5 decimals (about a metre). It is the same every month the atlas lists the
feature unchanged. Every feature is an existing facility: status operational.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.geography import state_code
from models.records.inventories import Im3Facility
from sources.base import ParseResult, Source
from sources.buildout.cells import CellError, number, text
from sources.http import MIB, FetchSession
from sources.parsing import (
    add_validated,
    csv_rows,
    load_json,
    payload_error,
    reject_duplicates,
    require_field,
    require_records,
    require_rows,
    require_snapshots,
    starts_like_json,
)
from sources.snapshot import Snapshot

NAME = "im3_atlas"
CENTROIDS_URL = ("https://raw.githubusercontent.com/IMMM-SFA/datacenter-atlas/main/static/"
                 "im3_datacenter_centroids.geojson")
CSV_COLUMNS = ("name", "operator", "state", "county", "sqft", "lat", "lon", "type")
# Coordinate systems whose axis order is longitude, latitude in degrees (GeoJSON's default).
LON_LAT_CRS = frozenset({"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326",
                         "EPSG:4326"})


def fetch(session: FetchSession) -> None:
    session.get(CENTROIDS_URL)


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and centroid (lon, lat) of a closed ring (shoelace formula, planar degrees:
    a footprint is small enough for that)."""
    area = cx = cy = 0.0
    for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        raise CellError("a polygon ring with no area")
    return area / 2, cx / (3 * area), cy / (3 * area)


def point_of(geometry: dict[str, Any]) -> tuple[float, float]:
    """(lon, lat) of a Point, or the area-weighted centroid of a (Multi)Polygon's outer rings."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return float(coordinates[0]), float(coordinates[1])
    polygons = {"Polygon": [coordinates], "MultiPolygon": coordinates}.get(kind)
    if polygons is None:
        raise CellError(f"geometry type {kind!r} is not a Point, Polygon or MultiPolygon")
    parts = [_ring_centroid(polygon[0]) for polygon in polygons]
    total = sum(abs(a) for a, _, _ in parts)
    return (sum(abs(a) * x for a, x, _ in parts) / total,
            sum(abs(a) * y for a, _, y in parts) / total)


def _fields(name: Any, operator: Any, state: Any, county: Any, sqft: Any, site_type: Any,
            lon: float | None, lat: float | None, geometry_type: str) -> dict[str, Any]:
    code = state_code(text(state))
    if text(state) and code is None:
        raise CellError(f"state {state!r} is not a US state")
    record_id = (f"{site_type}:{lat:.5f},{lon:.5f}"
                 if lat is not None and lon is not None else "")
    return {"record_id": record_id, "name": text(name), "operator": text(operator),
            "state": code, "county": text(county), "site_type": site_type,
            "square_feet": number(sqft), "latitude": lat, "longitude": lon,
            "geometry_type": geometry_type}


def _geojson(snapshot: Snapshot, result: ParseResult) -> int:
    payload = load_json(snapshot)
    crs = ((payload.get("crs") or {}).get("properties") or {}).get("name") \
        if isinstance(payload, dict) else None
    if crs is not None and crs not in LON_LAT_CRS:
        raise payload_error(snapshot, f"coordinates in {crs!r}, not longitude/latitude degrees")
    features = require_rows(snapshot, require_field(snapshot, payload, "features"), "features")
    for feature in features:
        properties, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
        try:
            lon, lat = point_of(geometry)
            fields = _fields(properties.get("name"), properties.get("operator"),
                             properties.get("state_abb"), properties.get("county"),
                             properties.get("sqft"), properties.get("type"), lon, lat,
                             geometry.get("type"))
        except (CellError, TypeError, IndexError, ZeroDivisionError) as exc:
            result.reject(snapshot, f"invalid feature: {exc}", properties)
            continue
        add_validated(result, snapshot, Im3Facility, fields, properties)
    return len(features)


def _csv(snapshot: Snapshot, result: ParseResult) -> int:
    rows = csv_rows(snapshot, CSV_COLUMNS, "an IM3 atlas CSV")
    for row in rows:
        try:
            fields = _fields(row["name"], row["operator"], row["state"], row["county"],
                             row["sqft"], row["type"], number(row["lon"]), number(row["lat"]),
                             "csv")
        except CellError as exc:
            result.reject(snapshot, f"invalid row: {exc}", row)
            continue
        add_validated(result, snapshot, Im3Facility, fields, row)
    return len(rows)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    require_snapshots(NAME, snapshots)
    result, rows_read = ParseResult(), 0
    for snapshot in snapshots:
        rows_read += (_geojson if starts_like_json(snapshot) else _csv)(snapshot, result)
    reject_duplicates(result, lambda record: record.record_id)
    require_records(result, snapshots, rows_read)
    return result


SOURCE = Source(
    name=NAME,
    title="PNNL IM3 Open Source Data Center Atlas (existing facilities)",
    family="buildout",
    protocol="bulk_file",
    homepage="https://immm-sfa.github.io/datacenter-atlas/",
    urls=(CENTROIDS_URL,),
    cadence="monthly",
    terms="PNNL IM3 atlas, derived from OpenStreetMap: © OpenStreetMap contributors, ODbL 1.0; "
          "cite the IM3 atlas (MSD-LIVE record 65g71-a4731). Keyless GitHub raw file.",
    parser_version="1",
    record_model=Im3Facility,
    raw_table="raw.im3_atlas__facilities",
    fetch=fetch,
    parse=parse,
    max_response_bytes=64 * MIB,
)
