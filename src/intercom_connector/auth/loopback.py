"""The loopback server that receives the OAuth redirect (RFC 8252, section 7.3).

It listens on 127.0.0.1 only, on a random free port unless one is given, answers exactly one
kind of request (``GET /callback``) and hands its query to the waiting flow. It is a few
lines of asyncio rather than a web framework: it must run inside the command's own event loop,
log nothing (the query holds the authorization code), and stop the moment it has an answer.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass, field
from html import escape
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

CALLBACK_PATH = "/callback"
_MAX_REQUEST_HEAD = 16 * 1024


@dataclass(frozen=True)
class Callback:
    """The query of the redirect: a code and state, or an error."""

    code: str | None = field(default=None, repr=False)
    state: str | None = field(default=None, repr=False)
    error: str | None = None
    error_description: str | None = None


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>intercom-connector</title>
</head><body style="font-family: sans-serif; margin: 3em"><h1>{title}</h1><p>{text}</p></body>
</html>"""


def _response(status: str, title: str, text: str) -> bytes:
    body = _PAGE.format(title=escape(title), text=escape(text)).encode("utf-8")
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
        "Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class LoopbackReceiver:
    """``async with LoopbackReceiver() as receiver``: serve, then ``await receiver.wait(t)``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._callback: asyncio.Future[Callback] | None = None

    @property
    def redirect_uri(self) -> str:
        return f"http://{self.host}:{self.port}{CALLBACK_PATH}"

    async def __aenter__(self) -> LoopbackReceiver:
        self._callback = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait(self, timeout: float) -> Callback:
        """The first redirect to arrive; TimeoutError when none does within ``timeout``."""
        assert self._callback is not None, "use LoopbackReceiver as an async context manager"
        return await asyncio.wait_for(asyncio.shield(self._callback), timeout)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10.0)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                return
            writer.write(self._answer(head[:_MAX_REQUEST_HEAD]))
            await writer.drain()
        except ConnectionError:
            pass  # the browser went away; the flow keeps waiting
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()

    def _answer(self, head: bytes) -> bytes:
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or parts[0] != "GET":
            return _response("405 Method Not Allowed", "Not allowed", "Only GET is served here.")
        target = urlsplit(parts[1])
        if target.path != CALLBACK_PATH:
            return _response("404 Not Found", "Not found", "This server only takes the redirect.")
        query = {key: values[0] for key, values in parse_qs(target.query).items()}
        callback = Callback(
            code=query.get("code"),
            state=query.get("state"),
            error=query.get("error"),
            error_description=query.get("error_description"),
        )
        assert self._callback is not None
        if self._callback.done():
            return _response("409 Conflict", "Already answered", "You can close this window.")
        self._callback.set_result(callback)
        if callback.error or not callback.code:
            return _response(
                "200 OK", "Authorization not granted", "You can close this window and retry."
            )
        return _response(
            "200 OK", "Authorization received", "You can close this window and go back."
        )
