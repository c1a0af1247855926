"""Only the holder of the printed token gets in, and only pages' own POSTs change anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from intercom_connector.cli.ui_commands import connect
from intercom_connector.httpx_lib import httpx
from intercom_connector.ui import AccessToken, PanelSettings, create_app
from intercom_connector.ui.security import COOKIE


@pytest.fixture
def access() -> AccessToken:
    return AccessToken()


@pytest.fixture
def client(home: Path, access: AccessToken) -> httpx.AsyncClient:
    app = create_app(PanelSettings(connect=connect, access=access))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


async def signed_in(client: httpx.AsyncClient, access: AccessToken) -> httpx.AsyncClient:
    reply = await client.get("/", params={"token": access.token})
    assert reply.status_code == 303
    return client


async def test_a_page_without_the_token_is_refused(client: httpx.AsyncClient) -> None:
    for path in ("/", "/api/runs", "/operations", "/static/app.js"):
        reply = await client.get(path)
        assert reply.status_code == 403, path
        assert "access token" in reply.text


async def test_a_wrong_token_is_refused(client: httpx.AsyncClient) -> None:
    reply = await client.get("/", params={"token": "guess"})
    assert reply.status_code == 403
    assert COOKIE not in reply.cookies


async def test_the_token_becomes_a_strict_cookie_and_leaves_the_url(
    client: httpx.AsyncClient, access: AccessToken
) -> None:
    reply = await client.get("/operations", params={"token": access.token, "q": "tag"})
    assert reply.status_code == 303
    assert reply.headers["location"] == "/operations?q=tag"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert (await client.get("/operations?q=tag")).status_code == 200


async def test_a_post_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, access: AccessToken
) -> None:
    await signed_in(client, access)
    reply = await client.post("/api/operations/list_contacts/try", json={"input": {}})
    assert reply.status_code == 403
    assert "CSRF" in reply.text
    wrong = await client.post("/api/runs/x/resume", headers={"X-CSRF-Token": "0" * 64}, json={})
    assert wrong.status_code == 403


async def test_a_post_with_the_csrf_token_goes_through(
    client: httpx.AsyncClient, access: AccessToken
) -> None:
    await signed_in(client, access)
    reply = await client.post(
        "/api/runs/no-such-run/resume", headers={"X-CSRF-Token": access.csrf}, json={}
    )
    assert reply.status_code == 404
    assert "no run" in reply.json()["error"]


async def test_a_foreign_host_header_is_refused(
    client: httpx.AsyncClient, access: AccessToken
) -> None:
    reply = await client.get("/", params={"token": access.token}, headers={"Host": "evil.test"})
    assert reply.status_code == 403
