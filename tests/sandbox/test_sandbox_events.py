"""Data events: submit, list per user with next-URL pages, summaries."""

from __future__ import annotations

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx


async def _contact(client: httpx.AsyncClient, index: int) -> dict[str, str]:
    page = (await client.get("/contacts", params={"per_page": index + 1})).json()
    return dict(page["data"][index])


async def test_submit_event_is_202_without_body(client: httpx.AsyncClient) -> None:
    contact = await _contact(client, 50)
    response = await client.post(
        "/events",
        json={"event_name": "ordered", "created_at": 1_700_000_000, "id": contact["id"]},
    )
    assert response.status_code == 202
    assert response.content == b""


async def test_submitted_event_is_listed(client: httpx.AsyncClient) -> None:
    contact = await _contact(client, 50)
    await client.post(
        "/events",
        json={
            "event_name": "ordered",
            "created_at": 1_700_000_000,
            "email": contact["email"],
            "metadata": {"order": "A-1"},
        },
    )
    listed = (
        await client.get("/events", params={"type": "user", "intercom_user_id": contact["id"]})
    ).json()
    assert listed["events"][0]["event_name"] == "ordered"
    assert listed["events"][0]["metadata"] == {"order": "A-1"}


async def test_event_without_user_identifier_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/events", json={"event_name": "x", "created_at": 1})
    assert response.status_code == 400


async def test_event_for_unknown_user_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/events", json={"event_name": "x", "created_at": 1, "user_id": "nobody"}
    )
    assert response.status_code == 404


async def test_listing_follows_next_urls_to_the_end(client: httpx.AsyncClient) -> None:
    contact = await _contact(client, 0)
    url: str | None = "/events"
    params: dict[str, str] | None = {
        "type": "user",
        "user_id": contact["external_id"],
        "per_page": "2",
    }
    names: list[str] = []
    pages = 0
    while url:
        page = (await client.get(url, params=params)).json()
        pages += 1
        names.extend(e["event_name"] for e in page["events"])
        url, params = (page.get("pages") or {}).get("next"), None
    assert len(names) == 6  # 60 seeded events spread over the first ten contacts
    assert pages == 3


async def test_next_url_points_at_the_host_the_client_used(client: httpx.AsyncClient) -> None:
    contact = await _contact(client, 0)
    page = (
        await client.get(
            "/events", params={"type": "user", "intercom_user_id": contact["id"], "per_page": 1}
        )
    ).json()
    assert page["pages"]["next"].startswith("http://intercom-sandbox.test/events?")


async def test_summary_counts_events_by_name(client: httpx.AsyncClient) -> None:
    contact = await _contact(client, 0)
    page = (
        await client.get(
            "/events",
            params={"type": "user", "intercom_user_id": contact["id"], "summary": "true"},
        )
    ).json()
    assert page["type"] == "event.summary"
    assert sum(item["count"] for item in page["events"]) == 6


async def test_listing_needs_type_user(client: httpx.AsyncClient) -> None:
    contact = await _contact(client, 0)
    response = await client.get("/events", params={"type": "lead", "user_id": contact["id"]})
    assert response.status_code == 400


async def test_listing_needs_an_identifier(client: httpx.AsyncClient) -> None:
    response = await client.get("/events", params={"type": "user"})
    assert response.status_code == 400
    assert error_code(response) == "parameter_not_found"
