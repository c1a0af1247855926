"""Fixtures: a small seeded sandbox on a manual clock, and an httpx client mounted on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, create_app


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Sandbox:
    return create_app(SandboxConfig(clock=clock))


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with sandbox.async_client() as http:
        yield http
