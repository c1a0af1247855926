"""Seed data is deterministic and cheap enough for benchmark sizes."""

from __future__ import annotations

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
