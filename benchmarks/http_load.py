"""A load generator cheap enough that the server it measures is the limit, not itself.

A general HTTP client spends more CPU per request than a small receiver does to answer
it (building headers, signing, parsing the reply into objects), so on a machine with few
cores it would measure itself. Here every request is built and signed before the clock
starts, and each connection is a bare asyncio protocol on one HTTP/1.1 keep-alive socket:
send the prepared bytes, wait until the reply's head and ``content-length`` bytes of body
are in, check the status line, send the next. Per request that is one write, one or two
reads and a few byte searches. ``cpu`` reports the CPU seconds the generator used, so a
benchmark can show how much of the machine the client took next to the server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit


class LoadFailed(Exception):
    """A reply that was not the expected status, or a connection lost mid-request."""


@dataclass(frozen=True)
class LoadResult:
    seconds: float
    """Wall time from the first request sent to the last reply read."""
    cpu: float
    """CPU seconds this process used in that time."""


def prepared_posts(url: str, posts: Iterable[tuple[bytes, dict[str, str]]]) -> list[bytes]:
    """One request's bytes per (body, headers): POST to ``url``, keep-alive."""
    parts = urlsplit(url)
    head = f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    requests = []
    for body, headers in posts:
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(f"{head}{lines}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    return requests


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._reply: asyncio.Future[bytes] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self._reply is not None and not self._reply.done():
            self._reply.set_exception(LoadFailed(f"connection lost mid-request: {exc}"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0 or self._reply is None:
            return
        head = bytes(self._buffer[:end]).lower()
        marker = head.find(b"content-length:")
        if marker < 0:
            self._reply.set_exception(LoadFailed(f"a reply without content-length: {head!r}"))
            return
        length = int(head[marker + 15 :].split(b"\r\n", 1)[0])
        if len(self._buffer) < end + 4 + length:
            return
        reply = bytes(self._buffer[: end + 4 + length])
        del self._buffer[: end + 4 + length]
        self._reply.set_result(reply)

    async def exchange(self, request: bytes) -> bytes:
        assert self.transport is not None
        self._reply = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self._reply


async def send_all(
    url: str, requests: list[bytes], concurrency: int, expect: bytes = b"HTTP/1.1 200 "
) -> LoadResult:
    """Send ``requests`` over ``concurrency`` keep-alive connections; raise on any other
    status line than ``expect``."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    connections = [
        (await loop.create_connection(_Connection, parts.hostname, parts.port))[1]
        for _ in range(concurrency)
    ]
    queue: Iterator[bytes] = iter(requests)

    async def worker(connection: _Connection) -> None:
        for request in queue:
            reply = await connection.exchange(request)
            if not reply.startswith(expect):
                raise LoadFailed(f"a reply other than {expect!r}: {reply[:300]!r}")

    began, cpu = time.perf_counter(), time.process_time()
    try:
        await asyncio.gather(*(worker(connection) for connection in connections))
    finally:
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()
    return LoadResult(time.perf_counter() - began, time.process_time() - cpu)
