"""A local Intercom (REST API 2.16) for demos, tests, benchmarks and offline automation work.

Stateful where automations care (contacts, companies, tags, notes, events, conversations,
admins, teams, segments, data attributes, content exports, OAuth), schema-shaped replies for
the rest of the catalog, and knobs for latency, rate limits and faults::

    from intercom_connector.sandbox import SandboxConfig, create_app

    sandbox = create_app(SandboxConfig(contacts=1_000, rate_limit=100))
    async with sandbox.async_client() as client:
        page = (await client.get("/contacts", params={"per_page": 50})).json()
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from .app import DEFAULT_BASE_URL, Sandbox, create_app, stateful_operations
    from .config import (
        DEFAULT_TOKEN,
        Clock,
        FaultTiming,
        ManualClock,
        OAuthClient,
        SandboxConfig,
        SystemClock,
    )
    from .knobs import ConnectionDropped
    from .requestlog import RequestLog, RequestRecord
    from .server import ServerHandle, run_in_thread

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TOKEN",
    "Clock",
    "ConnectionDropped",
    "FaultTiming",
    "ManualClock",
    "OAuthClient",
    "RequestLog",
    "RequestRecord",
    "Sandbox",
    "SandboxConfig",
    "ServerHandle",
    "SystemClock",
    "create_app",
    "run_in_thread",
    "stateful_operations",
]

__getattr__, __dir__ = attach(__name__, __file__)
