"""Concurrent deliveries share commits, and each is acknowledged only once it is on disk."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from triggers_kit import SECRET, notification, signed

from intercom_connector.httpx_lib import httpx
from intercom_connector.storage import Owner
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    TopicRoutes,
    TriggerStore,
    webhook_app,
)
from intercom_connector.workflow.triggers.group_commit import GroupCommit

ROUTES = TopicRoutes.of([("new-contacts", ["contact.*.created"])])
DELIVERIES = 16


class CountingStore(TriggerStore):
    """The real store, counting the group transactions of all its connections (the one
    the group commits open with ``writer()`` is a CountingStore too)."""

    commits = 0

    def commit(self):
        CountingStore.commits += 1
        return super().commit()


def _stored_elsewhere(store: TriggerStore, notification_id: str) -> bool:
    """Whether a separate connection (another process would see the same) finds the row."""
    db = sqlite3.connect(store.path)
    try:
        row = db.execute(
            "SELECT 1 FROM trigger_events WHERE event_id = ?", (notification_id,)
        ).fetchone()
    finally:
        db.close()
    return row is not None


async def _deliver_all(store: TriggerStore) -> list[tuple[int, bool]]:
    app = webhook_app(store, ROUTES, SECRET)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as http:

        async def deliver(index: int) -> tuple[int, bool]:
            sent = notification(id=f"notif_{index}")
            body, headers = signed(sent)
            reply = await http.post(WEBHOOK_PATH, content=body, headers=headers)
            return reply.status_code, _stored_elsewhere(store, sent["id"])

        return await asyncio.gather(*(deliver(i) for i in range(DELIVERIES)))


@pytest.fixture
def counting(home) -> CountingStore:
    CountingStore.commits = 0
    with CountingStore() as opened:
        yield opened


async def test_each_acknowledgement_follows_the_commit_of_its_delivery(counting):
    replies = await _deliver_all(counting)
    assert replies == [(200, True)] * DELIVERIES


async def test_deliveries_arriving_together_share_a_transaction(counting):
    await _deliver_all(counting)
    assert len(counting.events("new-contacts")) == DELIVERIES
    assert counting.commits < DELIVERIES


async def test_a_failed_group_commit_answers_every_delivery_of_the_group_500(counting, monkeypatch):
    def broken(self):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(CountingStore, "commit", broken)
    app = webhook_app(counting, ROUTES, SECRET)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as http:
        body, headers = signed(notification(id="notif_lost"))
        reply = await http.post(WEBHOOK_PATH, content=body, headers=headers)
    assert reply.status_code == 500
    assert counting.events("new-contacts") == []


def _claim_elsewhere(store: TriggerStore, seq: int) -> str | None:
    db = sqlite3.connect(store.path)
    try:
        return db.execute("SELECT run_id FROM trigger_events WHERE seq = ?", (seq,)).fetchone()[0]
    finally:
        db.close()


async def test_the_dispatchers_claims_and_finishes_join_the_deliveries_transaction(counting):
    first, second = notification(id="notif_first"), notification(id="notif_second")
    counting.record_notification(first, json.dumps(first), ["new-contacts"])
    counting.record_notification(second, json.dumps(second), ["new-contacts"])
    claimed, finished = (event.seq for event in counting.events("new-contacts"))
    assert counting.claim(finished, "run-over", Owner.me())
    commits, before = GroupCommit(counting), counting.commits
    third = notification(id="notif_third")

    async def claim() -> tuple[bool, str | None]:
        won = await commits.claim(claimed, "run-next", Owner.me())
        return won, _claim_elsewhere(counting, claimed)  # on disk once the claim returns

    added, (won, on_disk), _ = await asyncio.gather(
        commits.record(third, json.dumps(third), ["new-contacts"]),
        claim(),
        commits.finish(finished, "succeeded"),
    )
    assert (added, won, on_disk) == (["new-contacts"], True, "run-next")
    assert counting.commits == before + 1
    assert [event.state for event in counting.events("new-contacts")] == [
        "started",
        "succeeded",
        "received",
    ]


async def test_a_claim_another_dispatcher_made_first_is_refused(counting):
    sent = notification(id="notif_taken")
    counting.record_notification(sent, json.dumps(sent), ["new-contacts"])
    (event,) = counting.events("new-contacts")
    assert counting.claim(event.seq, "run-elsewhere", Owner.me())
    assert not await GroupCommit(counting).claim(event.seq, "run-here", Owner.me())
    assert counting.events("new-contacts")[0].run_id == "run-elsewhere"
