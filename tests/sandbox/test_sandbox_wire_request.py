"""The sandbox reads ASGI requests as starlette did: headers, body, base URL, disconnects."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from intercom_connector.sandbox.wire_request import ClientDisconnect, Headers, WireRequest


def _request(messages: list[dict[str, Any]] | None = None, **scope: Any) -> WireRequest:
    queue = list(messages or [{"type": "http.request", "body": b""}])

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return WireRequest({"type": "http", "method": "GET", "headers": [], **scope}, receive)


def test_header_names_compare_case_insensitively_and_the_first_repeat_wins():
    headers = Headers([(b"Intercom-Version", b"2.11"), (b"intercom-version", b"2.16")])
    assert headers.get("intercom-version") == headers["INTERCOM-VERSION"] == "2.11"
    assert headers.get("accept") is None
    assert list(headers) == ["intercom-version"]


@pytest.mark.parametrize(
    ("scope", "base_url"),
    [
        ({"headers": [(b"host", b"sandbox.local")]}, "http://sandbox.local/"),
        ({"server": ("127.0.0.1", 8123)}, "http://127.0.0.1:8123/"),
        ({"server": ("127.0.0.1", 443), "scheme": "https"}, "https://127.0.0.1/"),
        ({"server": ("h", 80), "root_path": "/api"}, "http://h/api/"),
        ({}, "/"),
    ],
)
def test_the_base_url_is_the_address_the_client_used(scope, base_url):
    assert _request(**scope).base_url == base_url


def test_the_body_is_joined_from_its_chunks_and_read_once():
    request = _request(
        [
            {"type": "http.request", "body": b'{"a":', "more_body": True},
            {"type": "http.request", "body": b"1}"},
        ]
    )
    assert asyncio.run(request.body()) == b'{"a":1}'
    assert asyncio.run(request.body()) == b'{"a":1}'


def test_a_client_that_leaves_before_its_body_arrives_is_a_disconnect():
    request = _request([{"type": "http.disconnect"}])
    with pytest.raises(ClientDisconnect):
        asyncio.run(request.body())


def test_query_fields_keep_blanks_and_the_last_repeat_wins():
    request = _request(query_string=b"state=&code=a&code=b")
    assert request.query_params == {"state": "", "code": "b"}
