"""Acknowledgements go first: runs wait while deliveries are being answered, never forever."""

from __future__ import annotations

import asyncio
import json

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

import intercom_connector.workflow.triggers.dispatcher as dispatching
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow.triggers import WEBHOOK_PATH, Dispatcher, TopicRoutes, webhook_app
from intercom_connector.workflow.triggers.connection_guard import _JoinedWrites
from intercom_connector.workflow.triggers.receiver import Deliveries

ROUTES = TopicRoutes.of([("new-contacts", ["contact.*.created"])])


def _queued(store, name: str, count: int) -> None:
    for index in range(count):
        body = notification(id=f"notif_{index}")
        store.record_notification(body, json.dumps(body), [name])


async def test_a_run_starts_only_once_the_deliveries_being_handled_are_answered(
    store, runlog, monkeypatch
):
    monkeypatch.setattr(dispatching, "RECEIVER_FIRST", 600.0)
    loaded = workflow(webhook_workflow())
    _queued(store, loaded.workflow.name, 1)
    busy = [True]
    dispatcher = Dispatcher(
        store,
        runlog,
        {loaded.workflow.name: hosted(loaded, sandbox_client(new_sandbox()))},
        receiving=lambda: busy[0],
    )
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    for _ in range(20):
        await asyncio.sleep(0.005)
    assert store.events()[0].run_id is None  # still queued, on disk
    busy[0] = False
    await dispatcher.idle()
    stop.set()
    await task
    assert [event.status for event in store.events()] == ["succeeded"]


async def test_runs_still_start_under_deliveries_that_never_pause(store, runlog):
    loaded = workflow(webhook_workflow())
    _queued(store, loaded.workflow.name, 3)
    dispatcher = Dispatcher(
        store,
        runlog,
        {loaded.workflow.name: hosted(loaded, sandbox_client(new_sandbox()))},
        receiving=lambda: True,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    await dispatcher.idle()
    stop.set()
    await task
    assert [event.status for event in store.events()] == ["succeeded"] * 3


async def test_the_endpoint_counts_each_delivery_until_it_is_answered_whatever_the_answer(store):
    deliveries = Deliveries()
    seen: list[int] = []
    app = webhook_app(store, ROUTES, SECRET, deliveries=deliveries)

    async def counting(scope, receive, send):
        async def sent(message):
            seen.append(deliveries.open)
            await send(message)

        await app(scope, receive, sent)

    good_body, good_headers = signed(notification(id="notif_good"))
    bad_body, _ = signed(notification(id="notif_bad"))
    transport = httpx.ASGITransport(app=counting)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as http:
        replies = [
            await http.post(WEBHOOK_PATH, content=good_body, headers=good_headers),
            await http.post(WEBHOOK_PATH, content=bad_body, headers={"X-Hub-Signature": "x"}),
            await http.post(WEBHOOK_PATH, content=b"{", headers=signed(b"{")[1]),
        ]
    assert [reply.status_code for reply in replies] == [200, 401, 400]
    assert set(seen) == {1} and deliveries.open == 0
    assert deliveries.recently(quiet=600.0) and not deliveries.recently(quiet=0.0)


def test_an_endpoint_that_answered_nothing_is_not_busy():
    assert not Deliveries().recently()


class _Recording:
    """The part of a transport the joined writes use, recording what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


async def test_the_writes_of_one_loop_turn_reach_the_socket_as_one():
    real = _Recording()
    joined = _JoinedWrites(real, asyncio.get_running_loop())  # type: ignore[arg-type]
    joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    joined.write(b"{}")
    assert real.writes == []
    await asyncio.sleep(0)
    assert real.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    assert not joined.is_closing()


async def test_a_close_sends_the_pending_writes_first():
    real = _Recording()
    joined = _JoinedWrites(real, asyncio.get_running_loop())  # type: ignore[arg-type]
    joined.write(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    joined.close()
    assert real.writes == [b"HTTP/1.1 408 Request Timeout\r\n\r\n"] and real.closed
    await asyncio.sleep(0)
    assert len(real.writes) == 1
