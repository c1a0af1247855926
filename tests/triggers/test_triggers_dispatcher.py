"""From queue to runs: one run per event, and nothing lost or doubled by a crash or a stop.

A crash is simulated by leaving the queue and the run log exactly as a killed process
would (an event recorded, claimed, or its run half done) and starting a new dispatcher on
them; ``test_triggers_end_to_end`` kills a real process too.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys

import pytest
from triggers_kit import (
    SECRET,
    hosted,
    new_sandbox,
    notification,
    sandbox_client,
    signed,
    webhook_workflow,
    workflow,
)

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import ProgressEvent, RunLog, run_workflow
from intercom_connector.workflow.runlog import RUN_RESUMED, RUN_STARTED
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    Dispatcher,
    Owner,
    ServeOptions,
    TopicRoutes,
    TriggerServer,
    TriggerStore,
    run_definition,
    webhook_app,
)
from intercom_connector.workflow.triggers import dispatcher as dispatching

SLOW = """
    name: Slow
    trigger:
      webhook:
        topics: [contact.user.created]
    steps:
      - id: me
        call: identify_admin
      - id: wait
        delay: 0.4
      - id: done
        map: {contact: $.steps.trigger.data.item.id}
"""


class Crash(BaseException):
    """Stands for the process dying mid-run."""


def dead_owner() -> Owner:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return Owner(process.pid, Owner.me().host)


def run_starts(runlog: RunLog) -> list[str]:
    return [summary.run_id for summary in runlog.runs(100)]


def one_at_a_time(store, runlog, loaded, ids: list[str]) -> Dispatcher:
    """A dispatcher with one run slot, and a notification queued for ``loaded`` per id."""
    dispatcher = Dispatcher(
        store,
        runlog,
        {loaded.workflow.name: hosted(loaded, sandbox_client(new_sandbox()))},
        max_runs=1,
    )
    for notification_id in ids:
        body = notification(id=notification_id)
        store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    return dispatcher


async def dispatch_all(store, runlog, workflows, **options) -> Dispatcher:
    """A dispatcher that recovers, then works the queue until it is empty and idle."""
    dispatcher = Dispatcher(store, runlog, {w.name: w for w in workflows}, **options)
    stop = asyncio.Event()
    await dispatcher.recover()
    task = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0)
    await dispatcher.idle()
    stop.set()
    await task
    return dispatcher


async def test_a_duplicate_delivery_starts_one_run_whose_trigger_is_the_notification(store, runlog):
    sandbox = new_sandbox()
    loaded = workflow(webhook_workflow())
    dispatcher = Dispatcher(
        store, runlog, {loaded.workflow.name: hosted(loaded, sandbox_client(sandbox))}
    )
    routes = {loaded.workflow.name: tuple(loaded.workflow.trigger.webhook.topics)}
    app = webhook_app(store, TopicRoutes(routes), SECRET, on_queued=dispatcher.wake)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    body, headers = signed(notification(item={"type": "contact", "id": "c-42"}, id="notif_7"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://s"
    ) as http:
        replies = [await http.post(WEBHOOK_PATH, content=body, headers=headers) for _ in range(3)]
    assert [reply.status_code for reply in replies] == [200, 200, 200]
    await dispatcher.idle()
    stop.set()
    await task
    (run_id,) = run_starts(runlog)
    steps = {record.key: record for record in runlog.steps(run_id)}
    assert steps["seen"].output == {"contact": "c-42", "topic": "contact.user.created"}
    assert steps["trigger"].output["id"] == "notif_7"
    (event,) = store.events()
    assert (event.run_id, event.status) == (run_id, "succeeded")


async def test_an_event_recorded_by_a_process_that_died_before_claiming_it_runs_once(store, runlog):
    loaded = workflow(webhook_workflow())
    store.record_notification(notification(id="notif_a"), "{}", [loaded.workflow.name])
    # the body column is what the receiver stored; here the event itself is what matters
    store._db.execute(
        "UPDATE trigger_events SET event = ?",
        (json.dumps(notification(id="notif_a")),),
    )
    await dispatch_all(store, runlog, [hosted(loaded, sandbox_client(new_sandbox()))])
    assert len(run_starts(runlog)) == 1
    await dispatch_all(store, runlog, [hosted(loaded, sandbox_client(new_sandbox()))])
    assert len(run_starts(runlog)) == 1  # a second start finds nothing left to do


async def test_an_event_claimed_but_never_started_starts_with_its_claimed_run_id(store, runlog):
    loaded = workflow(webhook_workflow())
    body = notification(id="notif_b")
    store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    (event,) = store.events()
    assert store.claim(event.seq, "run-claimed-1", dead_owner())
    dispatcher = await dispatch_all(store, runlog, [hosted(loaded, sandbox_client(new_sandbox()))])
    assert run_starts(runlog) == ["run-claimed-1"]
    assert runlog.summary("run-claimed-1").attempts == 1
    assert store.events()[0].claimed_by == dispatcher.owner


async def test_a_run_interrupted_mid_way_is_resumed_not_started_again(store, runlog):
    sandbox = new_sandbox()
    client = sandbox_client(sandbox)
    loaded = workflow(SLOW)
    body = notification(id="notif_c", item={"type": "contact", "id": "c-9"})
    store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    (event,) = store.events()
    store.claim(event.seq, "run-half-done", Owner.me())

    def crash_after_me(progress: ProgressEvent) -> None:
        if progress.type == "finished" and progress.ref.key == "me":
            raise Crash

    with pytest.raises(Crash):
        await run_workflow(
            run_definition(loaded, body),
            client,
            runlog=runlog,
            run_id="run-half-done",
            on_progress=crash_after_me,
        )
    assert len(sandbox.requests.matching("GET", "/me")) == 1
    await dispatch_all(store, runlog, [hosted(loaded, client)])
    assert run_starts(runlog) == ["run-half-done"]
    assert [e.type for e in runlog.events("run-half-done", (RUN_STARTED, RUN_RESUMED))] == [
        RUN_STARTED,
        RUN_RESUMED,
    ]
    assert runlog.summary("run-half-done").status == "succeeded"
    assert len(sandbox.requests.matching("GET", "/me")) == 1  # the finished call was not sent again
    assert store.events()[0].status == "succeeded"


async def test_a_run_that_finished_before_its_event_was_marked_is_only_marked(store, runlog):
    client = sandbox_client(new_sandbox())
    loaded = workflow(webhook_workflow())
    body = notification(id="notif_d")
    store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    (event,) = store.events()
    store.claim(event.seq, "run-done", dead_owner())
    await run_workflow(run_definition(loaded, body), client, runlog=runlog, run_id="run-done")
    await dispatch_all(store, runlog, [hosted(loaded, client)])
    assert run_starts(runlog) == ["run-done"] and runlog.summary("run-done").attempts == 1
    assert store.events()[0].status == "succeeded"


async def test_an_event_claimed_by_a_live_process_is_left_to_it(store, runlog):
    loaded = workflow(webhook_workflow())
    body = notification(id="notif_e")
    store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    (event,) = store.events()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        store.claim(event.seq, "run-elsewhere", Owner(other.pid, Owner.me().host))
        dispatcher = Dispatcher(
            store, runlog, {loaded.workflow.name: hosted(loaded, sandbox_client(new_sandbox()))}
        )
        assert await dispatcher.recover() == 0
        assert run_starts(runlog) == [] and store.events()[0].finished_at is None
    finally:
        other.kill()
        other.wait()


async def test_a_failed_run_marks_its_event_failed(store, runlog):
    loaded = workflow(
        """
        name: Fails
        trigger: {webhook: {topics: [contact.user.created]}}
        steps:
          - id: get
            call: get_contact
            input: {contact_id: $.steps.trigger.data.item.id}
        """
    )
    body = notification(item={"type": "contact", "id": "no-such-contact"})
    store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    await dispatch_all(store, runlog, [hosted(loaded, sandbox_client(new_sandbox()))])
    (event,) = store.events()
    assert event.status == "failed" and "get" in (event.error or "")


async def test_events_beyond_max_runs_wait_unclaimed_in_the_queue(store, runlog):
    dispatcher = one_at_a_time(store, runlog, workflow(SLOW), ["notif_q0", "notif_q1"])
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0.2)
    first, second = store.events()
    assert first.run_id is not None and second.run_id is None
    await dispatcher.idle()
    stop.set()
    await task
    assert [event.status for event in store.events()] == ["succeeded", "succeeded"]


async def test_a_stop_interrupts_runs_past_the_grace_period_and_the_next_start_resumes_them(
    home, runlog
):
    loaded = workflow(SLOW)
    sandbox = new_sandbox()
    client = sandbox_client(sandbox)
    body = notification(id="notif_stop")
    with TriggerStore() as store:
        store.record_notification(body, json.dumps(body), [loaded.workflow.name])
    server = TriggerServer(
        [hosted(loaded, client)], secret=SECRET, options=ServeOptions(port=0, grace=0.0)
    )
    serving = asyncio.create_task(server.serve())
    await server.ready.wait()
    await asyncio.sleep(0.15)  # the run is in its delay
    server.stop()
    await serving
    (run_id,) = run_starts(runlog)
    assert runlog.summary(run_id).status == "running"  # no finish logged; this process lives on
    again = TriggerServer([hosted(loaded, client)], secret=SECRET, options=ServeOptions(port=0))
    serving = asyncio.create_task(again.serve())
    await again.ready.wait()
    assert again.dispatcher is not None
    await again.dispatcher.idle()
    again.stop()
    await serving
    assert run_starts(runlog) == [run_id]
    assert runlog.summary(run_id).status == "succeeded" and runlog.summary(run_id).attempts == 2
    assert len(sandbox.requests.matching("GET", "/me")) == 1


async def test_a_claim_whose_commit_fails_leaves_the_event_queued_and_frees_its_slot(
    store, runlog, monkeypatch
):
    monkeypatch.setattr(dispatching, "POLL_SECONDS", 0.05)
    dispatcher = one_at_a_time(store, runlog, workflow(SLOW), ["notif_c0", "notif_c1"])
    real_claim, failures = dispatcher.commits.claim, []

    async def claim(*args, **kwargs):
        if not failures:
            failures.append(args)
            raise sqlite3.OperationalError("disk I/O error")
        return await real_claim(*args, **kwargs)

    monkeypatch.setattr(dispatcher.commits, "claim", claim)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0)
    await dispatcher.idle()
    stop.set()
    await task
    assert len(failures) == 1
    assert [event.status for event in store.events()] == ["succeeded", "succeeded"]
    assert len(run_starts(runlog)) == 2  # the failed claim started nothing
