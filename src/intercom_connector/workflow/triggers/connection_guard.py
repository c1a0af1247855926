"""Bounds on the webhook endpoint's connections, below the ASGI app.

uvicorn times out idle keep-alive connections but not a new one whose request headers never
finish: three hundred such "slow header" connections stayed open for as long as their
senders liked. This protocol gives every connection ``header_timeout`` seconds to deliver a
complete request head (again after each response), then answers 408 and closes it.

The connection limit must not lock out Intercom while someone holds sockets open, so past
``max_connections`` the connection that goes is the oldest one without a request in
progress (a slow or idle one), and only when every connection is mid-request is the new
one turned away. The body has its own deadline in the receiver, where it is read.

The guard sits on uvicorn's httptools protocol when httptools is installed (the ``fast``
extra: in a profile of a burst of deliveries, its C parser took HTTP parsing and framing
from about 15% of the receiver's event loop to under 10%) and on the pure-Python h11 one
otherwise; both create a request cycle once a request head is complete and report each
finished response, which is all the guard needs.

Both protocols write a response's head and its body separately: two ``send`` calls per
delivery, and two segments the sender wakes up for. The guard hands them a transport that
joins the writes of one event-loop turn into one (``_JoinedWrites``): during a burst the
reply's system calls were a tenth of the receiver's loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools comes with the `fast` extra
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

log = logging.getLogger("intercom_connector.triggers")

DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 100

_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class _JoinedWrites:
    """A transport whose writes of one event-loop turn leave in one ``write``.

    A close sends what is pending first; everything else is the real transport's.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._send)
        self._pending.append(data)

    def _send(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._transport.write(data)

    def close(self) -> None:
        self._send()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


if TYPE_CHECKING:
    _Protocol = H11Protocol  # what the guard needs of either protocol
else:
    _Protocol = object


class _Guard(_Protocol):
    """A request-head deadline and a connection limit, over either uvicorn protocol."""

    header_timeout: ClassVar[float] = DEFAULT_HEADER_TIMEOUT
    max_connections: ClassVar[int] = DEFAULT_MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._waiting_since = 0.0
        self._cycle_when_armed: object = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_JoinedWrites(transport, self.loop))  # type: ignore[arg-type]
        self._arm_head_timer()
        if len(self.connections) > self.max_connections:
            self._shed()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()  # the next request on this connection gets the same bound

    @property
    def waiting_for_request(self) -> bool:
        """No request has arrived since the timer was armed (no handler is running)."""
        return self.cycle is self._cycle_when_armed

    def _arm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._cycle_when_armed = self.cycle
        self._waiting_since = self.loop.time()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_deadline)

    def _head_deadline(self) -> None:
        if self.waiting_for_request and not self.transport.is_closing():
            log.warning(
                "webhook connection from %s closed: no complete request within %g s",
                _peer(self),
                self.header_timeout,
            )
            self.transport.write(_TIMED_OUT)
            self.transport.close()

    def _shed(self) -> None:
        idle = [
            connection
            for connection in self.connections
            if isinstance(connection, _Guard)
            and connection is not self
            and connection.waiting_for_request
            and not connection.transport.is_closing()
        ]
        victim = min(idle, key=lambda c: c._waiting_since) if idle else self
        log.warning(
            "webhook connections over the limit of %d: closing %s from %s",
            self.max_connections,
            "an idle connection" if victim is not self else "the new connection",
            _peer(victim),
        )
        victim.transport.close()


class GuardedProtocol(_Guard, H11Protocol):
    """uvicorn's h11 protocol, guarded."""


GuardedFastProtocol: type[_Guard] | None = None
if HttpToolsProtocol is not None:

    class GuardedFastProtocol(_Guard, HttpToolsProtocol):  # type: ignore[misc,no-redef]
        """uvicorn's httptools protocol, guarded."""


def _peer(protocol: _Guard) -> str:
    client = protocol.client
    return f"{client[0]}:{client[1]}" if client else "?"


def guarded_protocol(
    header_timeout: float, max_connections: int, *, parser: str = "auto"
) -> type[asyncio.Protocol]:
    """A protocol class with these bounds (uvicorn takes a class, not an instance).

    ``parser`` is ``httptools``, ``h11`` or ``auto`` (httptools when installed).
    """
    if parser == "httptools" and GuardedFastProtocol is None:
        raise ImportError("httptools is not installed (it comes with the `fast` extra)")
    base: type[_Guard] = GuardedProtocol
    if parser != "h11" and GuardedFastProtocol is not None:
        base = GuardedFastProtocol
    return type(
        base.__name__,
        (base,),
        {"header_timeout": header_timeout, "max_connections": max_connections},
    )
