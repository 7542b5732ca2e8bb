"""Fixtures for the source tests: snapshots built from bytes, and fetch sessions over a mocked
network (respx) that archive into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.archive import RawArchive
from sources.base import Source
from sources.http import FetchSession, HttpSettings, build_client
from sources.snapshot import Snapshot
from tests.conftest import DEMO_DATE, FIXTURES

# No pacing and millisecond backoff, so retry tests take no noticeable time.
FAST_HTTP = HttpSettings(min_interval_s=0, retries=2, backoff_factor_s=0.001,
                         max_backoff_wait_s=5)


@pytest.fixture
def fixture_snapshots(make_snapshot):
    """Snapshots of recorded fixture files, in fetch order, for one source."""

    def snapshots(source: Source, *relative_paths: str) -> list[Snapshot]:
        method = "POST" if source.protocol == "graphql" else "GET"
        return [make_snapshot(source.name, (FIXTURES / path).read_bytes(), url=source.urls[0],
                              method=method, sequence=index)
                for index, path in enumerate(relative_paths)]

    return snapshots


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def live_session(archive_dir: Path):
    """A :class:`FetchSession` on the project's client (network mocked by respx in the test)."""
    clients = []

    def make(source: Source, *, api_key: str | None = None,
             settings: HttpSettings = FAST_HTTP) -> FetchSession:
        client = build_client(settings)
        clients.append(client)
        return FetchSession(source=source.name, observation_date=DEMO_DATE, client=client,
                            archive=RawArchive(archive_dir), mode="live", settings=settings,
                            api_key=api_key)

    yield make
    for client in clients:
        client.close()
