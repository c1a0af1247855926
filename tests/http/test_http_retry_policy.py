from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.http import (
    BadRequest,
    ConnectionFailed,
    NotFound,
    RateLimitExceeded,
    RetryPolicy,
    ServerError,
    backoff_delay,
    full_jitter,
    plan_retry,
    rate_limit_delay,
    should_retry,
)
from intercom_connector.httpx_lib import httpx

NOW = 1_700_000_000.0
POLICY = RetryPolicy()


def no_jitter(delay):
    return delay


def failed(cls, status=None, **options):
    return cls("failure", status=status, **options)


def connection(exc):
    return ConnectionFailed("failure", transport_error=exc)


# -- should_retry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "retry_safe", "expected"),
    [
        (failed(RateLimitExceeded, 429), True, True),
        (failed(RateLimitExceeded, 429), False, True),
        (failed(ServerError, 503), True, True),
        (failed(ServerError, 503), False, False),
        (failed(ServerError, 501), True, False),
        (connection(httpx.ReadError("reset")), True, True),
        (connection(httpx.ReadError("reset")), False, False),
        (connection(httpx.RemoteProtocolError("eof")), False, False),
        (connection(httpx.ReadTimeout("slow")), False, False),
        (connection(httpx.ConnectError("refused")), False, True),
        (connection(httpx.ConnectTimeout("slow")), False, True),
        (connection(httpx.PoolTimeout("busy")), False, True),
        (failed(BadRequest, 400), True, False),
        (failed(NotFound, 404), True, False),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, bool) else str(value),
)
def test_should_retry_follows_what_the_server_may_have_seen(error, retry_safe, expected):
    assert should_retry(POLICY, 1, error, retry_safe) is expected


def test_no_retry_once_max_attempts_is_reached():
    error = failed(ServerError, 503)
    assert should_retry(POLICY, 4, error, True)
    assert not should_retry(POLICY, 5, error, True)


def test_policy_none_never_retries():
    assert not should_retry(RetryPolicy.none(), 1, failed(RateLimitExceeded, 429), True)


def test_rate_limited_retries_can_be_switched_off():
    policy = RetryPolicy(retry_rate_limited=False)
    assert not should_retry(policy, 1, failed(RateLimitExceeded, 429), True)


def test_connection_retries_can_be_switched_off():
    policy = RetryPolicy(retry_connection_errors=False)
    assert not should_retry(policy, 1, connection(httpx.ConnectError("refused")), True)


def test_retry_statuses_are_configurable():
    policy = RetryPolicy(retry_statuses=frozenset({500}))
    assert not should_retry(policy, 1, failed(ServerError, 503), True)


@pytest.mark.parametrize(
    "options",
    [{"max_attempts": 0}, {"max_elapsed": -1}, {"initial_backoff": -1}, {"multiplier": 0.5}],
)
def test_invalid_policies_are_refused(options):
    with pytest.raises(ValueError):
        RetryPolicy(**options)


# -- backoff --------------------------------------------------------------------------------


def test_backoff_grows_exponentially_and_is_capped():
    waits = [backoff_delay(POLICY, attempt, no_jitter) for attempt in range(1, 10)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_backoff_survives_huge_attempt_numbers():
    assert backoff_delay(POLICY, 100_000, no_jitter) == 30.0


@given(delay=st.floats(min_value=0, max_value=1e6))
def test_full_jitter_stays_within_zero_and_the_delay(delay):
    assert 0 <= full_jitter(delay) <= delay


# -- plan_retry -----------------------------------------------------------------------------


def test_plan_uses_the_rate_limit_wait_when_the_server_gives_one():
    error = RateLimitExceeded("slow down", status=429, retry_after=4.0)
    assert plan_retry(POLICY, 1, error, False, elapsed=0.0, jitter=no_jitter) == 4.0


def test_plan_falls_back_to_backoff_without_a_server_wait():
    error = RateLimitExceeded("slow down", status=429)
    assert plan_retry(POLICY, 2, error, False, elapsed=0.0, jitter=no_jitter) == 1.0


def test_plan_gives_up_when_the_wait_would_overrun_max_elapsed():
    error = RateLimitExceeded("slow down", status=429, retry_after=30.0)
    policy = RetryPolicy(max_elapsed=60.0)
    assert plan_retry(policy, 1, error, True, elapsed=29.0) == 30.0
    assert plan_retry(policy, 1, error, True, elapsed=31.0) is None


def test_plan_gives_up_on_errors_that_should_not_be_retried():
    assert plan_retry(POLICY, 1, failed(ServerError, 503), False, elapsed=0.0) is None


# -- rate_limit_delay -----------------------------------------------------------------------


def http_date(timestamp):
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "12"}, 12.0),
        ({"Retry-After": http_date(NOW + 20)}, 20.0),
        ({"X-RateLimit-Reset": str(int(NOW + 8))}, 8.0),
        ({}, None),
    ],
    ids=["retry-after-ms", "retry-after-seconds", "retry-after-date", "ratelimit-reset", "none"],
)
def test_rate_limit_delay_reads_each_header(headers, expected):
    assert rate_limit_delay(headers, NOW) == expected


def test_milliseconds_win_over_seconds_and_reset():
    headers = {"retry-after-ms": "250", "Retry-After": "9", "X-RateLimit-Reset": str(NOW + 5)}
    assert rate_limit_delay(headers, NOW) == 0.25


def test_retry_after_wins_over_reset():
    headers = {"Retry-After": "9", "X-RateLimit-Reset": str(NOW + 5)}
    assert rate_limit_delay(headers, NOW) == 9.0


def test_unreadable_header_falls_through_to_the_next():
    headers = {"retry-after-ms": "soon", "Retry-After": "later", "X-RateLimit-Reset": str(NOW + 3)}
    assert rate_limit_delay(headers, NOW) == 3.0


def test_moments_in_the_past_mean_no_wait():
    assert rate_limit_delay({"X-RateLimit-Reset": str(NOW - 30)}, NOW) == 0.0
    assert rate_limit_delay({"Retry-After": http_date(NOW - 30)}, NOW) == 0.0


def test_header_names_are_case_insensitive_for_plain_dicts():
    assert rate_limit_delay({"RETRY-AFTER": "2"}, NOW) == 2.0


HEADER_TEXT = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)


@given(
    value=HEADER_TEXT,
    name=st.sampled_from(["retry-after-ms", "retry-after", "x-ratelimit-reset"]),
)
def test_rate_limit_delay_is_never_negative_whatever_the_header(value, name):
    delay = rate_limit_delay({name: value}, NOW)
    assert delay is None or delay >= 0
