"""Where a command sends its requests: a token and region, an explicit URL, or the sandbox.

Commands share these options. ``--auth NAME`` picks a stored authentication, which brings
its own token, region or base URL and scopes; ``--token``/``INTERCOM_TOKEN`` remain for
one-off use. ``--sandbox`` runs an in-process sandbox (no socket, no account) so every
command can be tried on a fresh machine.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.cli.errors import AuthProblem, UsageProblem, say
from intercom_connector.cli.settings import region_default, setting
from intercom_connector.http.errors import PermissionDenied
from intercom_connector.httpx_lib import httpx
from intercom_connector.redaction import redact


@dataclass
class Connection:
    """The connection flags of one command, resolved against config.toml and the environment."""

    token: str | None = None
    region: str | None = None
    """None: config.toml's (or $INTERCOM_CONNECTOR_REGION's) region, else us."""
    base_url: str | None = None
    version: str | None = None
    sandbox: bool = False
    quiet: bool = False
    scopes: frozenset[str] | None = None
    secrets: list[str] = field(default_factory=list)
    auth: str | None = None
    deadline: float | None = None
    """Seconds per operation (``--timeout``); None keeps the client's default."""
    sandbox_state: str | None = None
    """SQLite file of the embedded sandbox's workspace (runs keep theirs for `runs resume`)."""

    def keep_sandbox_state(self) -> None:
        """Give an embedded sandbox a state file of its own in the connector's home."""
        if self.sandbox and self.sandbox_state is None:
            from intercom_connector.home import connector_home

            folder = connector_home() / "sandbox-states"
            folder.mkdir(mode=0o700, exist_ok=True)
            self.sandbox_state = str(folder / f"{uuid.uuid4().hex}.sqlite")

    def record(self) -> dict[str, Any]:
        """How runs connect, for the run log and `runs resume`; never the token."""
        return {
            "sandbox": self.sandbox,
            "auth": self.auth,
            "base_url": self.base_url,
            "region": self.region,
            "version": self.version,
            "sandbox_state": self.sandbox_state,
        }

    def redact(self, text: str) -> str:
        return redact(text, [self.token, *self.secrets])


def print_event(event: dict[str, Any]) -> None:
    """Tell the person at the terminal why a command is waiting."""
    if event.get("event") == "retry":
        wait = float(event.get("wait") or 0)
        say(f"retrying in {wait:.1f}s (attempt {event.get('attempt')}): {event.get('reason', '')}")
    elif event.get("event") == "throttle":
        say(f"rate limit: pausing {float(event.get('wait') or 0):.1f}s")
    elif event.get("event") == "partitions":
        count, plural = event["total"], "s" if event["total"] != 1 else ""
        say(f"listing in {count} partition{plural} (~{event['expected']} records)")
    elif event.get("event") in ("partition_retry", "partitioning_unavailable"):
        say(f"{event['event'].replace('_', ' ')}: {event.get('reason', '')}")


@contextmanager
def scope_refusals(descriptions: Mapping[str, str]) -> Iterator[None]:
    """Report Intercom's 403 for a missing scope like the refusal made before any request."""
    try:
        yield
    except PermissionDenied as error:
        from intercom_connector.auth.scopes import refused_scope

        refused = refused_scope(error, descriptions)
        if refused is None:
            raise
        raise refused from error


@asynccontextmanager
async def open_client(connection: Connection, **options: Any) -> AsyncIterator[AsyncIntercomClient]:
    """An executor for the connection; the sandbox lives as long as the client."""
    on_event = None if connection.quiet else print_event
    from intercom_connector.home import connector_home

    options.setdefault("download_dir", connector_home())
    if connection.deadline is not None:
        options.setdefault("deadline", connection.deadline)
    if connection.auth and connection.sandbox:
        raise UsageProblem(
            "--auth and --sandbox exclude each other; to use the sandbox with an "
            "authentication, store one whose --base-url is the sandbox's URL"
        )
    extra: dict[str, Any] = {}
    if connection.version:
        extra["version"] = connection.version
    if connection.sandbox:
        from intercom_connector.sandbox import Sandbox, SandboxConfig

        sandbox = Sandbox(SandboxConfig(state_path=connection.sandbox_state))
        transport = httpx.ASGITransport(app=sandbox.app)
        async with AsyncIntercomClient(
            sandbox.token,
            base_url="http://sandbox.local",
            transport=transport,
            granted_scopes=connection.scopes,
            on_event=on_event,
            **extra,
            **options,
        ) as client:
            try:
                with scope_refusals(client.catalog.scopes):
                    yield client
            finally:
                sandbox.close()
        return
    token = connection.token or os.environ.get("INTERCOM_TOKEN")
    if not (token or connection.auth or connection.base_url):
        connection.auth = setting("auth")  # the default authentication, if one is set
    region: str | None = connection.region or region_default()
    base_url = connection.base_url
    scopes = connection.scopes
    if connection.auth:
        if connection.base_url:
            raise UsageProblem(
                "--base-url cannot be combined with --auth: the authentication decides "
                "where its token is sent"
            )
        from intercom_connector.auth.store import resolve  # cryptography: only with --auth

        resolved = resolve(connection.auth)
        connection.secrets.append(resolved.token)
        token, region, base_url = resolved.token, resolved.region, resolved.base_url
        scopes = resolved.scopes
    if not token:
        raise AuthProblem(
            "no Intercom token: pass --auth NAME (see `intercom-connector auth add`), "
            "--token, set INTERCOM_TOKEN, or use --sandbox to try the command against "
            "the local sandbox"
        )
    async with AsyncIntercomClient(
        token,
        region=region,
        base_url=base_url,
        granted_scopes=scopes,
        on_event=on_event,
        **extra,
        **options,
    ) as client:
        with scope_refusals(client.catalog.scopes):
            yield client
