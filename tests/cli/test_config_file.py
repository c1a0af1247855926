"""config.toml in the connector home gives defaults; the environment overrides it, flags both."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path))
    for name in ("INTERCOM_TOKEN", "INTERCOM_CONNECTOR_REGION", "INTERCOM_CONNECTOR_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("INTERCOM_CONNECTOR_AUTH", raising=False)
    return tmp_path


def _config(home, text: str) -> None:
    (home / "config.toml").write_text(text, encoding="utf-8")


def cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _added_region(*options: str) -> str:
    added = cli("auth", "add", "x", "--token", "t0ken", "--all-scopes", "--no-verify", *options)
    assert added.exit_code == 0, added.output
    return json.loads(cli("auth", "show", "x", "-o", "json").stdout)["region"]


def test_the_file_gives_the_region(home):
    _config(home, 'region = "eu"\n')

    assert _added_region() == "eu"


def test_the_environment_overrides_the_file(home, monkeypatch):
    _config(home, 'region = "eu"\n')
    monkeypatch.setenv("INTERCOM_CONNECTOR_REGION", "au")

    assert _added_region() == "au"


def test_a_flag_overrides_the_environment_and_the_file(home, monkeypatch):
    _config(home, 'region = "eu"\n')
    monkeypatch.setenv("INTERCOM_CONNECTOR_REGION", "au")

    assert _added_region("--region", "us") == "us"


def test_the_output_default_applies_where_the_command_has_the_format(home):
    _config(home, 'output = "ndjson"\n')

    listed = cli("ops", "list", "--search", "export").stdout.splitlines()
    shown = cli("ops", "show", "list_contacts").stdout

    assert all(json.loads(line)["name"] for line in listed)
    assert "input fields" in shown  # ops show has no NDJSON: its table
    assert "input fields" not in cli("ops", "list", "-o", "table").stdout  # the flag wins


def test_the_default_authentication_is_used_when_nothing_names_a_connection(home):
    _config(home, 'auth = "nobody"\n')

    named = cli("call", "identify_admin")
    in_sandbox = cli("call", "identify_admin", "--sandbox", "--quiet")

    assert named.exit_code == 3 and "nobody" in named.output
    assert in_sandbox.exit_code == 0, in_sandbox.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("region = ", "not valid TOML"),
        ('colour = "blue"\n', "unknown setting 'colour'"),
        ('region = "mars"\n', "use one of us, eu, au"),
        ("output = 3\n", "output must be a non-empty string"),
    ],
)
def test_a_broken_file_is_a_usage_error_naming_it(home, text, message):
    _config(home, text)

    result = cli("ops", "list", "-o", "json")

    assert result.exit_code == 2
    assert "config.toml" in result.output and message in result.output
    assert "Traceback" not in result.output
