"""Modal: serverless GPU prices, billed per second, from Modal's public pricing page.

Endpoint: ``GET https://modal.com/pricing``, an HTML page (protocol ``html``: robots.txt is
checked by the session). No API exists; SkyPilot's ``fetch_modal.py`` reads the same page.

Format: the GPU section lists one GPU per row, its name ("Nvidia H100", "Nvidia A100, 80 GB")
followed by a per-second price ("$0.001097 / sec"). :func:`parse` reads the page's text with
beautifulsoup4 line by line and pairs each price line with the GPU name line before it, within
the section headed "GPU Tasks" (ended by the next section heading, "CPU"). A page without that
section raises a ParseError, so a redesign is a red run rather than zero rows.

Units: USD per GPU-second, ×3600 to USD per GPU-hour (listed_unit "USD/second"); price_basis
``gpu``, gpu_count 1 (Modal bills each GPU of a container), price_type on_demand, region
``global`` (Modal's base price; region selection adds a documented multiplier not applied here).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import payload_error
from sources.prices.offers import add_offer, offer_source, parse_offers
from sources.snapshot import Snapshot

NAME = "modal"
PRICING_URL = "https://modal.com/pricing"
SECTION_START = "GPU Tasks"
SECTION_END = ("CPU", "Memory")
_PER_SECOND = re.compile(r"^\$\s*(?P<price>[^\s/]+)\s*/\s*sec(ond)?$", re.IGNORECASE)


def fetch(session: FetchSession) -> None:
    session.get(PRICING_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, gpu_prices, _add_gpu)


def _add_gpu(snapshot: Snapshot, row: tuple[str, str], result: ParseResult) -> None:
    name, price = row
    add_offer(result, snapshot, {"gpu": name, "price": price}, listed_price=price,
              listed_unit="USD/second", price_basis="gpu", gpu_count=1, sku=name,
              region="global", seller=None,
              provider_gpu_name=re.sub(r"^(Nvidia|NVIDIA|AMD)\s+", "", name),
              gpu_memory_gb=None, vcpus=None, memory_gb=None, price_type="on_demand",
              available=None, offer_id=None)


def gpu_prices(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(GPU name, per-second price text) pairs of the GPU section of the page."""
    text = BeautifulSoup(snapshot.body, "html.parser").get_text("\n")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    try:
        start = lines.index(SECTION_START)
    except ValueError:
        raise payload_error(snapshot, f"no '{SECTION_START}' section on the page") from None
    pairs = []
    previous = None
    for line in lines[start + 1:]:
        if line in SECTION_END:
            break
        match = _PER_SECOND.match(line)
        if match and previous:
            pairs.append((previous, match.group("price")))
            previous = None
        else:
            previous = line
    if not pairs:
        raise payload_error(snapshot, f"no '<GPU> $<price> / sec' rows under '{SECTION_START}'")
    return pairs


SOURCE = offer_source(
    name=NAME,
    title="Modal serverless GPU prices (public pricing page)",
    protocol="html",
    homepage=PRICING_URL,
    urls=(PRICING_URL,),
    terms="Modal's public pricing web page, read once a day with robots.txt honoured; Modal's "
          "website terms apply. Per-second list prices per GPU.",
    fetch=fetch,
    parse=parse,
)
