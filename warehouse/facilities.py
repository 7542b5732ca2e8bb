"""Entity resolution of data-center records into sites: builds
``core.datacenter__assn_facility_records`` from the candidates of one report month
(``warehouse/sql/inputs/datacenter__facility_candidates.sql``: Epoch sites, parcels, OSM
elements, IM3 features and permits with a site-level point), then
``core.datacenter__facilities`` from the candidates and that table, so the matching runs once.

Records are taken in anchor priority order (Epoch, parcel, OSM, IM3, permit; then source and
record id), so the result is deterministic. Each record joins the best-scoring site already
formed, or, matching none, anchors a site of its own whose id is ``'<source>:<record id>'``:
the same anchor record gives the same facility id every month. Epoch sites never join another
site (Epoch already resolves its own sites); every other record may.

Scoring against a site's point (its anchor's, or for an Epoch anchor without coordinates the
point of the first located record that joined it):

* ``distance+name`` (both have a name): score = (distance score + name similarity) / 2 with
  distance score = 1 - d / 1,000 m (0 beyond); accepted at >= :data:`MIN_SCORE` (0.6), so two
  same-named records merge up to 800 m apart and a name sharing half its tokens merges within
  200 m;
* ``distance`` (a name is missing): score = the distance score; accepted at >=
  :data:`MIN_DISTANCE_ONLY_SCORE` (0.8), i.e. within 200 m;
* ``name`` (the site has no point yet: an Epoch site, which has an address but no
  coordinates): same state and name similarity >= :data:`MIN_SCORE`.

Name similarity is the Jaccard index of the name tokens (lower-cased words) without the
generic ones (data, center, campus, llc, ...). Distances are haversine metres.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from models.catalog import table

EARTH_RADIUS_M = 6_371_008.8
MAX_MATCH_DISTANCE_M = 1_000.0
MIN_SCORE = 0.6
MIN_DISTANCE_ONLY_SCORE = 0.8
# Grid cells for the neighbour search: 0.05 degrees is more than MAX_MATCH_DISTANCE_M in both
# directions up to 80 degrees north, so a match is always in the record's cell or a neighbour.
CELL_DEGREES = 0.05
GENERIC_TOKENS = frozenset({"data", "center", "centre", "centers", "datacenter", "datacenters",
                            "dc", "campus", "facility", "site", "building", "bldg", "the", "of",
                            "and", "at", "inc", "llc", "lp", "co", "corp", "company"})
NEVER_JOINS = frozenset({"epoch_datacenters"})


def name_tokens(name: object) -> frozenset[str]:
    """The distinctive words of a name (empty for no name)."""
    if not isinstance(name, str):
        return frozenset()
    return frozenset(re.findall(r"[a-z0-9]+", name.lower())) - GENERIC_TOKENS


def name_similarity(a: frozenset[str], b: frozenset[str]) -> float | None:
    """Jaccard index of two token sets; None when either name is missing."""
    if not a or not b:
        return None
    return len(a & b) / len(a | b)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Match:
    method: str
    score: float
    distance_m: float | None
    name_similarity: float | None


def score(tokens: frozenset[str], state: object, point: tuple[float, float] | None,
          site: _Site) -> Match | None:
    """How well a record fits a site, or None when it does not (see the module rules)."""
    similarity = name_similarity(tokens, site.tokens)
    if site.point is None or point is None:
        if similarity is None or similarity < MIN_SCORE or not isinstance(state, str) \
                or state != site.state:
            return None
        return Match("name", similarity, None, similarity)
    distance = haversine_m(*point, *site.point)
    closeness = max(0.0, 1 - distance / MAX_MATCH_DISTANCE_M)
    if similarity is None:
        accepted = closeness >= MIN_DISTANCE_ONLY_SCORE
        return Match("distance", closeness, distance, None) if accepted else None
    combined = (closeness + similarity) / 2
    if closeness == 0 or combined < MIN_SCORE:
        return None
    return Match("distance+name", combined, distance, similarity)


@dataclass
class _Site:
    facility_id: str
    tokens: frozenset[str]
    state: object
    point: tuple[float, float] | None
    members: list[tuple[dict, Match | None]] = field(default_factory=list)


def _cell(point: tuple[float, float]) -> tuple[int, int]:
    return math.floor(point[0] / CELL_DEGREES), math.floor(point[1] / CELL_DEGREES)


def _point(record: dict) -> tuple[float, float] | None:
    lat, lon = record.get("latitude"), record.get("longitude")
    if lat is None or lon is None or pd.isna(lat) or pd.isna(lon):
        return None
    return float(lat), float(lon)


class _Index:
    """Sites by grid cell (located) and by state (not located yet)."""

    def __init__(self) -> None:
        self.sites: list[_Site] = []
        self.by_cell: dict[tuple[int, int], list[_Site]] = defaultdict(list)
        self.unlocated: dict[object, list[_Site]] = defaultdict(list)

    def add(self, site: _Site) -> None:
        self.sites.append(site)
        if site.point is None:
            self.unlocated[site.state].append(site)
        else:
            self.by_cell[_cell(site.point)].append(site)

    def locate(self, site: _Site, point: tuple[float, float]) -> None:
        self.unlocated[site.state].remove(site)
        site.point = point
        self.by_cell[_cell(point)].append(site)

    def near(self, point: tuple[float, float] | None, state: object) -> list[_Site]:
        found = list(self.unlocated.get(state, ())) if isinstance(state, str) else []
        if point is not None:
            row, col = _cell(point)
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    found.extend(self.by_cell.get((row + dr, col + dc), ()))
        return found


def _best(record: dict, tokens: frozenset[str], point: tuple[float, float] | None,
          index: _Index) -> tuple[_Site, Match] | None:
    best: tuple[_Site, Match] | None = None
    for site in index.near(point, record.get("state")):
        match = score(tokens, record.get("state"), point, site)
        if match is not None and (best is None or match.score > best[1].score):
            best = (site, match)
    return best


def resolve(candidates: pd.DataFrame) -> list[_Site]:
    """Sites of the candidates (see the module rules), in anchor order."""
    index = _Index()
    ordered = candidates.sort_values(["priority", "source", "record_id"], kind="stable")
    for record in ordered.to_dict("records"):
        tokens, point = name_tokens(record.get("name")), _point(record)
        found = None if record["source"] in NEVER_JOINS else _best(record, tokens, point,
                                                                   index)
        if found is None:
            site = _Site(f"{record['source']}:{record['record_id']}", tokens,
                         record.get("state"), point)
            site.members.append((record, None))
            index.add(site)
            continue
        site, match = found
        site.members.append((record, match))
        if site.point is None and point is not None:
            index.locate(site, point)
    return index.sites


def _first(values: list[object]) -> object:
    return next((v for v in values if v is not None and not pd.isna(v)), None)


def _columns(name: str) -> list[str]:
    return list(table(name).column_names)


def facility_records(candidates: pd.DataFrame) -> pd.DataFrame:
    """``core.datacenter__assn_facility_records``: every candidate with its site and match."""
    rows = []
    for site in resolve(candidates):
        for record, match in site.members:
            rows.append({
                "report_month": record["report_month"], "facility_id": site.facility_id,
                "source": record["source"], "record_id": record["record_id"],
                "match_method": match.method if match else "anchor",
                "match_score": match.score if match else 1.0,
                "distance_m": match.distance_m if match else None,
                "name_similarity": match.name_similarity if match else None,
                "snapshot_sha256": record["snapshot_sha256"]})
    return pd.DataFrame(rows, columns=_columns("core.datacenter__assn_facility_records"))


def facilities(candidates: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """``core.datacenter__facilities`` from the candidates and their sites (``records``, the
    rows of ``core.datacenter__assn_facility_records``): one row per site, attributes from the
    anchor first, then from members in matching order (the order :func:`resolve` takes them
    in, which starts with the anchor); the point and its precision are those of the first
    located member, as in the matching."""
    members = candidates.merge(records[["source", "record_id", "facility_id"]],
                               on=["source", "record_id"], validate="one_to_one")
    members = members.sort_values(["priority", "source", "record_id"], kind="stable")
    by_site: dict[str, list[dict]] = defaultdict(list)
    for member in members.to_dict("records"):
        by_site[member["facility_id"]].append(member)
    rows = []
    for facility_id, ordered in by_site.items():

        def first(column: str, ordered: list[dict] = ordered) -> object:
            return _first([m.get(column) for m in ordered])

        located = next((m for m in ordered if _point(m) is not None), None)
        point = _point(located) if located else None
        squares = [m["square_feet"] for m in ordered if not pd.isna(m.get("square_feet"))]
        rows.append({
            "report_month": ordered[0]["report_month"], "facility_id": facility_id,
            "name": first("name"), "operator": first("operator"), "county": first("county"),
            "state": first("state"),
            "latitude": point[0] if point else None,
            "longitude": point[1] if point else None,
            "location_precision": located.get("location_precision") if located else None,
            "status": first("status"), "it_mw": first("it_mw"),
            "facility_mw": first("facility_mw"), "h100e": first("h100e"),
            "square_feet": max(squares) if squares else None,
            "n_records": len(ordered),
            "sources": ",".join(sorted({m["source"] for m in ordered}))})
    return pd.DataFrame(rows, columns=_columns("core.datacenter__facilities"))
