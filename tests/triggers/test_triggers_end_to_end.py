"""The whole loop on loopback sockets, and a real `serve` process killed mid-way.

The sandbox (in a thread, on a port) sends a signed notification of a contact it created
to the trigger server (in this event loop, on another port), whose run calls the sandbox
back. The kill test runs `serve` as a program, kills it with SIGKILL while one run waits
in a delay and a second delivery is recorded but not started, and restarts the server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

from triggers_kit import (
    CLI_ENTRY,
    EXAMPLES,
    PYTHON,
    SECRET,
    eventually,
    hosted,
    new_sandbox,
    notification,
    sandbox_client,
    signed,
    workflow,
)

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.httpx_lib import httpx
from intercom_connector.sandbox import run_in_thread
from intercom_connector.workflow import RunLog, load_workflow
from intercom_connector.workflow.runlog import RUN_RESUMED
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    ServeOptions,
    TriggerServer,
    TriggerStore,
    bind,
)

WELCOME = EXAMPLES / "webhook-welcome-note.yaml"


async def test_a_contact_created_in_the_sandbox_starts_exactly_one_run(home, runlog):
    sandbox = new_sandbox()
    with run_in_thread(sandbox) as handle:
        async with AsyncIntercomClient(sandbox.token, base_url=handle.base_url) as client:
            server = TriggerServer([hosted(load_workflow(WELCOME), client)], secret=SECRET)
            serving = asyncio.create_task(server.serve(sock=bind("127.0.0.1", 0)))
            await server.ready.wait()
            assert server.endpoint is not None
            sandbox.subscribe(server.endpoint, SECRET)
            contact = await client.call(
                "create_contact", {"email": "ada@example.com", "name": "Ada"}
            )
            await eventually(lambda: any(r.status == "succeeded" for r in runlog.runs()))
            await eventually(lambda: len(sandbox.webhooks.deliveries) == 1)
            server.stop()
            await serving
            notes = await client.call("list_contact_notes", {"contact_id": contact["id"]})
    (delivery,) = sandbox.webhooks.deliveries
    assert delivery.topic == "contact.user.created" and delivery.status == 200
    (summary,) = runlog.runs()
    steps = {record.key: record for record in runlog.steps(summary.run_id)}
    assert steps["trigger"].output["data"]["item"]["id"] == contact["id"]
    assert steps["trigger"].output["id"] == delivery.id
    assert steps["welcome-note"].input["input"]["contact_id"] == contact["id"]
    (note,) = notes["data"]
    assert f"Welcome aboard, Ada! (notification {delivery.id})" in note["body"]


SLOW_WEBHOOK = """\
name: Slow webhook
trigger:
  webhook:
    topics: [contact.user.created]
steps:
  - id: wait
    delay: 2
  - id: seen
    map: {contact: $.steps.trigger.data.item.id}
"""


def free_port() -> int:
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    sock.close()
    return port


def wait_for(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.05)


def healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def started_runs(home: Path) -> list[str]:
    with RunLog() as log:
        return [summary.run_id for summary in log.runs(100)]


async def test_a_killed_server_loses_no_accepted_delivery_and_doubles_no_run(home, tmp_path):
    file = tmp_path / "slow.yaml"
    file.write_text(SLOW_WEBHOOK)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INTERCOM_CONNECTOR_HOME": str(home), "INTERCOM_CLIENT_SECRET": SECRET}
    process = subprocess.Popen(
        [
            PYTHON,
            str(CLI_ENTRY),
            "serve",
            str(file),
            "--sandbox",
            "--port",
            str(port),
            "--max-runs",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: healthy(f"{base}/healthz"))
        first, second = notification(id="notif_first"), notification(id="notif_second")
        assert (
            httpx.post(
                base + WEBHOOK_PATH, content=signed(first)[0], headers=signed(first)[1]
            ).status_code
            == 200
        )
        wait_for(lambda: len(started_runs(home)) == 1)  # the first run is in its delay
        assert (
            httpx.post(
                base + WEBHOOK_PATH, content=signed(second)[0], headers=signed(second)[1]
            ).status_code
            == 200
        )
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    with TriggerStore() as store:
        events = store.events()
    assert [(e.event_id, e.finished_at) for e in events] == [
        ("notif_first", None),
        ("notif_second", None),
    ]
    assert events[0].run_id is not None and events[1].run_id is None  # recorded, never started

    restarted = TriggerServer(
        [hosted(workflow(SLOW_WEBHOOK, str(file)), sandbox_client(new_sandbox()))],
        secret=SECRET,
        options=ServeOptions(port=0),
    )
    serving = asyncio.create_task(restarted.serve())
    await restarted.ready.wait()
    assert restarted.dispatcher is not None
    await restarted.dispatcher.idle()
    restarted.stop()
    await serving
    with TriggerStore() as store, RunLog() as log:
        events = store.events()
        assert [e.status for e in events] == ["succeeded", "succeeded"]
        assert sorted(started_runs(home)) == sorted(e.run_id for e in events)  # one run each
        resumed = log.events(events[0].run_id, (RUN_RESUMED,))
        assert len(resumed) == 1 and log.summary(events[1].run_id).attempts == 1
        outputs = [{r.key: r.output for r in log.steps(e.run_id)}["seen"] for e in events]
    assert outputs == [{"contact": "c-1"}, {"contact": "c-1"}]
