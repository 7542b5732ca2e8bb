"""The raw archive: content-addressed blobs, an append-only manifest, latest complete fetch."""

import gzip
import json
from datetime import UTC, date, datetime, timedelta

from sources.archive import RawArchive
from sources.snapshot import Snapshot

DAY = date(2026, 11, 20)
T0 = datetime(2026, 11, 20, 6, tzinfo=UTC)


def _snap(fetch_id, sequence, body, status=200, minutes=0, source="demo"):
    return Snapshot(source=source, observation_date=DAY, fetch_id=fetch_id, sequence=sequence,
                    mode="live", method="GET", url=f"https://x.org/{sequence}",
                    request_body_sha256=None, status_code=status, content_type="application/json",
                    fetched_at=T0 + timedelta(minutes=minutes), body=body)


def test_identical_bodies_share_one_blob_and_manifest_is_append_only(tmp_path):
    archive = RawArchive(tmp_path)
    a = archive.save(_snap("f1", 0, b'{"a":1}'))
    archive.save(_snap("f2", 0, b'{"a":1}', minutes=5))
    assert len(list((tmp_path / "blobs").rglob("*.gz"))) == 1
    with gzip.open(archive.blob_path(a.sha256)) as f:
        assert f.read() == b'{"a":1}'
    lines = archive.manifest_path.read_text().splitlines()
    assert len(lines) == 2
    assert set(json.loads(lines[0])) == {
        "source", "observation_date", "fetch_id", "sequence", "mode", "method", "url",
        "request_body_sha256", "status_code", "content_type", "fetched_at", "sha256",
        "size_bytes"}


def test_latest_fetch_skips_fetches_that_ended_in_an_error(tmp_path):
    archive = RawArchive(tmp_path)
    archive.save(_snap("old", 0, b"p1"))
    archive.save(_snap("old", 1, b"p2"))
    archive.save(_snap("new", 0, b"q1", minutes=10))
    archive.save(_snap("new", 1, b"error", status=500, minutes=11))
    archive.save(_snap("other-source", 0, b"z", minutes=20, source="else"))
    assert [s.body for s in archive.latest_fetch("demo", DAY)] == [b"p1", b"p2"]
    assert archive.latest_fetch("demo", date(2026, 11, 19)) == []
