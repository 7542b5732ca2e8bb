"""Monthly Excel reports listed on a web page (Loudoun County's "Permits - Issued Building
Report"): the fetch that finds the report month's workbook on the listing page, and the rows of
a workbook mapped through the per-vintage layout maps (``layouts/sheets.csv`` and
``layouts/columns.csv``, under the source's name), for jurisdiction rows with protocol
``excel_report``.

Live path: ``GET`` the row's endpoint (the listing page), pick the link whose text or URL names
the report month (``November 2024``, ``NOVEMBER_2024``), ``GET`` that workbook. A listing
without the month is a FetchError naming the months it does list (the report appears during the
next month). Columns the layout does not map are never read into a record; the row's private
columns (contact first and last names) are also removed from rejected rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from urllib.parse import unquote, urljoin

from sources.buildout.jurisdictions import Jurisdiction, SourceRow, public
from sources.buildout.layout import Skipped, mapped_sheets
from sources.buildout.queue import report_month
from sources.errors import FetchError
from sources.http import FetchSession
from sources.snapshot import Snapshot

_LINK = re.compile(r"<a\b[^>]*?href\s*=\s*[\"']([^\"']+)[\"'][^>]*>(.*?)</a>",
                   re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_MONTH_YEAR = re.compile(r"(January|February|March|April|May|June|July|August|September|"
                         r"October|November|December)[\W_]*(\d{4})", re.IGNORECASE)


def report_link(html: str, month: date, base_url: str) -> str | None:
    """The absolute URL of the link naming ``month`` (link text or URL), else None."""
    wanted = re.compile(rf"{month:%B}[\W_]*{month.year}", re.IGNORECASE)
    for href, label in _LINK.findall(html):
        text = unescape(_TAG.sub(" ", label))
        if wanted.search(text) or wanted.search(unquote(unescape(href))):
            return urljoin(base_url, unescape(href))
    return None


def fetch(jurisdiction: Jurisdiction, session: FetchSession) -> None:
    listing = session.get(jurisdiction.endpoint, headers={"Accept": "text/html"})
    html = listing.body.decode("utf-8", "replace")
    month = session.observation_date.replace(day=1)
    url = report_link(html, month, jurisdiction.endpoint)
    if url is None:
        listed = sorted({f"{m.title()} {y}" for m, y in _MONTH_YEAR.findall(unescape(html))})
        raise FetchError(f"{jurisdiction.name}: {jurisdiction.endpoint} lists no report for "
                         f"{month:%B %Y} (it lists: {', '.join(listed) or 'no months'})")
    session.get(url)


def rows(jurisdiction: Jurisdiction, snapshot: Snapshot) -> Iterator[SourceRow | Skipped]:
    for layout, items in mapped_sheets(snapshot, jurisdiction.name, report_month(snapshot)):
        for item in items:
            if isinstance(item, Skipped):
                yield Skipped(item.number, f"{layout.sheet} row {item.number}: {item.reason}",
                              public(jurisdiction, item.raw), item.trailing)
            else:
                yield SourceRow(item.number, item.values,
                                lambda r=item: public(jurisdiction, r.raw))
