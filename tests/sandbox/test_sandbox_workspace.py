"""Admins, /me, teams, segments and data attributes."""

from __future__ import annotations

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx


async def test_me_is_an_admin_with_its_app(client: httpx.AsyncClient) -> None:
    me = (await client.get("/me")).json()
    assert me["type"] == "admin"
    assert me["app"]["type"] == "app"
    assert me["email_verified"] is True


async def test_admins_list_shape(client: httpx.AsyncClient) -> None:
    admins = (await client.get("/admins")).json()
    assert admins["type"] == "admin.list"
    assert len(admins["admins"]) == 5


async def test_get_admin_and_unknown_admin(client: httpx.AsyncClient) -> None:
    me = (await client.get("/me")).json()
    assert (await client.get(f"/admins/{me['id']}")).json()["email"] == me["email"]
    missing = await client.get("/admins/1")
    assert missing.status_code == 404
    assert error_code(missing) == "admin_not_found"


async def test_set_admin_away(client: httpx.AsyncClient) -> None:
    me = (await client.get("/me")).json()
    away = await client.put(
        f"/admins/{me['id']}/away", json={"away_mode_enabled": True, "away_mode_reassign": True}
    )
    assert away.json()["away_mode_enabled"] is True


async def test_teams_list_and_get(client: httpx.AsyncClient) -> None:
    teams = (await client.get("/teams")).json()
    assert teams["type"] == "team.list"
    team = teams["teams"][0]
    assert (await client.get(f"/teams/{team['id']}")).json() == team
    assert error_code(await client.get("/teams/1")) == "team_not_found"


async def test_segments_with_counts(client: httpx.AsyncClient) -> None:
    segments = (await client.get("/segments", params={"include_count": "true"})).json()
    assert segments["type"] == "segment.list"
    by_name = {s["name"]: s for s in segments["segments"]}
    total = (await client.get("/contacts")).json()["total_count"]
    assert by_name["All users"]["count"] + by_name["All leads"]["count"] == total


async def test_contact_segments_follow_the_role(client: httpx.AsyncClient) -> None:
    contact = (await client.get("/contacts", params={"per_page": 1})).json()["data"][0]
    segments = (await client.get(f"/contacts/{contact['id']}/segments")).json()
    expected = "All users" if contact["role"] == "user" else "All leads"
    assert [s["name"] for s in segments["data"]] == [expected]


async def test_data_attributes_filter_by_model(client: httpx.AsyncClient) -> None:
    listed = (await client.get("/data_attributes", params={"model": "company"})).json()
    assert {a["model"] for a in listed["data"]} == {"company"}


async def test_created_attribute_becomes_writable_on_contacts(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/data_attributes",
        json={"name": "shoe_size", "model": "contact", "data_type": "integer"},
    )
    assert created.json()["full_name"] == "custom_attributes.shoe_size"
    contact = await client.post(
        "/contacts", json={"email": "s@example.com", "custom_attributes": {"shoe_size": 9}}
    )
    assert contact.status_code == 200


async def test_duplicate_attribute_name_is_refused(client: httpx.AsyncClient) -> None:
    body = {"name": "plan", "model": "contact", "data_type": "string"}
    response = await client.post("/data_attributes", json=body)
    assert response.status_code == 400
    assert error_code(response) == "parameter_invalid"


async def test_update_attribute_archives_it(client: httpx.AsyncClient) -> None:
    created = (
        await client.post(
            "/data_attributes", json={"name": "tier2", "model": "company", "data_type": "string"}
        )
    ).json()
    updated = await client.put(f"/data_attributes/{created['id']}", json={"archived": True})
    assert updated.json()["archived"] is True
    listed = (await client.get("/data_attributes")).json()
    assert "tier2" not in {a["name"] for a in listed["data"]}


async def test_update_unknown_attribute_is_404(client: httpx.AsyncClient) -> None:
    response = await client.put("/data_attributes/99999", json={"archived": True})
    assert response.status_code == 404
