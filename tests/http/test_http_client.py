"""What the client puts on the wire and what it makes of the reply."""

import pytest
from http_fakes import BASE_URL, TOKEN, ScriptedServer, error_reply, json_reply

from intercom_connector.http import (
    USER_AGENT,
    AsyncApiClient,
    InvalidReply,
    NotFound,
    PermissionDenied,
    RequestSpec,
    RetryPolicy,
)
from intercom_connector.httpx_lib import httpx


async def test_sends_token_version_accept_and_user_agent(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport) as client:
        await client.request("GET", "/me")
    headers = server.requests[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Intercom-Version"] == "2.16"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("intercom-connector/")


async def test_no_authorization_header_without_a_token(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport, token=None) as client:
        await client.request("GET", "/me")
    assert "Authorization" not in server.requests[0].headers


async def test_token_is_not_sent_to_another_host(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport) as client:
        await client.request("GET", "https://elsewhere.example/events?next=2")
    assert "Authorization" not in server.requests[0].headers


async def test_absolute_url_on_the_same_host_gets_the_token(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport) as client:
        await client.request("GET", f"{BASE_URL}/events?next=2")
    assert server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert server.requests[0].url.params["next"] == "2"


async def test_version_and_extra_headers_are_configurable(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport, version="2.14", headers={"X-Trace": "1"}) as client:
        await client.request("GET", "/me", headers={"X-Step": "s1"})
    headers = server.requests[0].headers
    assert (headers["Intercom-Version"], headers["X-Trace"], headers["X-Step"]) == (
        "2.14",
        "1",
        "s1",
    )


async def test_region_selects_the_host():
    server = ScriptedServer([json_reply()])
    async with AsyncApiClient(TOKEN, region="eu", transport=server.transport) as client:
        await client.request("GET", "/me")
    assert str(server.requests[0].url) == "https://api.eu.intercom.io/me"


async def test_params_and_json_body_are_sent(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport) as client:
        await client.request("POST", "/contacts", params={"a": 1}, json={"email": "x@example.com"})
    request = server.requests[0]
    assert request.url.params["a"] == "1"
    assert request.content == b'{"email":"x@example.com"}'


async def test_reply_carries_status_headers_decoded_body_and_request_id(make_client):
    reply_body = {"type": "contact", "id": "1"}
    server = ScriptedServer([json_reply(201, reply_body, x_request_id="abc")])
    async with make_client(server.transport) as client:
        reply = await client.request("POST", "/contacts", json={})
    assert reply.status_code == 201
    assert reply.body == reply_body
    assert reply.request_id == "abc"
    assert reply.headers["content-type"] == "application/json"
    assert reply.elapsed >= 0


async def test_empty_body_decodes_to_none(make_client):
    server = ScriptedServer([httpx.Response(204)])
    async with make_client(server.transport) as client:
        reply = await client.request("DELETE", "/contacts/1")
    assert reply.body is None


async def test_non_json_where_json_was_expected_is_an_invalid_reply(make_client):
    server = ScriptedServer(
        [httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"})]
    )
    async with make_client(server.transport) as client:
        with pytest.raises(InvalidReply, match="expected JSON, got text/html"):
            await client.request("GET", "/contacts")


async def test_binary_accept_returns_bytes_and_sends_that_accept(make_client):
    server = ScriptedServer(
        [
            httpx.Response(
                200, content=b"\x1f\x8b", headers={"content-type": "application/octet-stream"}
            )
        ]
    )
    async with make_client(server.transport) as client:
        reply = await client.request(
            "GET", "/download/content/data/1", accept="application/octet-stream"
        )
    assert reply.body == b"\x1f\x8b"
    assert server.requests[0].headers["Accept"] == "application/octet-stream"


async def test_error_replies_raise_their_class_with_context(make_client):
    server = ScriptedServer([error_reply(404, "not_found", "Contact Not Found")])
    async with make_client(server.transport) as client:
        with pytest.raises(NotFound) as caught:
            await client.request("GET", "/contacts/123")
    assert (
        str(caught.value)
        == "404 not_found: Contact Not Found (GET /contacts/123, request_id=req-1)"
    )
    assert caught.value.url == f"{BASE_URL}/contacts/123"


async def test_missing_scope_reaches_the_caller(make_client):
    server = ScriptedServer(
        [error_reply(403, "forbidden", "OAuth token lacks read_conversations scope")]
    )
    async with make_client(server.transport) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.request("GET", "/conversations")
    assert caught.value.missing_scope == "read_conversations"


async def test_token_echoed_by_the_server_is_redacted(make_client):
    server = ScriptedServer([error_reply(401, "unauthorized", f"bad token {TOKEN}")])
    async with make_client(server.transport) as client:
        with pytest.raises(Exception) as caught:
            await client.request("GET", "/me")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)


def test_client_repr_hides_the_token():
    client = AsyncApiClient(TOKEN, transport=ScriptedServer([]).transport)
    assert TOKEN not in repr(client)
    assert TOKEN not in repr(client._http.auth)


@pytest.mark.parametrize(
    ("method", "safe"),
    [
        ("GET", True),
        ("head", True),
        ("PUT", True),
        ("DELETE", True),
        ("OPTIONS", True),
        ("POST", False),
        ("PATCH", False),
    ],
)
def test_retry_safe_defaults_from_the_method(method, safe):
    spec = RequestSpec(method, "/x")
    assert spec.retry_safe is safe
    assert spec.method == method.upper()


def test_retry_safe_can_be_set_for_read_only_posts():
    assert RequestSpec("POST", "/contacts/search", retry_safe=True).retry_safe is True


async def test_raise_for_status_false_returns_the_error_reply(make_client):
    server = ScriptedServer([error_reply(404, "not_found", "Contact Not Found")])
    async with make_client(server.transport) as client:
        reply = await client.request("GET", "/contacts/9", raise_for_status=False)
    assert reply.status_code == 404
    assert reply.body["errors"][0]["code"] == "not_found"
    assert reply.request_id == "req-1"


async def test_raise_for_status_false_still_retries_first(make_client, fake_time):
    server = ScriptedServer([error_reply(503, "service_unavailable", "down"), json_reply()])
    async with make_client(server.transport) as client:
        reply = await client.send(RequestSpec("GET", "/me"), raise_for_status=False)
    assert reply.status_code == 200
    assert len(server.requests) == 2


async def test_raise_for_status_false_keeps_non_json_error_bodies_as_bytes(make_client):
    server = ScriptedServer([httpx.Response(502, content=b"<html>bad gateway</html>")])
    async with make_client(server.transport, retry=RetryPolicy.none()) as client:
        reply = await client.request("GET", "/me", raise_for_status=False)
    assert reply.body == b"<html>bad gateway</html>"


async def test_undecodable_body_is_an_invalid_reply_and_not_retried(make_client):
    broken = httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip at all"), headers={"content-encoding": "gzip"}
    )
    server = ScriptedServer([broken])
    async with make_client(server.transport) as client:
        with pytest.raises(InvalidReply, match="DecodingError"):
            await client.request("GET", "/contacts")
    assert len(server.requests) == 1


async def test_an_explicit_default_port_is_still_the_same_origin(make_client):
    server = ScriptedServer([json_reply()])
    async with make_client(server.transport) as client:
        await client.request("GET", f"{BASE_URL}:443/events")
    assert server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_user_agent_names_the_installed_version():
    from importlib.metadata import version

    installed = version("intercom-connector")
    assert USER_AGENT.removeprefix("intercom-connector/") == installed
