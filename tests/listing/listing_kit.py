"""A sandbox and a connector client on it, in-process, for the listing tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.http import RetryPolicy
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig

FAST_RETRIES = RetryPolicy(max_attempts=6, initial_backoff=0.001, max_backoff=0.01)
BASE_URL = "http://sandbox.test"


def contacts_sandbox(seed: int, contacts: int, **config: Any) -> Sandbox:
    return Sandbox(
        SandboxConfig(
            seed=seed,
            contacts=contacts,
            companies=config.pop("companies", 0),
            conversations=config.pop("conversations", 0),
            notes=0,
            events=0,
            rate_limit=config.pop("rate_limit", None),
            **config,
        )
    )


def client_on(
    sandbox: Sandbox,
    transport: httpx.AsyncBaseTransport | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> AsyncIntercomClient:
    return AsyncIntercomClient(
        sandbox.token,
        base_url=BASE_URL,
        transport=transport or httpx.ASGITransport(app=sandbox.app),
        retry=FAST_RETRIES,
        on_event=on_event,
    )


def seeded_ids(sandbox: Sandbox) -> set[str]:
    store = sandbox.state.contacts
    return {store.id_of(contact) for contact in store.listable()}
