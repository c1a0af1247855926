"""Helpers for driving the sandbox through the connector's own client, by operation name.

A `SandboxTarget` is one sandbox plus the way a client reaches it: mounted in process on
httpx's ASGI transport, or served on a loopback socket by `run_in_thread`. Tests ask the
target for a client and read the sandbox's state, request log and manual clock directly, so
the same test body runs unchanged over both transports.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from intercom_connector import AsyncIntercomClient, IntercomClient
from intercom_connector.http import RetryPolicy
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, RequestRecord, Sandbox, SandboxConfig

IN_PROCESS = "in_process"
LOOPBACK = "loopback"
TRANSPORTS = (IN_PROCESS, LOOPBACK)

# Small enough that every listing below takes several pages and the module stays fast.
SMALL_WORKSPACE: dict[str, Any] = {
    "contacts": 30,
    "companies": 20,
    "conversations": 12,
    "rate_limit": None,
    "scroll_page_size": 6,
    "export_seconds": 3.0,
    "scroll_ttl_seconds": 60.0,
}

# Retries without the production backoff: a fault test retries a lot and must stay quick.
FAST_RETRY = RetryPolicy(max_attempts=8, initial_backoff=0.001, max_backoff=0.004)


def small_config(**overrides: Any) -> SandboxConfig:
    """The small workspace on a fresh manual clock, with the given knobs changed."""
    return SandboxConfig(**{**SMALL_WORKSPACE, "clock": ManualClock(), **overrides})


def adopt_config(sandbox: Sandbox, config: SandboxConfig) -> None:
    """Give a running sandbox every setting of ``config`` and reseed it from them.

    Lets one loopback server serve many tests: each test starts from its own fresh workspace,
    clock, fault schedule and request log without paying for a new server.
    """
    sandbox.configure(**{f.name: getattr(config, f.name) for f in fields(config)})
    sandbox.reset()


@dataclass
class SandboxTarget:
    """A sandbox and how the client reaches it (``in_process`` or ``loopback``)."""

    kind: str
    sandbox: Sandbox

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url

    @property
    def clock(self) -> ManualClock:
        clock = self.sandbox.config.clock
        assert isinstance(clock, ManualClock)
        return clock

    @property
    def state(self) -> Any:
        return self.sandbox.state

    def configure(self, **changes: Any) -> None:
        """Change knobs or sizes and reseed: the test starts over on a new workspace."""
        self.sandbox.configure(**changes)
        self.sandbox.reset()

    def transport(self) -> httpx.AsyncBaseTransport | None:
        if self.kind == IN_PROCESS:
            return httpx.ASGITransport(app=self.sandbox.app)
        return None  # httpx's own network transport, to the loopback port

    def client(self, token: str | None = None, **options: Any) -> AsyncIntercomClient:
        options.setdefault("retry", FAST_RETRY)
        return AsyncIntercomClient(
            token or self.sandbox.token,
            base_url=self.base_url,
            transport=self.transport(),
            **options,
        )

    def blocking_client(self, **options: Any) -> IntercomClient:
        options.setdefault("retry", FAST_RETRY)
        return IntercomClient(
            self.sandbox.token, base_url=self.base_url, transport=self.transport(), **options
        )

    def requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        return self.sandbox.requests.matching(method, path)

    def listable_contact_ids(self) -> list[str]:
        store = self.state.contacts
        return [store.id_of(contact) for contact in store.listable()]


class ConsentBrowser:
    """Plays the user on the sandbox's OAuth consent page.

    It approves at once (``auto=approve``) through the same transport the client uses, then
    follows the redirect to the connector's loopback receiver like a browser would.
    """

    def __init__(self, transport: httpx.AsyncBaseTransport | None) -> None:
        self._transport = transport
        self.landing_statuses: list[int] = []

    async def open(self, url: str) -> None:
        async with httpx.AsyncClient(transport=self._transport) as sandbox_page:
            consent = await sandbox_page.get(f"{url}&auto=approve")
        assert consent.status_code == 302, consent.text
        async with httpx.AsyncClient() as receiver:
            landing = await receiver.get(consent.headers["location"])
        self.landing_statuses.append(landing.status_code)
