import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.http import (
    AuthenticationError,
    BadRequest,
    ClientError,
    Conflict,
    ConnectionFailed,
    IntercomError,
    NotFound,
    PermissionDenied,
    RateLimitExceeded,
    ServerError,
    TransientError,
    UnprocessableEntity,
    error_from_response,
    redact,
)
from intercom_connector.httpx_lib import httpx

TOKEN = "dG9rOjEyMzQ1Njc4OTBzZWNyZXQ="


def envelope(*errors, request_id="7b8f-1"):
    return json.dumps(
        {"type": "error.list", "request_id": request_id, "errors": list(errors)}
    ).encode()


def build(status, body=b"", headers=None, **options):
    options.setdefault("method", "GET")
    options.setdefault("url", "https://api.intercom.io/contacts/123?per_page=5")
    return error_from_response(status, body, headers or {}, **options)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, AuthenticationError),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (422, UnprocessableEntity),
        (429, RateLimitExceeded),
        (405, ClientError),
        (406, ClientError),
        (500, ServerError),
        (503, ServerError),
        (599, ServerError),
        (302, IntercomError),
    ],
)
def test_status_maps_to_error_class(status, cls):
    assert type(build(status)) is cls


@pytest.mark.parametrize("cls", [RateLimitExceeded, ServerError, ConnectionFailed])
def test_retry_worthy_errors_share_the_transient_base(cls):
    assert issubclass(cls, TransientError)


@pytest.mark.parametrize(
    "cls", [BadRequest, AuthenticationError, PermissionDenied, NotFound, Conflict]
)
def test_fix_the_request_errors_share_the_client_base(cls):
    assert issubclass(cls, ClientError)
    assert not issubclass(cls, TransientError)


def test_envelope_fields_are_parsed():
    error = build(404, envelope({"code": "not_found", "message": "Contact Not Found"}))
    assert error.status == 404
    assert error.code == "not_found"
    assert error.message == "Contact Not Found"
    assert error.request_id == "7b8f-1"
    assert error.errors == [{"code": "not_found", "message": "Contact Not Found"}]
    assert error.method == "GET"
    assert error.url == "https://api.intercom.io/contacts/123?per_page=5"


def test_str_is_one_clear_line():
    error = build(404, envelope({"code": "not_found", "message": "Contact Not Found"}))
    assert str(error) == "404 not_found: Contact Not Found (GET /contacts/123, request_id=7b8f-1)"


def test_str_names_the_operation_once_the_caller_sets_it():
    error = build(404, envelope({"code": "not_found", "message": "Contact Not Found"}))
    error.operation = "get_contact"
    assert str(error) == (
        "404 not_found: Contact Not Found (get_contact, GET /contacts/123, request_id=7b8f-1)"
    )


def test_every_error_of_the_list_is_described():
    body = envelope(
        {"code": "parameter_invalid", "message": "Email is invalid", "field": "email"},
        {"code": "parameter_missing", "message": "Name is required"},
    )
    error = build(400, body)
    assert error.code == "parameter_invalid"
    assert error.message == ("Email is invalid (field email); parameter_missing: Name is required")
    assert len(error.errors) == 2


def test_request_id_falls_back_to_the_header():
    error = build(500, b"", {"X-Request-Id": "hdr-9"})
    assert error.request_id == "hdr-9"


def test_non_json_body_gives_an_excerpt():
    error = build(502, b"<html>\n  <body>Bad   gateway</body>\n</html>")
    assert error.code is None
    assert error.message == "<html> <body>Bad gateway</body> </html>"


def test_empty_body_gives_the_reason_phrase():
    assert build(503).message == "Service Unavailable"


def test_long_non_json_body_is_truncated():
    assert len(build(500, b"x" * 5000).message) <= 203


def test_generic_json_message_is_used_without_an_envelope():
    assert build(400, b'{"message": "bad thing"}').message == "bad thing"


def test_token_in_the_body_never_reaches_str_or_repr():
    body = envelope({"code": "unauthorized", "message": f"Token {TOKEN} is invalid"})
    error = build(401, body, secrets=[TOKEN])
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error)
    assert TOKEN not in repr(error.errors)
    assert "***" in str(error)


def test_bearer_values_are_redacted_even_when_not_listed_as_secrets():
    error = build(400, b"echo: Authorization: Bearer abc.def-123 rest")
    assert "abc.def-123" not in str(error)


@pytest.mark.parametrize(
    ("message", "scope"),
    [
        ("OAuth token lacks read_conversations scope", "read_conversations"),
        ("OAuth token lacks the manage_ip_allowlist scope", "manage_ip_allowlist"),
        ("You are not allowed", None),
    ],
)
def test_permission_denied_names_the_missing_scope(message, scope):
    error = build(403, envelope({"code": "forbidden", "message": message}))
    assert error.missing_scope == scope


def test_rate_limit_error_carries_the_servers_wait():
    error = build(429, b"", {"retry-after": "7"})
    assert isinstance(error, RateLimitExceeded)
    assert error.retry_after == 7.0


def test_rate_limit_wait_from_reset_uses_the_given_time():
    error = build(429, b"", {"X-RateLimit-Reset": "1000"}, now=996.5)
    assert error.retry_after == 3.5


def test_connection_failed_knows_whether_the_request_went_out():
    before = ConnectionFailed("x", transport_error=httpx.ConnectError("refused"))
    after = ConnectionFailed("x", transport_error=httpx.ReadError("reset"))
    assert before.request_sent is False
    assert after.request_sent is True


def test_errors_can_be_built_from_a_message_alone():
    assert str(IntercomError("plain")) == "plain"


@given(
    secret=st.text(alphabet="ABCXYZ0123456789+/=", min_size=8),
    before=st.text(),
    after=st.text(),
)
def test_redact_removes_every_occurrence_of_a_secret(secret, before, after):
    assert secret not in redact(f"{before}{secret}{after}{secret}", [secret])
