"""The `auth` commands and `--auth NAME` on `call` and `raw`, as a person at a shell sees them."""

from __future__ import annotations

import json

from auth_fakes import TOKEN
from cryptography.fernet import Fernet

from intercom_connector.auth import AuthenticationStore
from intercom_connector.auth.crypto import KEY_ENV

# Nothing listens here: a request that got sent would fail with a connection error (exit 1).
UNREACHABLE = "http://127.0.0.1:9"


def _add(cli, name="prod", *options: str):
    options = options or ("--scopes", "read_tags")
    return cli(
        "auth",
        "add",
        name,
        "--token",
        "-",
        "--base-url",
        UNREACHABLE,
        "--no-verify",
        *options,
        input=TOKEN,
    )


def test_add_reads_the_token_from_stdin_and_confirms_without_echoing_it(cli):
    result = _add(cli)

    assert result.exit_code == 0, result.output
    assert "added personal authentication 'prod'" in result.output
    assert AuthenticationStore(owner="alice").resolve("prod").token == TOKEN


def test_add_accepts_the_token_as_a_value_for_scripts(cli):
    result = cli(
        "auth", "add", "ci", "--token", TOKEN, "--all-scopes", "-t", "organisational", "--no-verify"
    )

    assert result.exit_code == 0, result.output
    assert "organisational" in result.output


def test_list_shows_names_and_metadata_but_no_secret(cli):
    _add(cli)

    table = cli("auth", "list")
    listed = json.loads(cli("auth", "list", "-o", "json").stdout)

    assert "prod" in table.output and "alice" in table.output
    assert listed[0]["name"] == "prod" and listed[0]["scopes"] == ["read_tags"]
    assert "secret" not in listed[0] and "token" not in listed[0]


def test_show_lists_each_scope_with_its_description(cli):
    _add(cli, "prod", "--scopes", "read_events", "--extra-scopes", "beta_thing")

    result = cli("auth", "show", "prod")

    assert result.exit_code == 0
    assert "List all events belonging to user" in result.output
    assert "beta_thing" in result.output


def test_scopes_command_lists_ids_with_descriptions(cli):
    known = json.loads(cli("auth", "scopes", "-o", "json").stdout)

    assert known["read_events"] == "List all events belonging to user"


def test_remove_deletes_the_authentication(cli):
    _add(cli)

    assert cli("auth", "remove", "prod").exit_code == 0
    assert json.loads(cli("auth", "list", "-o", "json").stdout) == []


def test_token_and_oauth_together_are_a_usage_error(cli):
    result = cli("auth", "add", "x", "--token", TOKEN, "--oauth", "--all-scopes")

    assert result.exit_code == 2
    assert "exactly one of --token and --oauth" in result.output


def test_missing_scope_choice_is_a_usage_error(cli):
    result = cli("auth", "add", "x", "--token", "-", input=TOKEN)

    assert result.exit_code == 2
    assert "--all-scopes" in result.output


def test_unknown_scope_is_a_usage_error_with_a_suggestion(cli):
    result = cli("auth", "add", "x", "--token", TOKEN, "--scopes", "read_tag")

    assert result.exit_code == 2
    assert "read_tags" in result.output


def test_errors_never_repeat_a_token_typed_on_the_command_line(cli):
    result = cli("auth", "add", "bad name", "--token", TOKEN, "--scopes", "read_tags")

    assert result.exit_code == 2
    assert "invalid authentication name" in result.output


def test_unknown_authentication_exits_3(cli):
    result = cli("call", "list_tags", "--auth", "nope")

    assert result.exit_code == 3
    assert "no authentication named 'nope'" in result.output


def test_call_refuses_an_operation_outside_the_scopes_before_any_request(cli):
    _add(cli, "tags-only", "--scopes", "read_tags")

    result = cli("call", "list_contacts", "--auth", "tags-only")

    assert result.exit_code == 3, result.output
    assert "read_users_companies" in result.output
    assert "Read and list users, leads, companies and segments" in result.output


def test_call_with_a_wrong_key_exits_3_with_a_clear_message(cli, monkeypatch):
    _add(cli)
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())

    result = cli("call", "list_tags", "--auth", "prod")

    assert result.exit_code == 3
    assert "cannot decrypt the stored secrets" in result.output


def test_auth_and_sandbox_together_are_a_usage_error(cli):
    _add(cli)

    result = cli("raw", "GET", "/me", "--auth", "prod", "--sandbox")

    assert result.exit_code == 2


def test_rotate_key_reports_how_many_secrets_were_reencrypted(cli):
    _add(cli, "one")
    _add(cli, "two")

    result = cli("auth", "rotate-key")

    assert result.exit_code == 0
    assert "re-encrypted 2 secrets" in result.output
    assert AuthenticationStore(owner="alice").resolve("two").token == TOKEN
