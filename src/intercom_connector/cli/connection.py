"""Where a command sends its requests: a token and region, an explicit URL, or the sandbox.

Commands share these options. ``--sandbox`` runs an in-process sandbox (no socket, no
account) so every command can be tried on a fresh machine.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.cli.errors import AuthProblem, stderr


@dataclass
class Connection:
    token: str | None = None
    region: str = "us"
    base_url: str | None = None
    version: str | None = None
    sandbox: bool = False
    quiet: bool = False
    scopes: frozenset[str] | None = None
    secrets: list[str] = field(default_factory=list)

    def redact(self, text: str) -> str:
        for secret in [self.token, *self.secrets]:
            if secret:
                text = text.replace(secret, "***")
        return text


def print_event(event: dict[str, Any]) -> None:
    """Tell the person at the terminal why a command is waiting."""
    if event.get("event") == "retry":
        wait = float(event.get("wait") or 0)
        stderr.out(
            f"retrying in {wait:.1f}s (attempt {event.get('attempt')}): {event.get('reason', '')}",
            highlight=False,
        )
    elif event.get("event") == "throttle":
        stderr.out(f"rate limit: pausing {float(event.get('wait') or 0):.1f}s", highlight=False)


@asynccontextmanager
async def open_client(connection: Connection, **options: Any) -> AsyncIterator[AsyncIntercomClient]:
    """An executor for the connection; the sandbox lives as long as the client."""
    on_event = None if connection.quiet else print_event
    if connection.sandbox:
        from intercom_connector.sandbox import Sandbox, SandboxConfig

        sandbox = Sandbox(SandboxConfig())
        transport = httpx.ASGITransport(app=sandbox.app)
        async with AsyncIntercomClient(
            sandbox.token,
            base_url="http://sandbox.local",
            transport=transport,
            granted_scopes=connection.scopes,
            on_event=on_event,
            **options,
        ) as client:
            yield client
        return
    token = connection.token or os.environ.get("INTERCOM_TOKEN")
    if not token:
        raise AuthProblem(
            "no Intercom token: pass --token, set INTERCOM_TOKEN, or use --sandbox "
            "to try the command against the local sandbox"
        )
    extra: dict[str, Any] = {}
    if connection.version:
        extra["version"] = connection.version
    async with AsyncIntercomClient(
        token,
        region=connection.region,
        base_url=connection.base_url,
        granted_scopes=connection.scopes,
        on_event=on_event,
        **extra,
        **options,
    ) as client:
        yield client
