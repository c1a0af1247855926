"""The fault mix of the fault tests, and a client that retries fast enough to run it.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.

The mix: 5% server errors (500, 502, 503 in equal shares), 5% rate-limit replies (429) and
1% dropped connections, drawn from the sandbox's seeded generator, one draw per request, so
the same request sequence meets the same faults on every run.

About the 429s. The sandbox injects a 429 only as one of ``error_statuses``; such a reply
carries the ``X-RateLimit-*`` headers of the sandbox's current rate-limit window (when a
``rate_limit`` is set) and no ``Retry-After``, so ``X-RateLimit-Remaining`` is not 0 as it
would be on Intercom. That is the closest it offers to "5% rate-limit replies": a real
window limit cannot produce a given share of 429s, because the client's own limiter paces
itself to avoid them. The window here is one second and far from spent, so each injected
429 carries an ``X-RateLimit-Reset`` at most a second away, which the client waits for (it
reads the reset, as it would Intercom's), and the limit itself never trips.

About timing. ``fault_timing`` applies to every drawn fault, 429s included, but a 429 means
the request was not processed; a 429 after the handler ran (the write happened) is a reply
Intercom never sends. ``RateLimitRepliesComeFirst`` keeps 429s before the handler whatever
the timing, so the "after" runs test lost replies to writes, not an impossible server.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.http import RetryPolicy
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import FaultTiming, Sandbox, SandboxConfig
from intercom_connector.sandbox.knobs import Fault, FaultInjector

SERVER_ERRORS = (500, 502, 503)
FAULT_MIX: dict[str, Any] = {
    # 10% errors: three 5xx shares and three 429 shares, so 5% each.
    "error_rate": 0.10,
    "error_statuses": (*SERVER_ERRORS, 429, 429, 429),
    "drop_rate": 0.01,
    # Present for the headers of the injected 429s, never reached (see the docstring).
    "rate_limit": 1_000_000,
    "rate_limit_window_seconds": 1.0,
}
NO_FAULTS: dict[str, Any] = {"error_rate": 0.0, "drop_rate": 0.0}

# Fast backoffs and many attempts: the point is that nothing is lost or duplicated.
FAST_RETRIES = RetryPolicy(max_attempts=12, initial_backoff=0.001, max_backoff=0.01)


class RateLimitRepliesComeFirst(FaultInjector):
    """The sandbox's seeded faults, with every 429 answered before the handler runs."""

    def decide(self, config: SandboxConfig, method: str, path: str) -> Fault | None:
        fault = super().decide(config, method, path)
        if fault is not None and fault.status == 429 and fault.timing != "before":
            return Fault(fault.kind, "before")
        return fault


def faulty_sandbox(seed: int, timing: FaultTiming = "before", **data: Any) -> Sandbox:
    """A sandbox seeded with ``seed`` (data and faults) that injects the fault mix."""
    sandbox = Sandbox(SandboxConfig(seed=seed, fault_timing=timing, **FAULT_MIX, **data))
    sandbox.faults = RateLimitRepliesComeFirst(sandbox.config)
    return sandbox


def clean_sandbox(seed: int, **data: Any) -> Sandbox:
    """The same data as ``faulty_sandbox(seed)``, without faults or a rate limit."""
    return Sandbox(SandboxConfig(seed=seed, rate_limit=None, **data))


def client_for(
    sandbox: Sandbox, on_event: Callable[[dict[str, Any]], None] | None = None
) -> AsyncIntercomClient:
    """A connector client on ``sandbox`` through the in-process ASGI transport (no socket)."""
    return AsyncIntercomClient(
        sandbox.token,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=sandbox.app),
        retry=FAST_RETRIES,
        on_event=on_event,
    )


def faults_met(sandbox: Sandbox) -> Counter[str]:
    """How many requests met each kind of fault ("429", "500", "drop", ...)."""
    return Counter(r.fault for r in sandbox.requests if r.fault is not None)
