import asyncio
from collections import Counter

import pytest

from intercom_connector.http import RateLimiter, RateLimitPolicy, shared_limiter

NOW = 1_700_000_000.0


class FrozenClock:
    """Time stands still; each sleep records when its caller would have woken up.

    Concurrent callers all reserve at the same instant, which is the hardest case for a
    limiter: nothing but its own bookkeeping spreads them out.
    """

    def __init__(self) -> None:
        self.now = NOW
        self.wake_times: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.wake_times.append(self.now + seconds)


def limiter_for(clock, **policy):
    return RateLimiter(RateLimitPolicy(**policy), clock=clock.clock, sleep=clock.sleep)


async def send_times(limiter, clock, count):
    """When each of `count` concurrent acquires would send (now, or its wake time)."""
    before = len(clock.wake_times)
    await asyncio.gather(*(limiter.acquire() for _ in range(count)))
    waited = clock.wake_times[before:]
    return [clock.now] * (count - len(waited)) + waited


def rate_headers(limit, remaining, reset):
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }


def test_per_minute_budget_is_spread_over_ten_second_windows():
    assert RateLimitPolicy().per_window == 1666
    assert RateLimitPolicy(requests_per_minute=1000).per_window == 166


def test_unlimited_policy_has_no_window():
    assert RateLimitPolicy.unlimited().per_window is None


async def test_concurrent_acquires_never_exceed_the_window_budget():
    clock = FrozenClock()
    limiter = limiter_for(clock, requests_per_minute=60)  # 10 per 10 s window
    times = await send_times(limiter, clock, 25)
    per_window = Counter(int((moment - NOW) // 10) for moment in times)
    assert per_window == {0: 10, 1: 10, 2: 5}


async def test_window_budget_is_reset_once_the_window_has_passed():
    clock = FrozenClock()
    limiter = limiter_for(clock, requests_per_minute=60)
    await send_times(limiter, clock, 10)
    clock.now += 10
    assert await send_times(limiter, clock, 10) == [clock.now] * 10


async def test_slows_down_when_remaining_falls_below_the_threshold():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=5, reset=NOW + 10))
    times = sorted(await send_times(limiter, clock, 5))
    assert times == [NOW, NOW + 2, NOW + 4, NOW + 6, NOW + 8]


async def test_no_slow_down_while_plenty_remains():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=50, reset=NOW + 10))
    assert await send_times(limiter, clock, 5) == [NOW] * 5


async def test_nothing_left_means_waiting_for_the_reset():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=0, reset=NOW + 7))
    assert await send_times(limiter, clock, 3) == [NOW + 7] * 3


async def test_pacing_ends_at_the_reset():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=1, reset=NOW + 5))
    clock.now = NOW + 6
    assert await send_times(limiter, clock, 3) == [clock.now] * 3


async def test_a_fresh_window_from_the_server_ends_pacing():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=2, reset=NOW + 10))
    limiter.observe(rate_headers(limit=100, remaining=99, reset=NOW + 20))
    assert await send_times(limiter, clock, 4) == [NOW] * 4


async def test_a_stale_reply_does_not_end_pacing():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=1, reset=NOW + 10))
    limiter.observe(rate_headers(limit=100, remaining=40, reset=NOW + 10))
    assert len(set(await send_times(limiter, clock, 3))) == 3


async def test_a_reset_far_in_the_future_is_capped():
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(rate_headers(limit=100, remaining=0, reset=NOW + 86_400))
    assert await send_times(limiter, clock, 1) == [NOW + 60]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-RateLimit-Remaining": "1"},
        {"X-RateLimit-Remaining": "x", "X-RateLimit-Limit": "100", "X-RateLimit-Reset": "1"},
    ],
)
async def test_incomplete_or_unreadable_headers_are_ignored(headers):
    clock = FrozenClock()
    limiter = limiter_for(clock)
    limiter.observe(headers)
    assert await send_times(limiter, clock, 3) == [NOW] * 3


@pytest.mark.parametrize("policy", [None, RateLimitPolicy.unlimited()])
async def test_disabled_limiter_never_waits(policy):
    clock = FrozenClock()
    limiter = RateLimiter(policy, clock=clock.clock, sleep=clock.sleep)
    limiter.observe(rate_headers(limit=100, remaining=0, reset=NOW + 10))
    await asyncio.gather(*(limiter.acquire() for _ in range(5000)))
    assert clock.wake_times == []
    assert not limiter.enabled


@pytest.mark.parametrize(
    "options",
    [{"requests_per_minute": 0}, {"window_seconds": 0}, {"slow_down_below": 1.5}],
)
def test_invalid_policies_are_refused(options):
    with pytest.raises(ValueError):
        RateLimitPolicy(**options)


def test_one_shared_limiter_per_key():
    first = shared_limiter("auth-a")
    assert shared_limiter("auth-a") is first
    assert shared_limiter("auth-b") is not first


async def test_a_wait_of_a_second_or_more_is_announced_before_it_starts():
    clock = FrozenClock()
    limiter = limiter_for(clock, requests_per_minute=6)  # 1 per 10 s window
    heard: list[float] = []
    await limiter.acquire(heard.append)
    await limiter.acquire(heard.append)
    assert heard == [pytest.approx(10.0)]
    assert clock.wake_times == [pytest.approx(NOW + 10.0)]


async def test_waits_of_a_second_or_more_are_heard_only_in_the_listening_context():
    from intercom_connector.http.ratelimit import hearing_throttles

    clock = FrozenClock()
    limiter = limiter_for(clock, requests_per_minute=6)  # one request per 10 s window
    heard: list[float] = []
    await limiter.acquire()  # the window's one slot
    with hearing_throttles(heard.append):
        await asyncio.gather(limiter.acquire(), asyncio.create_task(limiter.acquire()))
    await limiter.acquire()  # outside the context: nobody hears it
    assert heard == [10.0, 20.0]
