"""What real clients expect of Intercom: notes paging, replying to ``last``, 406, scopes."""

from __future__ import annotations

from sandbox_helpers import error_code

from intercom_connector.cli.sandbox_commands import config_from_options
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, create_app


async def _a_contact_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/contacts", params={"per_page": 1})).json()["data"][0]["id"])


async def test_notes_page_with_page_and_per_page_until_an_empty_page(
    client: httpx.AsyncClient,
) -> None:
    contact_id = await _a_contact_id(client)
    for index in range(5):
        await client.post(f"/contacts/{contact_id}/notes", json={"body": f"n{index}"})
    total = (await client.get(f"/contacts/{contact_id}/notes")).json()["total_count"]
    seen: list[str] = []
    for page in range(1, 20):
        reply = await client.get(
            f"/contacts/{contact_id}/notes", params={"page": page, "per_page": 2}
        )
        data = reply.json()["data"]
        if not data:
            break
        assert len(data) <= 2
        seen += [note["id"] for note in data]
    assert len(seen) == total == len(set(seen)) and total >= 5


async def test_a_bad_notes_page_is_refused(client: httpx.AsyncClient) -> None:
    contact_id = await _a_contact_id(client)
    reply = await client.get(f"/contacts/{contact_id}/notes", params={"per_page": "lots"})
    assert reply.status_code == 400 and error_code(reply) == "parameter_invalid"


async def test_an_admin_reply_to_last_lands_on_the_latest_conversation(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    latest = max(sandbox.state.conversations.values(), key=lambda c: (c.updated_at, c.seq))
    body = {
        "message_type": "comment",
        "type": "admin",
        "admin_id": sandbox.state.first_admin.id,
        "body": "On it",
    }
    reply = await client.post("/conversations/last/reply", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == latest.id


async def test_a_contact_reply_to_last_lands_on_their_latest_conversation(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    conversation = next(c for c in sandbox.state.conversations.values() if c.contact_seqs)
    contact = sandbox.state.contacts.by_seq(conversation.contact_seqs[0])
    contact_id = sandbox.state.contacts.id_of(contact)
    theirs = [c for c in sandbox.state.conversations.values() if contact.seq in c.contact_seqs]
    latest = max(theirs, key=lambda c: (c.updated_at, c.seq))
    body = {
        "message_type": "comment",
        "type": "user",
        "intercom_user_id": contact_id,
        "body": "Hello again",
    }
    reply = await client.post("/conversations/last/reply", json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["id"] == latest.id


async def test_an_unacceptable_accept_header_is_406(client: httpx.AsyncClient) -> None:
    reply = await client.get("/contacts", headers={"Accept": "text/html"})
    assert reply.status_code == 406 and error_code(reply) == "not_acceptable"


async def test_accept_wildcards_and_json_are_served(client: httpx.AsyncClient) -> None:
    for accept in ("*/*", "application/*", "application/json", "text/html, application/json"):
        assert (await client.get("/contacts", headers={"Accept": accept})).status_code == 200


async def test_a_download_accepts_octet_stream(client: httpx.AsyncClient) -> None:
    reply = await client.get(
        "/download/reporting_data/job1",
        params={"app_id": "a"},
        headers={"Accept": "application/octet-stream"},
    )
    assert reply.status_code == 200


async def test_an_operation_outside_the_granted_scopes_is_403() -> None:
    sandbox = create_app(SandboxConfig(clock=ManualClock(), scopes=("read_users_companies",)))
    async with sandbox.async_client() as client:
        assert (await client.get("/contacts")).status_code == 200
        refused = await client.get("/conversations")
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    assert "read_conversations" in refused.json()["errors"][0]["message"]


def test_serve_options_carry_the_scopes() -> None:
    assert config_from_options(scopes="read_users, read_conversations").scopes == (
        "read_users",
        "read_conversations",
    )
    assert config_from_options().scopes is None
