"""A create that fails ambiguously is settled to exactly one record, never two or none."""

from __future__ import annotations

import pytest

from intercom_connector import AsyncIntercomClient
from intercom_connector.catalog.reconcile import ExportJobUnknown
from intercom_connector.http import RetryPolicy, ServerError
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig

FAST = RetryPolicy(initial_backoff=0.001, max_backoff=0.002, max_attempts=6)


def client_for(sandbox: Sandbox, events: list | None = None) -> AsyncIntercomClient:
    return AsyncIntercomClient(
        sandbox.token,
        base_url=sandbox.base_url,
        transport=httpx.ASGITransport(app=sandbox.app),
        retry=FAST,
        on_event=events.append if events is not None else None,
    )


def successful_creates(sandbox: Sandbox) -> int:
    return sum(
        1
        for r in sandbox.requests
        if r.method == "POST" and r.path == "/contacts" and r.status == 200 and not r.fault
    )


async def count_contacts(client: AsyncIntercomClient, **match) -> int:
    contacts = await client.collect("list_contacts", {"per_page": 150})
    return sum(all(c.get(k) == v for k, v in match.items()) for c in contacts)


@pytest.mark.parametrize("fault", [500, 502, "drop"])
@pytest.mark.parametrize("timing", ["before", "after"])
async def test_create_contact_is_settled_to_exactly_one_record(fault, timing):
    sandbox = Sandbox(SandboxConfig(contacts=5))
    sandbox.inject(fault, method="POST", path="/contacts", timing=timing)
    events: list = []
    async with client_for(sandbox, events) as client:
        created = await client.call("create_contact", {"email": "ada@example.com", "role": "user"})
        assert created["email"] == "ada@example.com"
        assert await count_contacts(client, email="ada@example.com") == 1
    if timing == "after":
        assert any(e.get("event") == "reconciled" for e in events)


async def test_create_by_external_id_uses_the_consistent_lookup():
    sandbox = Sandbox(SandboxConfig(contacts=5))
    sandbox.inject(503, method="POST", path="/contacts", timing="after")
    async with client_for(sandbox) as client:
        created = await client.call("create_contact", {"external_id": "crm-42", "role": "user"})
        assert created["external_id"] == "crm-42"
        assert await count_contacts(client, external_id="crm-42") == 1
    assert any(r.path == "/contacts/find_by_external_id/crm-42" for r in sandbox.requests)


async def test_a_create_without_a_natural_key_is_not_resent():
    sandbox = Sandbox(SandboxConfig(contacts=5))
    sandbox.inject(500, method="POST", path="/contacts", timing="before")
    async with client_for(sandbox) as client:
        with pytest.raises(ServerError):
            await client.call("create_contact", {"role": "lead", "name": "No Key"})
    assert sum(1 for r in sandbox.requests if r.method == "POST" and r.path == "/contacts") == 1


async def test_persistent_failure_gives_up_within_the_retry_policy():
    sandbox = Sandbox(SandboxConfig(contacts=5))
    sandbox.inject(500, times=50, method="POST", path="/contacts")
    async with client_for(sandbox) as client:
        with pytest.raises(ServerError):
            await client.call("create_contact", {"email": "x@example.com", "role": "user"})
    posts = sum(1 for r in sandbox.requests if r.method == "POST" and r.path == "/contacts")
    assert posts <= FAST.max_attempts + 1


async def test_two_hundred_creates_under_faults_make_exactly_two_hundred_contacts():
    sandbox = Sandbox(
        SandboxConfig(contacts=0, error_rate=0.1, drop_rate=0.02, seed=3, fault_timing="after")
    )
    async with client_for(sandbox) as client:
        for n in range(200):
            await client.call("create_contact", {"email": f"user{n}@example.com", "role": "user"})
        sandbox.configure(error_rate=0.0, drop_rate=0.0)
        contacts = await client.collect("list_contacts", {"per_page": 150})
    assert len({c["email"] for c in contacts}) == len(contacts) == 200


async def test_create_export_job_whose_request_never_arrived_is_resent_once():
    sandbox = Sandbox(SandboxConfig(contacts=5))
    sandbox.inject(500, method="POST", path="/export/content/data", timing="before")
    async with client_for(sandbox) as client:
        job = await client.call(
            "create_export_job", {"created_at_after": 1, "created_at_before": 2}
        )
    assert job["status"] == "pending"
    creates = [r for r in sandbox.requests if r.path == "/export/content/data"]
    assert [r.status for r in creates] == [500, 200]


async def test_create_export_job_whose_reply_was_lost_says_the_job_is_running():
    sandbox = Sandbox(SandboxConfig(contacts=5))
    sandbox.inject(500, method="POST", path="/export/content/data", timing="after")
    quick = RetryPolicy(initial_backoff=0.001, max_backoff=0.002, max_attempts=2, max_elapsed=5)
    async with AsyncIntercomClient(
        sandbox.token,
        base_url=sandbox.base_url,
        transport=httpx.ASGITransport(app=sandbox.app),
        retry=quick,
    ) as client:
        with pytest.raises(ExportJobUnknown, match="probably created"):
            await client.call("create_export_job", {"created_at_after": 1, "created_at_before": 2})
    assert (
        sum(1 for r in sandbox.requests if r.path == "/export/content/data" and r.status == 200)
        == 0
    )
    assert len(sandbox.state.exports) == 1  # the lost reply's job, and no second one
