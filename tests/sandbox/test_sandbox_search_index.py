"""Searches bounded only by created_at days are answered from the day index, in order.

A partitioned listing sends windows (``created_at > P OR = P``, ``created_at < Q``) sorted
by created_at; the sandbox pages them straight off its index. These pin that the answer is
the one a full scan gives: the window's contacts by calendar day, ordered by (created_at,
seq) ascending or (created_at descending, seq), every one once across cursor pages.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig, create_app

DAY = 86_400
NOON = DAY // 2


def _window(low: int | None, high: int | None) -> dict[str, Any]:
    groups: list[dict[str, Any]] = [
        {"operator": "AND", "value": [{"field": "created_at", "operator": ">", "value": 0}]}
    ]
    if low is not None:
        point = low * DAY + NOON
        groups.append(
            {
                "operator": "OR",
                "value": [
                    {"field": "created_at", "operator": ">", "value": point},
                    {"field": "created_at", "operator": "=", "value": point},
                ],
            }
        )
    if high is not None:
        groups.append(
            {
                "operator": "AND",
                "value": [{"field": "created_at", "operator": "<", "value": high * DAY + NOON}],
            }
        )
    return {"operator": "AND", "value": groups}


def _expected(sandbox: Sandbox, low: int | None, high: int | None, order: str) -> list[str]:
    store = sandbox.state.contacts
    inside = [
        c
        for c in store.listable()
        if (low is None or c.created_at // DAY >= low)
        and (high is None or c.created_at // DAY < high)
    ]
    sign = -1 if order == "descending" else 1
    inside.sort(key=lambda c: (sign * c.created_at, c.seq))
    return [store.id_of(c) for c in inside]


async def _page_all(client: httpx.AsyncClient, query: Any, order: str, per_page: int) -> dict:
    ids: list[str] = []
    totals: set[int] = set()
    pagination: dict[str, Any] = {"per_page": per_page}
    while True:
        body = {
            "query": query,
            "pagination": pagination,
            "sort": {"field": "created_at", "order": order},
        }
        reply = await client.post("/contacts/search", json=body)
        assert reply.status_code == 200, reply.text
        page = reply.json()
        ids.extend(c["id"] for c in page["data"])
        totals.add(page["total_count"])
        after = (page["pages"].get("next") or {}).get("starting_after")
        if not after:
            return {"ids": ids, "totals": totals}
        pagination = {"per_page": per_page, "starting_after": after}


_SANDBOX = create_app(SandboxConfig(contacts=300, rate_limit=None))
_CONTACT_DAYS = sorted({c.created_at // DAY for c in _SANDBOX.state.contacts.listable()})
_DAYS = st.one_of(st.none(), st.sampled_from(_CONTACT_DAYS), st.integers(0, 30_000))


@settings(max_examples=40, deadline=None)
@given(
    low=_DAYS,
    high=_DAYS,
    order=st.sampled_from(["ascending", "descending"]),
    per_page=st.sampled_from([2, 7, 150]),
)
def test_a_day_window_pages_like_a_full_scan(
    low: int | None, high: int | None, order: str, per_page: int
) -> None:
    expected = _expected(_SANDBOX, low, high, order)

    async def run() -> dict:
        async with _SANDBOX.async_client() as client:
            return await _page_all(client, _window(low, high), order, per_page)

    seen = asyncio.run(run())

    assert seen["ids"] == expected
    assert seen["totals"] == {len(expected)}


@settings(max_examples=20, deadline=None)
@given(low=_DAYS, high=_DAYS, order=st.sampled_from(["ascending", "descending"]))
def test_a_count_names_the_first_contact_of_the_window(
    low: int | None, high: int | None, order: str
) -> None:
    expected = _expected(_SANDBOX, low, high, order)
    body = {
        "query": _window(low, high),
        "pagination": {"per_page": 1},
        "sort": {"field": "created_at", "order": order},
    }

    async def run() -> dict:
        async with _SANDBOX.async_client() as client:
            return (await client.post("/contacts/search", json=body)).json()

    page = asyncio.run(run())

    assert [c["id"] for c in page["data"]] == expected[:1]
    assert page["total_count"] == len(expected)
    assert ("next" in page["pages"]) == (len(expected) > 1)


async def test_a_contact_deleted_between_pages_neither_skips_nor_repeats_others() -> None:
    sandbox = create_app(SandboxConfig(contacts=300))
    query = _window(None, None)
    sort = {"field": "created_at", "order": "ascending"}
    async with sandbox.async_client() as client:
        first = (
            await client.post(
                "/contacts/search",
                json={"query": query, "pagination": {"per_page": 50}, "sort": sort},
            )
        ).json()
        seen = [c["id"] for c in first["data"]]
        gone = seen[10]
        assert (await client.delete(f"/contacts/{gone}")).status_code == 200
        after = first["pages"]["next"]["starting_after"]
        rest = await _page_all_from(client, query, sort, after)
    remaining = _expected(sandbox, None, None, "ascending")

    assert [i for i in seen if i != gone] + rest == remaining


async def _page_all_from(
    client: httpx.AsyncClient, query: Any, sort: dict[str, str], after: str
) -> list[str]:
    ids: list[str] = []
    while after:
        body = {
            "query": query,
            "pagination": {"per_page": 50, "starting_after": after},
            "sort": sort,
        }
        page = (await client.post("/contacts/search", json=body)).json()
        ids.extend(c["id"] for c in page["data"])
        after = (page["pages"].get("next") or {}).get("starting_after")
    return ids


@settings(max_examples=25, deadline=None)
@given(
    day=st.sampled_from(_CONTACT_DAYS),
    endings=st.lists(st.sampled_from("0123456789abcdefABCDEF"), min_size=1, max_size=8),
)
def test_a_busy_day_cut_by_id_ending_holds_the_day_s_contacts_with_those_endings(
    day: int, endings: list[str]
) -> None:
    wanted = tuple(e.lower() for e in endings)
    expected = [i for i in _expected(_SANDBOX, day, day + 1, "ascending") if i.endswith(wanted)]
    ends = [{"field": "id", "operator": "$", "value": e} for e in endings]
    window = _window(day, day + 1)
    query = {**window, "value": [*window["value"], {"operator": "OR", "value": ends}]}

    async def run() -> dict:
        async with _SANDBOX.async_client() as client:
            return await _page_all(client, query, "ascending", 7)

    seen = asyncio.run(run())

    assert seen["ids"] == expected
