"""Fixtures for the authentication tests: a private connector home per test, no ambient key,
a sandbox on a loopback port, and a CLI runner that fails the test if a secret leaks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from auth_fakes import CLIENT_ID, CLIENT_SECRET, CODE_TTL, TOKEN
from click.testing import Result
from typer.testing import CliRunner

from intercom_connector.auth import AuthenticationStore
from intercom_connector.auth.crypto import KEY_ENV
from intercom_connector.cli.auth_commands import auth_app
from intercom_connector.cli.call_commands import call, raw
from intercom_connector.sandbox import (
    ManualClock,
    OAuthClient,
    SandboxConfig,
    ServerHandle,
    run_in_thread,
)

# The commands as the lead mounts them: `auth` beside `call` and `raw`.
app = typer.Typer()
app.add_typer(auth_app, name="auth")
app.command("call")(call)
app.command("raw")(raw)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The connector home for this test; the key comes from the key file unless a test sets it."""
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path))
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    monkeypatch.delenv("INTERCOM_CLIENT_SECRET", raising=False)
    return tmp_path


@pytest.fixture
def store(home: Path) -> AuthenticationStore:
    return AuthenticationStore(owner="alice")


@pytest.fixture
def bob(home: Path) -> AuthenticationStore:
    """The same store as seen by another OS user."""
    return AuthenticationStore(owner="bob")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(clock: ManualClock) -> Iterator[ServerHandle]:
    """A small sandbox on 127.0.0.1 that knows the tests' OAuth app."""
    config = SandboxConfig(
        contacts=3,
        companies=2,
        conversations=2,
        clock=clock,
        oauth_clients=(OAuthClient(CLIENT_ID, CLIENT_SECRET),),
        oauth_code_ttl_seconds=CODE_TTL,
    )
    with run_in_thread(config) as handle:
        yield handle


@pytest.fixture
def secrets_to_hide() -> list[str]:
    """Secrets that must appear in no CLI output and no log line; tests may add more."""
    return [TOKEN, CLIENT_SECRET]


@pytest.fixture
def cli(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    secrets_to_hide: list[str],
) -> Iterator[Callable[..., Result]]:
    """Run a command as OS user alice; afterwards, check nothing secret was shown or logged."""
    monkeypatch.setenv("LOGNAME", "alice")
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs: list[str] = []

    def run(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input)
        outputs.append(result.output)
        return result

    yield run
    for secret in secrets_to_hide:
        assert not any(secret in output for output in outputs), "a secret reached the terminal"
        assert secret not in caplog.text, "a secret reached the log"
