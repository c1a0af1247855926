"""Page-numbered listings fetched concurrently come back whole and in the API's order."""

from __future__ import annotations

import pytest
from listing_kit import client_on, contacts_sandbox

from intercom_connector.catalog.requests import build_request
from intercom_connector.http import PaginationError, PaginationSpec
from intercom_connector.http.page_fanout import concurrent_pages


@pytest.mark.parametrize("operation", ["list_companies", "find_companies"])
@pytest.mark.parametrize("parallel", [2, 7, 32])
async def test_concurrent_pages_match_the_sequential_listing_in_order(operation, parallel):
    sandbox = contacts_sandbox(1, 400, companies=233)
    async with client_on(sandbox) as client:
        sequential = [c["id"] async for c in client.iterate(operation, {"per_page": 10})]
        concurrent = [
            c["id"] async for c in client.iterate(operation, {"per_page": 10}, parallel=parallel)
        ]

    assert len(sequential) > 100
    assert len(set(sequential)) == len(sequential)
    assert concurrent == sequential


async def test_a_listing_past_its_record_cap_is_refused_naming_the_cap_and_the_way_out():
    sandbox = contacts_sandbox(1, 400, companies=60)
    async with client_on(sandbox) as client:
        operation, prepared = client.prepare("list_companies", {"per_page": 10})
        spec = PaginationSpec.from_dict(operation.pagination or {})
        pages = concurrent_pages(
            client.api, build_request(operation, prepared), spec, parallel=4, record_cap=50
        )
        first = await anext(pages)
        with pytest.raises(PaginationError, match=r"past the 50 records.*scroll"):
            await anext(pages)

    assert len(first) == 10
