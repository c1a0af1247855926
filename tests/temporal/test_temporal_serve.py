"""`serve --engine temporal`: one Temporal workflow per notification, however delivered.

Two serve processes (each with its own event store and dispatcher, as on two machines)
receive every notification twice: each store keeps one copy, both dispatchers start a run,
and the workflow id derived from the notification id lets only one of them through.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

pytest.importorskip("temporalio", reason="the [temporal] extra is not installed")

from temporal_kit import in_process_worker, workflow

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.sandbox import SandboxConfig
from intercom_connector.sandbox.server import run_in_thread
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.engines.temporal import connect, start_triggered
from intercom_connector.workflow.engines.temporal.messages import WORKFLOW_NAME
from intercom_connector.workflow.triggers import Dispatcher, TriggerStore
from intercom_connector.workflow.triggers.dispatcher import HostedWorkflow

WELCOME = """
    name: Welcome
    trigger:
      webhook:
        topics: [contact.user.created]
    steps:
      - id: me
        call: identify_admin
      - id: contact
        map: {id: $.steps.trigger.data.item.id}
"""


def notification(number: int) -> dict:
    return {
        "type": "notification_event",
        "app_id": "abc123",
        "id": f"notif_{number}",
        "topic": "contact.user.created",
        "created_at": 1_767_225_600,
        "data": {
            "type": "notification_event_data",
            "item": {"type": "contact", "id": f"c{number}"},
        },
    }


async def _serve_once(store: TriggerStore, runlog: RunLog, hosted: HostedWorkflow) -> None:
    dispatcher = Dispatcher(store, runlog, {hosted.name: hosted})
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0)
    await dispatcher.idle(timeout=120)
    stop.set()
    await task


async def test_each_notification_delivered_twice_to_two_servers_starts_one_workflow(
    target, runlog: RunLog, tmp_path: Path
):
    loaded = workflow(WELCOME)
    client = await connect(target)

    async def start(definition, event):
        return await start_triggered(
            client, target, definition, event.event_id, auth="default", runlog=runlog
        )

    with run_in_thread(SandboxConfig(rate_limit=None)) as sandbox:
        async with (
            AsyncIntercomClient(sandbox.token, base_url=sandbox.base_url) as api,
            in_process_worker(target, api),
        ):
            hosted = HostedWorkflow(loaded, api, {}, start)
            stores = [TriggerStore(tmp_path / f"serve-{n}.db") for n in (1, 2)]
            for number in range(3):
                body = notification(number)
                for store in stores:
                    for _ in range(2):
                        store.record_notification(body, json.dumps(body), [loaded.workflow.name])
            await asyncio.gather(*(_serve_once(store, runlog, hosted) for store in stores))
            for store in stores:
                store.close()
    runs = f"TaskQueue = '{target.task_queue}.auth.default' AND WorkflowType = '{WORKFLOW_NAME}'"
    started = [w.id async for w in client.list_workflows(runs)]
    assert sorted(started) == [f"welcome-notif_{n}" for n in range(3)]
    assert len([r for r in sandbox.sandbox.requests if r.path == "/me"]) == 3
    for number in range(3):
        assert runlog.summary(f"welcome-notif_{number}").status == "succeeded"
