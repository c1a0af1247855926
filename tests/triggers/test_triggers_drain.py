"""A backlog larger than one look at the queue drains without waiting for a new delivery."""

from __future__ import annotations

import asyncio
import json

from triggers_kit import (
    hosted,
    new_sandbox,
    notification,
    sandbox_client,
    webhook_workflow,
    workflow,
)

import intercom_connector.workflow.triggers.dispatcher as dispatching
from intercom_connector.workflow.triggers import Dispatcher

QUEUED = 5


async def test_events_beyond_one_batch_start_without_a_wake_or_a_poll(store, runlog, monkeypatch):
    monkeypatch.setattr(dispatching, "BATCH", 2)
    monkeypatch.setattr(dispatching, "POLL_SECONDS", 3600.0)  # only a wake would end the wait
    loaded = workflow(webhook_workflow())
    name = loaded.workflow.name
    for index in range(QUEUED):
        sent = notification(id=f"notif_{index}")
        store.record_notification(sent, json.dumps(sent), [name])
    worker = Dispatcher(store, runlog, {name: hosted(loaded, sandbox_client(new_sandbox()))})
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await worker.idle(timeout=60)
    finally:
        stop.set()
        await task
    assert [event.status for event in store.events(name)] == ["succeeded"] * QUEUED
