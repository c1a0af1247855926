"""Every collection the spec's paths describe holds state: create, read, change, list, delete.

Driven over raw HTTP (in-process ASGI). Each row names a collection, a valid create body,
an update (method and body) and the list reply's key; nothing in the sandbox names these
resources, so the rows stand for every collection ``collections.discover`` finds.
"""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox.collection_handlers import collection_of

HOURS = [{"start_minute": 540, "end_minute": 1020, "day_of_week": 1}]

ROWS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    ("/articles", {"title": "Refunds", "author_id": 1}, "PUT", {"title": "Refunds v2"}),
    ("/help_center/collections", {"name": "Billing"}, "PUT", {"name": "Billing v2"}),
    (
        "/internal_articles",
        {"title": "On call", "author_id": 1, "owner_id": 1},
        "PUT",
        {"title": "On call v2"},
    ),
    (
        "/news/news_items",
        {"title": "Launch", "sender_id": 1},
        "PUT",
        {"title": "Launch v2", "sender_id": 1},
    ),
    ("/data_connectors", {"name": "CRM lookup"}, "PATCH", {"name": "CRM lookup v2"}),
    ("/content_snippets", {"title": "Greeting"}, "PUT", {"title": "Greeting v2"}),
    ("/audiences", {"name": "VIPs"}, "PUT", {"name": "VIPs v2"}),
    (
        "/office_hours_schedules",
        {"name": "EU", "time_zone_name": "Europe/Paris", "time_intervals": HOURS},
        "PUT",
        {"name": "EU v2"},
    ),
    (
        "/conversations/attributes",
        {"name": "Plan", "data_type": "string"},
        "PUT",
        {"name": "Plan v2"},
    ),
    (
        "/ai/external_pages",
        {
            "title": "FAQ",
            "html": "<p>x</p>",
            "locale": "en",
            "source_id": 1,
            "external_id": "faq-1",
            "url": "https://example.com/faq",
        },
        "PUT",
        {
            "title": "FAQ v2",
            "html": "<p>y</p>",
            "url": "https://example.com/faq",
            "locale": "en",
            "source_id": 1,
        },
    ),
    (
        "/ai/content_import_sources",
        {"sync_behavior": "api", "url": "https://example.com/s"},
        "PUT",
        {"sync_behavior": "api", "url": "https://example.com/t"},
    ),
    (
        "/custom_object_instances/Order",
        {"external_id": "order-1"},
        "POST",
        {"external_id": "order-1", "custom_attributes": {"total": "12"}},
    ),
]


def _list_key(path: str) -> str:
    for collection, role in collection_of().values():
        if role == "list" and collection.path.split("/")[1] == path.split("/")[1]:
            return collection.ops["list"].list_key or "data"
    return "data"


async def _listed_ids(client: httpx.AsyncClient, path: str) -> list[Any]:
    reply = await client.get(path, params={"per_page": 50})
    assert reply.status_code == 200, reply.text
    return [item["id"] for item in reply.json()[_list_key(path)]]


@pytest.mark.parametrize(("path", "body", "method", "change"), ROWS, ids=[r[0] for r in ROWS])
async def test_a_created_object_can_be_read_changed_listed_and_deleted(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], method: str, change: dict[str, Any]
) -> None:
    created = await client.post(path, json=body)
    assert created.status_code in (200, 201), created.text
    obj = created.json()
    item = f"{path}/{obj['id']}"

    read = await client.get(item)
    assert read.status_code == 200 and read.json() == obj

    target = path if method == "POST" else item
    changed = await client.request(method, target, json=change)
    assert changed.status_code in (200, 201), changed.text
    assert changed.json()["id"] == obj["id"]
    reread = (await client.get(item)).json()
    assert all(reread[k] == v for k, v in change.items() if k in reread)
    assert any(reread[k] != obj.get(k) for k in change if k in reread)

    assert obj["id"] in await _listed_ids(client, path)

    deleted = await client.delete(item)
    assert deleted.status_code in (200, 204), deleted.text
    if deleted.status_code == 200 and "deleted" in deleted.json():
        assert deleted.json()["deleted"] is True
        assert str(deleted.json()["id"]) == str(obj["id"])
    gone = await client.get(item)
    assert gone.status_code == 404 and error_code(gone) == "not_found"
    assert obj["id"] not in await _listed_ids(client, path)


async def test_ids_are_distinct_across_creates_and_collections(client: httpx.AsyncClient) -> None:
    ids = []
    for path, body, _, _ in ROWS:
        for copy in range(2):
            key = body.get("external_id")
            unique = {"external_id": f"{key}-{copy}"} if key else {}
            ids.append(str((await client.post(path, json=body | unique)).json()["id"]))
    assert len(ids) == len(set(ids)) == 2 * len(ROWS)


async def test_a_create_with_a_known_external_id_updates_that_object(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.post("/custom_object_instances/Order", json={"external_id": "o"})).json()
    again = await client.post(
        "/custom_object_instances/Order", json={"external_id": "o", "custom_attributes": {"a": "1"}}
    )
    assert again.json()["id"] == first["id"]
    assert again.json()["custom_attributes"] == {"a": "1"}


async def test_created_objects_carry_their_type_and_timestamps(
    client: httpx.AsyncClient, sandbox: Any
) -> None:
    obj = (await client.post("/articles", json={"title": "Stamped", "author_id": 1})).json()
    assert obj["type"] == "article"
    assert obj["created_at"] == obj["updated_at"] == sandbox.state.now()
    assert obj["title"] == "Stamped"


async def test_a_nested_collection_belongs_to_its_parent(client: httpx.AsyncClient) -> None:
    schedule = (
        await client.post(
            "/office_hours_schedules",
            json={"name": "US", "time_zone_name": "America/New_York", "time_intervals": HOURS},
        )
    ).json()
    exceptions = f"/office_hours_schedules/{schedule['id']}/office_hours_exceptions"
    created = await client.post(
        exceptions, json={"exception_date": "2026-12-25", "exception_type": "closed"}
    )
    assert created.status_code == 201, created.text
    exception_id = created.json()["id"]
    assert (await client.get(f"{exceptions}/{exception_id}")).status_code == 200
    other = "/office_hours_schedules/999999/office_hours_exceptions"
    assert (await client.get(f"{other}/{exception_id}")).status_code == 404


async def test_a_missing_parent_is_not_found(client: httpx.AsyncClient) -> None:
    reply = await client.post("/articles/999999/tags", json={"id": "7", "admin_id": "1"})
    assert reply.status_code == 404


async def test_collections_are_seeded_with_a_few_objects(client: httpx.AsyncClient) -> None:
    for path in ("/brands", "/macros", "/news/newsfeeds", "/help_center/help_centers"):
        ids = await _listed_ids(client, path)
        assert len(ids) == 3 and len(set(ids)) == 3
        assert (await client.get(f"{path}/{ids[0]}")).status_code == 200


async def test_cursor_lists_page_through_every_object(client: httpx.AsyncClient) -> None:
    for index in range(5):
        await client.post("/data_connectors", json={"name": f"c{index}"})
    seen: list[Any] = []
    params: dict[str, Any] = {"per_page": 3}
    for _ in range(10):
        page = (await client.get("/data_connectors", params=params)).json()
        seen += [item["id"] for item in page["data"]]
        following = (page["pages"].get("next") or {}).get("starting_after")
        if not following:
            break
        params = {"per_page": 3, "starting_after": following}
    assert len(seen) == 8 and len(set(seen)) == 8


async def test_numbered_lists_report_their_pages(client: httpx.AsyncClient) -> None:
    for index in range(4):
        await client.post("/articles", json={"title": f"a{index}", "author_id": 1})
    first = (await client.get("/articles", params={"per_page": 5})).json()
    second = (await client.get("/articles", params={"per_page": 5, "page": 2})).json()
    assert first["total_count"] == 7 and first["pages"]["total_pages"] == 2
    assert len(first["data"]) == 5 and len(second["data"]) == 2


async def test_search_filters_stored_objects(client: httpx.AsyncClient) -> None:
    await client.post("/articles", json={"title": "Unique zebra guide", "author_id": 1})
    found = (await client.get("/articles/search", params={"phrase": "zebra"})).json()
    titles = [a["title"] for a in found["data"]["articles"]]
    assert titles == ["Unique zebra guide"] and found["total_count"] == 1


async def test_ticket_search_runs_the_query_language(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/tickets", json={"ticket_type_id": "1", "contacts": [{"id": "x"}]})
    ).json()
    query = {"field": "id", "operator": "=", "value": created["id"]}
    found = (await client.post("/tickets/search", json={"query": query})).json()
    assert [t["id"] for t in found["tickets"]] == [created["id"]]


def test_collections_are_found_from_path_shapes_alone() -> None:
    paths = {collection.path: collection for collection, _ in collection_of().values()}
    nested = paths["/ticket_types/{ticket_type_id}/attributes"]
    assert nested.parent_params == ("ticket_type_id",) and nested.item_param == "attribute_id"
    assert set(paths["/articles"].ops) == {"create", "get", "update", "delete", "list", "search"}
    # an item path with neither a list nor a create beside it holds no collection
    assert "/fin_voice/collect" not in paths
    assert len(paths) >= 30


async def test_a_singleton_keeps_what_was_put(client: httpx.AsyncClient) -> None:
    change = {"enabled": True, "ip_allowlist": ["192.0.2.0/24"]}
    put = await client.put("/ip_allowlist", json=change)
    assert put.status_code == 200, put.text
    read = (await client.get("/ip_allowlist")).json()
    assert (read["enabled"], read["ip_allowlist"]) == (True, ["192.0.2.0/24"])


async def test_a_singleton_under_a_parent_needs_the_parent(client: httpx.AsyncClient) -> None:
    article = (await client.post("/articles", json={"title": "Drafted", "author_id": 1})).json()
    staged = await client.put(f"/articles/{article['id']}/draft", json={"title": "Next"})
    assert staged.status_code == 200, staged.text
    assert (await client.get(f"/articles/{article['id']}/draft")).json()["title"] == "Next"
    assert (await client.get("/articles/999999/draft")).status_code == 404
