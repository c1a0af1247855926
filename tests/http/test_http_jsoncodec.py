"""The JSON codec gives the same values and the same text with orjson and without it."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.http import jsoncodec

orjson = pytest.importorskip("orjson")


@pytest.fixture(params=["orjson", "json"])
def codec(request, monkeypatch):
    """The codec as installed with the [fast] extra, and as installed without it."""
    monkeypatch.setattr(jsoncodec, "_orjson", orjson if request.param == "orjson" else None)
    return jsoncodec


def _standard(value, indent=False):
    if indent:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


EDGE_TEXTS = [
    b'{"id": 18446744073709551616, "n": -1267650600228229401496703205376}',
    b"[9223372036854775807, 9223372036854775808, 100000000000000000000000000001]",
    b'{"score": NaN, "hi": Infinity, "lo": -Infinity}',
    b"[1e-05, 2.5e-08, 0.0001, 1e+16, 1e-10, -0.0, 5e-324]",
    b'{"name": "Zo\\u00eb \\u2028 \\u0001", "emoji": "\\ud83d\\ude00"}',
    b'{"phone": "+44 1234567890123456789", "note": "0.00001"}',
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_edge_cases_round_trip_exactly_as_the_standard_library(codec, text):
    decoded = codec.loads(text)

    assert codec.dumps(decoded) == _standard(json.loads(text))


def test_integers_beyond_64_bits_keep_every_digit(codec):
    assert codec.loads(b"[18446744073709551617]") == [18446744073709551617]
    assert codec.dumps([2**70]) == str([2**70]).replace(" ", "")


def test_nan_is_read_and_written_back_as_nan(codec):
    (value,) = codec.loads(b"[NaN]")

    assert math.isnan(value)
    assert codec.dumps([value]) == "[NaN]"


def test_non_json_objects_are_written_as_their_text(codec):
    import datetime

    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

    assert codec.dumps({"at": moment}) == '{"at":"2026-01-02 03:04:05+00:00"}'


def test_invalid_json_is_a_decode_error(codec):
    with pytest.raises(codec.JSONDecodeError):
        codec.loads(b'{"a": ')


def _json_values(finite: bool):
    numbers = st.floats(allow_nan=not finite, allow_infinity=not finite)
    return st.recursive(
        st.none() | st.booleans() | st.integers() | numbers | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=12,
    )


def _on_both_paths(check):
    for installed in (orjson, None):
        jsoncodec._orjson = installed
        try:
            check()
        finally:
            jsoncodec._orjson = orjson


@given(_json_values(finite=False))
def test_any_text_decodes_and_encodes_back_the_same_on_both_paths(value):
    """What a command prints is what it read: replies are decoded, then written."""
    text = _standard(value)

    _on_both_paths(lambda: _check_round_trip(text))


def _check_round_trip(text: str) -> None:
    assert jsoncodec.dumps(jsoncodec.loads(text.encode())) == text


@given(_json_values(finite=True), st.booleans())
def test_any_finite_value_encodes_to_the_same_text_on_both_paths(value, indent):
    """(A NaN made in Python, not read from JSON, is written as null by orjson.)"""
    _on_both_paths(lambda: _check_encoding(value, indent))


def _check_encoding(value, indent: bool) -> None:
    assert jsoncodec.dumps(value, indent=indent) == _standard(value, indent)


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_indented_text_is_the_standard_librarys_too(codec, text):
    assert codec.dumps(codec.loads(text), indent=True) == _standard(json.loads(text), indent=True)


@pytest.mark.parametrize(
    "text",
    [
        b"12345678901234567890123",
        b"[12345678901234567890123]",
        b'{"n":12345678901234567890123}',
        b'{"n": 12345678901234567890123}',
        b'{"n":\n12345678901234567890123}',
        b"[1,12345678901234567890123]",
        b"[-12345678901234567890123]",
    ],
)
def test_a_long_integer_keeps_its_digits_wherever_it_stands(codec, text):
    assert codec.loads(text) == json.loads(text)
    assert codec.dumps(codec.loads(text)) == _standard(json.loads(text))


def test_a_long_digit_run_inside_an_id_is_decoded_by_orjson(monkeypatch):
    """Ids such as ``645f88440000000000000000`` are not numbers: pages full of them must not
    fall back to the standard library's slower decoder."""
    monkeypatch.setattr(jsoncodec, "_orjson", orjson)

    def refuse(data):
        raise AssertionError("decoded by the standard library")

    monkeypatch.setattr(jsoncodec, "_standard_loads", refuse)
    text = b'{"id":"645f88440000000000000000","v":"x.12345678901234567890123"}'

    assert jsoncodec.loads(text) == json.loads(text)
