"""The open data-center inventories: OpenStreetMap (tiled Overpass), the PNNL IM3 atlas and
Epoch AI. Each parser on its committed fixtures and on every real vintage in ../shared, bad
input, and the live fetch paths over a mocked network."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter
from datetime import date
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from sources.archive import RawArchive
from sources.buildout import epoch_datacenters, im3_atlas, osm_datacenters
from sources.errors import FetchError, ParseError
from sources.http import FetchSession, build_client
from tests.conftest import FIXTURES
from tests.sources.conftest import FAST_HTTP
from tests.sources.power_helpers import month_snapshot

MONTH = date(2026, 8, 1)
OSM, IM3, EPOCH = FIXTURES / "osm_datacenters", FIXTURES / "im3_atlas", \
    FIXTURES / "epoch_datacenters"


def parse(module, *bodies: bytes):
    return module.parse([month_snapshot(module.NAME, body, MONTH, sequence=i)
                         for i, body in enumerate(bodies)])


def reasons(result) -> list[str]:
    return [reject.reason for _, reject in result.rejects]


# --- OpenStreetMap -----------------------------------------------------------------------------

def test_overpass_answer_fields():
    result = parse(osm_datacenters, (OSM / "overpass_san_antonio_cut.json").read_bytes())
    by_id = {r.element_id: r for _, r in result.records}
    assert len(by_id) == 8 and not result.rejects
    h5 = by_id[102129663]
    assert (h5.element_type, h5.name, h5.operator, h5.state, h5.city) == (
        "way", "H5 Data Centers San Antonio", "H5 Data Centers", "TX", "San Antonio")
    assert (h5.latitude, h5.longitude) == (29.4293706, -98.4869057)
    assert h5.data_center_tags == "telecom=data_center" and h5.is_building
    assert json.loads(h5.tags_json)["website"].startswith("https://h5datacenters.com")
    assert by_id[254742608].data_center_tags == "building=data_center"
    assert {r.site_status for r in by_id.values()} == {"operational"}


def test_overpass_construction_node_and_relation():
    result = parse(osm_datacenters, (OSM / "overpass_construction_built.json").read_bytes())
    by_id = {r.element_id: r for _, r in result.records}
    node, construction, relation = (by_id[9100000001], by_id[9100000002], by_id[9100000003])
    assert (node.element_type, node.latitude, node.is_building) == ("node", 32.9021, False)
    assert construction.site_status == "under_construction"
    assert construction.data_center_tags == "construction=data_center"
    assert not construction.is_building
    assert (relation.data_center_tags, relation.state, relation.site_status) == (
        "industrial=data_centre", "AZ", "operational")


def test_compiled_csv_is_its_own_format():
    result = parse(osm_datacenters, (OSM / "compiled_facilities_cut.csv").read_bytes())
    records = [r for _, r in result.records]
    assert len(records) == 8 and not result.rejects
    assert Counter(r.site_status for r in records) == {"operational": 6,
                                                       "under_construction": 2}
    point = next(r for r in records if r.element_id == 751881301)
    assert (point.element_type, point.state, point.footprint_m2, point.is_building) == (
        "node", "DC", None, False)
    assert all(r.data_center_tags.endswith("(compiled file)") for r in records)


def test_real_osm_payloads(shared_data):
    osm = shared_data / "buildout" / "osm"
    answer = parse(osm_datacenters, (osm / "overpass_san_antonio_data_centers.json").read_bytes())
    assert (len(answer.records), len(answer.rejects)) == (34, 0)
    compiled = parse(osm_datacenters, (osm / "osm_us_data_center_facilities.csv").read_bytes())
    assert (len(compiled.records), len(compiled.rejects)) == (1853, 0)
    assert Counter(r.site_status for _, r in compiled.records)["under_construction"] == 45
    # an Overpass answer about power lines holds no data center: every element is a reject
    with pytest.raises(ParseError, match="697 rows read, 697 rejected"):
        parse(osm_datacenters,
              (osm / "overpass_east_valley_az_power_infrastructure.json").read_bytes())


@pytest.mark.parametrize(("body", "match"), [
    ((OSM / "bad" / "truncated.json").read_bytes(), "malformed JSON"),
    (b"", "an empty body"),
    ((OSM / "bad" / "remark_timeout.json").read_bytes(), "Overpass runtime error"),
    (b'{"version": 0.6, "remark": "ok"}', "no 'elements' field"),
    (b"type,id,name\nway,1,x\n", "not an OSM data-center CSV"),
])
def test_bad_overpass_input_is_a_parse_error(body, match):
    with pytest.raises(ParseError, match=match):
        parse(osm_datacenters, body)


def test_element_without_position_is_rejected_with_the_reason():
    body = json.dumps({"elements": [
        {"type": "way", "id": 1, "tags": {"telecom": "data_center"}},
        {"type": "node", "id": 2, "lat": 30.0, "lon": -97.0,
         "tags": {"telecom": "data_center"}}]}).encode()
    result = parse(osm_datacenters, body)
    assert len(result.records) == 1
    assert reasons(result) == ["no position: a way or relation without 'center' (query "
                               "without 'out center')"]


def test_tiles_cover_the_us_in_15_degree_tiles():
    tiles = osm_datacenters.TILES
    assert len(tiles) == 17
    assert all(n - s <= 15 and e - w <= 15 for s, w, n, e in tiles)
    area = sum((n - s) * (e - w) for s, w, n, e in tiles)
    assert area == sum((n - s) * (e - w) for s, w, n, e in osm_datacenters.REGIONS)
    query = osm_datacenters.query(tiles[0])
    assert '["telecom"~"^data_cent(er|re)$"](24,-125,39,-110)' in query
    assert '["construction"~' in query and query.rstrip().endswith("out center tags;")


EMPTY_TILE = b'{"version": 0.6, "elements": []}'


class Overpass:
    """A mocked Overpass: answers tile ``i`` from ``answers`` (a body or a list of statuses
    and a body), every other tile with no elements; records each query's bounding box."""

    def __init__(self, answers: dict[int, list]) -> None:
        self.answers = {i: list(a) for i, a in answers.items()}
        self.boxes: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        data = parse_qs(request.content.decode())["data"][0]
        box = re.search(r"\]\(([-\d.,]+)\);", data).group(1)
        self.boxes.append(box)
        tile = [",".join(f"{v:g}" for v in t) for t in osm_datacenters.TILES].index(box)
        queue = self.answers.get(tile, [EMPTY_TILE])
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, int):
            return httpx.Response(answer, text="Too Many Requests / Gateway Timeout")
        return httpx.Response(200, content=answer,
                              headers={"content-type": "application/json"})


def fetch_with(tmp_path, overpass: Overpass, module=osm_datacenters) -> FetchSession:
    client = build_client(FAST_HTTP, transport=httpx.MockTransport(overpass))
    session = FetchSession(source=module.NAME, observation_date=MONTH, client=client,
                           archive=RawArchive(tmp_path / "archive"), mode="live",
                           settings=FAST_HTTP)
    try:
        module.fetch(session)
    finally:
        client.close()
    return session


def test_tiled_fetch_queries_every_tile_and_deduplicates(tmp_path):
    overpass = Overpass({0: [(OSM / "overpass_san_antonio_cut.json").read_bytes()],
                         1: [429, (OSM / "overpass_construction_built.json").read_bytes()]})
    session = fetch_with(tmp_path, overpass)
    # 17 tiles, the 429 retried once, each tile's answer archived
    assert len(overpass.boxes) == 18 and len(session.snapshots) == 17
    assert len(set(overpass.boxes)) == 17
    result = osm_datacenters.parse(session.snapshots)
    assert len(result.records) == 8 + 3
    assert result.excluded == {"element already listed by another tile": 1}
    archive = RawArchive(tmp_path / "archive")
    assert len(archive.latest_fetch("osm_datacenters", MONTH)) == 17


def test_a_tile_that_keeps_failing_fails_the_fetch_and_nothing_partial_parses(tmp_path):
    overpass = Overpass({2: [504]})
    with pytest.raises(FetchError, match="HTTP 504"):
        fetch_with(tmp_path, overpass)
    assert not list(RawArchive(tmp_path / "archive").fetches("osm_datacenters", MONTH))


def test_a_runtime_error_remark_fails_the_fetch_and_the_parse(tmp_path):
    last = len(osm_datacenters.TILES) - 1  # so the archived fetch holds every tile
    overpass = Overpass({last: [(OSM / "bad" / "remark_timeout.json").read_bytes()]})
    with pytest.raises(FetchError, match="runtime error"):
        fetch_with(tmp_path, overpass)
    # every answer is a 200, so the archive counts the fetch complete: the parser refuses it
    [snapshots] = RawArchive(tmp_path / "archive").fetches("osm_datacenters", MONTH)
    with pytest.raises(ParseError, match="runtime error"):
        osm_datacenters.parse(snapshots)


def test_a_fetch_missing_tiles_is_not_parsed(tmp_path):
    session = fetch_with(tmp_path, Overpass({}))
    with pytest.raises(ParseError, match="holds 3 of the 17 tiles"):
        osm_datacenters.parse(session.snapshots[:3])


# --- IM3 ---------------------------------------------------------------------------------------

def test_im3_centroids_fixture():
    result = parse(im3_atlas, (IM3 / "im3_datacenter_centroids_cut.geojson").read_bytes())
    records = [r for _, r in result.records]
    assert len(records) == 5 and not result.rejects
    first = records[0]
    assert (first.record_id, first.name, first.state, first.site_type, first.square_feet,
            first.geometry_type) == ("point:38.90289,-77.02915", "CoreSite DC1", "DC", "point",
                                     None, "Point")


def test_im3_footprints_point_is_the_area_weighted_centroid():
    result = parse(im3_atlas, (IM3 / "im3_datacenter_footprints_cut.geojson").read_bytes())
    assert Counter(r.geometry_type for _, r in result.records) == {
        "Point": 1, "Polygon": 2, "MultiPolygon": 1}
    features = json.loads((IM3 / "im3_datacenter_footprints_cut.geojson").read_bytes())[
        "features"]
    for (_, record), feature in zip(result.records, features, strict=True):
        rings = feature["geometry"]["coordinates"]
        if feature["geometry"]["type"] == "Polygon":
            rings = [rings]
        if feature["geometry"]["type"] == "Point":
            continue
        lons = [p[0] for polygon in rings for p in polygon[0]]
        lats = [p[1] for polygon in rings for p in polygon[0]]
        assert min(lons) <= record.longitude <= max(lons)
        assert min(lats) <= record.latitude <= max(lats)
    square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    assert im3_atlas.point_of(square) == pytest.approx((1.0, 1.0))
    two = {"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
        [[[10, 0], [13, 0], [13, 1], [10, 1], [10, 0]]]]}  # areas 1 and 3
    assert im3_atlas.point_of(two) == pytest.approx(((0.5 * 1 + 11.5 * 3) / 4, 0.5))


def test_im3_csv_maps_state_names():
    result = parse(im3_atlas, (IM3 / "im3_atlas_built_facilities_cut.csv").read_bytes())
    records = [r for _, r in result.records]
    assert len(records) == 6 and not result.rejects
    assert records[0].state == "NJ" and records[1].state == "NC"
    assert records[0].geometry_type == "csv" and records[1].site_type == "campus"


def test_im3_ids_are_stable_and_repeated_features_rejected():
    body = (IM3 / "im3_datacenter_centroids_cut.geojson").read_bytes()
    ids = [r.record_id for _, r in parse(im3_atlas, body).records]
    assert ids == [r.record_id for _, r in parse(im3_atlas, body).records]
    payload = json.loads(body)
    payload["features"].append(payload["features"][0])
    result = parse(im3_atlas, json.dumps(payload).encode())
    assert len(result.records) == 5
    assert reasons(result) == [f"duplicate of an earlier record for {ids[0]!r}"]


@pytest.mark.parametrize(("name", "records", "rejects"), [
    ("im3_datacenter_centroids.geojson", 1164, 1),
    ("im3_datacenter_footprints.geojson", 1231, 2),
    ("im3_atlas_built_facilities.csv", 1474, 5)])
def test_real_im3_vintages(shared_data, name, records, rejects):
    result = parse(im3_atlas, (shared_data / "buildout" / "im3" / name).read_bytes())
    assert (len(result.records), len(result.rejects)) == (records, rejects)
    assert all(reason.startswith("duplicate of an earlier record") for reason in
               reasons(result))
    assert all(r.state for _, r in result.records)


def test_bad_im3_input():
    payload = json.loads((IM3 / "im3_datacenter_centroids_cut.geojson").read_bytes())
    payload["features"][0]["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    payload["features"][1]["properties"]["state_abb"] = "Atlantis"
    result = parse(im3_atlas, json.dumps(payload).encode())
    assert len(result.records) == 3
    assert reasons(result) == [
        "invalid feature: geometry type 'LineString' is not a Point, Polygon or MultiPolygon",
        "invalid feature: state 'Atlantis' is not a US state"]
    payload["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::3857"
    with pytest.raises(ParseError, match="not longitude/latitude"):
        parse(im3_atlas, json.dumps(payload).encode())
    renamed = (IM3 / "im3_atlas_built_facilities_cut.csv").read_bytes().replace(b"lat,", b"y,")
    with pytest.raises(ParseError, match=r"not an IM3 atlas CSV: no \['lat'\]"):
        parse(im3_atlas, renamed)
    with pytest.raises(ParseError, match="malformed JSON"):
        parse(im3_atlas, b'{"type": "FeatureCollection", "features": [')


# --- Epoch AI ----------------------------------------------------------------------------------

def epoch_fixture(name: str) -> bytes:
    return (EPOCH / name).read_bytes()


def test_epoch_sites_and_timelines_are_joined():
    result = parse(epoch_datacenters, epoch_fixture("data_centers_cut.csv"),
                   epoch_fixture("data_center_timelines_cut.csv"))
    records = [r for _, r in result.records]
    assert len(records) == 22 and not result.rejects
    colossus = [r for r in records if r.data_center == "Colossus 2"]
    assert len(colossus) == 6 and {r.state for r in colossus} == {"TN"}
    latest = max(colossus, key=lambda r: r.timeline_date)
    assert (latest.timeline_date, latest.it_mw, latest.facility_mw, latest.current_it_mw) == (
        date(2026, 7, 1), 946.0, 1276.0, 946.0)
    assert latest.owner == "SpaceXAI #confident" and latest.address.startswith("5420 Tulane")
    assert {r.state for r in records if r.data_center == "Stream Phoenix"} == {None}
    assert {r.state for r in records if r.data_center == "DayOne Nusajaya"} == {None}
    edgecore = [r for r in records if r.data_center == "EdgeCore Mesa PH03"]
    assert len(edgecore) == 1 and not edgecore[0].site_listed and edgecore[0].owner is None


def test_epoch_sites_file_alone_gives_one_undated_row_per_site():
    result = parse(epoch_datacenters, epoch_fixture("data_centers_cut.csv"))
    assert [(r.data_center, r.timeline_date, r.site_listed) for _, r in result.records] == [
        ("Colossus 2", None, True), ("DayOne Nusajaya", None, True),
        ("Meta Temple", None, True), ("Stream Phoenix", None, True)]
    # Colossus 2's Selected Sources cell spans seven lines; the cells after it are its own
    colossus = result.records[0][1]
    assert (colossus.country, colossus.state, colossus.current_chip_types) == (
        "United States", "TN", "B200,B300")


def test_real_epoch_files(shared_data):
    folder = shared_data / "buildout" / "epoch"
    result = parse(epoch_datacenters, (folder / "data_centers.csv").read_bytes(),
                   (folder / "data_center_timelines.csv").read_bytes())
    records = [r for _, r in result.records]
    assert (len(records), len(result.rejects)) == (424, 0)
    assert len({r.data_center for r in records}) == 76
    assert sum(not r.site_listed for r in records) == 1
    states = {r.data_center: r.state for r in records}
    assert states["OpenAI Stargate Abilene"] == "TX" and states["Meta Kuna"] == "ID"
    assert states["Amazon Ridgeland"] == "MS" and states["Stream Phoenix"] is None
    sites = parse(epoch_datacenters, (folder / "data_centers.csv").read_bytes())
    assert len(sites.records) == 75


def test_bad_epoch_input():
    with pytest.raises(ParseError, match=r"no \['IT power \(MW\)'\] column"):
        parse(epoch_datacenters, epoch_fixture("bad/timelines_renamed_column.csv"))
    result = parse(epoch_datacenters, epoch_fixture("bad/timelines_bad_cells.csv"))
    assert [r.data_center for _, r in result.records] == ["Site B"]
    assert reasons(result) == ["invalid row: Date '2026-13-45' is not a date",
                               "invalid row: 'ten' is not a number"]
    with pytest.raises(ParseError, match="no usable rows"):
        parse(epoch_datacenters, epoch_fixture("data_centers_cut.csv").splitlines()[0])
    with pytest.raises(ParseError, match="not a UTF-8 CSV"):
        parse(epoch_datacenters, "Name,Données\n".encode("utf-16"))


@respx.mock
def test_epoch_fetch_gets_both_files(tmp_path):
    sites = respx.get(epoch_datacenters.SITES_URL).respond(
        content=epoch_fixture("data_centers_cut.csv"))
    timelines = respx.get(epoch_datacenters.TIMELINES_URL).mock(side_effect=[
        httpx.Response(503), httpx.Response(200, content=epoch_fixture(
            "data_center_timelines_cut.csv"))])
    client = build_client(FAST_HTTP)
    session = FetchSession(source="epoch_datacenters", observation_date=MONTH, client=client,
                           archive=RawArchive(tmp_path / "a"), mode="live", settings=FAST_HTTP)
    epoch_datacenters.fetch(session)
    client.close()
    assert (sites.call_count, timelines.call_count, len(session.snapshots)) == (1, 2, 2)
    assert len(epoch_datacenters.parse(session.snapshots).records) == 22


@respx.mock
def test_im3_fetch_gets_the_centroid_layer(tmp_path):
    route = respx.get(im3_atlas.CENTROIDS_URL).respond(
        content=(IM3 / "im3_datacenter_centroids_cut.geojson").read_bytes())
    client = build_client(FAST_HTTP)
    session = FetchSession(source="im3_atlas", observation_date=MONTH, client=client,
                           archive=RawArchive(tmp_path / "a"), mode="live", settings=FAST_HTTP)
    im3_atlas.fetch(session)
    client.close()
    assert route.call_count == 1
    assert len(im3_atlas.parse(session.snapshots).records) == 5


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, body in members.items():
            bundle.writestr(name, body)
    return out.getvalue()


def test_epoch_zip_bundle_reads_both_files():
    bundle = zipped({"data_centers.csv": epoch_fixture("data_centers_cut.csv"),
                     "data_center_timelines.csv": epoch_fixture("data_center_timelines_cut.csv"),
                     "data_center_chip_quantities.csv": b"Data center,Chip,Quantity\n"})
    result = parse(epoch_datacenters, bundle)
    both = parse(epoch_datacenters, epoch_fixture("data_centers_cut.csv"),
                 epoch_fixture("data_center_timelines_cut.csv"))
    assert [r for _, r in result.records] == [r for _, r in both.records]
    assert {s.sha256 for s, _ in result.records} == {
        month_snapshot("epoch_datacenters", bundle, MONTH).sha256}
    with pytest.raises(ParseError, match="a zip holding none of"):
        parse(epoch_datacenters, zipped({"readme.txt": b"hello"}))
    with pytest.raises(ParseError, match="a broken zip"):
        parse(epoch_datacenters, bundle[:200])
