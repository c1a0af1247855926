"""Exit codes, as README's table gives them, for every command: one row per case.

    0 success · 1 failed at Intercom or on the way · 2 usage or input · 3 authentication ·
    4 a workflow run failed

Each row runs the real `intercom-connector` app (in process) against a sandbox on a loopback
port or the in-process one, after the setup commands of the row; no row may print a traceback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app
from intercom_connector.sandbox import SandboxConfig, ServerHandle, run_in_thread

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "contacts-companies.yaml")
FAILING_WORKFLOW = """\
name: Fails at Intercom
trigger: manual
steps:
  - id: get-missing
    call: get_contact
    input:
      contact_id: no-such-contact
"""
INVALID_WORKFLOW = "name: Broken\ntrigger: manual\nsteps:\n  - id: x\n    call: no_such_operation\n"
ADD = ["auth", "add", "tags-only", "--token", "{token}", "--base-url", "{url}"]


@dataclass(frozen=True)
class Case:
    id: str
    command: list[str]
    code: int
    setup: list[list[str]] = field(default_factory=list)
    absent: str | None = None
    """Text the output must not contain (a banner printed before failing, say)."""


CASES = [
    # 0: success
    Case("version", ["--version"], 0),
    Case("help", ["--help"], 0),
    Case("ops list", ["ops", "list", "-o", "json"], 0),
    Case("call in the sandbox", ["call", "identify_admin", "--sandbox"], 0),
    Case("run in the sandbox", ["run", EXAMPLE, "--sandbox", "--quiet"], 0),
    Case("runs list", ["runs", "list", "-o", "csv"], 0),
    Case("auth add, verified", [*ADD, "--scopes", "read_tags"], 0),
    Case(
        "auth update",
        ["auth", "update", "tags-only", "--all-scopes"],
        0,
        setup=[[*ADD, "--scopes", "read_tags"]],
    ),
    # 1: the operation failed at Intercom
    Case(
        "call of a missing record",
        [
            "call",
            "get_contact",
            "-p",
            "contact_id=nope",
            "--token",
            "{token}",
            "--base-url",
            "{url}",
        ],
        1,
    ),
    Case("raw request answered 404", ["raw", "GET", "/no/such/path", "--sandbox"], 1),
    # 2: usage or input
    Case("unknown operation", ["call", "list_contact", "--sandbox"], 2),
    Case("invalid input", ["call", "list_contacts", "-p", "per_page=900", "--sandbox"], 2),
    Case("unreadable JSON", ["call", "create_contact", "--input", "{oops", "--sandbox"], 2),
    Case("output format not offered", ["ops", "show", "list_contacts", "-o", "csv"], 2),
    Case("unknown output format", ["ops", "list", "-o", "yaml"], 2),
    Case("ops show of an unknown name", ["ops", "show", "no_such_operation"], 2),
    Case("invalid workflow file", ["run", "{invalid}", "--sandbox"], 2),
    Case("missing workflow file", ["run", "{dir}/missing.yaml", "--sandbox"], 2),
    Case("workflow validate", ["workflow", "validate", "{invalid}"], 2),
    Case("serve an invalid workflow", ["serve", "{invalid}", "--sandbox"], 2),
    Case("unknown run", ["runs", "show", "no-such-run"], 2),
    Case(
        "runs show of no such step",
        ["runs", "show", "last", "--step", "no-such-step"],
        2,
        setup=[["run", EXAMPLE, "--sandbox", "--quiet"]],
    ),
    Case("resume of an unknown run", ["runs", "resume", "no-such-run"], 2),
    Case(
        "duplicate authentication name",
        [*ADD, "--scopes", "read_tags"],
        2,
        setup=[[*ADD, "--scopes", "read_tags"]],
    ),
    Case("unknown region", [*ADD, "--scopes", "read_tags", "--region", "mars"], 2),
    Case(
        "sandbox port in use",
        ["sandbox", "serve", "--port", "{busy}"],
        2,
        absent="Intercom sandbox on",
    ),
    # 3: authentication
    Case("no token", ["call", "identify_admin"], 3),
    Case("refused token", ["call", "identify_admin", "--token", "wrong", "--base-url", "{url}"], 3),
    Case(
        "refused token under run",
        ["run", EXAMPLE, "--token", "wrong", "--base-url", "{url}", "--quiet"],
        3,
    ),
    Case(
        "auth add of a refused token",
        ["auth", "add", "stale", "--token", "wrong", "--base-url", "{url}", "--all-scopes"],
        3,
    ),
    Case(
        "scope missing",
        ["call", "list_contacts", "--auth", "tags-only", "--quiet"],
        3,
        setup=[[*ADD, "--scopes", "read_tags"]],
    ),
    Case("unknown authentication", ["call", "identify_admin", "--auth", "nobody"], 3),
    # 4: a workflow run failed
    Case("run whose step fails", ["run", "{failing}", "--sandbox", "--quiet"], 4),
]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with run_in_thread(SandboxConfig(contacts=5, companies=2, conversations=2)) as handle:
        yield handle


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something else is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_exit_code(case, server, busy_port, tmp_path, monkeypatch):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    monkeypatch.delenv("INTERCOM_CONNECTOR_KEY", raising=False)
    (tmp_path / "failing.yaml").write_text(FAILING_WORKFLOW, encoding="utf-8")
    (tmp_path / "invalid.yaml").write_text(INVALID_WORKFLOW, encoding="utf-8")
    values = {
        "url": server.sandbox.base_url,
        "token": server.token,
        "dir": str(tmp_path),
        "failing": str(tmp_path / "failing.yaml"),
        "invalid": str(tmp_path / "invalid.yaml"),
        "busy": str(busy_port),
    }
    runner = CliRunner()

    def invoke(command: list[str]):
        arguments = []
        for part in command:
            for name, value in values.items():
                part = part.replace("{" + name + "}", value)
            arguments.append(part)
        return runner.invoke(app, arguments, catch_exceptions=False)

    for step in case.setup:
        assert invoke(step).exit_code == 0
    result = invoke(case.command)

    assert result.exit_code == case.code, result.output
    assert "Traceback" not in result.output
    if case.absent:
        assert case.absent not in result.output
