"""Several worker processes share runs: a killed worker loses nothing, a rate limit holds.

Workers are `intercom-connector temporal worker` processes talking to a sandbox served on
a loopback port; the test process starts the runs and mirrors them into its run log.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from temporal_kit import run_temporal, worker_process, workflow

from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.engines.temporal import connect, mirror, start_run

CONTACTS_COMPANIES = """
    name: Companies of all contacts
    trigger: manual
    steps:
      - id: list-contacts
        call: List contacts
        all: true
        input: {per_page: 50}
      - id: loop-1
        loop: {list: $.steps.list-contacts.data, parallel: 8}
        steps:
          - id: list-attached-companies
            call: List attached companies
            input: {contact_id: $.steps.loop-1.value.id}
"""

NOTED = (
    CONTACTS_COMPANIES
    + """
          - id: note
            call: create_contact_note
            input: {contact_id: $.steps.loop-1.value.id, body: Companies checked}
"""
)
"""contacts-companies with a write in each iteration: a note is not idempotent, so a note
in flight when its worker dies must be settled (looked for), never sent blindly again."""


async def recorded_calls(client, run_id: str) -> set[tuple[str, str]]:
    """(step id, contact id) of every call whose outcome Temporal holds: in a completed
    batch (the history), or in the last heartbeat of a batch still pending."""
    handle = client.get_workflow_handle(run_id)
    decode = client.data_converter.decode
    batches: dict[int, list[dict]] = {}
    by_key: dict[str, tuple[str, str]] = {}
    recorded: set[tuple[str, str]] = set()
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            [batch] = await decode(event.activity_task_scheduled_event_attributes.input.payloads)
            batches[event.event_id] = batch["calls"]
            for call in batch["calls"]:
                by_key[call["key"]] = (call["step_id"], call["data"].get("contact_id"))
        elif event.HasField("activity_task_completed_event_attributes"):
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            recorded.update(by_key[call["key"]] for call in batches[scheduled])
    description = await handle.describe()
    for pending in description.raw_description.pending_activities:
        if pending.heartbeat_details.payloads:
            [details] = await decode(pending.heartbeat_details.payloads)
            recorded.update(by_key[key] for key in details)
    return recorded


async def _calls_worker_pid(client, run_id: str) -> int:
    """The worker process running the run's batches now (its identity is pid@host)."""
    handle = client.get_workflow_handle(run_id)
    while True:
        description = await handle.describe()
        for pending in description.raw_description.pending_activities:
            if pending.last_worker_identity:
                return int(pending.last_worker_identity.split("@")[0])
        await asyncio.sleep(0.02)


async def test_a_worker_killed_mid_run_resends_no_recorded_call_and_settles_writes(
    target, runlog: RunLog
):
    loaded = workflow(NOTED)
    config = SandboxConfig(contacts=200, rate_limit=None, latency=(0.01, 0.3), seed=11)
    with run_in_thread(config) as sandbox:
        with (
            worker_process(target, sandbox.base_url) as first,
            worker_process(target, sandbox.base_url) as second,
        ):
            client = await connect(target)
            run_id = await start_run(client, target, loaded, auth="default", runlog=runlog)
            assert run_id is not None

            def companies_requests() -> list[str]:
                return [r.path for r in sandbox.sandbox.requests if r.path.endswith("/companies")]

            while len(companies_requests()) < 60:
                await asyncio.sleep(0.05)
            doomed = await _calls_worker_pid(client, run_id)
            assert doomed in (first.pid, second.pid)
            # Frozen, the worker records nothing more; what Temporal holds now is finished.
            os.kill(doomed, signal.SIGSTOP)
            await asyncio.sleep(0.5)  # let RPCs already on their way land
            finished = await recorded_calls(client, run_id)
            os.kill(doomed, signal.SIGKILL)
            sent_before_kill = len(companies_requests())
            result = await mirror(client, run_id, runlog)
        assert result.succeeded, result.error
        assert result.outputs["loop-1"]["iterations"] == 200
        sent = Counter((r.method, r.path) for r in sandbox.sandbox.requests)
        written = [n for n in sandbox.sandbox.state.notes.values() if "Companies checked" in n.body]
        assert len(companies_requests()) > sent_before_kill  # the survivor did the rest
        contacted = {path.split("/")[2] for path in companies_requests()}
    contacts = {contact for step, contact in finished}
    assert len(finished) >= 60 and len(contacts) >= 30
    for step, contact in sorted(finished):
        if step == "list-attached-companies":
            assert sent["GET", f"/contacts/{contact}/companies"] == 1, contact
    # Every note written once: those in flight at the kill were settled, not sent again.
    assert len(contacted) == 200 and len(written) == 200
    for contact in contacted:
        assert sent["POST", f"/contacts/{contact}/notes"] == 1, contact


RATE_PER_SECOND = 60
WINDOW_SECONDS = 10.0
FAN_OUT = """
    name: Fan out
    trigger: manual
    config:
      items: []
    steps:
      - id: each
        loop: {list: $.config.items, parallel: 48}
        steps:
          - id: me
            call: identify_admin
            input: {}
"""


async def test_three_workers_on_one_authentication_stay_under_its_rate_limit(
    target, runlog: RunLog
):
    config = SandboxConfig(
        rate_limit=int(RATE_PER_SECOND * WINDOW_SECONDS), rate_limit_window_seconds=WINDOW_SECONDS
    )
    with run_in_thread(config) as sandbox:
        extra = ("--rate-limit", str(RATE_PER_SECOND * 60), "--concurrency", "16")
        with (
            worker_process(target, sandbox.base_url, *extra),
            worker_process(target, sandbox.base_url, *extra),
            worker_process(target, sandbox.base_url, *extra),
        ):
            result = await run_temporal(
                target, workflow(FAN_OUT), runlog, {"items": list(range(1_500))}
            )
        assert result.succeeded, result.error
        statuses = Counter(r.status for r in sandbox.sandbox.requests if r.path == "/me")
        assert statuses == {200: 1_500}
