"""The step tree follows the workflow file: the branch a condition took, error branches,
and failures."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

from ui_kit import in_thread, sandbox_client

from intercom_connector.ui.run_tree import RunIndex
from intercom_connector.workflow import RunLog, parse_workflow, run_workflow

WORKFLOW = """
name: Branches and a failure
trigger: manual
steps:
  - id: check
    condition:
      all:
        - {value1: 1, comparison: equal, value2: 1}
    then:
      - id: taken
        map: {a: 1}
    else:
      - id: skipped
        map: {a: 2}
  - id: credentials
    map: {access_token: "tok_1234567890abcdef", note: "sent with s3cret-value-42"}
  - id: missing-handled
    call: get_contact
    input: {contact_id: "no-such-contact"}
    error:
      - id: noted
        map: {status: $.steps.missing-handled.error.status}
  - id: missing-contact
    call: get_contact
    input: {contact_id: "no-such-contact"}
"""


async def run_and_index() -> RunIndex:
    async with sandbox_client() as client:
        with RunLog() as log:
            loaded = parse_workflow(textwrap.dedent(WORKFLOW), "branches.yaml")
            result = await run_workflow(loaded, client, runlog=log, secrets=["s3cret-value-42"])
            return RunIndex.build(log.summary(result.run_id), log.steps(result.run_id))


def test_branches_taken_and_not_taken_and_a_failed_step_with_its_error(home: Path) -> None:
    index = in_thread(lambda: asyncio.run(run_and_index()))
    check, _, handled, failed = index.block("")
    assert check["branch"] == "then"
    assert [n["status"] for n in check["then"]] == ["finished"]
    assert [n["status"] for n in check["else"]] == ["not run"]
    assert [n["status"] for n in handled["error_steps"]] == ["finished"]
    assert failed["status"] == "failed"
    assert "404" in failed["error"] or "not found" in failed["error"].lower()


def test_values_are_masked_as_runs_show_masks_them(home: Path) -> None:
    """Secret-named keys, and the run's own secrets wherever they appear."""
    index = in_thread(lambda: asyncio.run(run_and_index()))
    shown = index.value("credentials", "output")
    assert shown == {"access_token": "***", "note": "sent with ***"}
