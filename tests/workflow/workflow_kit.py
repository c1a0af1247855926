"""Test doubles and helpers for the workflow tests.

A module of its own (not conftest) so test files can import it by a name no other test
folder uses.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import Sandbox, SandboxConfig
from intercom_connector.workflow import (
    Interpreter,
    LoadedWorkflow,
    StepFailed,
    StepRef,
    WorkflowInvalid,
    load_workflow,
    parse_workflow,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI_ENTRY = Path(__file__).with_name("cli_entry.py")
PYTHON = sys.executable


def workflow(text: str, file: str = "test.yaml") -> LoadedWorkflow:
    """A checked workflow from YAML text (dedented)."""
    return parse_workflow(textwrap.dedent(text), file)


def sandbox_client(sandbox: Sandbox, **options: Any) -> AsyncIntercomClient:
    """A client wired to ``sandbox`` in-process (no socket)."""
    return AsyncIntercomClient(
        sandbox.token,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=sandbox.app),
        **options,
    )


CREATE_NOTE_TAG = """
name: create, note and tag
config: {{emails: []}}
steps:
  - id: tag
    call: create_or_update_tag
    input: {{name: onboarded}}
  - id: each
    loop: {{list: $.config.emails, parallel: {parallel}}}
    steps:
      - id: create
        call: create_contact
        input: {{role: user, email: $.steps.each.value}}
      - id: note
        call: create_contact_note
        input: {{contact_id: $.steps.create.id, body: Welcome aboard}}
      - id: label
        call: attach_tag_to_contact
        input: {{contact_id: $.steps.create.id, id: $.steps.tag.id}}
"""
"""The crash and fault tests' workflow (``.format(parallel=N)``): a contact per email, each
noted and tagged once."""


def assert_each_made_once_with_one_note_and_one_tag(sandbox: Sandbox, emails: list[str]) -> None:
    """The sandbox holds one contact per email, each with exactly one note and one tag."""
    state = sandbox.state
    contacts = [state.contacts.by_email(email) for email in emails]
    assert all(contact is not None for contact in contacts)
    made = Counter(c.email for c in state.contacts.records() if c.email in set(emails))
    assert set(made.values()) == {1}
    notes = Counter(note.contact_seq for note in state.notes.values())
    assert [notes[c.seq] for c in contacts] == [1] * len(emails)
    assert all(len(c.tag_ids) == 1 for c in contacts)


def new_sandbox(**config: Any) -> Sandbox:
    config.setdefault("rate_limit", None)
    return Sandbox(SandboxConfig(**config))


@dataclass
class FakeEngine:
    """An engine that answers calls from a function and never sleeps."""

    answer: Callable[[str, dict[str, Any]], Any] = lambda operation, data: {"ok": True}
    events: list[tuple[str, str, Any]] = field(default_factory=list)
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    clock: float = 1_700_000_000.0

    def now(self) -> float:
        return self.clock

    async def call(
        self, ref: StepRef, operation: str, data: dict[str, Any], *, all_pages: bool
    ) -> Any:
        self.calls.append((ref.key, operation, data))
        await asyncio.sleep(0)
        return self.answer(operation, data)

    async def sleep(self, ref: StepRef, seconds: float) -> None:
        self.sleeps.append(seconds)

    def started(self, ref: StepRef, input: Any) -> None:
        self.events.append(("started", ref.key, input))

    def finished(self, ref: StepRef, output: Any) -> None:
        self.events.append(("finished", ref.key, output))

    def failed(self, ref: StepRef, error: str) -> None:
        self.events.append(("failed", ref.key, error))

    def keys_of(self, kind: str = "finished") -> list[str]:
        return [key for event, key, _ in self.events if event == kind]


async def interpret(
    loaded: LoadedWorkflow,
    engine: FakeEngine | None = None,
    config: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], FakeEngine]:
    """Run a workflow on a fake engine; the top-level outputs and the engine."""
    engine = engine or FakeEngine()
    env = {
        "run_id": "r-1",
        "workflow": loaded.workflow.name,
        "started_at": "",
        "started_at_unix": 0,
    }
    merged = {**loaded.workflow.config, **(config or {})}
    interpreter = Interpreter(loaded.plan, engine, config=merged, env=env)
    return await interpreter.run(), engine


async def interpret_failure(loaded: LoadedWorkflow, engine: FakeEngine | None = None) -> StepFailed:
    try:
        await interpret(loaded, engine)
    except StepFailed as failure:
        return failure
    raise AssertionError("the workflow did not fail")


def cli_app() -> typer.Typer:
    """The workflow commands mounted as the lead mounts them."""
    from intercom_connector.cli.workflow_commands import run, runs_app, workflow_app

    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.command("run")(run)
    app.add_typer(runs_app, name="runs")
    app.add_typer(workflow_app, name="workflow")
    return app


def problems_of_file(directory: Path, text: str) -> list[str]:
    """Every problem `load_workflow` reports for ``text`` written as ``bad.yaml``."""
    path = directory / "bad.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    try:
        load_workflow(path)
    except WorkflowInvalid as error:
        return [str(problem).replace(str(directory) + "/", "") for problem in error.problems]
    raise AssertionError("the file was accepted")
