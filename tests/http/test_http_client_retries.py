"""The client's retry loop: which failures are sent again, how long it waits, when it stops."""

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from http_fakes import START, TOKEN, ScriptedServer, error_reply, json_reply

from intercom_connector.http import (
    BadRequest,
    ConnectionFailed,
    RateLimitExceeded,
    RateLimitPolicy,
    RequestSpec,
    RetryPolicy,
    ServerError,
)
from intercom_connector.httpx_lib import httpx

GET = RequestSpec("GET", "/contacts/1")
CREATE = RequestSpec("POST", "/contacts", json={"email": "a@example.com"})


def rate_limited(**headers):
    return error_reply(
        429, "rate_limit_exceeded", "Exceeded rate limit of 167 in 10_seconds", **headers
    )


async def test_429_waits_for_retry_after_ms(make_client, fake_time):
    server = ScriptedServer([rate_limited(retry_after_ms="250"), json_reply()])
    async with make_client(server.transport) as client:
        reply = await client.send(GET)
    assert reply.status_code == 200
    assert fake_time.sleeps == [0.25]
    assert len(server.requests) == 2


async def test_429_waits_for_retry_after_seconds(make_client, fake_time):
    server = ScriptedServer([rate_limited(Retry_After="3"), json_reply()])
    async with make_client(server.transport) as client:
        await client.send(GET)
    assert fake_time.sleeps == [3.0]


async def test_429_waits_until_a_retry_after_http_date(make_client, fake_time):
    date = format_datetime(datetime.fromtimestamp(START + 12, UTC), usegmt=True)
    server = ScriptedServer([rate_limited(Retry_After=date), json_reply()])
    async with make_client(server.transport) as client:
        await client.send(GET)
    assert fake_time.sleeps == [12.0]


async def test_429_waits_until_x_ratelimit_reset(make_client, fake_time):
    server = ScriptedServer([rate_limited(X_RateLimit_Reset=str(int(START) + 6)), json_reply()])
    async with make_client(server.transport) as client:
        await client.send(GET)
    assert fake_time.sleeps == [6.0]


async def test_429_is_retried_even_for_a_post(make_client, fake_time):
    server = ScriptedServer([rate_limited(retry_after_ms="100"), json_reply()])
    async with make_client(server.transport) as client:
        await client.send(CREATE)
    assert len(server.requests) == 2


async def test_429_without_wait_headers_backs_off(make_client, fake_time):
    server = ScriptedServer([rate_limited(), json_reply()])
    async with make_client(server.transport) as client:
        await client.send(GET)
    assert len(fake_time.sleeps) == 1
    assert 0 <= fake_time.sleeps[0] <= 0.5


async def test_5xx_then_success_for_a_get(make_client, fake_time):
    server = ScriptedServer([error_reply(503, "service_unavailable", "try later"), json_reply()])
    async with make_client(server.transport) as client:
        reply = await client.send(GET)
    assert reply.status_code == 200
    assert len(server.requests) == 2


async def test_connection_reset_then_success_for_a_get(make_client, fake_time):
    server = ScriptedServer([httpx.ReadError("connection reset by peer"), json_reply()])
    async with make_client(server.transport) as client:
        reply = await client.send(GET)
    assert reply.status_code == 200
    assert len(server.requests) == 2


async def test_post_getting_a_5xx_is_not_retried(make_client, fake_time):
    server = ScriptedServer([error_reply(502, "server_error", "bad gateway"), json_reply()])
    async with make_client(server.transport) as client:
        with pytest.raises(ServerError):
            await client.send(CREATE)
    assert len(server.requests) == 1
    assert fake_time.sleeps == []


async def test_post_getting_a_read_error_is_not_retried(make_client, fake_time):
    server = ScriptedServer([httpx.ReadError("connection reset by peer"), json_reply()])
    async with make_client(server.transport) as client:
        with pytest.raises(ConnectionFailed) as caught:
            await client.send(CREATE)
    assert len(server.requests) == 1
    assert caught.value.request_sent
    assert isinstance(caught.value.__cause__, httpx.ReadError)


async def test_post_failing_to_connect_is_retried(make_client, fake_time):
    server = ScriptedServer([httpx.ConnectError("connection refused"), json_reply()])
    async with make_client(server.transport) as client:
        reply = await client.send(CREATE)
    assert reply.status_code == 200
    assert len(server.requests) == 2


async def test_retry_safe_post_is_retried_after_a_5xx(make_client, fake_time):
    search = RequestSpec("POST", "/contacts/search", json={"query": {}}, retry_safe=True)
    server = ScriptedServer([error_reply(500, "server_error", "oops"), json_reply()])
    async with make_client(server.transport) as client:
        await client.send(search)
    assert len(server.requests) == 2


async def test_client_errors_are_not_retried(make_client, fake_time):
    server = ScriptedServer([error_reply(400, "bad_request", "nope"), json_reply()])
    async with make_client(server.transport) as client:
        with pytest.raises(BadRequest):
            await client.send(GET)
    assert len(server.requests) == 1


async def test_gives_up_after_max_attempts(make_client, fake_time):
    server = ScriptedServer([error_reply(503, "service_unavailable", "down")])
    async with make_client(server.transport, retry=RetryPolicy(max_attempts=3)) as client:
        with pytest.raises(ServerError):
            await client.send(GET)
    assert len(server.requests) == 3
    assert len(fake_time.sleeps) == 2


async def test_gives_up_when_the_next_wait_would_pass_max_elapsed(make_client, fake_time):
    server = ScriptedServer([rate_limited(Retry_After="50")])
    policy = RetryPolicy(max_attempts=10, max_elapsed=120.0)
    async with make_client(server.transport, retry=policy) as client:
        with pytest.raises(RateLimitExceeded):
            await client.send(GET)
    assert fake_time.sleeps == [50.0, 50.0]
    assert len(server.requests) == 3


async def test_policy_none_sends_once(make_client, fake_time):
    server = ScriptedServer([rate_limited(retry_after_ms="10"), json_reply()])
    async with make_client(server.transport, retry=RetryPolicy.none()) as client:
        with pytest.raises(RateLimitExceeded):
            await client.send(GET)
    assert len(server.requests) == 1


async def test_retries_are_reported_without_the_token(make_client, fake_time):
    events = []
    server = ScriptedServer([rate_limited(retry_after_ms="100"), json_reply()])
    async with make_client(server.transport, on_event=events.append) as client:
        await client.send(GET)
    assert events == [
        {
            "event": "retry",
            "attempt": 1,
            "wait": 0.1,
            "reason": "429 rate_limit_exceeded: Exceeded rate limit of 167 in 10_seconds "
            "(GET /contacts/1, request_id=req-1)",
        }
    ]
    assert TOKEN not in repr(events)


async def test_a_429_makes_the_shared_limiter_hold_other_requests(make_client, fake_time):
    headers = {
        "X_RateLimit_Limit": "1000",
        "X_RateLimit_Remaining": "0",
        "X_RateLimit_Reset": str(int(START) + 4),
    }
    server = ScriptedServer([rate_limited(**headers), json_reply()])
    limited = RateLimitPolicy()
    async with make_client(
        server.transport, rate_limit=limited, retry=RetryPolicy.none()
    ) as client:
        with pytest.raises(RateLimitExceeded):
            await client.send(GET)
        await client.send(GET)
    assert fake_time.sleeps == [4.0]
