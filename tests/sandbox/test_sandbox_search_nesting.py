"""Search accepts what Intercom documents and maintained clients send."""

from __future__ import annotations

from typing import Any

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox


def _flt(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


async def _found(client: httpx.AsyncClient, path: str, query: dict[str, Any], key: str) -> set:
    body = {"query": query, "pagination": {"per_page": 150}}
    reply = await client.post(path, json=body)
    assert reply.status_code == 200, reply.text
    return {item["id"] for item in reply.json()[key]}


async def test_a_group_may_mix_a_nested_group_and_a_filter(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    contacts = list(sandbox.state.contacts.listable())
    cutoff = sorted(c.created_at for c in contacts)[len(contacts) // 2]
    query = {
        "operator": "AND",
        "value": [
            {"operator": "OR", "value": [_flt("role", "=", "lead"), _flt("role", "=", "user")]},
            _flt("created_at", ">", cutoff),
        ],
    }
    expected = {
        sandbox.state.contacts.id_of(c)
        for c in contacts
        if c.role in ("lead", "user") and c.created_at // 86_400 > cutoff // 86_400
    }
    assert expected
    assert await _found(client, "/contacts/search", query, "data") == expected


async def test_conversations_can_be_searched_by_id_greater_than(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    ids = sorted(int(c) for c in sandbox.state.conversations)
    pivot = ids[len(ids) // 2]
    found = await _found(
        client, "/conversations/search", _flt("id", ">", str(pivot)), "conversations"
    )
    assert found == {str(i) for i in ids if i > pivot}


async def test_a_refused_operator_names_the_field_and_the_allowed_operators(
    client: httpx.AsyncClient,
) -> None:
    reply = await client.post("/contacts/search", json={"query": _flt("email", ">", "a")})
    assert reply.status_code == 400 and error_code(reply) == "parameter_invalid"
    message = reply.json()["errors"][0]["message"]
    assert "email" in message and "~" in message and "IN" in message
