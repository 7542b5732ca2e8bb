"""The bad-input corpus: malformed, hostile and faulty payloads and failures, each run through
the real path (live fetch over a mocked network -> archive -> parse -> rebuild with checks ->
publish), holding the same invariants every time:

* no traceback: a source problem is an error message on the outcome, never an exception;
* no good row lost: the rows of a payload that are fine all arrive;
* no bad row published: the published snapshot holds only finite, positive, in-bounds prices;
* no secret anywhere: not in the warehouse, the published file, the archive's metadata or
  bodies, nor the logs.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
import respx

from pipelines.steps import fetch_source, parse_source
from sources.archive import RawArchive
from sources.http import HttpSettings
from sources.prices import azure_retail, openrouter, runpod
from sources.snapshot import Snapshot
from tests.conftest import FIXTURES
from warehouse.build import PRICES, build_domain_partition
from warehouse.connection import WarehouseSettings
from warehouse.publish import publish_snapshot
from warehouse.reference import refresh_cached
from warehouse.schema import ensure_schema

DAY = date(2026, 11, 20)
SECRET = "sk-corpus-7f3a9c51e2d84b60"
FAST = HttpSettings(min_interval_s=0, retries=2, backoff_factor_s=0.001, max_backoff_wait_s=0.01)
CORE = ("core.cloud__daily_gpu_offers", "core.gpu__daily_unmapped_names",
        "core.llm__daily_token_prices", "out.gpu__daily_price_index")

OPENROUTER = json.loads((FIXTURES / "openrouter/models.json").read_text())
RUNPOD = json.loads((FIXTURES / "runpod/gpu_types.json").read_text())
AZURE_1 = json.loads((FIXTURES / "azure_retail/page_1.json").read_text())
AZURE_2 = json.loads((FIXTURES / "azure_retail/page_2.json").read_text())
# good rows of each untouched fixture (see the parser tests)
BASE_ROWS = {"openrouter": 7, "runpod": 31, "azure_retail": 13}


def _json(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def _openrouter(mutate) -> bytes:
    payload = copy.deepcopy(OPENROUTER)
    return mutate(payload) if callable(mutate) else payload


def _set_model(index: int, **fields):
    def mutate(payload):
        model = payload["data"][index]
        for key, value in fields.items():
            if key in ("prompt", "completion"):
                model["pricing"][key] = value
            else:
                model[key] = value
        return _json(payload)
    return mutate


def _runpod_price(index: int, field: str, value):
    def body():
        payload = copy.deepcopy(RUNPOD)
        payload["data"]["gpuTypes"][index][field] = value
        return _json(payload)
    return body


def _azure_item(index: int, **fields):
    def body():
        payload = copy.deepcopy(AZURE_1)
        payload["Items"][index].update(fields)
        return _json(payload)
    return body


@dataclass
class Case:
    """A source answering ``responses`` (bodies, ``httpx.Response``s or exceptions) to its
    first request; Azure's second page answers ``page_2``. ``rows`` is how many good rows must
    arrive (None: the source must fail with ``error`` in its message)."""

    source: Any
    responses: list
    rows: int | None
    error: str = ""
    page_2: Any = None
    settings: dict | None = None


def _good(source) -> list:
    return {"openrouter": [_json(OPENROUTER)], "runpod": [_json(RUNPOD)],
            "azure_retail": [_json(AZURE_1)]}[source.NAME]


DEEP = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body>"

CASES: dict[str, Case] = {
    # ---- malformed bodies
    "truncated_json": Case(openrouter, [_json(OPENROUTER)[:5000]], None, "malformed JSON"),
    "garbage_bytes": Case(openrouter, [b"\x00\xff\xfe garbage \x81"], None, "expected JSON"),
    "html_error_page_200": Case(openrouter, [HTML], None, "HTML page"),
    "empty_body": Case(openrouter, [b""], None, "empty body"),
    "whitespace_body": Case(openrouter, [b" \n\t "], None, "empty body"),
    "json_null": Case(openrouter, [b"null"], None, "expected a JSON object"),
    "json_array_top_level": Case(openrouter, [b"[1, 2, 3]"], None, "expected a JSON object"),
    "deeply_nested_json": Case(openrouter, [DEEP], None, "nested"),
    "nan_literal": Case(openrouter, [b'{"data": [{"id": "x", "pricing": {"prompt": NaN}}]}'],
                        None, "malformed JSON"),
    "infinity_literal": Case(openrouter, [b'{"data": [Infinity]}'], None, "malformed JSON"),
    "invalid_utf8_in_name": Case(openrouter, [_json(OPENROUTER).replace(
        b"Anthropic: Claude Sonnet 4.6", b"Anthropic \xff\xfe")], None, "expected JSON"),
    "utf8_bom": Case(openrouter, [b"\xef\xbb\xbf" + _json(OPENROUTER)], BASE_ROWS["openrouter"]),
    # ---- schema drift
    "data_renamed": Case(openrouter, [_json({"models": OPENROUTER["data"]})], None,
                         "no 'data' field"),
    "data_not_a_list": Case(openrouter, [_json({"data": {"a": 1}})], None, "expected a list"),
    "entries_not_objects": Case(openrouter, [_json({"data": [1, "x"]})], None,
                                "are not objects"),
    "empty_model_list": Case(openrouter, [_json({"data": []})], None, "no usable rows"),
    "extra_unknown_fields": Case(openrouter, [_openrouter(
        lambda p: _json({**p, "new_field": 1, "data": [{**m, "surprise": [1]} for m in
                                                        p["data"]]}))],
        BASE_ROWS["openrouter"]),
    "pricing_missing": Case(openrouter, [_openrouter(_set_model(0, pricing=None))],
                            BASE_ROWS["openrouter"] - 1),
    # ---- bad values (the row is rejected with a reason, the rest arrive)
    "boolean_price": Case(openrouter, [_openrouter(_set_model(0, prompt=True))],
                          BASE_ROWS["openrouter"] - 1),
    "text_price": Case(openrouter, [_openrouter(_set_model(0, completion="call us"))],
                       BASE_ROWS["openrouter"] - 1),
    "negative_price": Case(openrouter, [_openrouter(_set_model(0, prompt="-0.5"))],
                           BASE_ROWS["openrouter"] - 1),
    "overflowing_price": Case(openrouter, [_openrouter(_set_model(0, prompt="1e400"))],
                              BASE_ROWS["openrouter"] - 1),
    "nan_text_price": Case(openrouter, [_openrouter(_set_model(0, completion="NaN"))],
                           BASE_ROWS["openrouter"] - 1),
    "absurd_price": Case(openrouter, [_openrouter(_set_model(0, completion="5"))],
                         BASE_ROWS["openrouter"] - 1),
    "duplicate_model_ids": Case(openrouter, [_openrouter(
        lambda p: _json({"data": p["data"] + [p["data"][0]]}))], BASE_ROWS["openrouter"]),
    "ten_megabyte_name": Case(openrouter, [_openrouter(_set_model(0, name="x" * 10_000_000))],
                              BASE_ROWS["openrouter"]),
    "runpod_graphql_errors": Case(runpod, [_json({"errors": [{"message": "rate limited"}]})],
                                  None, "GraphQL errors"),
    "runpod_data_null": Case(runpod, [_json({"data": None})], None, "expected a JSON object"),
    "runpod_gpu_types_missing": Case(runpod, [_json({"data": {}})], None, "no 'gpuTypes'"),
    "runpod_price_as_text": Case(runpod, [_runpod_price(0, "securePrice", "2.49")()],
                                 BASE_ROWS["runpod"] - 1),
    "runpod_price_boolean": Case(runpod, [_runpod_price(0, "securePrice", True)()],
                                 BASE_ROWS["runpod"] - 1),
    "runpod_negative_price": Case(runpod, [_runpod_price(0, "securePrice", -2.49)()],
                                  BASE_ROWS["runpod"] - 1),
    "runpod_absurd_price": Case(runpod, [_runpod_price(0, "securePrice", 1e9)()],
                                BASE_ROWS["runpod"] - 1),
    "runpod_duplicate_gpu_types": Case(runpod, [_json({"data": {"gpuTypes": RUNPOD["data"][
        "gpuTypes"] + RUNPOD["data"]["gpuTypes"][:1]}})], BASE_ROWS["runpod"]),
    "azure_items_renamed": Case(azure_retail, [_json({**AZURE_1, "Items": None,
                                                      "items": AZURE_1["Items"]})], None,
                                "Items"),
    "azure_price_boolean": Case(azure_retail, [_azure_item(0, retailPrice=True)()],
                                BASE_ROWS["azure_retail"] - 1),
    "azure_price_text": Case(azure_retail, [_azure_item(0, retailPrice="98.32")()],
                             BASE_ROWS["azure_retail"] - 1),
    "azure_absurd_price": Case(azure_retail, [_azure_item(0, retailPrice=1e9)()],
                               BASE_ROWS["azure_retail"] - 1),
    "azure_page_2_truncated": Case(azure_retail, [_json(AZURE_1)], None, "malformed JSON",
                                   page_2=_json(AZURE_2)[:300]),
    "azure_next_link_loops": Case(azure_retail, [_json(AZURE_1)], None, "repeats",
                                  page_2=_json({**AZURE_2, "NextPageLink": AZURE_1[
                                      "NextPageLink"]})),
    "azure_next_link_leaves_host": Case(azure_retail, [_json(
        {**AZURE_1, "NextPageLink": "https://evil.example.org/p?x=1"})], None, "leaves"),
    # ---- HTTP faults
    "http_500_persistent": Case(openrouter, [httpx.Response(500, text="oops")] * 3, None,
                                "HTTP 500"),
    "http_429_persistent": Case(openrouter, [httpx.Response(429, headers={"Retry-After": "0"})]
                                * 3, None, "HTTP 429"),
    "http_404": Case(openrouter, [httpx.Response(404, text="gone")], None, "HTTP 404"),
    "http_503_then_ok": Case(openrouter, [httpx.Response(503), _json(OPENROUTER)],
                             BASE_ROWS["openrouter"]),
    "read_timeout": Case(openrouter, [httpx.ReadTimeout("slow")] * 3, None, "timed out"),
    "connection_refused": Case(openrouter, [httpx.ConnectError("refused")] * 3, None,
                               "ConnectError"),
    "body_over_the_cap": Case(openrouter, [_json(OPENROUTER)], None, "byte cap",
                              settings={"max_response_bytes": 1000}),
    "slow_drip_past_the_deadline": Case(openrouter, ["drip"], None, "deadline",
                                        settings={"deadline_s": 0.3}),
    "redirect_then_ok": Case(openrouter, ["redirect"], BASE_ROWS["openrouter"]),
    # ---- secrets echoed back
    "secret_echoed_in_error_body": Case(runpod, [httpx.Response(
        401, text=f'{{"error": "invalid key {SECRET}"}}')], None, "HTTP 401"),
    "secret_echoed_in_good_body": Case(runpod, [_json(RUNPOD)[:-2] + f', "echo": "{SECRET}"}}}}'
                                                .encode()], BASE_ROWS["runpod"]),
    "secret_echoed_in_exception": Case(runpod, [httpx.ConnectError(f"bad token {SECRET}")] * 3,
                                       None, "ConnectError"),
}


def _respond(case: Case, request_count: list[int]):
    def answer(request: httpx.Request):
        request_count[0] += 1
        index = min(request_count[0] - 1, len(case.responses) - 1)
        item = case.responses[index]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, httpx.Response):
            return item
        if item == "drip":
            def chunks():
                for _ in range(20):
                    time.sleep(0.05)
                    yield b" "
            return httpx.Response(200, stream=_Stream(chunks()))
        if item == "redirect":
            if "moved" in str(request.url):
                return httpx.Response(200, content=_json(OPENROUTER))
            return httpx.Response(302, headers={"location": "https://openrouter.ai/moved"})
        return httpx.Response(200, content=item)
    return answer


class _Stream(httpx.SyncByteStream):
    def __init__(self, chunks) -> None:
        self._chunks = chunks

    def __iter__(self):
        yield from self._chunks


@dataclass
class Run:
    outcome: Any
    fetch: Any
    settings: WarehouseSettings
    logs: str


def _run(tmp_path: Path, case: Case, caplog, monkeypatch) -> Run:
    monkeypatch.setenv("RUNPOD_API_KEY", SECRET)
    source = case.source.SOURCE
    if case.settings:
        source = replace(source, **case.settings)
    settings = WarehouseSettings.from_env(tmp_path / "data")
    archive = RawArchive(settings.archive_dir)
    count = [0]
    with caplog.at_level(logging.DEBUG), respx.mock(assert_all_called=False) as network:
        if source.name == "azure_retail":
            second = case.page_2 if case.page_2 is not None else _json(AZURE_2)
            network.get(url__regex=r"prices\.azure\.com.*skip=1000").mock(
                return_value=httpx.Response(200, content=second))
            network.get(url__regex=r"prices\.azure\.com").mock(side_effect=_respond(case, count))
        else:
            network.route(host__regex=r".*").mock(side_effect=_respond(case, count))
        fetch = fetch_source(archive, source, DAY, "live", http=FAST)
        with settings.connect() as con:
            ensure_schema(con)
            refresh_cached(con)
            outcome = parse_source(con, archive, source, DAY, run_id="corpus")
            build_domain_partition(con, PRICES, DAY, tables=CORE, run_id="corpus")
            publish_snapshot(con, settings.published_path)
    return Run(outcome, fetch, settings, caplog.text)


def _strings_in(database: Path) -> list[str]:
    """Every text value of every table of a DuckDB file."""
    found = []
    with duckdb.connect(str(database), read_only=True) as con:
        columns = con.execute("SELECT table_schema, table_name, column_name FROM "
                              "information_schema.columns WHERE data_type = 'VARCHAR'").fetchall()
        for schema, name, column in columns:
            found += [r[0] for r in con.execute(
                f'SELECT "{column}" FROM "{schema}"."{name}" WHERE "{column}" LIKE ?',
                [f"%{SECRET[:12]}%"]).fetchall()]
    return found


def _secret_anywhere(run: Run) -> list[str]:
    places = []
    archive = RawArchive(run.settings.archive_dir)
    for path in (archive.manifest_path, archive.root / "fetch_log.jsonl"):
        if path.exists() and SECRET in path.read_text():
            places.append(str(path))
    for entry in archive.entries():
        if SECRET.encode() in archive.snapshot(entry).body:
            places.append(f"blob {entry.sha256[:12]}")
    if run.settings.published_path.exists() and _strings_in(run.settings.published_path):
        places.append("published snapshot")
    if _strings_in(Path(run.settings.database)):
        places.append("warehouse")
    if SECRET in run.logs:
        places.append("logs")
    return places


def _published_prices_are_sound(run: Run) -> None:
    with duckdb.connect(str(run.settings.published_path), read_only=True) as con:
        for (value,) in con.execute("SELECT usd_per_gpu_hour FROM core.cloud__daily_gpu_offers "
                                    "WHERE usd_per_gpu_hour IS NOT NULL").fetchall():
            assert math.isfinite(value) and 0.01 < value <= 100
        for row in con.execute("SELECT usd_per_million_input_tokens, "
                               "usd_per_million_output_tokens "
                               "FROM core.llm__daily_token_prices").fetchall():
            assert all(math.isfinite(v) and 0 <= v <= 1000 for v in row)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name, tmp_path, caplog, monkeypatch):
    case = CASES[name]
    run = _run(tmp_path, case, caplog, monkeypatch)
    assert "Traceback" not in run.logs and "unexpected error" not in run.logs
    if case.rows is None:
        assert not run.outcome.ok
        error = (run.fetch.error or "") + " | " + (run.outcome.error or "")
        assert case.error in error, error
        assert len(error) < 3000
        # the raw payload is kept either way (when a response arrived at all)
        if not any(isinstance(r, Exception) for r in case.responses):
            assert RawArchive(run.settings.archive_dir).entries()
    else:
        assert run.outcome.ok, run.outcome.error
        assert run.outcome.n_records == case.rows
    _published_prices_are_sound(run)
    assert _secret_anywhere(run) == []


def test_the_corpus_has_at_least_fifty_kinds_of_bad_input():
    assert len(CASES) + len(ARCHIVE_FAULTS) >= 50


# ---------------------------------------------------------------------------- archive faults


def _archive_with_two_fetches(root: Path) -> tuple[RawArchive, Snapshot, Snapshot]:
    """An archive holding an older good openrouter fetch and a newer one."""
    archive = RawArchive(root)
    from datetime import UTC, datetime

    from sources.archive import ResponseMeta

    def meta(fetch_id, hour):
        return ResponseMeta(source="openrouter", observation_date=DAY, fetch_id=fetch_id,
                            sequence=0, mode="live", method="GET", url=openrouter.MODELS_URL,
                            request_body_sha256=None, status_code=200,
                            content_type="application/json",
                            fetched_at=datetime(2026, 11, 20, hour, tzinfo=UTC))
    older = archive.store_bytes(meta("older", 6), _json(OPENROUTER))
    newer = archive.store_bytes(meta("newer", 7), _json({"data": OPENROUTER["data"][:3]}))
    return archive, older, newer


def _corrupt_blob(archive, older, newer):
    import gzip
    with gzip.open(newer.blob, "wb") as f:
        f.write(b'{"data": []}')


def _missing_blob(archive, older, newer):
    newer.blob.unlink()


def _unparseable_newest(archive, older, newer):
    from datetime import UTC, datetime

    from sources.archive import ResponseMeta
    archive.store_bytes(ResponseMeta(
        source="openrouter", observation_date=DAY, fetch_id="newest", sequence=0, mode="live",
        method="GET", url=openrouter.MODELS_URL, request_body_sha256=None, status_code=200,
        content_type="text/html", fetched_at=datetime(2026, 11, 20, 8, tzinfo=UTC)), HTML)
    return "newer"  # the newest that parses is the 'newer' fetch


def _torn_manifest(archive, older, newer):
    with archive.manifest_path.open("a") as f:
        f.write('{"source": "openrouter", "observ')


def _garbage_manifest_line(archive, older, newer):
    with archive.manifest_path.open("a") as f:
        f.write("\x00\x01 not json\n")


def _hostile_hash(archive, older, newer):
    line = json.loads(archive.manifest_path.read_text().splitlines()[-1])
    line |= {"sha256": "../../../../etc/passwd", "fetch_id": "hostile",
             "fetched_at": "2026-11-20T09:00:00+00:00"}
    with archive.manifest_path.open("a") as f:
        f.write(json.dumps(line) + "\n")


ARCHIVE_FAULTS = {
    "corrupt_blob_falls_back_to_older_fetch": (_corrupt_blob, "older", 7),
    "missing_blob_falls_back_to_older_fetch": (_missing_blob, "older", 7),
    "unparseable_newest_fetch_is_skipped": (_unparseable_newest, "newer", 3),
    "torn_manifest_line": (_torn_manifest, "newer", 3),
    "garbage_manifest_line": (_garbage_manifest_line, "newer", 3),
    "hostile_hash_in_manifest": (_hostile_hash, "newer", 3),
}


@pytest.mark.parametrize("name", sorted(ARCHIVE_FAULTS))
def test_archive_fault(name, tmp_path, caplog):
    fault, expected_fetch, rows = ARCHIVE_FAULTS[name]
    settings = WarehouseSettings.from_env(tmp_path / "data")
    archive, older, newer = _archive_with_two_fetches(settings.archive_dir)
    fault(archive, older, newer)
    with caplog.at_level(logging.WARNING), settings.connect() as con:
        ensure_schema(con)
        outcome = parse_source(con, RawArchive(settings.archive_dir), openrouter.SOURCE, DAY,
                               run_id="corpus")
    assert outcome.ok, outcome.error
    assert outcome.fetch_id == expected_fetch and outcome.n_records == rows
    if expected_fetch == "older":
        assert "does not match" in outcome.skipped[0] or "missing" in outcome.skipped[0]
    assert "Traceback" not in caplog.text
    # the next append after a torn or garbage line is a line of its own
    before = RawArchive(settings.archive_dir).entries()
    archive.store_bytes(before[-1], b"{}")
    after = RawArchive(settings.archive_dir).entries()
    assert len(after) == len(before) + 1 and after[-1].size_bytes == 2
