"""Fixtures for the HTTP layer tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from http_fakes import BASE_URL, TOKEN, FakeTime

from intercom_connector.http import AsyncApiClient, RateLimitPolicy, RetryPolicy
from intercom_connector.httpx_lib import httpx


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(fake_time: FakeTime) -> Callable[..., AsyncApiClient]:
    """An AsyncApiClient on the fake clock with no client-side rate limit (unless overridden)."""

    def make(transport: httpx.AsyncBaseTransport, **options: Any) -> AsyncApiClient:
        options.setdefault("token", TOKEN)
        options.setdefault("base_url", BASE_URL)
        options.setdefault("rate_limit", RateLimitPolicy.unlimited())
        options.setdefault("retry", RetryPolicy())
        options.setdefault("clock", fake_time.clock)
        options.setdefault("sleep", fake_time.sleep)
        return AsyncApiClient(transport=transport, **options)

    return make
