"""Parallel listings space out young collections while they run, and only then."""

from __future__ import annotations

import gc

import pytest
from listing_kit import client_on, contacts_sandbox

from intercom_connector.http.collector import YOUNG_THRESHOLD


@pytest.mark.parametrize("operation", ["list_contacts", "list_companies"])
async def test_a_parallel_listing_raises_the_young_threshold_until_it_ends(operation):
    sandbox = contacts_sandbox(5, 300, companies=120)
    before = gc.get_threshold()
    seen = set()
    async with client_on(sandbox) as client:
        async for _ in client.batches(operation, {"per_page": 10}, parallel=4):
            seen.add(gc.get_threshold()[0])

    assert seen == {YOUNG_THRESHOLD}
    assert gc.get_threshold() == before
