"""Serve a sandbox on a real socket: in a background thread for tests, or in the foreground.

Uvicorn gives the app no handle on the connection, so a small protocol subclass puts the
transport into the ASGI scope; that is what lets an injected "dropped connection" close the
socket without a single byte of reply, exactly as a failing load balancer would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import TRANSPORT_KEY, Sandbox
from .config import SandboxConfig


class TransportExposingProtocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})[TRANSPORT_KEY] = self.transport
            await inner(scope, receive, send)

        self.app = app


def _uvicorn_config(
    sandbox: Sandbox, log_level: str, host: str = "127.0.0.1", port: int = 8700
) -> uvicorn.Config:
    return uvicorn.Config(
        sandbox,
        host=host,
        port=port,
        http=TransportExposingProtocol,
        ws="none",
        lifespan="off",
        log_level=log_level,
        access_log=False,
    )


class ServerHandle:
    """A running sandbox server; a context manager that stops it on exit."""

    def __init__(
        self,
        sandbox: Sandbox,
        server: uvicorn.Server,
        thread: threading.Thread,
        port: int,
        owns_sandbox: bool = False,
    ):
        self.sandbox = sandbox
        self._owns_sandbox = owns_sandbox
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._server = server
        self._thread = thread

    @property
    def token(self) -> str:
        return self.sandbox.token

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._owns_sandbox:
            self.sandbox.close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def listen(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound TCP socket (port 0: a free one); ``OSError`` if the port is taken.

    IPPROTO_TCP explicitly: asyncio only turns Nagle off (TCP_NODELAY) for sockets that say
    so, and with Nagle on, every two-write reply waits ~40 ms for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run_in_thread(
    config: SandboxConfig | Sandbox | None = None,
    *,
    port: int = 0,
    log_level: str = "warning",
    startup_timeout: float = 10.0,
) -> ServerHandle:
    """Start uvicorn on 127.0.0.1 (a free port unless ``port`` is given) in a daemon thread."""
    sandbox = config if isinstance(config, Sandbox) else Sandbox(config)
    sandbox.state.ensure_seeded()  # before listening: no first request waits for the seeding
    sock = listen("127.0.0.1", port)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(_uvicorn_config(sandbox, log_level))
    sandbox.base_url = f"http://127.0.0.1:{bound_port}"

    def run() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        finally:
            sock.close()

    thread = threading.Thread(target=run, name=f"intercom-sandbox-{bound_port}", daemon=True)
    thread.start()
    waited = 0.0
    while not server.started and thread.is_alive() and waited < startup_timeout:
        threading.Event().wait(0.01)
        waited += 0.01
    if not server.started:
        server.should_exit = True
        raise RuntimeError("the sandbox server did not start")
    return ServerHandle(
        sandbox, server, thread, bound_port, owns_sandbox=not isinstance(config, Sandbox)
    )


def serve(
    sandbox: Sandbox,
    host: str = "127.0.0.1",
    port: int = 8700,
    sock: socket.socket | None = None,
) -> None:
    """Serve in the foreground until interrupted (the CLI's ``sandbox serve``).

    Given ``sock`` (from ``listen``), it serves on that socket: the caller has already learnt
    whether the port was free before saying anything.
    """
    sandbox.state.ensure_seeded()  # before serving: no first request waits for the seeding
    server = uvicorn.Server(_uvicorn_config(sandbox, "info", host, port))
    if sock is None:
        server.run()
        return
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        sock.close()
