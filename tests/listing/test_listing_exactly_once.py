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
        listed = [r["id"] async for r in client.iterate("list_contacts", parallel=16)]

    assert sorted(listed) == sorted(seeded_ids(sandbox))
    plan = next(e for e in events if e["event"] == "partitions")
    assert plan["total"] >= 16
    finished = [e for e in events if e["event"] == "partition"]
    assert len(finished) == plan["total"]
    assert sum(e["records"] for e in finished) == len(listed)
