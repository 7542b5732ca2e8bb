"""Socrata (SODA) datasets: the fetch that pages a resource and the rows of its JSON (or CSV)
pages, for every jurisdiction row with protocol ``socrata``.

Live path: ``GET https://<domain>/resource/<4x4>.json`` with ``$where`` (the row's query),
``$order`` (the row's order, at least ``:id``: unordered paging may skip or repeat rows),
``$limit`` and ``$offset``, page after page until a page comes back shorter than the limit.
An app token (optional; it raises the throttling limits) is read from ``SOCRATA_APP_TOKEN``
and sent as the ``X-App-Token`` header, never in a URL, so no archived URL holds it.
SODA answers a bad query with a JSON object ``{"error": true, "message": ...}`` (or
``{"code": ..., "message": ...}``): a ParseError quoting the message.
"""

from __future__ import annotations

from collections.abc import Iterator

from sources.buildout.jurisdictions import (
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
from sources.parsing import load_json, payload_error, require_rows, starts_like_json
from sources.snapshot import Snapshot

APP_TOKEN_ENV = "SOCRATA_APP_TOKEN"
DEFAULT_PAGE_SIZE = 1000
MAX_PAGES = 500


def fetch(jurisdiction: Jurisdiction, session: FetchSession) -> None:
    limit = jurisdiction.page_size or DEFAULT_PAGE_SIZE
    headers = {"Accept": "application/json"}
    if session.api_key:
        headers["X-App-Token"] = session.api_key
    params = {"$order": jurisdiction.order_by or ":id", "$limit": str(limit)}
    if jurisdiction.query:
        params["$where"] = jurisdiction.query
    for page in range(MAX_PAGES):
        snapshot = session.get(jurisdiction.endpoint, headers=headers,
                               params={**params, "$offset": str(page * limit)})
        if len(_objects(snapshot)) < limit:
            return
    raise FetchError(f"{jurisdiction.name}: still full pages after {MAX_PAGES} pages of "
                     f"{limit}; refusing to page on (raise page_size?)")


def _objects(snapshot: Snapshot) -> list[dict]:
    payload = load_json(snapshot)
    if isinstance(payload, dict) and "message" in payload:
        raise payload_error(snapshot, f"SODA error {payload.get('code') or ''}: "
                                      f"{payload['message']}")
    return require_rows(snapshot, payload, "the top level")


def rows(jurisdiction: Jurisdiction, snapshot: Snapshot) -> Iterator[SourceRow | Skipped]:
    if starts_like_json(snapshot):
        objects = _objects(snapshot)
        if objects:
            require_source_fields(jurisdiction, snapshot, set().union(*objects))
        numbered = enumerate(objects, start=1)
    else:
        numbered = csv_attribute_rows(jurisdiction, snapshot)
    for number, attributes in numbered:
        yield SourceRow(number, mapped(jurisdiction, attributes),
                        lambda a=attributes: public(jurisdiction, a))
