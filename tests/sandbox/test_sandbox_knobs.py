"""Realism knobs: latency, rate-limit windows and headers, injected faults, determinism."""

from __future__ import annotations

import time

import pytest
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import (
    ConnectionDropped,
    ManualClock,
    Sandbox,
    SandboxConfig,
    create_app,
)


def _sandbox(clock: ManualClock, **options: object) -> Sandbox:
    return create_app(SandboxConfig(clock=clock, **options))  # type: ignore[arg-type]


async def _statuses(sandbox: Sandbox, count: int, path: str = "/me") -> list[int | str]:
    out: list[int | str] = []
    async with sandbox.async_client() as client:
        for _ in range(count):
            try:
                out.append((await client.get(path)).status_code)
            except ConnectionDropped:
                out.append("drop")
    return out


# --- latency -----------------------------------------------------------------------------


async def test_fixed_latency_delays_each_reply(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, latency=0.05)
    async with sandbox.async_client() as client:
        started = time.perf_counter()
        await client.get("/me")
        assert time.perf_counter() - started >= 0.05


async def test_latency_range_draws_within_bounds(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, latency=(0.01, 0.03))
    async with sandbox.async_client() as client:
        for _ in range(3):
            started = time.perf_counter()
            await client.get("/me")
            assert time.perf_counter() - started >= 0.01


def test_latency_range_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="latency"):
        SandboxConfig(latency=(0.2, 0.1))


# --- rate limit --------------------------------------------------------------------------


async def test_every_authenticated_reply_has_rate_limit_headers(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, rate_limit=5)
    async with sandbox.async_client() as client:
        response = await client.get("/contacts/nope")
    assert response.status_code == 404
    assert response.headers["x-ratelimit-limit"] == "5"
    assert response.headers["x-ratelimit-remaining"] == "4"
    window_end = (int(clock.now()) // 10 + 1) * 10
    assert response.headers["x-ratelimit-reset"] == str(window_end)


async def test_requests_past_the_limit_get_429(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, rate_limit=3)
    async with sandbox.async_client() as client:
        replies = [await client.get("/me") for _ in range(4)]
    assert [r.status_code for r in replies] == [200, 200, 200, 429]
    assert error_code(replies[-1]) == "rate_limit_exceeded"
    assert replies[-1].json()["errors"][0]["message"] == "Exceeded rate limit of 3 in 10_seconds"
    assert replies[-1].headers["x-ratelimit-remaining"] == "0"


async def test_limit_resets_with_the_next_window(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, rate_limit=1)
    async with sandbox.async_client() as client:
        await client.get("/me")
        assert (await client.get("/me")).status_code == 429
        clock.advance(10)
        assert (await client.get("/me")).status_code == 200


async def test_rate_limit_none_disables_limit_and_headers(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, rate_limit=None)
    async with sandbox.async_client() as client:
        response = await client.get("/me")
    assert "x-ratelimit-limit" not in response.headers


async def test_admin_endpoints_do_not_count_against_the_limit(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, rate_limit=1)
    async with sandbox.async_client() as client:
        for _ in range(3):
            assert (await client.get("/_sandbox/requests")).status_code == 200
        assert (await client.get("/me")).status_code == 200


# --- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
async def test_injected_server_error_has_the_error_envelope(
    sandbox: Sandbox, client: httpx.AsyncClient, status: int
) -> None:
    sandbox.inject(status)
    response = await client.get("/me")
    assert response.status_code == status
    assert response.json()["type"] == "error.list"
    assert "x-ratelimit-limit" in response.headers


async def test_injected_502_looks_like_a_gateway_page(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.inject(502)
    response = await client.get("/me")
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"


async def test_fault_before_handler_means_nothing_was_written(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    before = len(sandbox.state.contacts)
    sandbox.inject(500, method="POST", path="/contacts")
    response = await client.post("/contacts", json={"email": "lost@example.com"})
    assert response.status_code == 500
    assert len(sandbox.state.contacts) == before


async def test_fault_after_handler_loses_the_reply_but_keeps_the_write(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.inject(500, method="POST", path="/contacts", timing="after")
    first = await client.post("/contacts", json={"email": "twice@example.com"})
    retry = await client.post("/contacts", json={"email": "twice@example.com"})
    assert first.status_code == 500
    assert retry.status_code == 409


async def test_dropped_connection_raises_a_network_error_in_process(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.inject("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("/me")
    assert (await client.get("/me")).status_code == 200


async def test_drop_after_handler_keeps_the_write(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.inject("drop", method="POST", timing="after")
    with pytest.raises(ConnectionDropped):
        await client.post("/contacts", json={"email": "dropped@example.com"})
    assert sandbox.state.contacts.by_email("dropped@example.com") is not None


async def test_slow_fault_delays_but_answers(clock: ManualClock) -> None:
    sandbox = _sandbox(clock, slow_seconds=0.05)
    sandbox.inject("slow")
    async with sandbox.async_client() as client:
        started = time.perf_counter()
        response = await client.get("/me")
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.05
    assert sandbox.requests[-1].fault == "slow"


async def test_scripted_fault_matches_only_its_path(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.inject(503, path="/tags", times=2)
    assert (await client.get("/me")).status_code == 200
    assert [(await client.get("/tags")).status_code for _ in range(3)] == [503, 503, 200]


async def test_error_rate_produces_errors_at_about_that_rate(clock: ManualClock) -> None:
    statuses = await _statuses(_sandbox(clock, error_rate=0.3, rate_limit=None), 200)
    errors = sum(1 for s in statuses if s != 200)
    assert 30 <= errors <= 90
    assert {s for s in statuses if s != 200} <= {500, 502, 503}


async def test_drop_rate_drops_connections(clock: ManualClock) -> None:
    statuses = await _statuses(_sandbox(clock, drop_rate=0.5), 40)
    assert "drop" in statuses and 200 in statuses


async def test_throttle_rate_answers_a_429_shaped_like_the_rate_limits_own(
    clock: ManualClock,
) -> None:
    sandbox = _sandbox(clock, throttle_rate=1.0, rate_limit=5)
    async with sandbox.async_client() as client:
        response = await client.get("/me")
    assert response.status_code == 429
    assert response.json()["errors"][0] == {
        "code": "rate_limit_exceeded",
        "message": "Exceeded rate limit of 5 in 10_seconds",
    }
    window_end = (int(clock.now()) // 10 + 1) * 10
    assert response.headers["x-ratelimit-reset"] == str(window_end)
    assert sandbox.requests[-1].fault == "throttle"


async def test_throttled_writes_are_never_applied_even_with_faults_after_the_handler(
    clock: ManualClock,
) -> None:
    sandbox = _sandbox(clock, throttle_rate=1.0, fault_timing="after")
    sandbox.inject("throttle", method="POST", timing="after")
    async with sandbox.async_client() as client:
        replies = [await client.post("/contacts", json={"email": "t@example.com"})]
        replies.append(await client.post("/contacts", json={"email": "t@example.com"}))
    assert [r.status_code for r in replies] == [429, 429]
    assert sandbox.state.contacts.by_email("t@example.com") is None


async def test_a_mix_of_rates_meets_each_kind_of_fault(clock: ManualClock) -> None:
    mix = {"error_rate": 0.2, "throttle_rate": 0.2, "drop_rate": 0.1, "rate_limit": None}
    statuses = await _statuses(_sandbox(clock, seed=4, **mix), 200)
    assert {429, "drop", 200} <= set(statuses)
    assert {500, 502, 503} & set(statuses)
    assert 20 <= statuses.count(429) <= 60


def test_throttle_rate_counts_towards_the_total() -> None:
    with pytest.raises(ValueError, match="throttle_rate"):
        SandboxConfig(error_rate=0.6, throttle_rate=0.6)


async def test_faults_repeat_exactly_with_the_same_seed(clock: ManualClock) -> None:
    options = {"error_rate": 0.2, "drop_rate": 0.1, "seed": 7}
    first = await _statuses(_sandbox(clock, **options), 60)
    second = await _statuses(_sandbox(clock, **options), 60)
    assert first == second


async def test_faults_differ_with_another_seed(clock: ManualClock) -> None:
    first = await _statuses(_sandbox(clock, error_rate=0.3, seed=1), 60)
    second = await _statuses(_sandbox(clock, error_rate=0.3, seed=2), 60)
    assert first != second


def test_rates_over_one_are_refused() -> None:
    with pytest.raises(ValueError, match="exceed"):
        SandboxConfig(error_rate=0.6, drop_rate=0.6)


async def test_configure_changes_knobs_for_the_next_request(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.configure(error_rate=1.0, error_statuses=(503,))
    assert (await client.get("/me")).status_code == 503
    sandbox.configure(error_rate=0.0)
    assert (await client.get("/me")).status_code == 200
