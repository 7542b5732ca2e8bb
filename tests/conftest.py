"""Fixtures shared by the whole suite: recorded payloads, the real-payload folder, temp stores.

The network is off for every test (pytest-socket, see pyproject); tests use recorded payloads,
respx mocks or local servers.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

# rich sizes tables to the terminal; give CLI tests a wide one so cells are not folded.
os.environ.setdefault("COLUMNS", "200")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO_ARCHIVE = FIXTURES / "demo_archive"
DEMO_DATE = date(2026, 11, 20)


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (real payloads captured from public sources); skips when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


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
