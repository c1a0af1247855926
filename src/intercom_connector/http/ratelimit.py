"""Client-side rate limiting shared by every concurrent request of one authentication.

Intercom spreads an app's per-minute budget over 10-second windows (10,000/min allows 1,666
per 10 s) and answers 429 past it. Waiting for 429s wastes requests and, under concurrency,
makes every task retry at once, so the limiter keeps the client under the budget itself:

- a fixed window hands out `requests_per_minute * window_seconds / 60` slots per window;
  a caller past the budget is given a slot in the next free window and sleeps until it opens
  (reservations make the order fair, and no caller polls);
- `observe` reads `X-RateLimit-Remaining` / `-Limit` / `-Reset` from each reply: when the
  remaining share falls below `slow_down_below`, the remaining requests are spaced evenly
  until the server's reset instead of being spent in a burst that ends in 429s.

The hot path is a clock read and a few comparisons under an uncontended lock; the lock makes
one limiter safe to share between event loops in different threads (the sync facade).
Clock and sleep are injectable so tests run on a fake clock. The clock is unix time because
`X-RateLimit-Reset` is a unix timestamp.

Waits of a second or more are also told to whoever listens in the current context
(`hearing_throttles`): a workflow step sets one around its call, so a shared client's pauses
land in the run log of the step that waited, parallel listing tasks included (asyncio tasks
inherit the context).
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from intercom_connector.httpx_lib import httpx

__all__ = ["RateLimitPolicy", "RateLimiter", "hearing_throttles", "shared_limiter"]

_throttle_listener: ContextVar[Callable[[float], None] | None] = ContextVar(
    "throttle_listener", default=None
)


@contextmanager
def hearing_throttles(listener: Callable[[float], None]) -> Iterator[None]:
    """Tell ``listener`` of every wait of a second or more in this context (seconds)."""
    token = _throttle_listener.set(listener)
    try:
        yield
    finally:
        _throttle_listener.reset(token)


# A reset further away than this is taken as clock skew, not as an order to stall.
_MAX_PACING_HORIZON = 60.0


@dataclass(frozen=True)
class RateLimitPolicy:
    """The budget to stay under. `requests_per_minute=None` means no client-side limit."""

    requests_per_minute: int | None = 10_000
    window_seconds: float = 10.0
    slow_down_below: float = 0.1

    def __post_init__(self) -> None:
        if self.requests_per_minute is not None and self.requests_per_minute < 1:
            raise ValueError("requests_per_minute must be positive (None means unlimited)")
        if self.window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        if not 0 <= self.slow_down_below <= 1:
            raise ValueError("slow_down_below is a share of the limit, between 0 and 1")

    @classmethod
    def unlimited(cls) -> RateLimitPolicy:
        """No client-side limiting at all: no window, no slow-down."""
        return cls(requests_per_minute=None)

    @property
    def per_window(self) -> int | None:
        """Requests allowed per window (at least one), or None when unlimited."""
        if self.requests_per_minute is None:
            return None
        return max(1, int(self.requests_per_minute * self.window_seconds / 60))


def _number(headers: Mapping[str, str], name: str) -> float | None:
    text = headers.get(name)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


class RateLimiter:
    """`await acquire()` before each send, `observe(headers)` after each reply.

    `RateLimiter(None)` and `RateLimiter(RateLimitPolicy.unlimited())` never wait.
    """

    def __init__(
        self,
        policy: RateLimitPolicy | None = RateLimitPolicy(),  # frozen: a shared default is safe
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.policy = policy or RateLimitPolicy.unlimited()
        self._enabled = self.policy.per_window is not None
        self._per_window = self.policy.per_window or 0
        self._window = self.policy.window_seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # Fixed window: the end of the latest window holding reservations, and its fill.
        self._window_end = float("-inf")
        self._used = 0
        # Pacing after a low X-RateLimit-Remaining: slots `_interval` apart until `_paced_until`.
        self._paced_until = float("-inf")
        self._interval = 0.0
        self._next_paced = float("-inf")

    @property
    def enabled(self) -> bool:
        return self._enabled

    async def acquire(self, on_wait: Callable[[float], None] | None = None) -> None:
        """Wait until this request may be sent; ``on_wait`` hears of waits of a second or more."""
        if not self._enabled:
            return
        delay = self._reserve()
        if delay > 0:
            if delay >= 1.0:
                for listener in (on_wait, _throttle_listener.get()):
                    if listener is not None:
                        listener(delay)
            await self._sleep(delay)

    def _reserve(self) -> float:
        """Book the next free slot and return how long to wait for it."""
        with self._lock:
            now = self._clock()
            if now >= self._window_end:
                self._window_end = now + self._window
                self._used = 0
            elif self._used >= self._per_window:
                self._window_end += self._window
                self._used = 0
            self._used += 1
            start = max(now, self._window_end - self._window)
            if start < self._paced_until:
                start = max(start, self._next_paced)
                self._next_paced = start + self._interval
            return start - now

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the server's view of the budget from a reply's rate-limit headers."""
        if not self._enabled:
            return
        if not isinstance(headers, httpx.Headers):
            headers = httpx.Headers(headers)  # case-insensitive, like a reply's own headers
        remaining = _number(headers, "x-ratelimit-remaining")
        if remaining is None:
            return
        limit = _number(headers, "x-ratelimit-limit")
        reset = _number(headers, "x-ratelimit-reset")
        if limit is None or reset is None:
            return
        with self._lock:
            if remaining >= self.policy.slow_down_below * limit:
                if reset > self._paced_until:  # a newer window than the one we paced for
                    self._paced_until = float("-inf")
                return
            now = self._clock()
            until = min(reset, now + _MAX_PACING_HORIZON)
            if until <= now:
                return
            self._paced_until = until
            if remaining <= 0:
                self._interval = 0.0
                self._next_paced = max(self._next_paced, until)
            else:
                self._interval = (until - now) / remaining
                self._next_paced = max(self._next_paced, now)


_shared: weakref.WeakValueDictionary[str, RateLimiter] = weakref.WeakValueDictionary()
_shared_lock = threading.Lock()


def shared_limiter(key: str, policy: RateLimitPolicy | None = RateLimitPolicy()) -> RateLimiter:
    """The process-wide limiter for `key` (an authentication's name or a token digest).

    Intercom counts the budget per app, so every client of one authentication in a process
    should draw from one limiter. The first call for a key decides its policy; the limiter
    lives as long as some client holds it.
    """
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = RateLimiter(policy)
            _shared[key] = limiter
        return limiter
