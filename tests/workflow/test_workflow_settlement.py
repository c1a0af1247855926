"""Writes that may have reached Intercom are settled before anything is sent again.

A kill is simulated as it happens: the run log object dies with what it had not committed
(here: everything but what the engine commits on purpose), and the resume opens the file
afresh. The sandbox's request log and its state are the witnesses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_kit import new_sandbox, sandbox_client, workflow

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.settlement import RULES
from intercom_connector.workflow import ProgressEvent, RunLog, resume_run, run_workflow

CREATE_AND_NOTE = """
name: create and note
steps:
  - id: create
    call: create_contact
    input: {role: user, email: ada@example.com, name: Ada}
  - id: note
    call: create_contact_note
    input: {contact_id: $.steps.create.id, body: Welcome aboard}
"""


class Crash(BaseException):
    """Stands for the process dying."""


def die_after(step_id: str):
    def handler(event: ProgressEvent) -> None:
        if event.type == "finished" and event.ref.step_id == step_id:
            raise Crash

    return handler


async def _killed_then_resumed(home: Path, text: str, step_id: str, sandbox, **resume):
    path = home / "connector.db"
    doomed = RunLog(path, batch=10_000, batch_seconds=3600)
    async with sandbox_client(sandbox) as client:
        with pytest.raises(Crash):
            await run_workflow(
                workflow(text), client, runlog=doomed, on_progress=die_after(step_id)
            )
        doomed._db.close()  # killed: the finish of the write was never committed
        with RunLog(path) as log:
            result = await resume_run("last", client, runlog=log, force=True, **resume)
            return result, {r.step_id: r for r in log.steps(result.run_id)}


async def test_a_contact_created_before_the_kill_is_adopted_not_created_again(home):
    sandbox = new_sandbox()
    result, steps = await _killed_then_resumed(home, CREATE_AND_NOTE, "create", sandbox)
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("POST", "/contacts")) == 1
    assert steps["create"].output["email"] == "ada@example.com"
    assert "settled by a lookup" in steps["create"].warnings[0]


async def test_a_note_left_before_the_kill_is_found_not_left_twice(home):
    sandbox = new_sandbox()
    result, steps = await _killed_then_resumed(home, CREATE_AND_NOTE, "note", sandbox)
    assert result.succeeded, result.error
    contact_id = steps["create"].output["id"]
    assert len(sandbox.requests.matching("POST", f"/contacts/{contact_id}/notes")) == 1
    assert steps["note"].output["body"].endswith("Welcome aboard</p>")


NOTE = """
name: note
config: {contact: ""}
steps:
  - id: note
    call: create_contact_note
    input: {contact_id: $.config.contact, body: Welcome aboard}
"""


async def test_a_note_whose_reply_was_lost_is_settled_inside_the_run(runlog):
    sandbox = new_sandbox()
    async with sandbox_client(sandbox) as client:
        contact = await client.call("create_contact", {"role": "user", "email": "b@example.com"})
        notes = f"/contacts/{contact['id']}/notes"
        sandbox.inject(500, method="POST", path=notes, timing="after")
        result = await run_workflow(
            workflow(NOTE), client, runlog=runlog, config={"contact": contact["id"]}
        )
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("POST", notes)) == 1
    (note,) = runlog.steps(result.run_id)
    assert "had been applied" in note.warnings[0]


EVENT = """
name: event
steps:
  - id: create
    call: create_contact
    input: {role: user, email: ada@example.com}
  - id: event
    call: submit_data_event
    input: {event_name: signed-up, created_at: 1700000000, email: ada@example.com}
"""


async def test_a_write_without_a_rule_is_not_resent_and_the_message_says_what_to_check(home):
    sandbox = new_sandbox()
    result, _ = await _killed_then_resumed(home, EVENT, "event", sandbox)
    assert result.status == "failed"
    assert "submit_data_event (POST /events) may have been applied" in result.error
    assert "--resend event" in result.error
    assert len(sandbox.requests.matching("POST", "/events")) == 1


async def test_a_write_without_a_rule_is_resent_when_the_person_resuming_says_so(home):
    sandbox = new_sandbox()
    result, steps = await _killed_then_resumed(home, EVENT, "event", sandbox, resend=["event"])
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("POST", "/events")) == 2
    assert "--resend" in steps["event"].warnings[0]


def test_every_rule_names_an_operation_of_the_catalog_that_is_not_retry_safe():
    catalog = load_catalog()
    for name in RULES:
        assert not catalog.get(name).retry_safe, name


CLOSE = """
name: close
config: {conversation: ""}
steps:
  - id: me
    call: identify_admin
  - id: close
    call: close_conversation
    input: {conversation_id: $.config.conversation, type: admin, admin_id: $.steps.me.id}
"""


def _open_conversation(sandbox) -> str:
    return next(c.id for c in sandbox.state.conversations.values() if c.state == "open")


async def test_a_close_applied_before_the_kill_is_found_not_closed_twice(home):
    sandbox = new_sandbox()
    conversation = _open_conversation(sandbox)
    text = CLOSE.replace('conversation: ""', f"conversation: {conversation!r}")
    result, steps = await _killed_then_resumed(home, text, "close", sandbox)
    assert result.succeeded, result.error
    parts = f"/conversations/{conversation}/parts"
    assert len(sandbox.requests.matching("POST", parts)) == 1
    kinds = [
        p["part_type"] for p in steps["close"].output["conversation_parts"]["conversation_parts"]
    ]
    assert kinds.count("close") == 1
    assert "settled by a lookup" in steps["close"].warnings[0]


async def test_a_close_that_never_reached_intercom_is_sent_after_the_lookup(runlog):
    sandbox = new_sandbox()
    conversation = _open_conversation(sandbox)
    parts = f"/conversations/{conversation}/parts"
    sandbox.inject(503, method="POST", path=parts)
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            workflow(CLOSE), client, runlog=runlog, config={"conversation": conversation}
        )
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("POST", parts)) == 2
    assert sandbox.state.conversations[conversation].state == "closed"
    close = next(s for s in runlog.steps(result.run_id) if s.step_id == "close")
    assert "had not been applied" in close.warnings[0]


ASSIGN = """
name: assign
config: {conversation: "", assignee: ""}
steps:
  - id: me
    call: identify_admin
  - id: assign
    call: assign_conversation
    input:
      conversation_id: $.config.conversation
      type: admin
      admin_id: $.steps.me.id
      assignee_id: $.config.assignee
"""


def _other_admin(sandbox, conversation: str) -> str:
    current = sandbox.state.conversations[conversation].admin_assignee_id
    return next(a for a in sandbox.state.admins if a != current)


async def test_an_assignment_applied_before_the_kill_is_found_not_assigned_twice(home):
    sandbox = new_sandbox()
    conversation = _open_conversation(sandbox)
    assignee = _other_admin(sandbox, conversation)
    text = ASSIGN.replace(
        'conversation: "", assignee: ""', f"conversation: {conversation!r}, assignee: {assignee!r}"
    )
    result, steps = await _killed_then_resumed(home, text, "assign", sandbox)
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("POST", f"/conversations/{conversation}/parts")) == 1
    assert sandbox.state.conversations[conversation].admin_assignee_id == assignee
    assert "settled by a lookup" in steps["assign"].warnings[0]


async def test_an_assignment_that_never_reached_intercom_is_sent_after_the_lookup(runlog):
    sandbox = new_sandbox()
    conversation = _open_conversation(sandbox)
    assignee = _other_admin(sandbox, conversation)
    parts = f"/conversations/{conversation}/parts"
    sandbox.inject(503, method="POST", path=parts)
    async with sandbox_client(sandbox) as client:
        result = await run_workflow(
            workflow(ASSIGN),
            client,
            runlog=runlog,
            config={"conversation": conversation, "assignee": assignee},
        )
    assert result.succeeded, result.error
    assert len(sandbox.requests.matching("POST", parts)) == 2
    assert sandbox.state.conversations[conversation].admin_assignee_id == assignee
    step = next(s for s in runlog.steps(result.run_id) if s.step_id == "assign")
    assert "had not been applied" in step.warnings[0]
