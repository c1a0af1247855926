"""The sandbox answers per Intercom-Version: known versions only, their operations, their rules."""

from __future__ import annotations

import pytest
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox


def _v(version: str) -> dict[str, str]:
    return {"Intercom-Version": version}


@pytest.mark.parametrize("version", ["banana", "9.9", "2.17", "v2.16"])
async def test_an_unknown_version_is_refused(client: httpx.AsyncClient, version: str) -> None:
    reply = await client.get("/contacts", headers=_v(version))
    assert reply.status_code == 400
    assert error_code(reply) == "intercom_version_invalid"


@pytest.mark.parametrize("version", ["1.0", "2.6", "2.7", "2.14", "2.16", "Preview"])
async def test_described_versions_are_served(client: httpx.AsyncClient, version: str) -> None:
    assert (await client.get("/contacts", headers=_v(version))).status_code == 200


async def test_an_operation_newer_than_the_version_is_an_unknown_path(
    client: httpx.AsyncClient,
) -> None:
    for version in ("2.7", "2.1"):
        older = await client.get("/data_connectors", headers=_v(version))
        assert older.status_code == 404 and error_code(older) == "not_found"
    assert (await client.get("/data_connectors", headers=_v("2.16"))).status_code == 200


async def test_an_integer_owner_id_is_accepted_under_2_14(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    owner = int(sandbox.state.first_admin.id)
    body = {"email": "pinned@example.com", "owner_id": owner}
    reply = await client.post("/contacts", json=body, headers=_v("2.14"))
    assert reply.status_code == 200, reply.text
    assert reply.json()["owner_id"] == str(owner)


async def test_an_integer_owner_id_is_refused_under_2_16(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    body = {"email": "latest@example.com", "owner_id": int(sandbox.state.first_admin.id)}
    reply = await client.post("/contacts", json=body, headers=_v("2.16"))
    assert reply.status_code == 400
    assert "owner_id" in reply.text


async def test_a_text_owner_id_is_refused_under_2_14(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    body = {"email": "old@example.com", "owner_id": sandbox.state.first_admin.id}
    reply = await client.post("/contacts", json=body, headers=_v("2.14"))
    assert reply.status_code == 400
    assert "owner_id" in reply.text
