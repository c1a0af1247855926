"""`runs resume` reconnects as the run started, unless its connection flags say otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app
from intercom_connector.sandbox import SandboxConfig, run_in_thread

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "contacts-companies.yaml")


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def server():
    with run_in_thread(SandboxConfig(contacts=3, companies=2, conversations=2)) as handle:
        yield handle


def test_a_run_refused_for_its_token_resumes_with_a_token_given_to_resume(cli, server):
    started = cli("run", EXAMPLE, "--token", "wrong", "--base-url", server.sandbox.base_url)
    assert started.exit_code == 3

    resumed = cli("runs", "resume", "last", "--token", server.token, "--quiet")

    assert resumed.exit_code == 0, resumed.output


def test_resume_elsewhere_with_sandbox(cli, server):
    assert cli("run", EXAMPLE, "--token", "wrong", "--base-url", server.sandbox.base_url).exit_code

    resumed = cli("runs", "resume", "last", "--sandbox", "--quiet")

    assert resumed.exit_code == 0, resumed.output


def test_resume_refuses_auth_with_sandbox_as_run_does(cli, server):
    cli("run", EXAMPLE, "--token", "wrong", "--base-url", server.sandbox.base_url)

    assert cli("runs", "resume", "last", "--sandbox", "--auth", "prod").exit_code == 2
