"""Fixtures shared by the whole suite: recorded payloads, the real-payload folder, temp stores.

The network is off for every test (pytest-socket, see pyproject); tests use recorded payloads,
respx mocks or local servers.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sources.snapshot import Snapshot

# rich sizes tables to the terminal; give CLI tests a wide one so cells are not folded.
os.environ.setdefault("COLUMNS", "200")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO_ARCHIVE = FIXTURES / "demo_archive"
DEMO_DATE = date(2026, 11, 20)


@pytest.fixture(scope="session", autouse=True)
def api_keys_for_replay():
    """A placeholder key for every source that requires one, as a configured deployment has:
    tests never reach a real API, and replayed fetches send keys only in headers."""
    from sources.registry import SOURCES

    with pytest.MonkeyPatch.context() as patch:
        for source in SOURCES.values():
            if source.api_key_required and source.api_key_env:
                patch.setenv(source.api_key_env, f"test-key-for-{source.name}")
        yield


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (real payloads captured from public sources); skips when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


@pytest.fixture
def make_snapshot():
    """Build a :class:`Snapshot` of ``body`` as if ``source`` had received it from ``url``."""

    def make(source: str, body: bytes, *, url: str, method: str = "GET",
             sequence: int = 0) -> Snapshot:
        return Snapshot.from_bytes(
            body, source=source, observation_date=DEMO_DATE, fetch_id="test-fetch",
            sequence=sequence, mode="file", method=method, url=url, request_body_sha256=None,
            status_code=200, content_type="application/json",
            fetched_at=datetime(2026, 11, 20, 6, tzinfo=UTC))

    return make


@pytest.fixture
def fixture_bytes():
    """Read a recorded payload under tests/fixtures by relative path."""

    def read(relative: str) -> bytes:
        return (FIXTURES / relative).read_bytes()

    return read


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory) -> Path:
    """A Dagster instance of the test session's own (the CLI runs through Dagster), with the
    repository's instance config."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = previous


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory, dagster_home) -> tuple[Path, str]:
    """The demo archive refreshed once per test session through the CLI, as ``make demo``
    runs it: the data directory (archive, warehouse, published snapshot) and what the refresh
    printed. Tests read it; none may change it."""
    from typer.testing import CliRunner

    from pipelines.cli import app

    data = tmp_path_factory.mktemp("demo") / "data"
    result = CliRunner().invoke(app, ["refresh", "--replay", str(DEMO_ARCHIVE), "--date",
                                      str(DEMO_DATE), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return data, result.output
