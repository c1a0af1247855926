"""The search query language on contacts and conversations."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig, create_app
from intercom_connector.sandbox.pagination import decode_cursor, encode_cursor


async def _search(client: httpx.AsyncClient, body: dict[str, Any], path: str = "/contacts/search"):
    return await client.post(path, json=body)


def _flt(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


async def _ids(client: httpx.AsyncClient, query: dict[str, Any]) -> set[str]:
    response = await _search(client, {"query": query, "pagination": {"per_page": 150}})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["data"]}


def _all(sandbox: Sandbox) -> list[Any]:
    return list(sandbox.state.contacts.listable())


async def test_equality_on_role(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    leads = {sandbox.state.contacts.id_of(c) for c in _all(sandbox) if c.role == "lead"}
    assert await _ids(client, _flt("role", "=", "lead")) == leads


async def test_and_group_intersects(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    store = sandbox.state.contacts
    expected = {
        store.id_of(c)
        for c in _all(sandbox)
        if c.role == "user" and c.custom_attributes.get("plan") == "pro"
    }
    query = {
        "operator": "AND",
        "value": [_flt("role", "=", "user"), _flt("custom_attributes.plan", "=", "pro")],
    }
    assert await _ids(client, query) == expected


async def test_nested_or_inside_and(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    store = sandbox.state.contacts
    expected = {
        store.id_of(c)
        for c in _all(sandbox)
        if c.role == "user" and c.location and c.location[0] in ("Ireland", "Germany")
    }
    query = {
        "operator": "AND",
        "value": [
            {"operator": "OR", "value": [_flt("role", "=", "user")]},
            {
                "operator": "OR",
                "value": [
                    _flt("location.country", "=", "Ireland"),
                    _flt("location.country", "=", "Germany"),
                ],
            },
        ],
    }
    assert await _ids(client, query) == expected


@pytest.mark.parametrize(
    ("operator", "value", "predicate"),
    [
        ("!=", "lead", lambda c: c.role != "lead"),
        ("IN", ["lead"], lambda c: c.role == "lead"),
        ("NIN", ["lead"], lambda c: c.role != "lead"),
    ],
)
async def test_role_operators(
    client: httpx.AsyncClient, sandbox: Sandbox, operator: str, value: Any, predicate: Any
) -> None:
    store = sandbox.state.contacts
    expected = {store.id_of(c) for c in _all(sandbox) if predicate(c)}
    assert await _ids(client, _flt("role", operator, value)) == expected


@pytest.mark.parametrize(
    ("operator", "value", "predicate"),
    [
        ("~", "LOVE", lambda e: "love" in e),
        ("!~", "love", lambda e: "love" not in e),
        ("^", "ada.", lambda e: e.startswith("ada.")),
        ("$", "example.org", lambda e: e.endswith("example.org")),
    ],
)
async def test_text_operators_are_case_insensitive(
    client: httpx.AsyncClient, sandbox: Sandbox, operator: str, value: str, predicate: Any
) -> None:
    store = sandbox.state.contacts
    expected = {store.id_of(c) for c in _all(sandbox) if predicate((c.email or "").lower())}
    assert expected
    assert await _ids(client, _flt("email", operator, value)) == expected


@pytest.mark.parametrize(
    ("operator", "predicate"),
    [
        ("<", lambda seats: seats is not None and seats < 50),
        (">=", lambda seats: seats is not None and seats >= 5),
        ("<=", lambda seats: seats is not None and seats <= 5),
        (">", lambda seats: seats is not None and seats > 5),
    ],
)
async def test_numeric_operators_on_a_custom_attribute(
    client: httpx.AsyncClient, sandbox: Sandbox, operator: str, predicate: Any
) -> None:
    store = sandbox.state.contacts
    value = 50 if operator == "<" else 5
    expected = {
        store.id_of(c) for c in _all(sandbox) if predicate(c.custom_attributes.get("seats"))
    }
    assert await _ids(client, _flt("custom_attributes.seats", operator, value)) == expected


async def test_dates_compare_by_calendar_day(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    contact = _all(sandbox)[40]
    noon = contact.created_at - contact.created_at % 86_400 + 43_200
    ids = await _ids(client, _flt("created_at", "=", noon))
    assert sandbox.state.contacts.id_of(contact) in ids
    later = await _ids(client, _flt("created_at", ">", contact.created_at))
    assert all(
        c.created_at // 86_400 > contact.created_at // 86_400
        for c in _all(sandbox)
        if sandbox.state.contacts.id_of(c) in later
    )


@pytest.mark.parametrize("operator", ["!=", "<=", ">=", "IN", "NIN", "~"])
async def test_dates_accept_only_equal_less_greater(
    client: httpx.AsyncClient, operator: str
) -> None:
    value = [1] if operator in ("IN", "NIN") else 1_700_000_000
    response = await _search(client, {"query": _flt("created_at", operator, value)})
    assert response.status_code == 400
    assert error_code(response) == "parameter_invalid"


async def test_tag_id_accepts_only_equal_and_not_equal(client: httpx.AsyncClient) -> None:
    ok = await _search(client, {"query": _flt("tag_id", "=", "100")})
    refused = await _search(client, {"query": _flt("tag_id", "~", "10")})
    assert ok.status_code == 200
    assert refused.status_code == 400


async def test_third_nesting_level_is_refused(client: httpx.AsyncClient) -> None:
    leaf = _flt("role", "=", "user")
    query = {
        "operator": "AND",
        "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [leaf]}]}],
    }
    response = await _search(client, {"query": query})
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]


async def test_sixteen_filters_in_a_group_are_refused(client: httpx.AsyncClient) -> None:
    query = {"operator": "OR", "value": [_flt("role", "=", "user")] * 16}
    response = await _search(client, {"query": query})
    assert response.status_code == 400
    assert "15" in response.json()["errors"][0]["message"]


async def test_fifteen_filters_in_a_group_are_fine(client: httpx.AsyncClient) -> None:
    query = {"operator": "OR", "value": [_flt("role", "=", "user")] * 15}
    assert (await _search(client, {"query": query})).status_code == 200


async def test_unknown_field_is_400(client: httpx.AsyncClient) -> None:
    response = await _search(client, {"query": _flt("shoe_size", "=", 9)})
    assert response.status_code == 400


async def test_invalid_sort_order_has_its_own_code(client: httpx.AsyncClient) -> None:
    body = {"query": _flt("role", "=", "user"), "sort": {"field": "created_at", "order": "desc"}}
    response = await _search(client, body)
    assert response.status_code == 400
    assert error_code(response) == "invalid_sort_order"


async def test_sort_ascending_by_name(client: httpx.AsyncClient) -> None:
    body = {
        "query": _flt("role", "=", "user"),
        "sort": {"field": "name", "order": "ascending"},
        "pagination": {"per_page": 150},
    }
    names = [c["name"] for c in (await _search(client, body)).json()["data"]]
    assert names == sorted(names, key=str.casefold)


async def test_search_pages_through_the_body(client: httpx.AsyncClient) -> None:
    query = _flt("role", "=", "user")
    seen: list[str] = []
    pagination: dict[str, Any] = {"per_page": 7}
    pages = 0
    while True:
        page = (await _search(client, {"query": query, "pagination": pagination})).json()
        pages += 1
        seen.extend(c["id"] for c in page["data"])
        nxt = page["pages"].get("next")
        if not nxt:
            break
        pagination = {"per_page": 7, "starting_after": nxt["starting_after"]}
    assert len(seen) == len(set(seen)) == page["total_count"]
    assert pages == page["pages"]["total_pages"]


async def test_starting_after_in_the_query_string_is_ignored(client: httpx.AsyncClient) -> None:
    body = {"query": _flt("role", "=", "user"), "pagination": {"per_page": 5}}
    first = (await client.post("/contacts/search", json=body)).json()
    cursor = first["pages"]["next"]["starting_after"]
    again = await client.post("/contacts/search", params={"starting_after": cursor}, json=body)
    assert again.json()["data"] == first["data"]


async def test_cursor_of_another_query_is_refused(client: httpx.AsyncClient) -> None:
    body = {"query": _flt("role", "=", "user"), "pagination": {"per_page": 5}}
    cursor = (await _search(client, body)).json()["pages"]["next"]["starting_after"]
    other = {
        "query": _flt("role", "=", "lead"),
        "pagination": {"per_page": 5, "starting_after": cursor},
    }
    assert (await _search(client, other)).status_code == 400


async def test_search_without_query_is_parameter_not_found(client: httpx.AsyncClient) -> None:
    response = await _search(client, {"pagination": {"per_page": 5}})
    assert response.status_code == 400
    assert error_code(response) == "parameter_not_found"


async def test_search_default_page_size_is_fifty(client: httpx.AsyncClient) -> None:
    page = (await _search(client, {"query": _flt("email", "~", "@")})).json()
    assert page["pages"]["per_page"] == 50
    assert len(page["data"]) == 50


async def test_conversation_search_uses_the_conversations_key(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    open_count = sum(1 for c in sandbox.state.conversations.values() if c.state == "open")
    body = {"query": _flt("state", "=", "open"), "pagination": {"per_page": 150}}
    page = (await _search(client, body, "/conversations/search")).json()
    assert page["type"] == "conversation.list"
    assert len(page["conversations"]) == open_count


async def test_conversation_search_on_timestamps_is_exact(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    target = sandbox.state.conversations["110"]
    body = {"query": _flt("created_at", ">=", target.created_at), "pagination": {"per_page": 150}}
    page = (await _search(client, body, "/conversations/search")).json()
    assert min(c["created_at"] for c in page["conversations"]) == target.created_at


@given(st.lists(st.one_of(st.integers(), st.text(max_size=20), st.floats(allow_nan=False))))
def test_cursors_round_trip(parts: list[Any]) -> None:
    if parts:
        assert decode_cursor(encode_cursor(parts)) == parts


_FIELDS = ["role", "email", "created_at", "tag_id", "custom_attributes.seats", "name", "shoe"]
_OPERATORS = ["=", "!=", "IN", "NIN", "<", ">", "<=", ">=", "~", "!~", "^", "$", "AND", "OR"]
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 2_000_000_000),
    st.text(max_size=8),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
)
_FILTERS = st.fixed_dictionaries(
    {"field": st.sampled_from(_FIELDS), "operator": st.sampled_from(_OPERATORS), "value": _VALUES}
)
_QUERIES = st.recursive(
    _FILTERS,
    lambda inner: st.fixed_dictionaries(
        {"operator": st.sampled_from(["AND", "OR"]), "value": st.lists(inner, max_size=4)}
    ),
    max_leaves=8,
)


@settings(max_examples=75, deadline=None)
@given(query=_QUERIES)
def test_any_query_is_answered_or_refused_never_crashes(query: dict[str, Any]) -> None:
    async def run() -> httpx.Response:
        sandbox = create_app(SandboxConfig(contacts=30, conversations=5))
        async with sandbox.async_client() as client:
            return await client.post("/contacts/search", json={"query": query})

    response = asyncio.run(run())
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["type"] == "error.list"
