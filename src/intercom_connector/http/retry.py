"""When to send a failed request again, and how long to wait first.

The policy is plain data and the decisions are pure functions of it, so they are tested
without a network or a clock; the client only runs the loop. The rules follow from what the
server may have done with the request:

- a 429 was not processed, so it is always safe to send again (after the wait it asks for);
- a 5xx or a broken connection may have been applied, so only requests that are safe to
  repeat (reads, PUT, DELETE, read-only POSTs such as search) are sent again;
- a connection that failed before the request went out (connect error or timeout, no free
  pooled connection) never reached the server, so even a create is sent again.

Attempts and total time are both bounded: a wait that would overrun `max_elapsed` is not
taken, and the last error is raised instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ConnectionFailed, IntercomError, RateLimitExceeded, ServerError
from .wait_headers import rate_limit_delay

__all__ = [
    "RetryPolicy",
    "backoff_delay",
    "full_jitter",
    "plan_retry",
    "rate_limit_delay",
    "should_retry",
]

Jitter = Callable[[float], float]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. The defaults retry; `RetryPolicy.none()` sends every request once."""

    max_attempts: int = 5
    max_elapsed: float = 120.0
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    multiplier: float = 2.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    retry_rate_limited: bool = True
    retry_connection_errors: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1 (1 means no retries)")
        if self.max_elapsed < 0 or self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("max_elapsed, initial_backoff and max_backoff must not be negative")
        if self.multiplier < 1:
            raise ValueError("multiplier must be at least 1")

    @classmethod
    def none(cls) -> RetryPolicy:
        """Send once; surface every failure to the caller."""
        return cls(max_attempts=1)


def full_jitter(delay: float) -> float:
    """A uniform wait in [0, delay], so clients that failed together do not retry together."""
    return random.uniform(0.0, delay)


def backoff_delay(policy: RetryPolicy, attempt: int, jitter: Jitter = full_jitter) -> float:
    """The wait after the `attempt`-th failed attempt (1-based): exponential, capped, jittered."""
    exponent = max(attempt - 1, 0)
    try:
        delay = policy.initial_backoff * policy.multiplier**exponent
    except OverflowError:
        delay = policy.max_backoff
    return jitter(min(delay, policy.max_backoff))


def should_retry(policy: RetryPolicy, attempt: int, error: BaseException, retry_safe: bool) -> bool:
    """Whether to send again after the `attempt`-th attempt (1-based) failed with `error`."""
    if attempt >= policy.max_attempts:
        return False
    if isinstance(error, RateLimitExceeded):
        return policy.retry_rate_limited
    if isinstance(error, ServerError):
        return retry_safe and error.status in policy.retry_statuses
    if isinstance(error, ConnectionFailed):
        return policy.retry_connection_errors and (retry_safe or not error.request_sent)
    return False


def plan_retry(
    policy: RetryPolicy,
    attempt: int,
    error: IntercomError,
    retry_safe: bool,
    elapsed: float,
    jitter: Jitter = full_jitter,
) -> float | None:
    """Seconds to wait before the next attempt, or None to give up and raise `error`.

    A 429's own wait (from its headers) is used when it has one; otherwise the backoff.
    `elapsed` is the time spent on this request so far; a wait past `max_elapsed` gives up.
    """
    if not should_retry(policy, attempt, error, retry_safe):
        return None
    wait = error.retry_after if isinstance(error, RateLimitExceeded) else None
    if wait is None:
        wait = backoff_delay(policy, attempt, jitter)
    if elapsed + wait > policy.max_elapsed:
        return None
    return wait
