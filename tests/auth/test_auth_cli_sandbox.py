"""The commands against a sandbox on a loopback port: OAuth from the shell, `auth test`, and
`--auth NAME` on `call`, with scope refusals that never reach the server."""

from __future__ import annotations

import json

import pytest
from auth_fakes import CLIENT_ID, CLIENT_SECRET, TOKEN
from sandbox_browser import FakeBrowser

from intercom_connector.auth import AuthenticationStore, ScopeRefusedByServer
from intercom_connector.cli import auth_commands
from intercom_connector.cli.connection import Connection, open_client
from intercom_connector.httpx_lib import httpx


@pytest.fixture
def browser(monkeypatch) -> FakeBrowser:
    fake = FakeBrowser("approve")
    monkeypatch.setattr(auth_commands, "open_in_browser", fake.open_in_thread)
    yield fake
    fake.join()


def _oauth_add(cli, server, name="sbx", *scopes: str):
    scopes = scopes or ("--all-scopes",)
    options = ("--oauth", "--client-id", CLIENT_ID, "--client-secret", "-", "--timeout", "10")
    return cli(
        "auth",
        "add",
        name,
        *options,
        "--base-url",
        server.base_url,
        *scopes,
        input=CLIENT_SECRET + "\n",
    )


def test_oauth_from_the_shell_stores_the_issued_token(cli, server, browser, secrets_to_hide):
    result = _oauth_add(cli, server)

    (issued,) = server.sandbox.state.issued_tokens
    secrets_to_hide.append(issued)
    secrets_to_hide.extend(browser.codes())
    assert result.exit_code == 0, result.output
    assert "added personal authentication 'sbx' (oauth" in result.output
    assert "/oauth?client_id=connector-tests" in result.output  # the URL to open is printed
    stored = AuthenticationStore(owner="alice")
    assert stored.resolve("sbx").token == issued
    assert stored.get("sbx").client_id == CLIENT_ID


def test_oauth_denied_in_the_browser_exits_3_and_stores_nothing(cli, server, monkeypatch):
    monkeypatch.setattr(auth_commands, "open_in_browser", FakeBrowser("deny").open_in_thread)

    result = _oauth_add(cli, server)

    assert result.exit_code == 3
    assert "access_denied" in result.output
    assert json.loads(cli("auth", "list", "-o", "json").stdout) == []


def test_auth_test_asks_me_who_the_token_belongs_to(cli, server, secrets_to_hide):
    secrets_to_hide.append(server.token)
    cli(
        "auth",
        "add",
        "sbx",
        "--token",
        "-",
        "--base-url",
        server.base_url,
        "--scopes",
        "read_tags",
        input=server.token,
    )

    result = cli("auth", "test", "sbx")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 'sbx' works; it acts as")
    assert server.sandbox.requests.matching("GET", "/me")


def test_auth_test_with_a_rejected_token_exits_3(cli, server):
    cli(
        "auth",
        "add",
        "stale",
        "--no-verify",
        "--token",
        "-",
        "--base-url",
        server.base_url,
        "--scopes",
        "read_tags",
        input=TOKEN,
    )

    result = cli("auth", "test", "stale")

    assert result.exit_code == 3
    assert "401" in result.output


def test_call_with_auth_uses_its_token_and_base_url(cli, server, secrets_to_hide):
    secrets_to_hide.append(server.token)
    cli(
        "auth",
        "add",
        "sbx",
        "--token",
        "-",
        "--base-url",
        server.base_url,
        "--scopes",
        "read_tags",
        input=server.token,
    )

    result = cli("call", "list_tags", "--auth", "sbx", "--quiet")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["type"] == "list"


def test_call_outside_the_scopes_exits_3_and_the_sandbox_sees_no_request(cli, server):
    cli(
        "auth",
        "add",
        "tags-only",
        "--no-verify",
        "--token",
        "-",
        "--base-url",
        server.base_url,
        "--scopes",
        "read_tags",
        input=server.token,
    )

    result = cli("call", "list_contacts", "--auth", "tags-only")

    assert result.exit_code == 3
    assert "read_users_companies" in result.output
    assert "Read and list users, leads, companies and segments" in result.output
    assert len(server.sandbox.requests) == 0


async def test_a_server_403_naming_a_scope_is_reported_like_the_local_refusal(store, monkeypatch):
    monkeypatch.setenv("LOGNAME", "alice")
    store.add("all", TOKEN, scopes=["read_conversations"], base_url="http://intercom.test")
    body = {
        "type": "error.list",
        "errors": [{"code": "forbidden", "message": "OAuth token lacks read_conversations scope"}],
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(403, json=body))

    with pytest.raises(ScopeRefusedByServer) as raised:
        async with open_client(Connection(auth="all", quiet=True), transport=transport) as client:
            await client.call("list_conversations")

    assert "View conversations and their parts" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_oauth_with_a_taken_name_fails_before_the_browser_opens(cli, server, browser):
    cli("auth", "add", "sbx", "--token", "-", "--scopes", "read_tags", "--no-verify", input=TOKEN)

    result = _oauth_add(cli, server, "sbx")

    assert result.exit_code == 2  # a taken name is the user's to fix: a usage error
    assert "already exists" in result.output
    assert browser.redirects == [] and len(server.sandbox.requests) == 0
