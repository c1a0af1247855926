"""`serve` refuses what it cannot host before anything starts, and stops on SIGTERM."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import typer
from triggers_kit import CLI_ENTRY, EXAMPLES, PYTHON
from typer.testing import CliRunner

import intercom_connector.sandbox as sandbox_package
import intercom_connector.workflow.triggers as triggers_package
from intercom_connector.cli import serve_commands
from intercom_connector.cli.serve_commands import serve
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow.triggers import ServeOptions, bind

WELCOME = EXAMPLES / "webhook-welcome-note.yaml"


def cli() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.command("serve")(serve)
    app.command("noop")(lambda: None)
    return app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [str(EXAMPLES / "contacts-companies.yaml"), "--sandbox"],
            "trigger is manual; serve hosts",
        ),
        (
            [str(EXAMPLES / "webhook-welcome-note.yaml"), "--token", "tok-1234567"],
            "pass --client-secret",
        ),
        (
            [str(EXAMPLES / "schedule-nightly-export.yaml"), "--sandbox-port", "1"],
            "--sandbox-port needs --sandbox",
        ),
        (
            [str(EXAMPLES / "webhook-welcome-note.yaml")] * 2 + ["--sandbox"],
            "another served workflow is named 'Welcome note for new contacts'",
        ),
        (["missing.yaml", "--sandbox"], "cannot read the file"),
    ],
    ids=["manual", "no-secret", "sandbox-port", "same-name", "missing-file"],
)
def test_serve_refuses_with_exit_2(home, args, message):
    result = CliRunner().invoke(cli(), ["serve", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_serve_stops_gracefully_on_sigterm(home, tmp_path):
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "INTERCOM_CONNECTOR_HOME": str(home), "INTERCOM_CLIENT_SECRET": "s"}
    process = subprocess.Popen(
        [
            PYTHON,
            str(CLI_ENTRY),
            "serve",
            str(EXAMPLES / "webhook-welcome-note.yaml"),
            str(EXAMPLES / "schedule-nightly-export.yaml"),
            "--sandbox",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=15)
    assert process.returncode == 0, errors
    assert f"POST http://127.0.0.1:{port}/webhooks/intercom" in errors
    assert "Nightly export of the last day's messages: next run" in errors
    assert errors.rstrip().endswith("stopped")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_triggers_import_nothing_from_the_cli_or_the_sandbox():
    for module in Path(triggers_package.__file__).parent.glob("*.py"):
        layers = {
            name.split(".")[1]
            for name in imported_modules(module)
            if name.startswith("intercom_connector.")
        }
        allowed = {
            "workflow",
            "catalog",
            "auth",
            "http",
            "home",
            "errors",
            "lazy_import",
            "storage",
        }
        assert layers <= allowed, module.name


def test_sandbox_webhooks_import_no_workflow_code():
    webhooks = Path(sandbox_package.__file__).parent / "webhooks.py"
    imported = set(imported_modules(webhooks)) - {"intercom_connector.httpx_lib"}
    assert not any(name.startswith("intercom_connector") for name in imported)


def test_the_bound_flags_reach_the_serve_options(home, monkeypatch):
    seen: list[ServeOptions] = []

    async def capture(loaded, connection, secret, options, *rest):
        seen.append(options)

    monkeypatch.setattr(serve_commands, "_serve", capture)  # what it is given, not a server
    monkeypatch.setattr(serve_commands, "_log_to_stderr", lambda quiet: None)  # loggers stay
    flags = ["--header-timeout", "2.5", "--body-timeout", "7", "--max-connections", "12"]
    result = CliRunner().invoke(cli(), ["serve", str(WELCOME), "--sandbox", *flags])
    assert result.exit_code == 0, result.output
    (options,) = seen
    assert (options.header_timeout, options.body_timeout, options.max_connections) == (2.5, 7, 12)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--header-timeout", "0"], "--header-timeout must be more than 0 and at most 600"),
        (["--body-timeout", "-1"], "--body-timeout must be more than 0"),
        (["--body-timeout", "601"], "--body-timeout must be more than 0 and at most 600"),
        (["--header-timeout", "nan"], "--header-timeout must be more than 0"),
        (["--max-connections", "0"], "--max-connections must be from 1 to 10000, not 0"),
        (["--max-connections", "10001"], "--max-connections must be from 1 to 10000"),
    ],
)
def test_bound_flags_out_of_range_are_refused_with_exit_2(home, flags, message):
    result = CliRunner().invoke(cli(), ["serve", str(WELCOME), "--sandbox", *flags])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
