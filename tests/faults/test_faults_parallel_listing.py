"""A partitioned listing through the fault mix (5% 5xx, 5% 429, 1% drops) loses and repeats
nothing, and a partition that keeps failing fails the whole listing, naming the partition."""

from __future__ import annotations

import json

import pytest
from fault_kit import SERVER_ERRORS, client_for, faults_met, faulty_sandbox

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.http import RetryPolicy
from intercom_connector.http.partitioned import PartitionFailed
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig

CONTACTS = 20_000


@pytest.mark.parametrize("parallel", [4, 32])
async def test_partitioned_listing_under_faults_returns_each_id_exactly_once(parallel):
    sandbox = faulty_sandbox(
        seed=parallel, contacts=CONTACTS, companies=0, conversations=0, notes=0, events=0
    )
    async with client_for(sandbox) as client:
        ids = [r["id"] async for r in client.iterate("list_contacts", parallel=parallel)]

    assert len(ids) == CONTACTS
    assert len(set(ids)) == CONTACTS
    met = faults_met(sandbox)
    assert met["429"] > 0 and met["drop"] > 0
    assert sum(met[str(status)] for status in SERVER_ERRORS) > 0


class FailsPagesAfterTheFirst(httpx.AsyncBaseTransport):
    """The sandbox, except that every search request carrying a cursor answers 503."""

    def __init__(self, app: Sandbox) -> None:
        self.inner = httpx.ASGITransport(app=app.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/search"):
            body = json.loads(request.content or b"{}")
            if (body.get("pagination") or {}).get("starting_after"):
                return httpx.Response(503, json={"type": "error.list", "errors": []})
        return await self.inner.handle_async_request(request)


async def test_a_partition_that_fails_after_its_retries_fails_the_listing_naming_it():
    sandbox = Sandbox(SandboxConfig(contacts=3_000, conversations=0, rate_limit=None))
    client = AsyncIntercomClient(
        sandbox.token,
        base_url="http://sandbox.test",
        transport=FailsPagesAfterTheFirst(sandbox),
        retry=RetryPolicy(max_attempts=2, initial_backoff=0.0, max_backoff=0.0),
    )
    client.api.pause = _no_wait  # type: ignore[method-assign]
    async with client:
        with pytest.raises(PartitionFailed) as failed:
            async for _ in client.iterate("list_contacts", {"per_page": 50}, parallel=8):
                pass

    message = str(failed.value)
    assert "partition " in message and " of " in message
    assert "created_at" in message and "failed after 3 attempts" in message
    assert failed.value.status == 503
    assert failed.value.operation == "list_contacts"


async def _no_wait(seconds: float) -> None:
    return None
