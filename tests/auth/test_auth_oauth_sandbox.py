"""The OAuth2 authorization-code flow end to end: sandbox on a loopback port, a fake browser."""

from __future__ import annotations

import logging

import pytest
from auth_fakes import CLIENT_ID, CLIENT_SECRET, CODE_TTL
from sandbox_browser import FakeBrowser, never_opened, replace_query

from intercom_connector.auth import (
    AuthorizationDenied,
    AuthorizationTimeout,
    OAuthApp,
    OAuthEndpoints,
    StateMismatch,
    TokenExchangeFailed,
    authorize,
)
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ServerHandle

APP = OAuthApp(CLIENT_ID, CLIENT_SECRET)


@pytest.fixture
def endpoints(server: ServerHandle) -> OAuthEndpoints:
    return OAuthEndpoints.for_region("us", server.base_url)


async def test_approval_yields_a_token_the_sandbox_accepts(server, endpoints):
    browser = FakeBrowser("approve")

    token = await authorize(endpoints, APP, opener=browser.open, timeout=10)

    assert browser.pages == [200]
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        me = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["type"] == "admin"


async def test_denial_ends_the_flow_without_a_token(endpoints):
    with pytest.raises(AuthorizationDenied, match="access_denied"):
        await authorize(endpoints, APP, opener=FakeBrowser("deny").open, timeout=10)


async def test_a_redirect_with_another_state_is_rejected(server, endpoints):
    forged = FakeBrowser("approve", lambda location: replace_query(location, state="forged"))

    with pytest.raises(StateMismatch):
        await authorize(endpoints, APP, opener=forged.open, timeout=10)
    assert server.sandbox.requests.matching("POST", "/auth/eagle/token") == []


async def test_an_expired_code_is_refused_by_the_token_endpoint(endpoints, clock):
    def let_it_expire(location: str) -> str:
        clock.advance(CODE_TTL + 1)
        return location

    with pytest.raises(TokenExchangeFailed, match="invalid_grant") as raised:
        await authorize(endpoints, APP, opener=FakeBrowser("approve", let_it_expire).open)
    assert raised.value.status == 400


async def test_nobody_approving_times_out(endpoints):
    with pytest.raises(AuthorizationTimeout, match=r"within 0\.3s"):
        await authorize(endpoints, APP, opener=never_opened, timeout=0.3)


async def test_a_wrong_client_secret_is_refused_without_being_repeated(endpoints):
    wrong = OAuthApp(CLIENT_ID, "not-the-secret-4f2a")

    with pytest.raises(TokenExchangeFailed) as raised:
        await authorize(endpoints, wrong, opener=FakeBrowser("approve").open, timeout=10)
    assert raised.value.status == 401
    assert "not-the-secret-4f2a" not in str(raised.value)


async def test_the_flow_logs_no_code_token_or_client_secret(endpoints, caplog):
    caplog.set_level(logging.DEBUG)
    browser = FakeBrowser("approve")

    token = await authorize(endpoints, APP, opener=browser.open, timeout=10)

    (code,) = browser.codes()
    for secret in (token, code, CLIENT_SECRET):
        assert secret not in caplog.text
