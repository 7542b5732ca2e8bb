"""The live code paths of the "Prices, part 2" sources over a mocked network (respx): every
fetch follows its listing or paging to the end and what it archives parses to the pinned
offers; pages that loop or stop early fail; retries on 500/429; API keys travel in headers and
never reach an archived URL; HTML pages are fetched only where robots.txt allows."""

from __future__ import annotations

import httpx
import pytest
import respx

from sources.archive import RawArchive
from sources.errors import FetchError, ParseError, RobotsDisallowedError
from sources.http import FetchSession, build_client
from sources.prices import aws_ec2, coreweave, gcp_billing, linode, vultr
from tests.conftest import DEMO_DATE, FIXTURES
from tests.sources.conftest import FAST_HTTP
from tests.sources.offer_specs import SPECS, fixture_for

# Offers a complete mocked fetch parses to, where they differ from the spec's fixture files
# (GCP's live pages are authored envelopes: one on-demand H100, one spot L4, one TPU v5e chip,
# and the A3 host SKUs that price a whole a3-highgpu-8g).
FETCHED_RECORDS = {**{name: spec.records for name, spec in SPECS.items()}, "gcp_billing": 4}
KEYS = {"gcp_billing": ("X-Goog-Api-Key", "{}"), "lambda": ("Authorization", "Bearer {}"),
        "shadeform": ("X-API-KEY", "{}"), "together": ("Authorization", "Bearer {}"),
        "vast": ("Authorization", "Bearer {}")}
SECRET = "sk-test-0123456789abcdef"


def serve(request: httpx.Request) -> httpx.Response:
    fixture = fixture_for(request.method, request.url)
    if fixture is None:
        return httpx.Response(404, text=f"no fixture for {request.method} {request.url}")
    return httpx.Response(200, content=(FIXTURES / fixture).read_bytes())


@pytest.mark.parametrize("name", SPECS)
def test_fetch_then_parse_gives_the_pinned_offers(live_session, archive_dir, name):
    source = SPECS[name].source
    with respx.mock(assert_all_mocked=True) as network:
        network.route().mock(side_effect=serve)
        session = live_session(source, api_key=SECRET if name in KEYS else None)
        source.fetch(session)
    assert len(source.parse(session.snapshots).records) == FETCHED_RECORDS[name]
    entries = RawArchive(archive_dir).entries(name)
    assert len(entries) == len(session.snapshots) and all(e.status_code == 200 for e in entries)
    for request, _ in network.calls:
        assert SECRET not in str(request.url)
        if name in KEYS:
            header, template = KEYS[name]
            assert request.headers[header] == template.format(SECRET)
    assert all(SECRET not in entry.url for entry in entries)


def test_aws_fetch_skips_local_and_wavelength_zones(live_session):
    with respx.mock as network:
        network.route().mock(side_effect=serve)
        session = live_session(aws_ec2.SOURCE)
        aws_ec2.fetch(session)
    assert [s.url.rsplit("/", 2)[-2] for s in session.snapshots[2:]] == ["eu-west-1",
                                                                         "us-east-1"]


def test_aws_parse_refuses_a_fetch_missing_a_region(live_session):
    with respx.mock as network:
        network.route().mock(side_effect=serve)
        session = live_session(aws_ec2.SOURCE)
        aws_ec2.fetch(session)
    without_eu = [s for s in session.snapshots if "eu-west-1" not in s.url]
    with pytest.raises(ParseError, match="incomplete fetch: 1 region file"):
        aws_ec2.parse(without_eu)


def test_gcp_follows_next_page_token_and_refuses_a_loop(live_session):
    url = gcp_billing.SKUS_URL.format(service="6F81-5844-456A")
    looping = httpx.Response(200, json={"skus": [], "nextPageToken": "again"})
    with respx.mock as network, pytest.raises(FetchError, match="nextPageToken repeats"):
        network.get(url).mock(side_effect=[looping, looping])
        gcp_billing.fetch(live_session(gcp_billing.SOURCE, api_key=SECRET))


def test_linode_parse_refuses_a_missing_page(live_session):
    with respx.mock as network:
        network.route().mock(side_effect=serve)
        session = live_session(linode.SOURCE)
        linode.fetch(session)
    assert len(session.snapshots) == 2
    with pytest.raises(ParseError, match=r"page\(s\) \[2\] of 2 not fetched"):
        linode.parse(session.snapshots[:1])


def test_vultr_refuses_a_repeating_cursor_and_a_cut_short_listing(live_session):
    page = (FIXTURES / "vultr/plans_page_1.json").read_bytes()
    with respx.mock as network, pytest.raises(FetchError, match="paging does not end"):
        network.get(vultr.PLANS_URL).mock(return_value=httpx.Response(200, content=page))
        vultr.fetch(session := live_session(vultr.SOURCE))
    with pytest.raises(ParseError, match="the last page has a next cursor"):
        vultr.parse(session.snapshots[:1])


@pytest.mark.parametrize("status", [500, 429])
def test_an_error_then_success_is_retried_and_archived(live_session, archive_dir, status):
    spot = SPECS["aws_spot"]
    body = (FIXTURES / spot.files[0]).read_bytes()
    with respx.mock as network:
        route = network.get(spot.urls[0]).mock(side_effect=[
            httpx.Response(status, headers={"Retry-After": "0"}),
            httpx.Response(200, content=body)])
        spot.source.fetch(live_session(spot.source))
    assert route.call_count == 2
    retried, final = RawArchive(archive_dir).entries("aws_spot")
    assert (retried.status_code, retried.superseded, final.status_code) == (status, True, 200)


def test_a_persistent_error_fails_the_fetch(live_session):
    with respx.mock as network, pytest.raises(FetchError, match="HTTP 503"):
        network.get(SPECS["oci"].urls[0]).respond(503, text="maintenance")
        SPECS["oci"].source.fetch(live_session(SPECS["oci"].source))


@pytest.mark.parametrize(("robots", "allowed"), [("User-agent: *\nDisallow: /admin\n", True),
                                                 ("User-agent: *\nDisallow: /\n", False)])
def test_html_pages_follow_robots_txt(archive_dir, robots, allowed):
    client = build_client(FAST_HTTP)
    session = FetchSession(source="coreweave", observation_date=DEMO_DATE, client=client,
                           archive=RawArchive(archive_dir), mode="live", settings=FAST_HTTP,
                           check_robots=coreweave.SOURCE.protocol == "html")
    with client, respx.mock as network:
        network.get("https://www.coreweave.com/robots.txt").respond(200, text=robots)
        page = network.get(coreweave.PRICING_URL).mock(side_effect=serve)
        if allowed:
            coreweave.fetch(session)
        else:
            with pytest.raises(RobotsDisallowedError):
                coreweave.fetch(session)
    assert page.called is allowed
