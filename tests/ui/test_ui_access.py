"""Only the holder of the printed token gets in, and only pages' own POSTs change anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_kit import PanelHandle

from intercom_connector.httpx_lib import httpx
from intercom_connector.ui import AccessToken
from intercom_connector.ui.security import COOKIE


@pytest.fixture
def access(panel: PanelHandle) -> AccessToken:
    return panel.access


@pytest.fixture
def client(panel: PanelHandle) -> Iterator[httpx.Client]:
    """Plain HTTP over loopback to the panel, as a browser without the page would talk."""
    with httpx.Client(base_url=panel.base_url, timeout=30) as client:
        yield client


def signed_in(client: httpx.Client, access: AccessToken) -> httpx.Client:
    reply = client.get("/", params={"token": access.token})
    assert reply.status_code == 303
    return client


def test_a_page_without_the_token_is_refused(client: httpx.Client) -> None:
    for path in ("/", "/api/runs", "/operations", "/static/app.js"):
        reply = client.get(path)
        assert reply.status_code == 403, path
        assert "access token" in reply.text


def test_a_wrong_token_is_refused(client: httpx.Client) -> None:
    reply = client.get("/", params={"token": "guess"})
    assert reply.status_code == 403
    assert COOKIE not in reply.cookies


def test_the_token_becomes_a_strict_cookie_and_leaves_the_url(
    client: httpx.Client, access: AccessToken
) -> None:
    reply = client.get("/operations", params={"token": access.token, "q": "tag"})
    assert reply.status_code == 303
    assert reply.headers["location"] == "/operations?q=tag"
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert (client.get("/operations?q=tag")).status_code == 200


def test_a_post_without_the_csrf_token_is_refused(
    client: httpx.Client, access: AccessToken
) -> None:
    signed_in(client, access)
    reply = client.post("/api/operations/list_contacts/try", json={"input": {}})
    assert reply.status_code == 403
    assert "CSRF" in reply.text
    wrong = client.post("/api/runs/x/resume", headers={"X-CSRF-Token": "0" * 64}, json={})
    assert wrong.status_code == 403


def test_a_post_with_the_csrf_token_goes_through(client: httpx.Client, access: AccessToken) -> None:
    signed_in(client, access)
    reply = client.post(
        "/api/runs/no-such-run/resume", headers={"X-CSRF-Token": access.csrf}, json={}
    )
    assert reply.status_code == 404
    assert "no run" in reply.json()["error"]


def test_a_foreign_host_header_is_refused(client: httpx.Client, access: AccessToken) -> None:
    reply = client.get("/", params={"token": access.token}, headers={"Host": "evil.test:80"})
    assert reply.status_code == 403
