"""Slow and numerous connections to the webhook endpoint are bounded; good deliveries pass.

Real sockets on loopback against a real ``serve``: request heads that never finish, a body
dripped a few bytes at a time, more connections than the limit. The bounds are small here so
the tests are quick; every wait is bounded by a socket timeout, never asserted as a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib.util
from collections.abc import AsyncIterator

import pytest
from triggers_kit import SECRET, hosted, new_sandbox, notification, sandbox_client, signed, workflow

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow.triggers import WEBHOOK_PATH, ServeOptions, TriggerServer, bind

pytestmark = pytest.mark.timeout(60)

WATCH = """
    name: watch
    trigger:
      webhook:
        topics: [contact.user.created]
    steps:
      - {id: seen, map: {id: $.steps.trigger.id}}
"""
OPTIONS = ServeOptions(header_timeout=0.5, body_timeout=1.0, max_connections=5)
PARSERS = [
    "h11",
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("httptools") is None, reason="the fast extra is not installed"
        ),
    ),
]


@contextlib.asynccontextmanager
async def serving(options: ServeOptions) -> AsyncIterator[tuple[str, int]]:
    async with sandbox_client(new_sandbox()) as client:
        server = TriggerServer([hosted(workflow(WATCH), client)], secret=SECRET, options=options)
        task = asyncio.create_task(server.serve(sock=bind("127.0.0.1", 0)))
        await server.ready.wait()
        assert server.endpoint is not None
        port = int(server.endpoint.split(":")[2].split("/")[0])
        try:
            yield server.endpoint, port
        finally:
            server.stop()
            await task


@pytest.fixture(params=PARSERS)
def parser(request: pytest.FixtureRequest) -> str:
    """Each bound holds with either HTTP parser the guard sits on."""
    return request.param


@pytest.fixture
async def endpoint(home, parser: str) -> AsyncIterator[tuple[str, int]]:
    async with serving(dataclasses.replace(OPTIONS, parser=parser)) as where:
        yield where


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.read(), timeout=20)


async def test_a_request_head_that_never_finishes_gets_408_and_is_closed(endpoint) -> None:
    _, port = endpoint
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\n".encode())
    await writer.drain()
    answer = await _read_until_closed(reader)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_connection_that_sends_nothing_is_closed(endpoint) -> None:
    _, port = endpoint
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = await _read_until_closed(reader)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_dripped_body_gets_408(endpoint) -> None:
    _, port = endpoint
    body, headers = signed(notification())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\n{head}"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    answer = b""
    for offset in range(0, len(body), 2):  # 2 bytes every 0.1 s: ~10 s for the whole body
        writer.write(body[offset : offset + 2])
        await writer.drain()
        try:
            answer = await asyncio.wait_for(reader.read(65536), timeout=0.1)
        except TimeoutError:
            continue
        break
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"the body did not arrive within 1 s" in answer


async def test_good_deliveries_pass_while_slow_connections_hold_the_limit(endpoint) -> None:
    url, port = endpoint
    held = []
    for _ in range(3 * OPTIONS.max_connections):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"POST {WEBHOOK_PATH} HTTP/1.1\r\n".encode())
        await writer.drain()
        held.append((reader, writer))
    statuses = []
    async with httpx.AsyncClient(timeout=20) as http:
        for _ in range(3):
            body, headers = signed(notification())
            statuses.append((await http.post(url, content=body, headers=headers)).status_code)
    for _, writer in held:
        writer.close()
    assert statuses == [200, 200, 200]


async def test_past_the_limit_the_oldest_idle_connections_are_closed_first(home, parser) -> None:
    patient = ServeOptions(header_timeout=30.0, max_connections=5, parser=parser)
    async with serving(patient) as (url, port):
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(8)]
        async with httpx.AsyncClient(timeout=20) as http:
            body, headers = signed(notification())
            status = (await http.post(url, content=body, headers=headers)).status_code
        oldest = [await _read_until_closed(reader) for reader, _ in held[:4]]
        newest_open = [not reader.at_eof() for reader, _ in held[4:]]
        for _, writer in held:
            writer.close()
    assert status == 200
    assert oldest == [b""] * 4
    assert newest_open == [True] * 4


async def test_a_declared_body_over_the_limit_gets_413_without_being_read(endpoint) -> None:
    _, port = endpoint
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    declared = OPTIONS.max_body + 1
    writer.write(
        f"POST {WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n".encode()
        + b"{" * 1024
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n"), timeout=20)
    writer.close()
    assert head.startswith(b"HTTP/1.1 413 ")
