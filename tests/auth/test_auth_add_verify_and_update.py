"""`auth add` checks a token with `/me` before storing it; `auth update` changes one in place."""

from __future__ import annotations

import json

from auth_fakes import TOKEN

from intercom_connector.auth import AuthenticationStore


def _add(cli, server, name="sbx", *options, token=None):
    return cli(
        "auth",
        "add",
        name,
        "--token",
        "-",
        "--base-url",
        server.base_url,
        "--scopes",
        "read_tags",
        *options,
        input=token or server.token,
    )


def test_add_asks_me_before_storing_the_token(cli, server, secrets_to_hide):
    secrets_to_hide.append(server.token)

    result = _add(cli, server)

    assert result.exit_code == 0, result.output
    assert server.sandbox.requests.matching("GET", "/me")


def test_add_of_a_refused_token_exits_3_and_stores_nothing(cli, server):
    result = _add(cli, server, token=TOKEN)

    assert result.exit_code == 3
    assert "401" in result.output
    assert json.loads(cli("auth", "list", "-o", "json").stdout) == []


def test_add_with_no_verify_sends_nothing(cli, server):
    result = _add(cli, server, "stale", "--no-verify", token=TOKEN)

    assert result.exit_code == 0, result.output
    assert len(server.sandbox.requests) == 0


def test_update_replaces_the_scopes_and_keeps_the_rest(cli, server, secrets_to_hide, store):
    secrets_to_hide.append(server.token)
    _add(cli, server)

    result = cli("auth", "update", "sbx", "--scopes", "read_tags,write_tags")

    assert result.exit_code == 0, result.output
    updated = store.get("sbx")
    assert set(updated.scopes) == {"read_tags", "write_tags"}
    assert updated.base_url == server.base_url


def test_update_changes_the_type(cli, server, secrets_to_hide, bob):
    secrets_to_hide.append(server.token)
    _add(cli, server)

    assert cli("auth", "update", "sbx", "--type", "organisational").exit_code == 0
    assert bob.get("sbx").type.value == "organisational"


def test_update_reseals_a_new_token_after_checking_it(cli, server, secrets_to_hide):
    secrets_to_hide.append(server.token)
    _add(cli, server, "sbx", "--no-verify", token=TOKEN)

    result = cli("auth", "update", "sbx", "--token", "-", input=server.token)

    assert result.exit_code == 0, result.output
    assert AuthenticationStore(owner="alice").resolve("sbx").token == server.token


def test_update_with_a_refused_token_keeps_the_old_one(cli, server, secrets_to_hide):
    secrets_to_hide.append(server.token)
    _add(cli, server)

    result = cli("auth", "update", "sbx", "--token", "-", input=TOKEN)

    assert result.exit_code == 3
    assert AuthenticationStore(owner="alice").resolve("sbx").token == server.token


def test_update_of_an_unknown_name_exits_3(cli):
    assert cli("auth", "update", "nobody", "--all-scopes").exit_code == 3
