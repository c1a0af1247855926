"""Contacts: CRUD, archive, merge, duplicates, custom attributes, cursor listing."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, create_app


async def _create(client: httpx.AsyncClient, **body: object) -> dict[str, Any]:
    response = await client.post("/contacts", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_created_contact_has_intercom_shape(client: httpx.AsyncClient) -> None:
    contact = await _create(client, email="ada@example.com", name="Ada", external_id="ext-1")
    assert contact["type"] == "contact"
    assert contact["role"] == "user"
    assert isinstance(contact["id"], str) and len(contact["id"]) == 24
    assert contact["email_domain"] == "example.com"
    assert contact["tags"] == {
        "type": "list",
        "data": [],
        "url": f"/contacts/{contact['id']}/tags",
        "total_count": 0,
        "has_more": False,
    }
    assert contact["location"]["type"] == "location"


async def test_created_contact_uses_the_clock_for_timestamps(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    contact = await _create(client, email="t@example.com")
    assert contact["created_at"] == int(clock.now())


async def test_get_contact_returns_what_was_created(client: httpx.AsyncClient) -> None:
    contact = await _create(client, email="b@example.com", phone="+353871234567")
    fetched = (await client.get(f"/contacts/{contact['id']}")).json()
    assert fetched["email"] == "b@example.com"
    assert fetched["phone"] == "+353871234567"


async def test_unknown_contact_is_404_user_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/contacts/6000000000000000000000ff")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == "User Not Found"


async def test_duplicate_external_id_is_409_naming_the_existing_contact(
    client: httpx.AsyncClient,
) -> None:
    first = await _create(client, external_id="dup-1")
    response = await client.post("/contacts", json={"external_id": "dup-1"})
    assert response.status_code == 409
    assert error_code(response) == "conflict"
    assert str(first["id"]) in response.json()["errors"][0]["message"]


async def test_leads_may_share_an_email(client: httpx.AsyncClient) -> None:
    await _create(client, email="shared@example.com", role="lead")
    second = await client.post("/contacts", json={"email": "shared@example.com", "role": "lead"})
    assert second.status_code == 200


async def test_invalid_role_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/contacts", json={"email": "r@example.com", "role": "admin"})
    assert response.status_code == 400
    assert error_code(response) == "parameter_invalid"


async def test_undeclared_body_field_is_ignored_as_the_spec_allows(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/contacts", json={"email": "x@example.com", "colour": "red"})
    assert response.status_code == 200
    assert "colour" not in response.json()


async def test_unknown_custom_attribute_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/contacts", json={"email": "c@example.com", "custom_attributes": {"shoe_size": 9}}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "custom_attributes.shoe_size"


async def test_defined_custom_attribute_is_stored(client: httpx.AsyncClient) -> None:
    contact = await _create(client, email="p@example.com", custom_attributes={"plan": "pro"})
    assert contact["custom_attributes"] == {"plan": "pro"}


async def test_update_changes_fields_and_updated_at(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    contact = await _create(client, email="u@example.com")
    clock.advance(60)
    response = await client.put(f"/contacts/{contact['id']}", json={"name": "New name"})
    updated = response.json()
    assert updated["name"] == "New name"
    assert updated["updated_at"] == contact["updated_at"] + 60


async def test_update_to_an_email_of_another_user_is_409(client: httpx.AsyncClient) -> None:
    await _create(client, email="taken@example.com")
    other = await _create(client, email="free@example.com")
    response = await client.put(f"/contacts/{other['id']}", json={"email": "taken@example.com"})
    assert response.status_code == 409


async def test_delete_returns_reference_and_forgets_contact(client: httpx.AsyncClient) -> None:
    contact = await _create(client, email="d@example.com", external_id="del-1")
    response = await client.delete(f"/contacts/{contact['id']}")
    assert response.json() == {
        "type": "contact",
        "id": contact["id"],
        "external_id": "del-1",
        "deleted": True,
    }
    assert (await client.get(f"/contacts/{contact['id']}")).status_code == 404


async def test_archived_contact_leaves_the_listing_until_unarchived(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    contact = await _create(client, email="a@example.com")
    before = (await client.get("/contacts")).json()["total_count"]
    archived = (await client.post(f"/contacts/{contact['id']}/archive")).json()
    assert archived["archived"] is True
    assert (await client.get("/contacts")).json()["total_count"] == before - 1
    await client.post(f"/contacts/{contact['id']}/unarchive")
    assert (await client.get("/contacts")).json()["total_count"] == before


async def test_find_by_external_id_finds_users(client: httpx.AsyncClient) -> None:
    contact = await _create(client, email="e@example.com", external_id="find-me")
    response = await client.get("/contacts/find_by_external_id/find-me")
    assert response.json()["id"] == contact["id"]


async def test_find_by_external_id_ignores_leads(client: httpx.AsyncClient) -> None:
    await _create(client, role="lead", external_id="lead-ext")
    response = await client.get("/contacts/find_by_external_id/lead-ext")
    assert response.status_code == 404


async def test_merge_lead_into_user_moves_tags_and_records_history(
    client: httpx.AsyncClient,
) -> None:
    lead = await _create(client, role="lead", email="m@example.com")
    user = await _create(client, role="user", email="m2@example.com", external_id="m-user")
    await client.post(f"/contacts/{lead['id']}/tags", json={"id": "100"})
    response = await client.post(
        "/contacts/merge?include_merge_history=true",
        json={"from": lead["id"], "into": user["id"], "skip_duplicate_validation": True},
    )
    merged = response.json()
    assert merged["id"] == user["id"]
    assert merged["tags"]["data"][0]["id"] == "100"
    assert merged["merge_history"][0]["source_contact_id"] == lead["id"]


async def test_merged_away_contact_answers_410_with_link(client: httpx.AsyncClient) -> None:
    lead = await _create(client, role="lead", email="same@example.com")
    user = await _create(client, role="user", email="same@example.com", external_id="s-user")
    await client.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]})
    response = await client.get(f"/contacts/{lead['id']}")
    assert response.status_code == 410
    assert error_code(response) == "contact_merged"
    assert response.headers["link"] == f'</contacts/{user["id"]}>; rel="canonical"'


async def test_merge_of_non_duplicates_needs_skip_flag(client: httpx.AsyncClient) -> None:
    lead = await _create(client, role="lead", email="one@example.com")
    user = await _create(client, role="user", email="two@example.com")
    response = await client.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]})
    assert response.status_code == 400
    assert error_code(response) == "invalid_merge"


async def test_merge_into_a_lead_is_refused(client: httpx.AsyncClient) -> None:
    lead = await _create(client, role="lead", email="l1@example.com")
    other = await _create(client, role="lead", email="l1@example.com")
    response = await client.post(
        "/contacts/merge",
        json={"from": lead["id"], "into": other["id"], "skip_duplicate_validation": True},
    )
    assert response.status_code == 400


# --- cursor listing ----------------------------------------------------------------------


async def test_list_defaults_to_ten_per_page_with_a_next_cursor(client: httpx.AsyncClient) -> None:
    page = (await client.get("/contacts")).json()
    assert page["type"] == "list"
    assert len(page["data"]) == 10
    assert page["pages"]["type"] == "pages"
    assert page["pages"]["per_page"] == 10
    assert page["pages"]["total_pages"] == 10
    assert isinstance(page["pages"]["next"]["starting_after"], str)


async def test_following_cursors_visits_every_contact_once(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    params: dict[str, object] = {"per_page": 30}
    while True:
        page = (await client.get("/contacts", params=params)).json()
        seen.extend(c["id"] for c in page["data"])
        nxt = page["pages"].get("next")
        if not nxt:
            break
        params = {"per_page": 30, "starting_after": nxt["starting_after"]}
    assert len(seen) == len(set(seen)) == 100


async def test_contacts_created_mid_listing_appear_at_the_end(client: httpx.AsyncClient) -> None:
    first = (await client.get("/contacts", params={"per_page": 50})).json()
    new = await _create(client, email="late@example.com")
    cursor = first["pages"]["next"]["starting_after"]
    rest = (
        await client.get("/contacts", params={"per_page": 150, "starting_after": cursor})
    ).json()
    assert rest["data"][-1]["id"] == new["id"]
    assert len(first["data"]) + len(rest["data"]) == 101


async def test_last_page_has_no_next(client: httpx.AsyncClient) -> None:
    page = (await client.get("/contacts", params={"per_page": 150})).json()
    assert "next" not in page["pages"]
    assert page["pages"]["total_pages"] == 1


@pytest.mark.parametrize("per_page", [0, 151])
async def test_per_page_outside_1_to_150_is_400(client: httpx.AsyncClient, per_page: int) -> None:
    response = await client.get("/contacts", params={"per_page": per_page})
    assert response.status_code == 400
    assert error_code(response) == "parameter_invalid"


async def test_tampered_cursor_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/contacts", params={"starting_after": "not-base64!"})
    assert response.status_code == 400


async def test_per_page_as_text_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/contacts", params={"per_page": "many"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "per_page"


async def test_hundred_thousand_contacts_seed_and_page_quickly() -> None:
    sandbox = create_app(SandboxConfig(contacts=100_000, conversations=0, companies=100))
    async with sandbox.async_client() as client:
        page = (await client.get("/contacts", params={"per_page": 150})).json()
    assert page["total_count"] == 100_000
    assert page["pages"]["total_pages"] == 667
