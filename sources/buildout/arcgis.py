"""ArcGIS REST layers (FeatureServer or MapServer): the query that pages a layer and the rows of
its Esri JSON or GeoJSON pages, for every jurisdiction row with protocol ``arcgis``.

Live path: ``GET <layer>/query`` with ``where`` (the row's query), ``outFields`` (the mapped
source fields), ``returnGeometry=true``, ``outSR=4326``, ``f=json`` (Esri JSON) or ``geojson``,
``orderByFields`` (stable paging), ``resultOffset`` and ``resultRecordCount``, page after page
while the server says ``exceededTransferLimit`` (top level, or under ``properties`` in GeoJSON).

Payload facts handled here: dates are epoch milliseconds (UTC); some layers write the text
``<Null>`` for a missing value; points come from the geometry (``x``/``y``, or a polygon's
``rings`` reduced to their area-weighted centroid, holes subtracted) unless the field map names
latitude and longitude columns; an error is a JSON body ``{"error": {"code", "message",
"details"}}`` sent with HTTP 200, which is a ParseError. A CSV of the layer's attributes (the
flattened export of a query) is read too, with its dates as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sources.buildout.jurisdictions import (
    DATE_FIELDS,
    Jurisdiction,
    SourceRow,
    csv_attribute_rows,
    mapped,
    public,
    require_source_fields,
)
from sources.buildout.layout import Skipped
from sources.errors import FetchError
from sources.http import FetchSession
from sources.parsing import (
    load_json,
    payload_error,
    require_field,
    require_rows,
    starts_like_json,
)
from sources.snapshot import Snapshot

DEFAULT_PAGE_SIZE = 1000
MAX_PAGES = 500
NULL_TEXT = "<Null>"
# Epoch milliseconds of 1970-01-01 .. 2100-01-01 bound what a date field may hold.
_MAX_EPOCH_MS = 4_102_444_800_000


def fetch(jurisdiction: Jurisdiction, session: FetchSession) -> None:
    count = jurisdiction.page_size or DEFAULT_PAGE_SIZE
    params = {"where": jurisdiction.query or "1=1",
              "outFields": ",".join(jurisdiction.source_fields) or "*",
              "returnGeometry": "true", "outSR": "4326", "f": jurisdiction.format or "json",
              "resultRecordCount": str(count)}
    if jurisdiction.order_by:
        params["orderByFields"] = jurisdiction.order_by
    offset = 0
    for _ in range(MAX_PAGES):
        snapshot = session.get(f"{jurisdiction.endpoint.rstrip('/')}/query",
                               params={**params, "resultOffset": str(offset)})
        payload = _payload(snapshot)
        features = require_rows(snapshot, require_field(snapshot, payload, "features"),
                                "features")
        if not _exceeded(payload):
            return
        if not features:
            raise FetchError(f"{jurisdiction.name}: {snapshot.url} says exceededTransferLimit "
                             "but returned no features; paging cannot go on")
        offset += len(features)
    raise FetchError(f"{jurisdiction.name}: still exceededTransferLimit after {MAX_PAGES} "
                     "pages; refusing to page on")


def _exceeded(payload: dict[str, Any]) -> bool:
    properties = payload.get("properties")
    nested = properties.get("exceededTransferLimit") if isinstance(properties, dict) else None
    return bool(payload.get("exceededTransferLimit") or nested)


def _payload(snapshot: Snapshot) -> dict[str, Any]:
    payload = load_json(snapshot)
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
        details = "; ".join(str(d) for d in error.get("details") or ())
        raise payload_error(snapshot, f"ArcGIS error {error.get('code')}: "
                                      f"{error.get('message')}" + (f" ({details})" if details
                                                                    else ""))
    if not isinstance(payload, dict):
        raise payload_error(snapshot, f"expected an ArcGIS query response (a JSON object), got "
                                      f"{type(payload).__name__}")
    return payload


def rows(jurisdiction: Jurisdiction, snapshot: Snapshot) -> Iterator[SourceRow | Skipped]:
    if not starts_like_json(snapshot):
        for number, attributes in csv_attribute_rows(jurisdiction, snapshot):
            yield SourceRow(number, mapped(jurisdiction, _cleaned(attributes)),
                            lambda a=attributes: public(jurisdiction, a))
        return
    payload = _payload(snapshot)
    features = require_rows(snapshot, require_field(snapshot, payload, "features"), "features")
    geojson = payload.get("type") == "FeatureCollection"
    attribute_key = "properties" if geojson else "attributes"
    declared = {f.get("name") for f in payload.get("fields") or () if isinstance(f, dict)}
    attributes_of = [_attributes(snapshot, feature, attribute_key, n)
                     for n, feature in enumerate(features, start=1)]
    if features:
        require_source_fields(jurisdiction, snapshot,
                              declared or set().union(*attributes_of))
    for number, (feature, attributes) in enumerate(zip(features, attributes_of, strict=True),
                                                   start=1):
        values = mapped(jurisdiction, _cleaned(attributes))
        try:
            for field in DATE_FIELDS:
                values[field] = epoch_ms_date(values.get(field))
            point = (geojson_point if geojson else esri_point)(feature.get("geometry"))
        except ValueError as exc:
            yield Skipped(number, f"feature {number}: {exc}", public(jurisdiction, attributes))
            continue
        yield SourceRow(number, values, lambda a=attributes: public(jurisdiction, a), point)


def _attributes(snapshot: Snapshot, feature: Any, key: str, number: int) -> dict[str, Any]:
    attributes = feature.get(key) if isinstance(feature, dict) else None
    if not isinstance(attributes, dict):
        raise payload_error(snapshot, f"feature {number} has no '{key}' object")
    return attributes


def _cleaned(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: None if isinstance(v, str) and v.strip() == NULL_TEXT else v
            for k, v in attributes.items()}


def epoch_ms_date(value: Any) -> Any:
    """An epoch-millisecond number as a UTC date; any other value unchanged (text dates of a
    CSV export are read later like every date). ValueError for a number outside 1970-2100."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not 0 <= value <= _MAX_EPOCH_MS:
        raise ValueError(f"date {value!r} is not epoch milliseconds between 1970 and 2100")
    return datetime.fromtimestamp(value / 1000, UTC).date()


def _ring_centroid(rings: Sequence[Sequence[Sequence[float]]]) -> tuple[float, float]:
    """(latitude, longitude) of polygon rings: the signed-area-weighted centroid, so holes
    (wound the other way) are subtracted; the mean vertex for a degenerate polygon."""
    area = cx = cy = 0.0
    vertices = []
    for ring in rings:
        points = [(float(p[0]), float(p[1])) for p in ring]
        vertices += points
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if not vertices:
        raise ValueError("polygon without vertices")
    if abs(area) < 1e-18:
        return (sum(y for _, y in vertices) / len(vertices),
                sum(x for x, _ in vertices) / len(vertices))
    return cy / (3 * area), cx / (3 * area)


def esri_point(geometry: Any) -> tuple[float, float] | None:
    """(latitude, longitude) of an Esri JSON point or polygon (outSR 4326); None without one."""
    if not geometry:
        return None
    try:
        if "x" in geometry:
            return float(geometry["y"]), float(geometry["x"])
        if "rings" in geometry:
            return _ring_centroid(geometry["rings"])
    except (TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"unreadable geometry ({exc})") from None
    raise ValueError(f"geometry of an unsupported kind (keys {sorted(geometry)[:5]})")


def geojson_point(geometry: Any) -> tuple[float, float] | None:
    """(latitude, longitude) of a GeoJSON Point, Polygon or MultiPolygon; None without one."""
    if not geometry:
        return None
    try:
        kind, coordinates = geometry["type"], geometry["coordinates"]
        if kind == "Point":
            return float(coordinates[1]), float(coordinates[0])
        if kind == "Polygon":
            return _ring_centroid(coordinates)
        if kind == "MultiPolygon":
            return _ring_centroid([ring for polygon in coordinates for ring in polygon])
    except (TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"unreadable geometry ({exc})") from None
    raise ValueError(f"geometry of an unsupported kind {kind!r}")

