"""Companies: create-or-update, page listings and their cap, scroll, attachments."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, create_app


async def _company(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post("/companies", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _first_contact(client: httpx.AsyncClient) -> dict[str, Any]:
    return dict((await client.get("/contacts", params={"per_page": 1})).json()["data"][0])


async def test_post_companies_creates_then_updates_by_company_id(
    client: httpx.AsyncClient,
) -> None:
    created = await _company(client, company_id="acme-9", name="Acme", plan="pro")
    updated = await _company(client, company_id="acme-9", name="Acme Inc")
    assert updated["id"] == created["id"]
    assert updated["name"] == "Acme Inc"
    assert updated["plan"]["name"] == "pro"


async def test_company_shape(client: httpx.AsyncClient) -> None:
    company = await _company(client, company_id="shape-1", name="Shape", size=10)
    assert company["type"] == "company"
    assert company["tags"] == {"type": "tag.list", "tags": []}
    assert company["segments"]["type"] == "segment.list"
    assert company["user_count"] == 0


async def test_get_update_delete_company(client: httpx.AsyncClient) -> None:
    company = await _company(client, company_id="crud-1", name="Crud")
    path = f"/companies/{company['id']}"
    assert (await client.get(path)).json()["name"] == "Crud"
    assert (await client.put(path, json={"website": "https://crud.example"})).json()[
        "website"
    ] == "https://crud.example"
    deleted = (await client.delete(path)).json()
    assert deleted == {"id": company["id"], "object": "company", "deleted": True}
    missing = await client.get(path)
    assert missing.status_code == 404
    assert error_code(missing) == "company_not_found"


async def test_lookup_by_company_id_and_by_name(client: httpx.AsyncClient) -> None:
    await _company(client, company_id="look-1", name="Lookup Ltd")
    by_id = (await client.get("/companies", params={"company_id": "look-1"})).json()
    by_name = (await client.get("/companies", params={"name": "Lookup Ltd"})).json()
    assert by_id["data"][0]["name"] == "Lookup Ltd"
    assert by_name["data"][0]["company_id"] == "look-1"


async def test_lookup_of_unknown_company_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/companies", params={"company_id": "nope"})
    assert response.status_code == 404
    assert error_code(response) == "company_not_found"


async def test_get_companies_pages_by_number_fifteen_by_default(client: httpx.AsyncClient) -> None:
    first = (await client.get("/companies")).json()
    assert len(first["data"]) == 15
    assert first["pages"] == {
        "type": "pages",
        "next": None,
        "page": 1,
        "per_page": 15,
        "total_pages": 2,
    }
    second = (await client.get("/companies", params={"page": 2})).json()
    assert len(second["data"]) == 10
    assert not {c["id"] for c in first["data"]} & {c["id"] for c in second["data"]}


async def test_post_companies_list_orders_by_last_request_descending(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.post("/companies/list", params={"per_page": 50})).json()
    stamps = [c["last_request_at"] for c in page["data"]]
    assert stamps == sorted(stamps, reverse=True)


async def test_post_companies_list_leaves_out_companies_without_users(
    client: httpx.AsyncClient,
) -> None:
    lonely = await _company(client, company_id="lonely", name="Lonely")
    page = (await client.post("/companies/list", params={"per_page": 150})).json()
    assert lonely["id"] not in {c["id"] for c in page["data"]}


@pytest.mark.parametrize(("path", "method"), [("/companies", "GET"), ("/companies/list", "POST")])
async def test_page_listing_stops_at_ten_thousand_records(
    client: httpx.AsyncClient, path: str, method: str
) -> None:
    response = await client.request(method, path, params={"page": 201, "per_page": 50})
    assert response.status_code == 400
    assert "scroll" in response.json()["errors"][0]["message"]


async def test_scroll_reads_every_company_then_ends_with_an_empty_page(
    client: httpx.AsyncClient,
) -> None:
    seen: list[str] = []
    page = (await client.get("/companies/scroll")).json()
    while page["data"]:
        seen.extend(c["id"] for c in page["data"])
        page = (
            await client.get("/companies/scroll", params={"scroll_param": page["scroll_param"]})
        ).json()
    assert len(seen) == len(set(seen)) == 25
    assert page["pages"] is None and page["total_count"] is None


async def test_second_scroll_while_one_is_open_is_scroll_exists(client: httpx.AsyncClient) -> None:
    await client.get("/companies/scroll")
    response = await client.get("/companies/scroll")
    assert response.status_code == 400
    assert error_code(response) == "scroll_exists"


async def test_finished_scroll_frees_the_slot(client: httpx.AsyncClient) -> None:
    page = (await client.get("/companies/scroll")).json()
    while page["data"]:
        page = (
            await client.get("/companies/scroll", params={"scroll_param": page["scroll_param"]})
        ).json()
    assert (await client.get("/companies/scroll")).status_code == 200


async def test_idle_scroll_expires_after_a_minute(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = (await client.get("/companies/scroll")).json()
    clock.advance(61)
    stale = await client.get("/companies/scroll", params={"scroll_param": first["scroll_param"]})
    assert stale.status_code == 404
    assert (await client.get("/companies/scroll")).status_code == 200


async def test_scroll_use_keeps_it_alive(client: httpx.AsyncClient, clock: ManualClock) -> None:
    page = (await client.get("/companies/scroll")).json()
    clock.advance(50)
    page = (
        await client.get("/companies/scroll", params={"scroll_param": page["scroll_param"]})
    ).json()
    clock.advance(50)
    again = await client.get("/companies/scroll", params={"scroll_param": page["scroll_param"]})
    assert again.status_code == 200


async def test_scroll_expiry_is_configurable() -> None:
    clock = ManualClock()
    sandbox = create_app(SandboxConfig(clock=clock, scroll_ttl_seconds=5))
    async with sandbox.async_client() as client:
        await client.get("/companies/scroll")
        clock.advance(6)
        assert (await client.get("/companies/scroll")).status_code == 200


async def test_attach_and_detach_contact(client: httpx.AsyncClient) -> None:
    contact = await _first_contact(client)
    company = await _company(client, company_id="attach-1", name="Attach")
    attached = await client.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]})
    assert attached.json()["user_count"] == 1
    listed = (await client.get(f"/contacts/{contact['id']}/companies")).json()
    assert company["id"] in {c["id"] for c in listed["companies"]}
    detached = await client.delete(f"/contacts/{contact['id']}/companies/{company['id']}")
    assert detached.json()["user_count"] == 0


async def test_attached_companies_list_carries_both_spec_keys(client: httpx.AsyncClient) -> None:
    contact = await _first_contact(client)
    listed = (await client.get(f"/contacts/{contact['id']}/companies")).json()
    assert listed["type"] == "list"
    assert listed["companies"] == listed["data"]
    assert listed["total_count"] == len(listed["companies"]) == 1


async def test_attach_unknown_company_is_404(client: httpx.AsyncClient) -> None:
    contact = await _first_contact(client)
    response = await client.post(f"/contacts/{contact['id']}/companies", json={"id": "nope"})
    assert response.status_code == 404
    assert error_code(response) == "company_not_found"


async def test_attach_without_company_is_400(client: httpx.AsyncClient) -> None:
    contact = await _first_contact(client)
    response = await client.post(f"/contacts/{contact['id']}/companies", json={})
    assert response.status_code == 400
    assert error_code(response) == "parameter_not_found"


async def test_contacts_of_a_company(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    company = next(iter(sandbox.state.companies.values()))
    page = (await client.get(f"/companies/{company.id}/contacts")).json()
    assert page["total_count"] == len(company.contact_seqs)
    assert all(company.id in c["companies"]["data"][0]["id"] for c in page["data"])


async def test_unknown_custom_attribute_on_company_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/companies", json={"company_id": "ca-1", "custom_attributes": {"nope": "x"}}
    )
    assert response.status_code == 400
