"""The request log, its admin endpoint, and reset."""

from __future__ import annotations

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import ManualClock, Sandbox


async def test_log_records_method_path_query_status_and_operation(
    sandbox: Sandbox, client: httpx.AsyncClient, clock: ManualClock
) -> None:
    await client.get("/contacts", params={"per_page": 2})
    record = sandbox.requests[-1]
    assert (record.method, record.path, record.query) == ("GET", "/contacts", "per_page=2")
    assert record.status == 200
    assert record.operation == "list_contacts"
    assert record.started_at == clock.now()
    assert record.fault is None


async def test_log_marks_faults_and_drops(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    sandbox.inject(503)
    await client.get("/me")
    assert (sandbox.requests[-1].status, sandbox.requests[-1].fault) == (503, "503")


async def test_log_keeps_unauthorized_attempts(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    await client.get("/me", headers={"Authorization": "Bearer bad"})
    assert sandbox.requests[-1].status == 401


async def test_matching_filters_by_method_and_path(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    await client.get("/me")
    await client.post("/contacts", json={"email": "log@example.com"})
    assert len(sandbox.requests.matching("POST", "/contacts")) == 1


async def test_admin_endpoint_lists_requests_without_logging_itself(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/me")
    listed = (await client.get("/_sandbox/requests")).json()
    assert [r["path"] for r in listed["requests"]] == ["/me"]


async def test_admin_endpoints_need_the_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/_sandbox/requests", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401


async def test_reset_endpoint_reseeds_and_clears_the_log(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    await client.post("/contacts", json={"email": "gone@example.com"})
    assert (await client.post("/_sandbox/reset")).json() == {"reset": True}
    assert sandbox.state.contacts.by_email("gone@example.com") is None
    assert len(sandbox.requests) == 0


async def test_fault_endpoint_scripts_a_fault(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/faults", json={"kind": 503, "path": "/me"})
    assert (await client.get("/me")).status_code == 503


async def test_log_is_bounded() -> None:
    from intercom_connector.sandbox import SandboxConfig, create_app

    sandbox = create_app(SandboxConfig(request_log_size=3))
    async with sandbox.async_client() as client:
        for _ in range(5):
            await client.get("/me")
    assert len(sandbox.requests) == 3
