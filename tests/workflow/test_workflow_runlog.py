"""The run log: one row per event, runs listed and shown from it, failures recorded."""

from __future__ import annotations

import pytest
from workflow_kit import new_sandbox, sandbox_client, workflow

from intercom_connector.catalog.scopes import MissingScope
from intercom_connector.workflow import (
    ConfigProblem,
    RunLog,
    RunNotFound,
    run_view,
    run_workflow,
)
from intercom_connector.workflow.runlog import RUN_STARTED

TWO_STEPS = """
name: two steps
config: {per_page: 2}
steps:
  - id: list-contacts
    call: list_contacts
    input: {per_page: $.config.per_page}
  - id: first
    map:
      id: $.steps.list-contacts.data[0].id
"""

FAILING = """
name: failing
steps:
  - id: loop-1
    loop: {list: [good, missing-contact]}
    steps:
      - id: list-attached-companies
        call: list_attached_companies
        input: {contact_id: $.steps.loop-1.value}
"""


async def _run(runlog: RunLog, text: str, **options):
    sandbox = new_sandbox()
    async with sandbox_client(sandbox, **options.pop("client", {})) as client:
        return await run_workflow(workflow(text), client, runlog=runlog, **options)


async def test_every_event_is_one_row_in_order(runlog: RunLog):
    result = await _run(runlog, TWO_STEPS)
    events = [(e.type, e.key) for e in runlog.events(result.run_id)]
    assert events == [
        ("run_started", None),
        ("step_started", "list-contacts"),
        ("step_finished", "list-contacts"),
        ("step_started", "first"),
        ("step_finished", "first"),
        ("run_finished", None),
    ]


async def test_step_records_hold_input_output_and_timings(runlog: RunLog):
    result = await _run(runlog, TWO_STEPS)
    listed, first = runlog.steps(result.run_id)
    assert listed.input == {"operation": "list_contacts", "input": {"per_page": 2}}
    assert len(listed.output["data"]) == 2
    assert first.output == {"id": listed.output["data"][0]["id"]}
    assert listed.duration_ms is not None and listed.duration_ms >= 0
    assert listed.attempts == 1


async def test_run_started_keeps_definition_config_and_env(runlog: RunLog):
    result = await _run(runlog, TWO_STEPS, config={"per_page": 3})
    start = runlog.summary(result.run_id).start
    assert start["definition"]["name"] == "two steps"
    assert start["config"] == {"per_page": 3}
    assert start["env"]["run_id"] == result.run_id
    assert start["env"]["started_at"].endswith("Z")


async def test_failed_step_ends_the_run_failed_naming_step_and_loop_path(runlog: RunLog):
    result = await _run(runlog, FAILING)
    assert result.status == "failed"
    assert result.failed_key == "loop-1[0].list-attached-companies"
    assert result.error.startswith(
        "step 'list-attached-companies' (loop-1[0].list-attached-companies) failed: NotFound"
    )
    summary = runlog.summary(result.run_id)
    assert summary.status == "failed"
    assert summary.error == result.error
    failed = [r.key for r in runlog.steps(result.run_id) if r.status == "failed"]
    assert failed == ["loop-1", "loop-1[0]", "loop-1[0].list-attached-companies"]


async def test_runs_are_listed_newest_first_and_found_by_prefix_or_last(runlog: RunLog):
    first = await _run(runlog, TWO_STEPS)
    second = await _run(runlog, FAILING)
    assert [s.run_id for s in runlog.runs()] == [second.run_id, first.run_id]
    assert runlog.resolve_id("last") == second.run_id
    assert runlog.resolve_id(first.run_id[:-2]) == first.run_id
    with pytest.raises(RunNotFound):
        runlog.resolve_id("nope")


def test_a_run_whose_process_is_gone_is_interrupted(runlog: RunLog):
    runlog.append("r-1", RUN_STARTED, data={"workflow": "w", "pid": 0, "host": "elsewhere"})
    assert runlog.summary("r-1").status == "interrupted"


async def test_run_view_filters_by_step_id_key_or_iteration(runlog: RunLog):
    result = await _run(runlog, FAILING)
    by_id = run_view(runlog, result.run_id, "list-attached-companies")["steps"]
    assert [s["key"] for s in by_id] == ["loop-1[0].list-attached-companies"]
    by_iteration = run_view(runlog, result.run_id, "loop-1[0]")["steps"]
    assert [s["key"] for s in by_iteration] == ["loop-1[0]", "loop-1[0].list-attached-companies"]
    assert by_iteration[1]["error"].startswith("NotFound")


async def test_config_override_of_an_undeclared_key_is_refused(runlog: RunLog):
    with pytest.raises(ConfigProblem, match="no config key 'per_pag'; did you mean 'per_page'"):
        await _run(runlog, TWO_STEPS, config={"per_pag": 1})
    assert runlog.runs() == []


async def test_operation_outside_the_granted_scopes_is_refused_before_anything_runs(
    runlog: RunLog,
):
    with pytest.raises(MissingScope, match="list_contacts needs the scope"):
        await _run(runlog, TWO_STEPS, client={"granted_scopes": {"read_tags"}})
    assert runlog.runs() == []
