"""Concurrent deliveries share commits, and each is acknowledged only once it is on disk."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from triggers_kit import SECRET, notification, signed

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    TopicRoutes,
    TriggerStore,
    webhook_app,
)

ROUTES = TopicRoutes.of([("new-contacts", ["contact.*.created"])])
DELIVERIES = 16


class CountingStore(TriggerStore):
    """The real store, counting the transactions that record deliveries."""

    commits = 0

    def record_notifications(self, deliveries, *, now=None):
        self.commits += 1
        return super().record_notifications(deliveries, now=now)


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
    def broken(deliveries, *, now=None):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(counting, "record_notifications", broken)
    app = webhook_app(counting, ROUTES, SECRET)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as http:
        body, headers = signed(notification(id="notif_lost"))
        reply = await http.post(WEBHOOK_PATH, content=body, headers=headers)
    assert reply.status_code == 500
    assert counting.events("new-contacts") == []
