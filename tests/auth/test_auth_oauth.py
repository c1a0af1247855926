"""Intercom's OAuth endpoints, the authorize URL, the code exchange and the loopback receiver."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from auth_fakes import CLIENT_SECRET, TOKEN

from intercom_connector.auth import OAuthApp, OAuthEndpoints, TokenExchangeFailed, exchange_code
from intercom_connector.auth.loopback import LoopbackReceiver
from intercom_connector.auth.oauth import authorize_url
from intercom_connector.httpx_lib import httpx

APP = OAuthApp("client-1", CLIENT_SECRET)
CODE = "code_5c4b3a29"


@pytest.mark.parametrize(
    ("region", "authorize", "token"),
    [
        ("us", "https://app.intercom.com/oauth", "https://api.intercom.io/auth/eagle/token"),
        ("eu", "https://app.eu.intercom.com/oauth", "https://api.eu.intercom.io/auth/eagle/token"),
        ("au", "https://app.au.intercom.com/oauth", "https://api.au.intercom.io/auth/eagle/token"),
    ],
)
def test_endpoints_follow_the_region(region, authorize, token):
    assert OAuthEndpoints.for_region(region) == OAuthEndpoints(authorize, token)


def test_endpoints_can_point_at_the_sandbox():
    endpoints = OAuthEndpoints.for_region("eu", "http://127.0.0.1:8025/")

    assert endpoints == OAuthEndpoints(
        "http://127.0.0.1:8025/oauth", "http://127.0.0.1:8025/auth/eagle/token"
    )


def test_authorize_url_carries_client_id_state_and_redirect_but_no_scope():
    url = authorize_url(
        OAuthEndpoints.for_region("us"), APP, "state-1", "http://127.0.0.1:5000/callback"
    )

    query = parse_qs(urlsplit(url).query)
    assert query == {
        "client_id": ["client-1"],
        "state": ["state-1"],
        "redirect_uri": ["http://127.0.0.1:5000/callback"],
    }


def test_app_repr_hides_the_client_secret():
    assert CLIENT_SECRET not in repr(APP)


def _token_endpoint(status: int, body: object, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


async def test_code_is_exchanged_by_a_form_post_of_code_client_id_and_secret():
    seen: list[httpx.Request] = []
    transport = _token_endpoint(200, {"type": "token", "token": TOKEN}, seen)

    token = await exchange_code(OAuthEndpoints.for_region("us"), APP, CODE, transport=transport)

    assert token == TOKEN
    (request,) = seen
    assert (request.method, str(request.url)) == (
        "POST",
        "https://api.intercom.io/auth/eagle/token",
    )
    assert parse_qs(request.content.decode()) == {
        "code": [CODE],
        "client_id": ["client-1"],
        "client_secret": [CLIENT_SECRET],
    }


async def test_access_token_field_is_accepted_too():
    transport = _token_endpoint(200, {"access_token": TOKEN, "token_type": "Bearer"}, [])

    assert await exchange_code(OAuthEndpoints("a", "https://x/t"), APP, CODE, transport=transport)


async def test_refused_code_is_reported_without_the_code_or_the_client_secret():
    body = {"error": "invalid_grant", "error_description": f"code {CODE} expired ({CLIENT_SECRET})"}
    transport = _token_endpoint(400, body, [])

    with pytest.raises(TokenExchangeFailed) as raised:
        await exchange_code(OAuthEndpoints("a", "https://x/t"), APP, CODE, transport=transport)

    message = str(raised.value)
    assert "invalid_grant" in message and raised.value.status == 400
    assert CODE not in message and CLIENT_SECRET not in message


async def test_a_reply_without_a_token_is_an_error():
    transport = _token_endpoint(200, {"type": "token"}, [])

    with pytest.raises(TokenExchangeFailed, match="without a token"):
        await exchange_code(OAuthEndpoints("a", "https://x/t"), APP, CODE, transport=transport)


async def test_loopback_receiver_listens_on_127_0_0_1_and_ignores_other_paths():
    async with LoopbackReceiver() as receiver, httpx.AsyncClient() as browser:
        assert receiver.redirect_uri.startswith("http://127.0.0.1:")
        base = receiver.redirect_uri.removesuffix("/callback")
        assert (await browser.get(base + "/favicon.ico")).status_code == 404
        page = await browser.get(receiver.redirect_uri, params={"code": CODE, "state": "s"})
        callback = await receiver.wait(1.0)

    assert page.status_code == 200
    assert (callback.code, callback.state) == (CODE, "s")
    assert CODE not in repr(callback)
