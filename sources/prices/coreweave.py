"""CoreWeave: on-demand prices of CoreWeave's GPU instances (whole nodes), from its public
pricing page.

Endpoint: ``GET https://www.coreweave.com/pricing``, an HTML page (robots.txt is checked by the
session: protocol ``html``). No API exists. The GPU table has one row per instance with the
cells GPU model, GPU count, VRAM (GB), vCPUs, system RAM (GB), local storage (TB) and instance
price per hour ("$49.24", or "Contact sales"). :func:`parse` finds, with beautifulsoup4, every
``<table>`` whose header has "GPU Model" and "Instance Price", and reads its rows; footnote
markers (``<sup>``) are dropped before reading a cell.

Also accepted: the computeprices.com scraper output for this page (``{provider, scrapedAt,
pages: {pricing: {content: {pricingInfo: [...]}}}}``), the real sample in
``shared/data/prices/coreweave/``, where each table row survives as one line of text ("NVIDIA
HGX H100 8 80 128 2,048 61.44 $49.24"). There the footnote marker is glued to the GPU count:
the GB200/GB300 NVL72 rows read "41" for 4 GPUs + footnote 1 (the page's note says an instance
is 2 superchips of 2 GPUs). A count that is not a plausible GPUs-per-node number
(:data:`NODE_GPU_COUNTS`) but is one followed by a one-digit footnote is read as that.

The GPU name recorded is the model without "NVIDIA"/"HGX" plus the VRAM column ("H100 80GB",
"GH200 96GB"), since some names are ambiguous without their memory.

Units: the price is for the whole instance (node) per hour, price_basis ``instance``;
``usd_per_gpu_hour`` divides by the GPU count. Region ``global`` (CoreWeave lists one price).
"Contact sales" rows are excluded by policy (no public price); other unreadable prices are
rejected with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bs4 import BeautifulSoup

from sources.base import ParseResult
from sources.http import FetchSession
from sources.parsing import load_json, payload_error, starts_like_json
from sources.prices.offers import add_offer, offer_source, optional_number, parse_offers
from sources.snapshot import Snapshot

NAME = "coreweave"
PRICING_URL = "https://www.coreweave.com/pricing"
NODE_GPU_COUNTS = {1, 2, 4, 8, 16}
CONTACT_SALES = "contact sales"
# A flattened table row: name, six numbers (count may carry a footnote digit), price.
_TEXT_ROW = re.compile(
    r"(?P<name>NVIDIA .+?) (?P<count>\d+) (?P<vram>[\d.,]+) (?P<vcpus>[\d.,]+) "
    r"(?P<ram>[\d.,]+) (?P<storage>[\d.,]+) (?P<price>\$[\d.,]+|Contact sales)")
Cells = dict[str, str]


def fetch(session: FetchSession) -> None:
    session.get(PRICING_URL)


def parse(snapshots: Sequence[Snapshot]) -> ParseResult:
    return parse_offers(NAME, snapshots, gpu_rows, _add_row)


def gpu_rows(snapshot: Snapshot) -> list[Cells]:
    """The GPU table rows of the page (HTML) or of a stored scrape (JSON)."""
    rows = _json_rows(snapshot) if starts_like_json(snapshot) else _html_rows(snapshot)
    if not rows:
        raise payload_error(snapshot, "no GPU pricing table (a table with 'GPU Model' and "
                                      "'Instance Price' columns)")
    return rows


def _html_rows(snapshot: Snapshot) -> list[Cells]:
    soup = BeautifulSoup(snapshot.body, "html.parser")
    rows: list[Cells] = []
    for table in soup.find_all("table"):
        for sup in table.find_all("sup"):
            sup.decompose()
        lines = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
                 for tr in table.find_all("tr")]
        lines = [line for line in lines if line]
        if not lines or not _is_gpu_header(lines[0]):
            continue
        for line in lines[1:]:
            if len(line) != 7:
                rows.append({"error": f"{len(line)} cells, expected 7", "text": " | ".join(line)})
                continue
            rows.append(dict(zip(("name", "count", "vram", "vcpus", "ram", "storage", "price"),
                                 line, strict=True)))
    return rows


def _is_gpu_header(cells: list[str]) -> bool:
    text = " ".join(cells).lower()
    return "gpu model" in text and "instance price" in text


def _json_rows(snapshot: Snapshot) -> list[Cells]:
    payload = load_json(snapshot)
    try:
        info = payload["pages"]["pricing"]["content"]["pricingInfo"]
    except (KeyError, TypeError):
        raise payload_error(snapshot, "a JSON body that is not a scrape with "
                                      "pages.pricing.content.pricingInfo") from None
    if not isinstance(info, list) or not all(isinstance(line, str) for line in info):
        raise payload_error(snapshot, "pricingInfo is not a list of text rows")
    # The first entry is the whole table flattened into one line (header, rows, footnotes);
    # the entries after it repeat some of its rows one by one.
    table = next((line for line in info if "GPU Model" in line), None)
    lines = [table] if table else info
    return [match.groupdict() for line in lines for match in _TEXT_ROW.finditer(line)]


def _node_gpu_count(text: str) -> int | None:
    """GPUs per node from the count cell, dropping a footnote digit glued to it ("41")."""
    digits = text.strip()
    if not digits.isdigit():
        return None
    if int(digits) in NODE_GPU_COUNTS:
        return int(digits)
    if len(digits) > 1 and int(digits[:-1]) in NODE_GPU_COUNTS:
        return int(digits[:-1])
    return None


def _add_row(snapshot: Snapshot, cells: Cells, result: ParseResult) -> None:
    if "error" in cells:
        result.reject(snapshot, cells["error"], cells)
        return
    if cells["price"].strip().lower() == CONTACT_SALES:
        result.exclude("contact sales")
        return
    count = _node_gpu_count(cells["count"])
    if count is None:
        result.reject(snapshot, f"GPU count {cells['count']!r} is not a GPUs-per-node number",
                      cells)
        return
    # The memory disambiguates names that are ambiguous alone (GH200 comes with 96 or 144 GB).
    name = f'{re.sub(r"^NVIDIA (HGX )?", "", cells["name"]).strip()} {cells["vram"]}GB'
    add_offer(result, snapshot, cells, listed_price=cells["price"], listed_unit="USD/hour",
              price_basis="instance", gpu_count=count, sku=cells["name"], region="global",
              seller=None, provider_gpu_name=name,
              gpu_memory_gb=optional_number(cells["vram"]),
              vcpus=optional_number(cells["vcpus"]), memory_gb=optional_number(cells["ram"]),
              price_type="on_demand", available=None, offer_id=None)


SOURCE = offer_source(
    name=NAME,
    title="CoreWeave GPU instance prices (public pricing page)",
    protocol="html",
    homepage=PRICING_URL,
    urls=(PRICING_URL,),
    terms="CoreWeave's public pricing web page, read once a day with robots.txt honoured; "
          "CoreWeave's website terms apply. Whole-node on-demand list prices; reserved "
          "capacity is priced by sales only.",
    fetch=fetch,
    parse=parse,
)
