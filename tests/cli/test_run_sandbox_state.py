"""`run --sandbox` keeps its sandbox's workspace beside the run; `runs resume` continues in it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intercom_connector.cli import app
from intercom_connector.sandbox import Sandbox, SandboxConfig
from intercom_connector.workflow.runlog import RunLog

WORKFLOW = """
name: Tag, then read a company that appears later
trigger: manual
steps:
  - id: make-tag
    call: create_or_update_tag
    input:
      name: kept-across-resume
  - id: find-company
    call: find_companies
    input:
      company_id: arrives-later
"""


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERCOM_TOKEN", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _state_of_last_run() -> str:
    with RunLog() as log:
        record = log.summary(log.resolve_id("last")).start.get("connection") or {}
    return str(record["sandbox_state"])


async def _add_company(state: str) -> None:
    sandbox = Sandbox(SandboxConfig(state_path=state))
    async with sandbox.async_client() as client:
        reply = await client.post("/companies", json={"company_id": "arrives-later", "name": "X"})
        assert reply.status_code == 200, reply.text
    sandbox.close()


async def _tags_named(state: str, name: str) -> list[str]:
    sandbox = Sandbox(SandboxConfig(state_path=state))
    async with sandbox.async_client() as client:
        tags = (await client.get("/tags")).json()["data"]
    sandbox.close()
    return [t["id"] for t in tags if t["name"] == name]


def test_a_resumed_sandbox_run_continues_against_the_objects_it_made(cli, tmp_path: Path) -> None:
    workflow = tmp_path / "wf.yaml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    first = cli("run", str(workflow), "--sandbox", "--quiet")
    assert first.exit_code == 4, first.stderr
    state = _state_of_last_run()
    made = asyncio.run(_tags_named(state, "kept-across-resume"))
    assert len(made) == 1

    asyncio.run(_add_company(state))
    resumed = cli("runs", "resume", "last", "--quiet")
    assert resumed.exit_code == 0, resumed.stderr
    assert asyncio.run(_tags_named(state, "kept-across-resume")) == made
