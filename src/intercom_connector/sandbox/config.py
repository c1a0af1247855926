"""Sandbox settings: how much data to seed and how realistic (slow, limited, faulty) to be.

One frozen dataclass so a configuration can be shared between tests, printed, and changed
with ``dataclasses.replace`` (``Sandbox.configure``) without surprising anyone holding the
old one. The clock lives here too: everything time-dependent (scroll expiry, export jobs,
OAuth codes, rate-limit windows) reads it, so tests can move time instead of sleeping.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal, Protocol

FaultTiming = Literal["before", "after"]
"""``before``: the fault replaces the handler (an injected 500 means nothing was written).
``after``: the handler runs, then the reply is lost (the write happened) — for testing
duplicate-create protection."""

DEFAULT_TOKEN = "sandbox-token"
# Intercom's default private-app limit is 10,000 calls a minute, spread over 10-second windows.
DEFAULT_RATE_LIMIT = 1667


class Clock(Protocol):
    """Wall-clock time in unix seconds."""

    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to; for tests of expiry and job progress."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set(self, when: float) -> None:
        self._now = float(when)


@dataclass(frozen=True)
class OAuthClient:
    """A registered OAuth app. Empty ``redirect_uris`` accepts any redirect (local testing)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...] = ()
    name: str = "Sandbox app"


@dataclass(frozen=True)
class SandboxConfig:
    """What a sandbox holds and how it behaves; knobs apply per request, sizes on reset."""

    # --- data -------------------------------------------------------------------------
    seed: int = 0
    contacts: int = 100
    companies: int = 25
    conversations: int = 40
    admins: int = 5
    teams: int = 2
    tags: int = 8
    notes: int = 30
    events: int = 60
    seed_epoch: int = 1_735_689_600
    """Seeded records carry timestamps in the year before this instant (2025-01-01 UTC)."""

    state_path: str | None = None
    """SQLite file that keeps the workspace's writes across restarts (journal.py); None:
    the workspace lives in memory only."""

    # --- auth -------------------------------------------------------------------------
    token: str = DEFAULT_TOKEN
    extra_tokens: tuple[str, ...] = ()
    oauth_clients: tuple[OAuthClient, ...] = (
        OAuthClient(client_id="sandbox-client", client_secret="sandbox-secret"),
    )
    oauth_code_ttl_seconds: float = 300.0
    scopes: tuple[str, ...] | None = None
    """Permission scopes the tokens were granted; an operation needing another answers 403.
    ``None``: every scope, as a workspace's own access token has."""

    # --- webhooks (webhooks.py) -------------------------------------------------------
    webhook_url: str | None = None
    """Where signed notifications of the sandbox's own events are POSTed; None: nowhere."""
    webhook_secret: str | None = None
    """Signing key; None: the first OAuth app's client secret, as at Intercom."""
    webhook_topics: tuple[str, ...] = ()
    """Topics to send; empty: every topic the sandbox knows."""

    # --- realism knobs ----------------------------------------------------------------
    latency: float | tuple[float, float] = 0.0
    """Seconds added to every API reply: fixed, or drawn uniformly from ``(low, high)``."""
    rate_limit: int | None = DEFAULT_RATE_LIMIT
    """Requests per window; ``None`` disables the limit and its headers."""
    rate_limit_window_seconds: float = 10.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    fault_timing: FaultTiming = "before"
    """When drawn 5xx and drops strike: before the handler (nothing applied) or after it
    (applied, reply lost)."""
    throttle_rate: float = 0.0
    """Share of requests answered 429 as if the window's budget were spent by someone else.
    Always before the handler, whatever ``fault_timing`` says: Intercom answers 429 only for
    requests it did not process."""

    # --- resource behaviour -----------------------------------------------------------
    export_seconds: float = 3.0
    """Time from creating a content export job until it completes."""
    scroll_ttl_seconds: float = 60.0
    scroll_page_size: int = 15
    request_log_size: int = 10_000
    clock: Clock = field(default_factory=SystemClock, compare=False)

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "slow_rate", "throttle_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.error_rate + self.drop_rate + self.slow_rate + self.throttle_rate > 1.0:
            raise ValueError("error_rate + drop_rate + slow_rate + throttle_rate must not exceed 1")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be positive or None")
        for name in ("contacts", "companies", "conversations", "admins", "teams", "tags"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.admins < 1:
            raise ValueError("at least one admin is needed (GET /me answers with it)")
        if isinstance(self.latency, tuple):
            low, high = self.latency
            if low < 0 or high < low:
                raise ValueError("latency range must be (low, high) with 0 <= low <= high")
        elif self.latency < 0:
            raise ValueError("latency must not be negative")
        if not self.error_statuses:
            raise ValueError("error_statuses must name at least one status")

    @property
    def tokens(self) -> frozenset[str]:
        return frozenset((self.token, *self.extra_tokens))
