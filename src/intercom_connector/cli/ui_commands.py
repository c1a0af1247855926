"""`intercom-connector ui`: the debug panel on 127.0.0.1, behind a printed access token.

The command decides where the panel's requests go (its resumes, re-runs and try-it calls),
the same way `runs resume` does: from a run's recorded connection (the sandbox, a stored
authentication's name, a base URL), with ``$INTERCOM_TOKEN`` for runs that used a token.
"""

from __future__ import annotations

import socket
import webbrowser
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

import typer

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.cli.errors import UsageProblem, reported


@asynccontextmanager
async def connect(record: Mapping[str, Any]) -> AsyncIterator[AsyncIntercomClient]:
    """A client for a run's recorded connection (what `runs resume` reconnects to)."""
    connection = Connection(
        region=record.get("region") or "us",
        base_url=record.get("base_url"),
        version=record.get("version"),
        sandbox=bool(record.get("sandbox")),
        quiet=True,
        auth=record.get("auth"),
    )
    async with open_client(connection) as client:
        yield client


def authentication_names() -> list[str]:
    from intercom_connector.auth import AuthenticationStore

    return [auth.name for auth in AuthenticationStore().list()]


def _loopback(host: str) -> bool:
    try:
        addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
        return all(address == "::1" or address.startswith("127.") for address in addresses)
    except OSError:
        return False


def ui(
    host: Annotated[str, typer.Option(help="Address to bind (a loopback address).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0 for a free one).")] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the panel in the default browser.")
    ] = False,
) -> None:
    """Serve the debug panel: runs, step inputs and outputs, JSONPaths, try-it (Ctrl-C stops)."""
    with reported():
        if not _loopback(host):
            raise UsageProblem(
                f"--host {host} is not a loopback address; the panel shows run data and "
                "binds only to this machine (127.0.0.1)"
            )
        import uvicorn

        from intercom_connector.ui import AccessToken, PanelSettings, create_app

        access = AccessToken()
        app = create_app(
            PanelSettings(
                connect=connect,
                access=access,
                hosts=frozenset({host}),
                auth_names=authentication_names,
            )
        )
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise UsageProblem(f"cannot listen on {host}:{port}: {error.strerror}") from None
        bound = sock.getsockname()[1]
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{bound}/?token={access.token}"
        print(f"debug panel: {url}", flush=True)
        if open_browser:
            webbrowser.open(url)
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
        )
        server.run(sockets=[sock])
