"""Partitioned listing beyond contacts, and from the blocking client."""

from __future__ import annotations

from listing_kit import BASE_URL, client_on, contacts_sandbox

from intercom_connector.catalog.sync_client import IntercomClient
from intercom_connector.httpx_lib import httpx


async def test_conversations_compared_by_the_second_are_partitioned_without_gaps_or_repeats():
    sandbox = contacts_sandbox(11, 300, conversations=1_500)
    events: list[dict] = []
    async with client_on(sandbox, on_event=events.append) as client:
        sequential = [c["id"] async for c in client.iterate("list_conversations")]
        parallel = [c["id"] async for c in client.iterate("list_conversations", parallel=8)]

    assert len(sequential) == 1_500
    assert sorted(parallel) == sorted(sequential)
    assert next(e for e in events if e["event"] == "partitions")["total"] > 1


def test_the_blocking_client_lists_in_parallel_and_in_batches():
    sandbox = contacts_sandbox(12, 1_000)
    with IntercomClient(
        sandbox.token, base_url=BASE_URL, transport=httpx.ASGITransport(app=sandbox.app)
    ) as client:
        ids = [c["id"] for c in client.iterate("list_contacts", parallel=4)]
        batches = list(client.batches("list_contacts", {"per_page": 50}, parallel=4))

    assert len(ids) == len(set(ids)) == 1_000
    assert sum(len(b) for b in batches) == 1_000
    assert max(len(b) for b in batches) <= 50
