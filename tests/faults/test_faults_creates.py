"""A workflow that creates 200 contacts creates exactly 200 through the fault mix.

Faults of both timings: ``before`` (the create never happened) and ``after`` (it happened
and its reply was lost). ``create_contact`` with an email is settled by catalog/reconcile.py:
after an ambiguous failure the connector looks the email up before it sends again.

The request log holds no bodies, so duplicates are counted two ways: the sandbox's state
must hold each email once, and ``POST /contacts`` must have reached the create handler
exactly 200 times. The handler runs once per create the server acted on; a blind resend of
an email that exists would run it again (and answer 409), even when a fault hid that reply.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fault_kit import NO_FAULTS, SERVER_ERRORS, client_for, faults_met, faulty_sandbox

from intercom_connector.sandbox import FaultTiming, Sandbox
from intercom_connector.workflow import RunLog, RunResult, parse_workflow, run_workflow

CREATES = 200
EMAILS = [f"fault-{n:03d}@create.test" for n in range(CREATES)]
CREATE_EACH = """
name: Create a contact for each email
config:
  emails: []
steps:
  - id: each-email
    loop:
      list: $.config.emails
    steps:
      - id: create-contact
        call: Create contact
        input:
          email: $.steps.each-email.value
          name: "Fault test {$.steps.each-email.index}"
"""
TIMINGS: list[FaultTiming] = ["before", "after"]


async def create_all(sandbox: Sandbox, runlog: RunLog) -> tuple[RunResult, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    async with client_for(sandbox, on_event=events.append) as client:
        result = await run_workflow(
            parse_workflow(CREATE_EACH, "create-each.yaml"),
            client,
            config={"emails": EMAILS},
            runlog=runlog,
        )
    return result, events


async def emails_in_workspace(sandbox: Sandbox) -> Counter[str]:
    sandbox.configure(**NO_FAULTS)
    async with client_for(sandbox) as client:
        contacts = await client.collect("list_contacts", {"per_page": 150})
    wanted = set(EMAILS)
    return Counter(c["email"] for c in contacts if c.get("email") in wanted)


def create_handler_runs(sandbox: Sandbox) -> int:
    """POST /contacts requests the create handler answered (the fault came after it, if any)."""
    return sum(1 for r in sandbox.requests.matching("POST", "/contacts") if r.operation)


def faulted_creates(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests.matching("POST", "/contacts") if r.fault)


@pytest.mark.parametrize("timing", TIMINGS)
async def test_creating_200_contacts_under_faults_creates_exactly_200(
    timing: FaultTiming, runlog: RunLog
):
    sandbox = faulty_sandbox(seed=200, timing=timing)

    result, events = await create_all(sandbox, runlog)

    assert result.succeeded, result.error
    met = faults_met(sandbox)
    assert met["429"] > 0 and met["drop"] > 0
    assert sum(met[str(status)] for status in SERVER_ERRORS) > 0
    assert faulted_creates(sandbox) > 0
    assert create_handler_runs(sandbox) == CREATES
    assert not [r for r in sandbox.requests.matching("POST", "/contacts") if r.status == 409]
    if timing == "after":  # replies were lost after the write: the lookup found the contact
        assert any(event["event"] == "reconciled" for event in events)
    assert await emails_in_workspace(sandbox) == Counter(EMAILS)
    created = [step["create-contact"] for step in result.outputs["each-email"]["results"]]
    assert [contact["email"] for contact in created] == EMAILS
    assert len({contact["id"] for contact in created}) == CREATES
