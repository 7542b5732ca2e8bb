"""What every "Prices, part 2" source owes, checked on each one's fixture: an honest registry
entry, pinned offer counts and mapping rates, and bad input (error pages, broken or renamed
JSON, prices that are booleans, text, non-finite, negative or zero) turned into rejects with
reasons or a ParseError naming the source, never another exception."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from models.records.gpu_clouds import GpuOffer
from sources.errors import ParseError
from sources.registry import SOURCES
from tests.conftest import FIXTURES
from tests.sources.offer_specs import GPU_SPECS, JSON_SPECS, SPECS, Spec, mapping_rate
from tests.sources.results import records, rejects

every_source = pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
gpu_sources = pytest.mark.parametrize("spec", GPU_SPECS.values(), ids=GPU_SPECS.keys())
json_sources = pytest.mark.parametrize("spec", JSON_SPECS.values(), ids=JSON_SPECS.keys())

# Pinned per fixture: the share of offers whose GPU maps to a canonical id.
FIXTURE_MAPPING_RATES = {
    "aws_ec2": 12 / 13,  # dl1 (Gaudi HL-205, first-generation Gaudi) has no spec row
    "aws_spot": 1.0, "gcp_billing": 1.0, "lambda": 1.0,
    "coreweave": 8 / 9,  # RTX PRO 6000 Blackwell Server Edition has no spec row
    "oci": 1.0, "vast": 1.0, "linode": 1.0,
    "vultr": 4 / 5,  # NVIDIA A16 (a four-GPU board) has no spec row
    "akash": 1.0, "shadeform": 1.0, "tensordock": 1.0, "modal": 1.0, "cudo": 1.0,
}


def snapshots_of(make_snapshot, spec: Spec, bodies: list[bytes] | None = None):
    bodies = bodies or [(FIXTURES / path).read_bytes() for path in spec.files]
    method = "POST" if spec.source.name == "vast" else "GET"
    return [make_snapshot(spec.source.name, body, url=url, method=method, sequence=index)
            for index, (body, url) in enumerate(zip(bodies, spec.urls, strict=True))]


def test_the_registry_holds_fifteen_gpu_and_three_token_sources():
    families = Counter(source.family for source in SOURCES.values())
    assert families["gpu_prices"] >= 15 and families["token_prices"] >= 3


@every_source
def test_registry_entry(spec):
    source = spec.source
    assert SOURCES[source.name] is source
    assert source.raw_table in (f"raw.{source.name}__gpu_offers",
                                f"raw.{source.name}__token_prices")
    assert (source.cadence, source.parser_version) == ("daily", "1")
    assert all(url.startswith("https://") for url in (source.homepage, *source.urls))
    assert len(source.terms) > 40
    assert (source.api_key_env is None) == (not source.api_key_required) or \
        source.name == "vast"  # vast sends a key when one is set, needs none
    if source.api_key_env:
        assert source.api_key_env in source.terms or source.name == "vast"


@every_source
def test_fixture_parse_is_pinned(make_snapshot, spec):
    result = spec.source.parse(snapshots_of(make_snapshot, spec))
    assert (len(result.records), len(result.rejects)) == (spec.records, spec.rejects)
    assert all(isinstance(record, spec.source.record_model) for record in records(result))


@gpu_sources
def test_every_offer_is_explicit_and_consistent(make_snapshot, spec):
    offers = records(spec.source.parse(snapshots_of(make_snapshot, spec)))
    for offer in offers:
        assert isinstance(offer, GpuOffer)
        assert offer.price_type in ("on_demand", "spot", "reserved", "marketplace")
        assert (offer.commitment_months > 0) == (offer.price_type == "reserved")
        assert offer.usd_per_gpu_hour == pytest.approx(offer.usd_per_hour / offer.gpu_count)
        assert offer.region
    keys = [(o.sku, o.region, o.price_type, o.commitment_months) for o in offers]
    assert len(keys) == len(set(keys))  # the conformed table's key is unique


@gpu_sources
def test_fixture_mapping_rate_is_pinned(make_snapshot, spec):
    offers = records(spec.source.parse(snapshots_of(make_snapshot, spec)))
    assert mapping_rate(offers) == pytest.approx(FIXTURE_MAPPING_RATES[spec.source.name])


# ---------------------------------------------------------------------------- bad input

GARBAGE = {
    "html_error_page": b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                       b"<body><h1>502 Bad Gateway</h1><p>cloudflare</p></body></html>",
    "truncated_json": b'{"data": [{"id": "a", "price": 1.2',
    "empty_body": b"",
    "json_null": b"null",
    "json_list_of_numbers": b"[1, 2, 3]",
    "json_empty_object": b"{}",
}


@every_source
@pytest.mark.parametrize("garbage", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_a_parse_error_naming_the_source(make_snapshot, spec, garbage):
    bodies = [garbage] * len(spec.files)
    with pytest.raises(ParseError) as raised:
        spec.source.parse(snapshots_of(make_snapshot, spec, bodies))
    assert str(raised.value).startswith(f"{spec.source.name}: ")


@every_source
def test_nothing_to_parse(spec):
    with pytest.raises(ParseError, match=f"{spec.source.name}: no snapshots"):
        spec.source.parse([])


BAD_PRICES = {
    "boolean": (True, "boolean|not units"),
    "text": ("about $2", "not a number|not units"),
    "non_finite_text": ("Infinity", "not finite|not units"),
    "negative": (-1.5, "negative"),
    "zero": (0, "price is 0"),
}


def _planted(spec: Spec, value) -> list[bytes]:
    bodies = [(FIXTURES / path).read_bytes() for path in spec.files]
    payload = json.loads(bodies[0])
    holder, key = ((spec.rename_slot or spec.price_slot) if value is KeyError
                   else spec.price_slot)(payload)
    if value is KeyError:
        holder[f"{key}_renamed"] = holder.pop(key)
    else:
        holder[key] = value
        if spec.source.name == "gcp_billing":
            holder["nanos"] = 0  # the price is units + nanos: plant the whole price
    return [json.dumps(payload).encode(), *bodies[1:]]


@json_sources
@pytest.mark.parametrize(("value", "reason"), BAD_PRICES.values(), ids=BAD_PRICES.keys())
def test_a_bad_price_is_a_reject_with_its_reason(make_snapshot, spec, value, reason):
    if value == 0 and spec.source.family == "token_prices":
        pytest.skip("0 is a real per-token price (free models)")
    result = spec.source.parse(snapshots_of(make_snapshot, spec, _planted(spec, value)))
    assert len(result.records) < spec.records
    assert any(re.search(reason, r.reason) for r in rejects(result)), \
        [r.reason for r in rejects(result)]


@json_sources
def test_a_renamed_price_field_is_a_reject_not_a_silent_gap(make_snapshot, spec):
    result = spec.source.parse(snapshots_of(make_snapshot, spec, _planted(spec, KeyError)))
    assert len(result.records) < spec.records
    assert any(re.search("missing|renamed|no |unknown", r.reason) for r in rejects(result))


TEXT_PRICES = {  # source -> (a price as written in the fixture, how a bad one is written)
    "aws_ec2": ('"55.0400000000"', '"{}"'),
    "coreweave": ("$49.24", "${}"),
    "modal": ("$0.001097 / sec", "${} / sec"),
}


@pytest.mark.parametrize("name", TEXT_PRICES)
@pytest.mark.parametrize(("value", "reason"), [("abc", "not a number"), ("-2.5", "negative"),
                                               ("NaN", "not finite"), ("0", "price is 0")])
def test_a_bad_price_in_a_text_format_is_a_reject(make_snapshot, name, value, reason):
    spec = SPECS[name]
    good, template = TEXT_PRICES[name]
    bodies = [(FIXTURES / path).read_bytes() for path in spec.files]
    assert bodies[0].count(good.encode()) == 1
    bodies[0] = bodies[0].replace(good.encode(), template.format(value).encode())
    result = spec.source.parse(snapshots_of(make_snapshot, spec, bodies))
    assert len(result.records) == spec.records - 1
    assert len(result.rejects) == spec.rejects + 1
    assert re.search(reason, rejects(result)[-1].reason)


@json_sources
def test_a_row_listed_twice_is_kept_once(make_snapshot, spec):
    bodies = [(FIXTURES / path).read_bytes() for path in spec.files]
    payload = json.loads(bodies[0])
    holder, _ = spec.price_slot(payload)
    rows = _rows_holding(payload, holder)
    if rows is None:
        pytest.skip("rows are keyed by id in a JSON object, where a key cannot repeat")
    rows.append(json.loads(json.dumps(rows[0])))  # the same listing again, at the end
    result = spec.source.parse(snapshots_of(make_snapshot, spec,
                                            [json.dumps(payload).encode(), *bodies[1:]]))
    assert len(result.records) == spec.records
    assert any(r.reason.startswith("duplicate of an earlier") for r in rejects(result))


def _rows_holding(payload, holder) -> list | None:
    """The list in ``payload`` whose first element is or contains ``holder``."""
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and _contains(item[0], holder):
            return item
        stack.extend(item.values() if isinstance(item, dict) else
                     item if isinstance(item, list) else [])
    return None


def _contains(item, holder) -> bool:
    if item is holder:
        return True
    children = item.values() if isinstance(item, dict) else item if isinstance(item, list) \
        else []
    return any(_contains(child, holder) for child in children)
