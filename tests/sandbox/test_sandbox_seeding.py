"""Seed data is deterministic and cheap enough for benchmark sizes."""

from __future__ import annotations

import threading

import pytest

from intercom_connector.sandbox import ManualClock, SandboxConfig, create_app


async def _page(seed: int) -> dict[str, object]:
    sandbox = create_app(SandboxConfig(seed=seed, clock=ManualClock()))
    async with sandbox.async_client() as client:
        return dict((await client.get("/contacts", params={"per_page": 20})).json())


async def test_same_seed_gives_the_same_workspace() -> None:
    assert await _page(3) == await _page(3)


async def test_another_seed_gives_another_workspace() -> None:
    assert await _page(3) != await _page(4)


def test_sizes_follow_the_config() -> None:
    sandbox = create_app(SandboxConfig(contacts=7, companies=3, conversations=4, tags=2, admins=2))
    state = sandbox.state
    assert (len(state.contacts), len(state.companies), len(state.conversations)) == (7, 3, 4)
    assert (len(state.tags), len(state.admins)) == (2, 2)


def test_every_seeded_company_has_a_user() -> None:
    sandbox = create_app(SandboxConfig(contacts=200, companies=20))
    assert all(c.contact_seqs for c in sandbox.state.companies.values())


async def test_empty_workspace_still_answers() -> None:
    sandbox = create_app(SandboxConfig(contacts=0, companies=0, conversations=0))
    async with sandbox.async_client() as client:
        page = (await client.get("/contacts")).json()
        scroll = (await client.get("/companies/scroll")).json()
        conversations = (await client.get("/conversations")).json()
    assert (page["data"], page["total_count"], page["pages"]["total_pages"]) == ([], 0, 0)
    assert scroll["data"] == []
    assert conversations["conversations"] == []


def test_a_hundred_thousand_contacts_are_seeded_the_same_every_time() -> None:
    # How long seeding takes is a figure of benchmarks/bench_engine.py, not a test.
    first = create_app(SandboxConfig(contacts=100_000, conversations=0))
    again = create_app(SandboxConfig(contacts=100_000, conversations=0))
    assert len(first.state.contacts) == len(again.state.contacts) == 100_000
    samples = (1, 50_000, 99_999)
    emails = [getattr(first.state.contacts.by_seq(seq), "email", None) for seq in samples]
    assert emails == [getattr(again.state.contacts.by_seq(seq), "email", None) for seq in samples]
    assert any(emails)


async def test_reset_restores_the_seeded_workspace() -> None:
    sandbox = create_app(SandboxConfig(clock=ManualClock()))
    async with sandbox.async_client() as client:
        before = (await client.get("/contacts")).json()
        await client.post("/contacts", json={"email": "x@example.com"})
        sandbox.reset()
        assert (await client.get("/contacts")).json() == before


FIRST_REQUESTS = {
    "/me": ("GET", "/me", None),
    "conversations": ("GET", "/conversations", None),
    "data attributes": ("GET", "/data_attributes", None),
    "an admin away": (
        "PUT",
        "/admins/991267400/away",
        {"away_mode_enabled": True, "away_mode_reassign": False},
    ),
    "a new tag": ("POST", "/tags", {"name": "Made first"}),
}


async def _seeded_after(first: str) -> tuple[list[object], object]:
    """The seed-5 workspace's records as a client reads them, after ``first`` ran first."""
    sandbox = create_app(SandboxConfig(seed=5, clock=ManualClock()))
    method, path, body = FIRST_REQUESTS[first]
    async with sandbox.async_client() as client:
        reply = await client.request(method, path, json=body)
        assert reply.status_code == 200, reply.text
        pages: list[object] = [
            (await client.get("/contacts", params={"per_page": 150})).json(),
            (await client.post("/companies/list", params={"per_page": 50})).json(),
            (await client.get("/conversations", params={"per_page": 50})).json(),
            (await client.get("/segments")).json(),
        ]
    return pages, reply.json()


@pytest.mark.parametrize("first", [name for name in FIRST_REQUESTS if name != "/me"])
async def test_the_seeded_records_do_not_depend_on_what_is_touched_first(first: str) -> None:
    # The records are seeded on first use: the same seed must still give the same ids and
    # cross-references (contacts' companies and tags, conversations' authors and assignees)
    # whatever is read or written first. /me reads only the admins: the reference.
    reference, _ = await _seeded_after("/me")
    touched, _ = await _seeded_after(first)
    assert touched == reference


async def test_a_record_made_before_any_seeded_one_is_read_is_numbered_after_them() -> None:
    _, tag = await _seeded_after("a new tag")
    sandbox = create_app(SandboxConfig(seed=5, clock=ManualClock()))
    async with sandbox.async_client() as client:
        seeded = (await client.get("/tags")).json()["data"]
        later = (await client.post("/tags", json={"name": "Made first"})).json()
    assert later == tag
    assert tag["id"] not in {seeded_tag["id"] for seeded_tag in seeded}


def test_threads_reading_a_fresh_workspace_at_once_see_one_seeding() -> None:
    # A served sandbox's state may be first read by a request and by a test at once.
    sandbox = create_app(SandboxConfig(contacts=20_000, conversations=0))
    state = sandbox.state
    start = threading.Barrier(4)
    seen: list[tuple[int, int]] = []

    def read() -> None:
        start.wait(timeout=30)
        store = state.contacts
        seen.append((id(store), len(store)))  # the same store, never seen half seeded

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert seen == [(id(state.contacts), 20_000)] * 4
