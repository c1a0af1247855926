"""The sandbox over a real loopback socket (run_in_thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import SandboxConfig, ServerHandle, run_in_thread


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with run_in_thread(SandboxConfig(rate_limit=None)) as handle:
        yield handle


def _client(server: ServerHandle) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}
    )


def test_server_binds_loopback_on_a_free_port(server: ServerHandle) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.port > 0


def test_contacts_page_over_the_socket(server: ServerHandle) -> None:
    with _client(server) as client:
        page = client.get("/contacts", params={"per_page": 5}).json()
    assert len(page["data"]) == 5


def test_next_url_uses_the_socket_address(server: ServerHandle) -> None:
    contact_id = server.sandbox.state.contacts.id_of(next(server.sandbox.state.contacts.listable()))
    with _client(server) as client:
        page = client.get(
            "/events", params={"type": "user", "intercom_user_id": contact_id, "per_page": 1}
        ).json()
    assert page["pages"]["next"].startswith(server.base_url + "/events?")


def test_dropped_connection_closes_the_socket_without_a_reply(server: ServerHandle) -> None:
    server.sandbox.inject("drop", path="/me")
    with _client(server) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/me")
    with _client(server) as client:
        assert client.get("/me").status_code == 200
    assert server.sandbox.requests.matching("GET", "/me")[-2].status is None


def test_injected_503_over_the_socket(server: ServerHandle) -> None:
    server.sandbox.inject(503, path="/tags")
    with _client(server) as client:
        assert client.get("/tags").status_code == 503


async def test_async_client_over_the_socket(server: ServerHandle) -> None:
    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}
    ) as client:
        assert (await client.get("/me")).status_code == 200


def test_stop_releases_the_port() -> None:
    handle = run_in_thread(SandboxConfig(contacts=5))
    handle.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(handle.base_url + "/me", timeout=1)
