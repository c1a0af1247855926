"""Tags on contacts, companies and conversations; notes on contacts and companies."""

from __future__ import annotations

from typing import Any

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx


async def _contact_id(client: httpx.AsyncClient, index: int = 0) -> str:
    page = (await client.get("/contacts", params={"per_page": index + 1})).json()
    return str(page["data"][index]["id"])


async def test_create_tag_is_idempotent_by_name(client: httpx.AsyncClient) -> None:
    first = (await client.post("/tags", json={"name": "Hot lead"})).json()
    again = (await client.post("/tags", json={"name": "Hot lead"})).json()
    assert first == again == {"type": "tag", "id": first["id"], "name": "Hot lead"}


async def test_update_tag_by_id_renames_it(client: httpx.AsyncClient) -> None:
    tag = (await client.post("/tags", json={"name": "Old"})).json()
    await client.post("/tags", json={"id": tag["id"], "name": "New"})
    assert (await client.get(f"/tags/{tag['id']}")).json()["name"] == "New"


async def test_tag_without_name_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/tags", json={"id": "100"})
    assert response.status_code == 400
    assert error_code(response).startswith("parameter_")


async def test_tag_and_untag_a_contact(client: httpx.AsyncClient) -> None:
    contact_id = await _contact_id(client)
    tagged = (await client.post(f"/contacts/{contact_id}/tags", json={"id": "101"})).json()
    assert tagged["id"] == "101" and tagged["applied_by"]["type"] == "admin"
    listed = (await client.get(f"/contacts/{contact_id}/tags")).json()
    assert "101" in {t["id"] for t in listed["data"]}
    await client.delete(f"/contacts/{contact_id}/tags/101")
    listed = (await client.get(f"/contacts/{contact_id}/tags")).json()
    assert "101" not in {t["id"] for t in listed["data"]}


async def test_tagging_with_unknown_tag_is_404(client: httpx.AsyncClient) -> None:
    contact_id = await _contact_id(client)
    response = await client.post(f"/contacts/{contact_id}/tags", json={"id": "999999"})
    assert response.status_code == 404


async def test_tag_companies_through_post_tags(client: httpx.AsyncClient) -> None:
    company = (await client.post("/companies", json={"company_id": "tag-co", "name": "T"})).json()
    reply = (
        await client.post("/tags", json={"name": "Partner", "companies": [{"id": company["id"]}]})
    ).json()
    assert reply["companies"] == [{"id": company["id"], "tagged": True}]
    fetched = (await client.get(f"/companies/{company['id']}")).json()
    assert [t["name"] for t in fetched["tags"]["tags"]] == ["Partner"]


async def test_untag_company(client: httpx.AsyncClient) -> None:
    company = (await client.post("/companies", json={"company_id": "untag-co"})).json()
    ref = {"company_id": "untag-co"}
    await client.post("/tags", json={"name": "Gone", "companies": [ref]})
    await client.post("/tags", json={"name": "Gone", "companies": [{**ref, "untag": True}]})
    fetched = (await client.get(f"/companies/{company['id']}")).json()
    assert fetched["tags"]["tags"] == []


async def test_delete_tag_removes_it_everywhere(client: httpx.AsyncClient) -> None:
    contact_id = await _contact_id(client)
    tag = (await client.post("/tags", json={"name": "Temp"})).json()
    await client.post(f"/contacts/{contact_id}/tags", json={"id": tag["id"]})
    deleted = await client.delete(f"/tags/{tag['id']}")
    assert deleted.status_code == 200 and deleted.content == b""
    contact = (await client.get(f"/contacts/{contact_id}")).json()
    assert tag["id"] not in {t["id"] for t in contact["tags"]["data"]}
    assert (await client.get(f"/tags/{tag['id']}")).status_code == 404


async def test_tag_and_untag_a_conversation(client: httpx.AsyncClient) -> None:
    admin_id = (await client.get("/me")).json()["id"]
    await client.post("/conversations/101/tags", json={"id": "102", "admin_id": admin_id})
    conversation = (await client.get("/conversations/101")).json()
    assert "102" in {t["id"] for t in conversation["tags"]["tags"]}
    await client.request("DELETE", "/conversations/101/tags/102", json={"admin_id": admin_id})
    conversation = (await client.get("/conversations/101")).json()
    assert "102" not in {t["id"] for t in conversation["tags"]["tags"]}


async def test_create_and_list_contact_notes(client: httpx.AsyncClient) -> None:
    contact_id = await _contact_id(client, 30)
    note = (await client.post(f"/contacts/{contact_id}/notes", json={"body": "Called"})).json()
    assert note["type"] == "note" and note["body"] == "<p>Called</p>"
    assert note["contact"] == {"type": "contact", "id": contact_id}
    assert note["author"]["type"] == "admin"
    listed = (await client.get(f"/contacts/{contact_id}/notes")).json()
    assert [n["id"] for n in listed["data"]] == [note["id"]]
    assert (await client.get(f"/notes/{note['id']}")).json() == note


async def test_contact_sublist_counts_notes(client: httpx.AsyncClient) -> None:
    contact_id = await _contact_id(client, 30)
    await client.post(f"/contacts/{contact_id}/notes", json={"body": "one"})
    contact = (await client.get(f"/contacts/{contact_id}")).json()
    assert contact["notes"]["total_count"] == 1
    assert contact["notes"]["data"][0]["url"].startswith("/notes/")


async def test_note_by_unknown_admin_is_404(client: httpx.AsyncClient) -> None:
    contact_id = await _contact_id(client)
    response = await client.post(
        f"/contacts/{contact_id}/notes", json={"body": "x", "admin_id": "1"}
    )
    assert response.status_code == 404


async def test_company_notes(client: httpx.AsyncClient) -> None:
    company: dict[str, Any] = (await client.post("/companies", json={"company_id": "n-co"})).json()
    note = (await client.post(f"/companies/{company['id']}/notes", json={"body": "Renewal"})).json()
    assert note["company"] == {"type": "company", "id": company["id"]}
    listed = (await client.get(f"/companies/{company['id']}/notes")).json()
    assert [n["id"] for n in listed["data"]] == [note["id"]]
