"""X-Hub-Signature: HMAC-SHA1 of the raw body with the client secret, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.workflow.triggers import SignatureRejected, sign, verify

SECRET = "s3cret"
BODY = b'{"type":"notification_event","id":"notif_1","topic":"ping","data":{}}'


def test_signature_is_sha1_hmac_of_the_raw_body_with_the_secret():
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest()
    assert sign(BODY, SECRET) == f"sha1={expected}"


def test_good_signature_passes():
    verify(BODY, SECRET, sign(BODY, SECRET))


def test_upper_case_hex_passes():
    verify(BODY, SECRET, sign(BODY, SECRET).upper().replace("SHA1=", "sha1="))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no X-Hub-Signature"),
        ("", "no X-Hub-Signature"),
        ("sha256=" + "0" * 64, "not of the form sha1=<hex>"),
        ("0" * 40, "not of the form sha1=<hex>"),
        ("sha1=" + "0" * 39, "40 hex digits"),
        ("sha1=" + "z" * 40, "40 hex digits"),
        ("sha1=" + "0" * 40, "does not match"),
    ],
    ids=["missing", "empty", "sha256", "no-prefix", "short", "not-hex", "wrong"],
)
def test_bad_signatures_are_rejected_with_a_reason(header, reason):
    with pytest.raises(SignatureRejected, match=reason):
        verify(BODY, SECRET, header)


def test_signature_of_another_secret_is_rejected():
    with pytest.raises(SignatureRejected, match="does not match"):
        verify(BODY, SECRET, sign(BODY, "other"))


def test_a_non_ascii_header_is_rejected_not_a_crash():
    with pytest.raises(SignatureRejected):
        verify(BODY, SECRET, "sha1=" + "é" * 40)


@given(body=st.binary(max_size=2048), secret=st.text(min_size=1, max_size=64))
def test_any_body_verifies_with_its_own_signature(body, secret):
    verify(body, secret, sign(body, secret))


@given(
    body=st.binary(min_size=1, max_size=2048),
    position=st.integers(min_value=0),
    bit=st.integers(0, 7),
)
def test_any_changed_byte_breaks_the_signature(body, position, bit):
    header = sign(body, SECRET)
    index = position % len(body)
    tampered = body[:index] + bytes([body[index] ^ (1 << bit)]) + body[index + 1 :]
    with pytest.raises(SignatureRejected):
        verify(tampered, SECRET, header)


@given(body=st.binary(max_size=512))
def test_an_appended_byte_breaks_the_signature(body):
    with pytest.raises(SignatureRejected):
        verify(body + b" ", SECRET, sign(body, SECRET))
