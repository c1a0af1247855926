"""Realism knobs: latency, Intercom's 10-second rate-limit windows, and injected faults.

Every random choice comes from a ``random.Random`` seeded from the config seed, one draw per
request, so the same request sequence meets the same faults on every run. Faults can also be
scripted (``FaultInjector.inject``) for tests that need "the next POST /contacts fails".
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

from intercom_connector.httpx_lib import httpx

from .config import DEFAULT_RATE_LIMIT, Clock, FaultTiming, SandboxConfig
from .replies import Reply, error_body

FAULT_KINDS = ("500", "502", "503", "drop", "slow", "throttle")
"""``throttle`` is a 429 shaped like the rate limit's own (its code and message, the window's
``X-RateLimit-*`` headers, whose reset a client waits for), drawn independently of the
window's count: a share of 429s that a client's own pacing cannot avoid. A bare ``429`` is a
generic injected error with that status."""


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised in-process where a real server would close the socket without replying.

    It subclasses httpx's own network error so a client mounted on the ASGI transport sees
    the same exception family as over a socket.
    """


class Fault(NamedTuple):
    """One injected failure: a status, ``drop`` or ``slow``, before or after the handler."""

    kind: str
    timing: FaultTiming = "before"

    @property
    def status(self) -> int | None:
        if self.kind == "throttle":
            return 429
        return int(self.kind) if self.kind.isdigit() else None


class _Scripted:
    """A fault scripted by ``inject``: how many more requests it hits, and which."""

    __slots__ = ("fault", "method", "path", "remaining")

    def __init__(self, fault: Fault, remaining: int, method: str | None, path: str | None):
        self.fault = fault
        self.remaining = remaining
        self.method = method
        self.path = path

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path == path


class FaultInjector:
    def __init__(self, config: SandboxConfig) -> None:
        self._rng = random.Random(f"faults:{config.seed}")
        self._scripted: list[_Scripted] = []

    def inject(
        self,
        kind: str | int,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        timing: FaultTiming = "before",
    ) -> None:
        """Make the next ``times`` matching API requests fail with ``kind``.

        ``kind`` is a status (500, 502, 503, or any 4xx/5xx), ``"drop"``, ``"slow"`` or
        ``"throttle"``. A throttle is always answered before the handler.
        """
        kind = str(kind)
        if kind not in FAULT_KINDS and not (kind.isdigit() and 400 <= int(kind) < 600):
            raise ValueError(f"unknown fault kind {kind!r}")
        if kind == "throttle":
            timing = "before"
        self._scripted.append(
            _Scripted(Fault(kind, timing), times, method.upper() if method else None, path)
        )

    def clear(self) -> None:
        self._scripted.clear()

    def decide(self, config: SandboxConfig, method: str, path: str) -> Fault | None:
        for scripted in self._scripted:
            if scripted.remaining > 0 and scripted.matches(method, path):
                scripted.remaining -= 1
                if scripted.remaining == 0:
                    self._scripted.remove(scripted)
                return scripted.fault
        total = config.drop_rate + config.error_rate + config.slow_rate + config.throttle_rate
        if total <= 0.0:
            return None
        draw = self._rng.random()
        timing = config.fault_timing
        if draw < config.drop_rate:
            return Fault("drop", timing)
        draw -= config.drop_rate
        if draw < config.error_rate:
            statuses = config.error_statuses
            index = min(int(draw / config.error_rate * len(statuses)), len(statuses) - 1)
            return Fault(str(statuses[index]), timing)
        draw -= config.error_rate
        if draw < config.slow_rate:
            return Fault("slow", timing)
        draw -= config.slow_rate
        if draw < config.throttle_rate:  # drawn last, so older seeds meet the same faults
            return Fault("throttle", "before")
        return None


class Latency:
    def __init__(self, config: SandboxConfig) -> None:
        self._rng = random.Random(f"latency:{config.seed}")

    def draw(self, config: SandboxConfig) -> float:
        if isinstance(config.latency, tuple):
            low, high = config.latency
            return self._rng.uniform(low, high)
        return float(config.latency)


class RateDecision(NamedTuple):
    """Whether a request fits the window, with the ``X-RateLimit-*`` headers to send."""

    allowed: bool
    headers: dict[str, str]
    limit: int


class RateLimiter:
    """Fixed windows aligned to the clock, as Intercom spreads its per-minute limit."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._window_start = -math.inf
        self._count = 0

    def reset(self) -> None:
        self._window_start = -math.inf
        self._count = 0

    def hit(self, limit: int | None, window: float) -> RateDecision | None:
        if limit is None:
            return None
        now = self._clock.now()
        start = math.floor(now / window) * window
        if start != self._window_start:
            self._window_start = start
            self._count = 0
        allowed = self._count < limit
        if allowed:
            self._count += 1
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - self._count, 0)),
            "X-RateLimit-Reset": str(math.ceil(start + window)),
        }
        return RateDecision(allowed, headers, limit)


def rate_limit_message(limit: int, window: float) -> str:
    seconds = int(window) if float(window).is_integer() else window
    return f"Exceeded rate limit of {limit} in {seconds}_seconds"


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "unprocessable_entity",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "service_unavailable",
    504: "request_timeout",
}
_BAD_GATEWAY = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n"


def limit_reply(config: SandboxConfig, request_id: str) -> Reply:
    """The 429 of a spent window; the caller adds the window's ``X-RateLimit-*`` headers."""
    limit = config.rate_limit if config.rate_limit is not None else DEFAULT_RATE_LIMIT
    message = rate_limit_message(limit, config.rate_limit_window_seconds)
    return Reply.json(error_body("rate_limit_exceeded", message, request_id), 429)


def fault_reply(fault: Fault, request_id: str, config: SandboxConfig) -> Reply:
    if fault.kind == "throttle":
        return limit_reply(config, request_id)
    status = fault.status or 500
    if status == 502:
        return Reply(502, _BAD_GATEWAY, "text/html")
    code = _STATUS_CODES.get(status, "server_error" if status >= 500 else "client_error")
    message = "Injected fault" if status != 500 else "An unexpected server error occurred"
    return Reply.json(error_body(code, message, request_id), status)
