"""Conversations: create, read, reply, manage, participants, list."""

from __future__ import annotations

from typing import Any

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx


async def _contact(client: httpx.AsyncClient, index: int = 0) -> dict[str, Any]:
    page = (await client.get("/contacts", params={"per_page": index + 1})).json()
    return dict(page["data"][index])


async def _admin_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/me")).json()["id"])


async def _new_conversation(client: httpx.AsyncClient) -> dict[str, Any]:
    contact = await _contact(client)
    message = await client.post(
        "/conversations",
        json={"from": {"type": "user", "id": contact["id"]}, "body": "Help please"},
    )
    assert message.status_code == 200, message.text
    conversation_id = message.json()["conversation_id"]
    return dict((await client.get(f"/conversations/{conversation_id}")).json())


async def test_create_returns_a_message_naming_the_conversation(
    client: httpx.AsyncClient,
) -> None:
    contact = await _contact(client)
    message = (
        await client.post(
            "/conversations",
            json={"from": {"type": "user", "id": contact["id"]}, "body": "Hello"},
        )
    ).json()
    assert message["type"] == "user_message"
    assert message["message_type"] == "inapp"
    conversation = (await client.get(f"/conversations/{message['conversation_id']}")).json()
    assert conversation["source"]["body"] == "Hello"
    assert conversation["contacts"]["contacts"][0]["id"] == contact["id"]


async def test_create_from_unknown_contact_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/conversations",
        json={"from": {"type": "user", "id": "6" * 24}, "body": "Hello"},
    )
    assert response.status_code == 404


async def test_get_includes_conversation_parts(client: httpx.AsyncClient) -> None:
    conversation = (await client.get("/conversations/100")).json()
    parts = conversation["conversation_parts"]
    assert parts["type"] == "conversation_part.list"
    assert parts["total_count"] == len(parts["conversation_parts"]) >= 1


async def test_unknown_conversation_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/conversations/999999")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


async def test_admin_reply_adds_a_part(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    reply = await client.post(
        f"/conversations/{conversation['id']}/reply",
        json={
            "message_type": "comment",
            "type": "admin",
            "admin_id": await _admin_id(client),
            "body": "On it",
        },
    )
    parts = reply.json()["conversation_parts"]["conversation_parts"]
    assert parts[-1]["body"] == "On it"
    assert parts[-1]["author"]["type"] == "admin"


async def test_user_reply_reopens_a_closed_conversation(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    admin_id = await _admin_id(client)
    path = f"/conversations/{conversation['id']}"
    await client.post(
        f"{path}/parts", json={"message_type": "close", "type": "admin", "admin_id": admin_id}
    )
    contact_id = conversation["contacts"]["contacts"][0]["id"]
    reply = await client.post(
        f"{path}/reply",
        json={
            "message_type": "comment",
            "type": "user",
            "intercom_user_id": contact_id,
            "body": "Still broken",
        },
    )
    assert reply.json()["state"] == "open"


async def test_manage_close_snooze_open(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    admin_id = await _admin_id(client)
    parts = f"/conversations/{conversation['id']}/parts"
    closed = await client.post(
        parts, json={"message_type": "close", "type": "admin", "admin_id": admin_id}
    )
    assert closed.json()["state"] == "closed" and closed.json()["open"] is False
    snoozed = await client.post(
        parts,
        json={"message_type": "snoozed", "admin_id": admin_id, "snoozed_until": 1_900_000_000},
    )
    assert snoozed.json()["snoozed_until"] == 1_900_000_000
    opened = await client.post(parts, json={"message_type": "open", "admin_id": admin_id})
    assert opened.json()["state"] == "open"


async def test_assign_to_admin_and_team(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    admin_id = await _admin_id(client)
    team_id = (await client.get("/teams")).json()["teams"][0]["id"]
    parts = f"/conversations/{conversation['id']}/parts"
    body = {"message_type": "assignment", "admin_id": admin_id}
    to_admin = await client.post(parts, json={**body, "type": "admin", "assignee_id": admin_id})
    to_team = await client.post(parts, json={**body, "type": "team", "assignee_id": team_id})
    assert to_admin.json()["admin_assignee_id"] == int(admin_id)
    assert to_team.json()["team_assignee_id"] == int(team_id)


async def test_unknown_manage_action_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/conversations/100/parts", json={"message_type": "explode", "admin_id": "1"}
    )
    assert response.status_code == 400


async def test_attach_and_detach_participants(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    admin_id = await _admin_id(client)
    other = await _contact(client, 5)
    path = f"/conversations/{conversation['id']}/customers"
    attached = await client.post(
        path, json={"admin_id": admin_id, "customer": {"intercom_user_id": other["id"]}}
    )
    assert len(attached.json()["contacts"]["contacts"]) == 2
    detached = await client.request("DELETE", f"{path}/{other['id']}", json={"admin_id": admin_id})
    assert len(detached.json()["contacts"]["contacts"]) == 1


async def test_last_participant_cannot_be_detached(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    only = conversation["contacts"]["contacts"][0]["id"]
    response = await client.request(
        "DELETE",
        f"/conversations/{conversation['id']}/customers/{only}",
        json={"admin_id": await _admin_id(client)},
    )
    assert response.status_code == 422


async def test_update_title_and_read(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    updated = await client.put(
        f"/conversations/{conversation['id']}", json={"title": "Billing", "read": True}
    )
    assert updated.json()["title"] == "Billing" and updated.json()["read"] is True


async def test_delete_conversation(client: httpx.AsyncClient) -> None:
    conversation = await _new_conversation(client)
    deleted = (await client.delete(f"/conversations/{conversation['id']}")).json()
    assert deleted == {"id": conversation["id"], "object": "conversation", "deleted": True}
    assert (await client.get(f"/conversations/{conversation['id']}")).status_code == 404


async def test_list_uses_conversation_list_shape_and_cursor(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {}
    while True:
        page = (await client.get("/conversations", params=params)).json()
        assert page["type"] == "conversation.list"
        assert "conversation_parts" not in page["conversations"][0]
        seen.extend(c["id"] for c in page["conversations"])
        nxt = page["pages"].get("next")
        if not nxt:
            break
        params = {"starting_after": nxt["starting_after"]}
    assert len(seen) == len(set(seen)) == 40
    assert page["pages"]["per_page"] == 20
