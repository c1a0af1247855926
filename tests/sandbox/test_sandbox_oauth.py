"""The OAuth authorization-code flow: consent page, redirects, token exchange."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, OAuthClient, SandboxConfig, create_app

CALLBACK = "https://app.example/callback"
CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}


def _query(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK)
    return parse_qs(urlsplit(location).query)


async def _code(client: httpx.AsyncClient) -> str:
    response = await client.get(
        "/oauth",
        params={
            "client_id": "sandbox-client",
            "state": "s1",
            "redirect_uri": CALLBACK,
            "approve": 1,
        },
    )
    return _query(response)["code"][0]


async def test_authorize_page_offers_approve_and_deny(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/oauth", params={"client_id": "sandbox-client", "state": "xyz", "redirect_uri": CALLBACK}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'value="approve"' in response.text and 'value="deny"' in response.text
    assert 'value="xyz"' in response.text


async def test_approve_redirects_with_code_and_state(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/oauth",
        params={
            "client_id": "sandbox-client",
            "state": "s1",
            "redirect_uri": CALLBACK,
            "auto": "approve",
        },
    )
    query = _query(response)
    assert query["state"] == ["s1"] and query["code"][0]


async def test_form_post_from_the_page_approves(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/oauth",
        data={
            "client_id": "sandbox-client",
            "state": "s2",
            "redirect_uri": CALLBACK,
            "decision": "approve",
        },
    )
    assert _query(response)["code"]


async def test_deny_redirects_with_access_denied(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/oauth",
        params={
            "client_id": "sandbox-client",
            "state": "s3",
            "redirect_uri": CALLBACK,
            "auto": "deny",
        },
    )
    assert _query(response) == {"error": ["access_denied"], "state": ["s3"]}


async def test_unknown_client_gets_an_error_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/oauth", params={"client_id": "who", "redirect_uri": CALLBACK})
    assert response.status_code == 400


async def test_unregistered_redirect_uri_is_refused(clock: ManualClock) -> None:
    registered = OAuthClient("app", "secret", redirect_uris=("https://good.example/cb",))
    sandbox = create_app(SandboxConfig(clock=clock, oauth_clients=(registered,)))
    async with sandbox.async_client() as client:
        response = await client.get(
            "/oauth", params={"client_id": "app", "redirect_uri": "https://evil.example/cb"}
        )
    assert response.status_code == 400


async def test_code_exchanges_for_a_bearer_token_that_works(client: httpx.AsyncClient) -> None:
    code = await _code(client)
    token = (await client.post("/auth/eagle/token", data={**CLIENT, "code": code})).json()
    assert token["token"] == token["access_token"] and token["token_type"] == "Bearer"
    me = await client.get("/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert me.status_code == 200


async def test_token_exchange_accepts_json(client: httpx.AsyncClient) -> None:
    code = await _code(client)
    response = await client.post("/auth/eagle/token", json={**CLIENT, "code": code})
    assert response.status_code == 200


async def test_code_is_single_use(client: httpx.AsyncClient) -> None:
    code = await _code(client)
    await client.post("/auth/eagle/token", data={**CLIENT, "code": code})
    again = await client.post("/auth/eagle/token", data={**CLIENT, "code": code})
    assert again.status_code == 400
    assert error_code(again) == "invalid_grant"


async def test_code_expires_after_five_minutes(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    code = await _code(client)
    clock.advance(301)
    response = await client.post("/auth/eagle/token", data={**CLIENT, "code": code})
    assert response.status_code == 400


async def test_wrong_secret_is_401(client: httpx.AsyncClient) -> None:
    code = await _code(client)
    response = await client.post(
        "/auth/eagle/token",
        data={"client_id": "sandbox-client", "client_secret": "wrong", "code": code},
    )
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


@pytest.mark.parametrize("missing", ["code", "client_id", "client_secret"])
async def test_missing_token_parameter_is_400(client: httpx.AsyncClient, missing: str) -> None:
    body = {**CLIENT, "code": "c"}
    del body[missing]
    response = await client.post("/auth/eagle/token", data=body)
    assert response.status_code == 400
    assert error_code(response) == "parameter_not_found"
