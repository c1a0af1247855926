"""Walking every paging style against a real (in-process) HTTP server."""

import pytest
from paging_app import RECORDS, build_app

from intercom_connector.http import InvalidReply, PaginationError, PaginationSpec, RequestSpec
from intercom_connector.httpx_lib import httpx

ALL_IDS = [record["id"] for record in RECORDS]


@pytest.fixture
def server():
    app, log = build_app()
    return httpx.ASGITransport(app=app), log


async def collect(client, request, pagination):
    return [record["id"] async for record in client.iterate(request, pagination)]


async def test_cursor_style_walks_every_page(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        ids = await collect(
            client,
            RequestSpec("GET", "/contacts", params={"per_page": 10}),
            {"style": "cursor", "items": "data"},
        )
    assert ids == ALL_IDS
    assert [entry["query"].get("starting_after") for entry in log] == [None, "cur-10", "cur-20"]


async def test_cursor_style_asks_for_the_largest_page_by_default(make_client, server):
    transport, log = server
    pagination = {"style": "cursor", "items": "data", "per_page_max": 150}
    async with make_client(transport) as client:
        ids = await collect(client, RequestSpec("GET", "/contacts"), pagination)
    assert ids == ALL_IDS
    assert [entry["query"] for entry in log] == [{"per_page": "150"}]


async def test_merge_history_stops_when_has_more_is_false(make_client, server):
    transport, log = server
    pagination = {
        "style": "cursor",
        "items": "data",
        "cursor_param": "cursor",
        "next_cursor": "next_cursor",
    }
    async with make_client(transport) as client:
        ids = await collect(client, RequestSpec("GET", "/contacts/c1/merge_history"), pagination)
    assert ids == ALL_IDS
    assert [entry["query"].get("cursor") for entry in log] == [None, "10", "20"]


async def test_repeated_cursor_raises_instead_of_looping(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        with pytest.raises(PaginationError, match="twice") as caught:
            await collect(client, RequestSpec("GET", "/loop"), {"style": "cursor", "items": "data"})
    assert len(log) == 2
    assert caught.value.url == "/loop"


async def test_page_style_stops_at_total_pages(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        ids = await collect(
            client, RequestSpec("GET", "/companies"), {"style": "page", "items": "data"}
        )
    assert ids == ALL_IDS
    assert [entry["query"].get("page") for entry in log] == [None, "2", "3"]


async def test_page_style_reads_total_pages_at_the_top_level(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        ids = await collect(
            client, RequestSpec("GET", "/articles"), {"style": "page", "items": "data"}
        )
    assert ids == ALL_IDS
    assert len(log) == 3


async def test_page_style_without_total_stops_on_an_empty_page(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        ids = await collect(
            client, RequestSpec("GET", "/calls"), {"style": "page", "items": "data"}
        )
    assert ids == ALL_IDS
    assert len(log) == 4


async def test_page_style_in_body_pages_through_the_json_body(make_client, server):
    transport, log = server
    pagination = {"style": "page", "items": "activity_logs", "in_body": True}
    request = RequestSpec(
        "POST", "/admins/activity_logs/search", json={"per_page": 10}, retry_safe=True
    )
    async with make_client(transport) as client:
        ids = await collect(client, request, pagination)
    assert ids == ALL_IDS
    assert [entry["body"] for entry in log] == [
        {"per_page": 10},
        {"per_page": 10, "page": 2},
        {"per_page": 10, "page": 3},
    ]
    assert all(entry["query"] == {} for entry in log)


async def test_scroll_style_resends_the_scroll_param_until_empty(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        ids = await collect(
            client, RequestSpec("GET", "/companies/scroll"), {"style": "scroll", "items": "data"}
        )
    assert ids == ALL_IDS
    assert [entry["query"].get("scroll_param") for entry in log] == [
        None,
        "scroll-1",
        "scroll-1",
        "scroll-1",
    ]


async def test_search_style_sends_the_cursor_in_the_body(make_client, server):
    transport, log = server
    body = {
        "query": {"field": "role", "operator": "=", "value": "user"},
        "pagination": {"per_page": 10},
    }
    request = RequestSpec("POST", "/contacts/search", json=body, retry_safe=True)
    pagination = {"style": "search_body", "items": "data", "per_page_max": 150}
    async with make_client(transport) as client:
        ids = await collect(client, request, pagination)
    assert ids == ALL_IDS
    assert [entry["body"]["pagination"] for entry in log] == [
        {"per_page": 10},
        {"per_page": 10, "starting_after": "cur-10"},
        {"per_page": 10, "starting_after": "cur-20"},
    ]
    assert all(entry["query"] == {} for entry in log)


async def test_next_url_style_follows_full_urls_without_re_adding_params(make_client, server):
    transport, log = server
    request = RequestSpec("GET", "/events", params={"type": "user", "user_id": "42"})
    async with make_client(transport) as client:
        ids = await collect(client, request, {"style": "next_url", "items": "events"})
    assert ids == ALL_IDS
    assert [entry["query"] for entry in log] == [
        {"type": "user", "user_id": "42"},
        {"next": "10", "per_page": "10"},
        {"next": "20", "per_page": "10"},
    ]


async def test_next_url_style_follows_paths(make_client, server):
    transport, log = server
    pagination = {"style": "next_url", "items": "conversations"}
    async with make_client(transport) as client:
        ids = await collect(client, RequestSpec("GET", "/conversations/deleted"), pagination)
    assert ids == ALL_IDS
    assert [entry["query"].get("page") for entry in log] == [None, "2", "3"]


async def test_next_url_seen_twice_raises(make_client, server):
    transport, _ = server
    async with make_client(transport) as client:
        with pytest.raises(PaginationError):
            await collect(
                client, RequestSpec("GET", "/events/loop"), {"style": "next_url", "items": "events"}
            )


async def test_missing_list_key_raises(make_client, server):
    transport, _ = server
    async with make_client(transport) as client:
        with pytest.raises(PaginationError, match="no 'data' list"):
            await collect(
                client, RequestSpec("GET", "/no_list"), {"style": "cursor", "items": "data"}
            )


async def test_pages_yields_whole_reply_dicts(make_client, server):
    transport, _ = server
    async with make_client(transport) as client:
        pages = [
            page
            async for page in client.pages(
                RequestSpec("GET", "/contacts"), PaginationSpec("cursor", "data")
            )
        ]
    assert [len(page["data"]) for page in pages] == [10, 10, 5]
    assert all(page["type"] == "list" for page in pages)


async def test_stopping_early_fetches_no_further_pages(make_client, server):
    transport, log = server
    async with make_client(transport) as client:
        async for record in client.iterate(
            RequestSpec("GET", "/contacts"), {"style": "cursor", "items": "data"}
        ):
            if record["id"] == "c3":
                break
    assert len(log) == 1


async def test_a_page_that_is_not_an_object_is_an_invalid_reply(make_client):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[1, 2]))
    async with make_client(transport) as client:
        with pytest.raises(InvalidReply, match="JSON object page"):
            await collect(
                client, RequestSpec("GET", "/contacts"), {"style": "cursor", "items": "data"}
            )


async def test_each_page_is_reported_to_on_event(make_client, server):
    transport, _ = server
    events = []
    async with make_client(transport, on_event=events.append) as client:
        await collect(client, RequestSpec("GET", "/contacts"), {"style": "cursor", "items": "data"})
    assert [event["page"] for event in events if event["event"] == "page"] == [1, 2, 3]
