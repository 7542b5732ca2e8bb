"""The committed demo archive (tests/fixtures/demo_archive): replay serves every request the price
sources' fetch() makes, the replayed fetch parses like the fixtures, and the archive is what
tests/fixtures/make_demo_archive.py writes today (so it cannot drift from the fixtures)."""

from __future__ import annotations

import gzip
import importlib.util

import pytest

from sources.archive import RawArchive
from sources.http import FetchSession, HttpSettings, ReplayTransport, build_client
from tests.conftest import DEMO_ARCHIVE, DEMO_DATE, FIXTURES
from tests.sources.offer_specs import SPECS
from tests.sources.results import records
from tests.sources.test_gpu_offer_fetch import FETCHED_RECORDS

spec = importlib.util.spec_from_file_location("make_demo_archive",
                                              FIXTURES / "make_demo_archive.py")
make_demo_archive = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_demo_archive)

EXPECTED = {  # source -> (responses, records, rejects)
    "azure_retail": (2, 13, 2),
    "runpod": (1, 31, 3),
    "openrouter": (1, 7, 1),
    **{name: (len(spec.files) + (2 if name == "aws_ec2" else 0), FETCHED_RECORDS[name],
              spec.rejects) for name, spec in SPECS.items()},
    "gcp_billing": (3, 4, 0),
}


@pytest.mark.parametrize("source", make_demo_archive.PRICE_SOURCES, ids=lambda s: s.name)
def test_replay_serves_every_request_of_fetch(tmp_path, source):
    replayed = RawArchive(tmp_path / "replayed")
    transport = ReplayTransport(RawArchive(DEMO_ARCHIVE))
    with build_client(HttpSettings(min_interval_s=0), transport=transport) as client:
        session = FetchSession(source=source.name, observation_date=DEMO_DATE, client=client,
                               archive=replayed, mode="replay")
        source.fetch(session)

    result = source.parse(session.snapshots)
    assert (len(session.snapshots), len(result.records), len(result.rejects)) == (
        EXPECTED[source.name])
    assert records(result) == records(source.parse(
        RawArchive(DEMO_ARCHIVE).latest_fetch(source.name, DEMO_DATE)))


def without_run_identity(archive: RawArchive) -> list[dict]:
    return [{key: value for key, value in entry.__dict__.items()
             if key not in ("fetch_id", "fetched_at")} for entry in archive.entries()]


def test_demo_archive_is_what_the_script_writes_from_the_fixtures(tmp_path):
    fresh = make_demo_archive.record_demo_archive(tmp_path / "demo_archive")
    committed = RawArchive(DEMO_ARCHIVE)
    assert without_run_identity(fresh) == without_run_identity(committed), (
        "tests/fixtures/demo_archive is stale: run .venv/bin/python "
        "tests/fixtures/make_demo_archive.py")
    # The bodies, not the gzip bytes: how a body is cut into compressed chunks depends on the
    # secrets registered in the process (redaction holds back the tail of each chunk).
    for entry in committed.entries():
        assert gzip.decompress(fresh.blob_path(entry.sha256).read_bytes()) == \
            gzip.decompress(committed.blob_path(entry.sha256).read_bytes())


@pytest.mark.parametrize("source", make_demo_archive.MONTHLY_SOURCES, ids=lambda s: s.name)
def test_replay_serves_the_monthly_reports_of_the_demo_month(tmp_path, source):
    transport = ReplayTransport(RawArchive(DEMO_ARCHIVE))
    with build_client(HttpSettings(min_interval_s=0), transport=transport) as client:
        session = FetchSession(source=source.name, observation_date=make_demo_archive.DEMO_MONTH,
                               client=client, archive=RawArchive(tmp_path / "r"), mode="replay")
        source.fetch(session)
    result = source.parse(session.snapshots)
    assert result.records, source.name
    assert {s.observation_date for s, _ in result.records} == {make_demo_archive.DEMO_MONTH}
