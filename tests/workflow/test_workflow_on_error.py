"""Per-step error handling: on_error fail | continue | retry, and an error branch."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from workflow_kit import (
    FakeEngine,
    interpret,
    interpret_failure,
    new_sandbox,
    sandbox_client,
    workflow,
)

from intercom_connector.workflow import (
    CallFailed,
    StepError,
    WorkflowInvalid,
    render_run,
    run_workflow,
    workflow_json_schema,
)


def failing(times: int, status: int = 404):
    """Answers that fail ``times`` times, then succeed."""
    calls = {"n": 0}

    def answer(operation: str, data: dict[str, Any]) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            error = StepError(operation, "NotFound: no such contact", status, "not_found", "r-1")
            raise CallFailed(error)
        return {"id": "c1"}

    return answer


def test_the_default_fails_the_run_naming_the_step():
    loaded = workflow("name: t\nsteps:\n  - {id: get, call: get_contact, input: {contact_id: x}}\n")
    assert loaded.workflow.steps[0].on_error == "fail"


async def test_a_default_step_failure_fails_the_run():
    loaded = workflow("name: t\nsteps:\n  - {id: get, call: get_contact, input: {contact_id: x}}\n")
    failure = await interpret_failure(loaded, FakeEngine(failing(1)))
    assert failure.ref.key == "get"


async def test_continue_makes_the_error_object_the_steps_output():
    loaded = workflow(
        """
        name: t
        steps:
          - {id: get, call: get_contact, input: {contact_id: x}, on_error: continue}
          - {id: after, map: {status: $.steps.get.error.status, code: $.steps.get.error.code}}
        """
    )
    outputs, _ = await interpret(loaded, FakeEngine(failing(1)))
    assert outputs["get"] == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "NotFound: no such contact",
            "request_id": "r-1",
            "operation": "get_contact",
        }
    }
    assert outputs["after"] == {"status": 404, "code": "not_found"}


async def test_retry_sends_again_with_a_doubling_backoff_until_it_succeeds():
    loaded = workflow(
        """
        name: t
        steps:
          - id: get
            call: get_contact
            input: {contact_id: x}
            on_error: retry
            attempts: 4
            backoff: 2s
        """
    )
    outputs, engine = await interpret(loaded, FakeEngine(failing(3)))
    assert outputs["get"] == {"id": "c1"}
    assert engine.sleeps == [2.0, 4.0, 8.0]
    assert len(engine.calls) == 4


async def test_retry_gives_up_after_its_attempts():
    loaded = workflow(
        "name: t\nsteps:\n  - {id: get, call: get_contact, input: {contact_id: x}, "
        "on_error: retry, attempts: 2, backoff: 0}\n"
    )
    engine = FakeEngine(failing(5))
    await interpret_failure(loaded, engine)
    assert len(engine.calls) == 2


async def test_a_write_that_may_have_been_applied_is_never_retried_by_the_step():
    def answer(operation: str, data: dict[str, Any]) -> Any:
        raise CallFailed(StepError(operation, "not settleable"), maybe_applied=True)

    loaded = workflow(
        "name: t\nsteps:\n  - {id: ev, call: submit_data_event, input: {event_name: e, "
        "created_at: 1, email: a@b.c}, on_error: retry, attempts: 5}\n"
    )
    engine = FakeEngine(answer)
    await interpret_failure(loaded, engine)
    assert len(engine.calls) == 1


WITH_BRANCH = """
name: t
steps:
  - id: get
    call: get_contact
    input: {contact_id: x}
    error:
      - {id: report, map: {why: $.steps.get.error.code}}
"""


async def test_an_error_branch_runs_with_the_error_and_the_run_goes_on():
    loaded = workflow(
        """
        name: t
        steps:
          - id: get
            call: get_contact
            input: {contact_id: x}
            error:
              - {id: report, map: {why: $.steps.get.error.message}}
          - {id: after, map: {done: true}}
        """
    )
    outputs, _ = await interpret(loaded, FakeEngine(failing(1)))
    assert outputs["report"] == {"why": "NotFound: no such contact"}
    assert outputs["after"] == {"done": True}


async def test_an_error_branch_with_on_error_fail_runs_and_then_fails_the_run():
    loaded = workflow(WITH_BRANCH.replace("input:", "on_error: fail\n    input:"))
    engine = FakeEngine(failing(1))
    failure = await interpret_failure(loaded, engine)
    assert failure.ref.key == "get"
    assert "report" in engine.keys_of("finished")


async def test_no_error_branch_runs_when_the_call_succeeds():
    outputs, _ = await interpret(workflow(WITH_BRANCH), FakeEngine(failing(0)))
    assert "report" not in outputs


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("on_error: sometimes", "field 'on_error': Input should be 'fail', 'continue' or 'retry'"),
        ("attempts: 3", "attempts apply to on_error: retry only"),
        (
            "on_error: retry, attempts: 11",
            "field 'attempts': Input should be less than or equal to 10",
        ),
        ("on_error: retry, backoff: 2h", "field 'backoff': must be between 0 and 3600 seconds"),
    ],
)
def test_error_handling_fields_are_checked_when_the_file_loads(fields, message):
    text = (
        f"name: t\nsteps:\n  - {{id: get, call: get_contact, input: {{contact_id: x}}, {fields}}}\n"
    )
    with pytest.raises(WorkflowInvalid) as raised:
        workflow(text)
    assert message in str(raised.value)


def test_the_json_schema_describes_on_error_and_the_error_branch():
    schema = workflow_json_schema()
    call = schema["$defs"]["CallStep"]["properties"]
    assert call["on_error"]["enum"] == ["fail", "continue", "retry"]
    assert "error" in call and "attempts" in call and "backoff" in call


async def test_runs_show_says_a_failure_was_handled(runlog):
    loaded = workflow(
        "name: t\nsteps:\n  - {id: get, call: get_contact, input: {contact_id: nobody}, "
        "on_error: continue}\n"
    )
    async with sandbox_client(new_sandbox()) as client:
        result = await run_workflow(loaded, client, runlog=runlog)
    assert result.succeeded
    console = Console(record=True, width=200)
    render_run(runlog, result.run_id, console=console)
    assert "error handled (on_error): not_found" in console.export_text()
