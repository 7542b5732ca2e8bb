"""The raw archive: streamed content-addressed blobs, an append-only manifest that survives torn
and hostile lines, verified reads, and the choice of the fetch a backfill parses."""

import gzip
import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from sources.archive import RawArchive, ResponseMeta
from sources.errors import ArchiveError, CorruptBlobError

DAY = date(2026, 11, 20)
T0 = datetime(2026, 11, 20, 6, tzinfo=UTC)


def _meta(fetch_id, sequence, status=200, minutes=0, source="demo", superseded=False):
    return ResponseMeta(source=source, observation_date=DAY, fetch_id=fetch_id,
                        sequence=sequence, mode="live", method="GET",
                        url=f"https://x.org/{sequence}", request_body_sha256=None,
                        status_code=status, content_type="application/json",
                        fetched_at=T0 + timedelta(minutes=minutes), superseded=superseded)


def test_identical_bodies_share_one_blob_and_manifest_is_append_only(tmp_path):
    archive = RawArchive(tmp_path)
    a = archive.store_bytes(_meta("f1", 0), b'{"a":1}')
    archive.store_bytes(_meta("f2", 0, minutes=5), b'{"a":1}')
    assert len(list((tmp_path / "blobs").rglob("*.gz"))) == 1
    assert not list((tmp_path / "blobs").rglob("*.tmp"))
    with gzip.open(archive.blob_path(a.sha256)) as f:
        assert f.read() == b'{"a":1}'
    lines = archive.manifest_path.read_text().splitlines()
    assert len(lines) == 2
    assert {"sha256", "size_bytes", "final_url", "complete", "superseded"} <= set(
        json.loads(lines[0]))


def test_body_streams_in_chunks_and_a_cap_keeps_the_prefix_marked_incomplete(tmp_path):
    archive = RawArchive(tmp_path)
    stored = archive.store(_meta("f1", 0), (b"x" * 1000 for _ in range(10)), max_bytes=2500)
    assert stored.truncated and stored.snapshot.size_bytes == 2500
    assert stored.snapshot.body == b"x" * 2500
    [entry] = archive.entries()
    assert entry.complete is False
    assert archive.latest_fetch("demo", DAY) == []


def test_an_error_while_streaming_keeps_what_arrived(tmp_path):
    def chunks():
        yield b"partial"
        raise TimeoutError("drip")

    stored = RawArchive(tmp_path).store(_meta("f1", 0), chunks())
    assert isinstance(stored.interrupted, TimeoutError)
    assert stored.snapshot.body == b"partial" and not stored.snapshot.complete


def test_newest_complete_fetch_skips_errors_partial_bodies_and_retried_attempts(tmp_path):
    archive = RawArchive(tmp_path)
    archive.store_bytes(_meta("old", 0), b"p1")
    archive.store_bytes(_meta("old", 1), b"p2")
    # a newer fetch whose first page was retried after a 503, then succeeded
    archive.store_bytes(_meta("new", 0, status=503, minutes=10, superseded=True), b"busy")
    archive.store_bytes(_meta("new", 0, minutes=11), b"n1")
    # the newest fetch ended on an error
    archive.store_bytes(_meta("broken", 0, minutes=20), b"b1")
    archive.store_bytes(_meta("broken", 1, status=500, minutes=21), b"oops")
    fetches = [[s.body for s in f] for f in archive.fetches("demo", DAY)]
    assert fetches == [[b"n1"], [b"p1", b"p2"]]
    assert [s.body for s in archive.latest_fetch("demo", DAY)] == [b"n1"]
    assert archive.latest_fetch("demo", date(2026, 11, 19)) == []


def test_a_corrupt_or_missing_blob_is_refused_on_read(tmp_path):
    archive = RawArchive(tmp_path)
    snapshot = archive.store_bytes(_meta("f1", 0), b'{"price": 1.5}')
    with gzip.open(snapshot.blob, "wb") as f:
        f.write(b'{"price": 0.5}')
    with pytest.raises(CorruptBlobError, match="does not match its manifest entry"):
        _ = archive.latest_fetch("demo", DAY)[0].body
    snapshot.blob.write_bytes(b"not gzip at all")
    with pytest.raises(CorruptBlobError, match="cannot read"):
        _ = snapshot.body
    snapshot.blob.unlink()
    with pytest.raises(CorruptBlobError, match="missing"):
        _ = snapshot.body
    with pytest.raises(CorruptBlobError), snapshot.local_file() as _:
        pass


def test_torn_and_garbage_manifest_lines_are_skipped_and_never_swallow_the_next(tmp_path, caplog):
    archive = RawArchive(tmp_path)
    archive.store_bytes(_meta("f1", 0), b"one")
    with archive.manifest_path.open("a") as f:
        f.write("not json at all\n")
        f.write('{"source": "demo", "observation_da')  # torn: the writer died here
    with caplog.at_level(logging.WARNING):
        archive.store_bytes(_meta("f2", 0, minutes=5), b"two")
        fresh = RawArchive(tmp_path)
        assert [e.fetch_id for e in fresh.entries()] == ["f1", "f2"]
    assert fresh.skipped_lines == 2
    assert "torn line" in caplog.text and "skipping manifest line" in caplog.text


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "ab" * 40, "ABCDEF" + "0" * 58, 12])
def test_a_manifest_entry_whose_hash_is_not_a_hex_digest_is_refused(tmp_path, hostile):
    archive = RawArchive(tmp_path)
    good = archive.store_bytes(_meta("f1", 0), b"one")
    line = json.loads(archive.manifest_path.read_text())
    line |= {"sha256": hostile, "fetch_id": "evil"}
    with archive.manifest_path.open("a") as f:
        f.write(json.dumps(line) + "\n")
    fresh = RawArchive(tmp_path)
    assert [e.sha256 for e in fresh.entries()] == [good.sha256]
    with pytest.raises(ArchiveError):
        fresh.blob_path("../../x")


def test_the_index_reads_only_what_was_appended(tmp_path):
    archive = RawArchive(tmp_path)
    archive.store_bytes(_meta("f1", 0), b"one")
    assert len(archive.entries("demo", DAY)) == 1
    offset = archive._index.offset
    archive.store_bytes(_meta("f2", 0, minutes=1), b"two")
    assert len(archive.entries("demo", DAY)) == 2
    assert archive._index.offset > offset and archive._index.n_entries == 2
