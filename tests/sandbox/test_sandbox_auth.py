"""Bearer-token authentication in front of every API operation."""

from __future__ import annotations

from sandbox_helpers import error_code

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox, SandboxConfig, create_app


async def test_missing_token_is_401_access_token_invalid(sandbox: Sandbox) -> None:
    async with sandbox.async_client() as client:
        response = await client.get("/contacts", headers={"Authorization": ""})
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    assert response.json()["errors"][0]["message"] == "Access Token Invalid"


async def test_wrong_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_unauthorized_reply_carries_no_rate_limit_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Bearer nope"})
    assert "x-ratelimit-limit" not in response.headers


async def test_extra_tokens_are_accepted(clock: ManualClock) -> None:
    sandbox = create_app(SandboxConfig(clock=clock, extra_tokens=("second",)))
    async with sandbox.async_client(headers={"Authorization": "Bearer second"}) as client:
        assert (await client.get("/me")).status_code == 200


async def test_unknown_route_needs_a_token_too(sandbox: Sandbox) -> None:
    async with sandbox.async_client(headers={"Authorization": ""}) as client:
        assert (await client.get("/no/such/route")).status_code == 401
