"""A partitioned listing reports every record exactly once, whatever the data, the number
of partitions, and the writes made while it runs.

Records that exist for the whole listing must each come exactly once; records created or
deleted meanwhile may come once or not at all; no id ever comes twice.
"""

from __future__ import annotations

import asyncio
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from listing_kit import client_on, contacts_sandbox, seeded_ids

from intercom_connector.catalog.listing import MATCH_ALL, SEARCH_SCHEMES
from intercom_connector.catalog.requests import build_request
from intercom_connector.http import PaginationSpec
from intercom_connector.http.partitioned import PartitionedListing
from intercom_connector.sandbox import Sandbox


async def _write_while_listing(sandbox: Sandbox, seed: int, writes: int, done: asyncio.Event):
    """Create, update and delete contacts between the listing's requests; returns
    (created ids, deleted ids)."""
    rng = random.Random(seed)
    created: set[str] = set()
    deleted: set[str] = set()
    async with client_on(sandbox) as writer:
        for n in range(writes):
            if done.is_set():
                break
            await asyncio.sleep(0)
            existing = sorted(seeded_ids(sandbox) - deleted)
            roll = rng.random()
            if roll < 0.35:
                contact = await writer.call("create_contact", {"email": f"new{seed}-{n}@e.test"})
                created.add(contact["id"])
            elif roll < 0.7 and existing:
                target = rng.choice(existing)
                await writer.call("update_contact", {"contact_id": target, "name": f"N{n}"})
            elif existing:
                target = rng.choice(existing)
                await writer.call("delete_contact", {"contact_id": target})
                deleted.add(target)
    return created, deleted


async def _list_under_writes(seed: int, contacts: int, parallel: int, per_page: int, writes: int):
    sandbox = contacts_sandbox(seed, contacts)
    before = seeded_ids(sandbox)
    done = asyncio.Event()
    writer = asyncio.create_task(_write_while_listing(sandbox, seed, writes, done))
    async with client_on(sandbox) as client:
        listed = [
            record["id"]
            async for record in client.iterate(
                "list_contacts", {"per_page": per_page}, parallel=parallel
            )
        ]
    done.set()
    created, deleted = await writer
    return before, listed, created, deleted


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 10_000),
    contacts=st.integers(0, 900),
    parallel=st.integers(2, 24),
    per_page=st.sampled_from([5, 10, 25, 150]),
    writes=st.integers(0, 40),
)
def test_every_record_comes_once_while_others_are_written(
    seed, contacts, parallel, per_page, writes
):
    before, listed, created, deleted = asyncio.run(
        _list_under_writes(seed, contacts, parallel, per_page, writes)
    )

    assert len(listed) == len(set(listed)), "an id came twice"
    stable = before - deleted
    assert stable <= set(listed), f"{len(stable - set(listed))} records were missed"
    assert set(listed) <= before | created


async def test_a_workspace_with_busy_days_is_cut_into_many_partitions_and_listed_whole():
    sandbox = contacts_sandbox(3, 6_000)
    events: list[dict] = []
    async with client_on(sandbox, on_event=events.append) as client:
        listed = [r["id"] async for r in client.iterate("list_contacts", parallel=8)]

    assert sorted(listed) == sorted(seeded_ids(sandbox))
    plan = next(e for e in events if e["event"] == "partitions")
    assert plan["total"] >= 8
    finished = [e for e in events if e["event"] == "partition"]
    assert len(finished) == plan["total"]
    assert sum(e["records"] for e in finished) == len(listed)


async def test_a_day_too_big_for_one_partition_is_cut_by_id_ending_without_losing_any():
    sandbox = contacts_sandbox(3, 6_000)
    async with client_on(sandbox) as client:
        operation, prepared = client.prepare(
            "search_contacts", {"query": MATCH_ALL, "pagination": {"per_page": 10}}
        )
        listing = PartitionedListing(
            client.api,
            build_request(operation, prepared),
            PaginationSpec.from_dict(operation.pagination or {}),
            SEARCH_SCHEMES["search_contacts"],
            parallel=32,
            per_page=10,
        )
        plan = await listing.plan()
        listed = [r["id"] async for batch in listing.batches() for r in batch]

    cut = [p for p in plan if p.endings]
    assert cut, "no busy day was cut"
    assert len({p.low for p in cut}) < len(cut)  # one day, several partitions
    assert sorted(listed) == sorted(seeded_ids(sandbox))


async def test_paging_starts_while_the_plan_is_still_being_made():
    sandbox = contacts_sandbox(3, 6_000)
    seen: list[str] = []
    async with client_on(sandbox, on_event=lambda e: seen.append(e["event"])) as client:
        async for _ in client.batches("list_contacts", {"per_page": 10}, parallel=32):
            seen.append("batch")

    assert "partitions" in seen
    assert seen.index("batch") < seen.index("partitions")
