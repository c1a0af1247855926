"""The webhook endpoint: refuse what is unsigned, oversized or malformed; record, then reply."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from triggers_kit import SECRET, notification, signed

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    TopicRoutes,
    TriggerStore,
    webhook_app,
)

ROUTES = TopicRoutes.of(
    [("new-contacts", ["contact.*.created"]), ("closed", ["conversation.admin.closed"])]
)
LIMIT = 4096


@pytest.fixture
async def http(store: TriggerStore) -> AsyncIterator[httpx.AsyncClient]:
    woken: list[int] = []
    app = webhook_app(store, ROUTES, SECRET, max_body=LIMIT, on_queued=lambda: woken.append(1))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://serve"
    ) as client:
        client.woken = woken  # type: ignore[attr-defined]
        yield client


async def post(http: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await http.post(WEBHOOK_PATH, content=body, headers=headers)


async def test_a_signed_notification_is_recorded_before_the_reply(http, store):
    body, headers = signed(notification("contact.user.created", id="notif_1"))
    reply = await post(http, body, headers)
    assert reply.status_code == 200
    assert reply.json() == {"status": "queued", "id": "notif_1", "workflows": ["new-contacts"]}
    with TriggerStore(store.path) as other:  # what a fresh process would see
        (event,) = other.events()
    assert (event.workflow, event.event_id, event.topic) == (
        "new-contacts",
        "notif_1",
        "contact.user.created",
    )
    assert event.event["data"]["item"]["id"] == "c-1" and event.run_id is None
    assert http.woken == [1]


async def test_a_duplicate_delivery_is_acknowledged_counted_and_not_queued_again(http, store):
    body, headers = signed(notification(id="notif_dup"))
    first, second = await post(http, body, headers), await post(http, body, headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["status"] == "duplicate"
    (event,) = store.events()
    assert event.duplicates == 1


async def test_a_resent_notification_with_a_new_attempt_count_is_still_a_duplicate(http, store):
    payload = notification(id="notif_retry")
    await post(http, *signed(payload))
    payload["delivery_attempts"] = 2
    reply = await post(http, *signed(payload))
    assert reply.json()["status"] == "duplicate" and len(store.events()) == 1


async def test_a_topic_no_workflow_wants_is_acknowledged_but_queues_nothing(http, store, caplog):
    caplog.set_level(logging.INFO, "intercom_connector.triggers")
    reply = await post(http, *signed(notification("company.created", id="notif_x")))
    assert reply.status_code == 200 and reply.json()["status"] == "ignored"
    assert store.events() == [] and http.woken == []
    assert "notif_x (company.created): no hosted workflow wants it" in caplog.text


async def test_the_ping_notification_starts_nothing(http, store):
    reply = await post(http, *signed(notification("ping")))
    assert reply.status_code == 200 and store.events() == []


async def test_one_notification_is_queued_for_every_workflow_that_wants_it(store):
    routes = TopicRoutes.of(
        [("a", ["contact.user.created"]), ("b", ["*"]), ("c", ["contact.lead.*"])]
    )
    app = webhook_app(store, routes, SECRET)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://s"
    ) as http:
        reply = await post(http, *signed(notification("contact.user.created")))
    assert reply.json()["workflows"] == ["a", "b"]
    assert sorted(event.workflow for event in store.events()) == ["a", "b"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no X-Hub-Signature header"),
        ({"X-Hub-Signature": "sha1=" + "0" * 40}, "does not match the body"),
        ({"X-Hub-Signature": "sha256=" + "0" * 64}, "not of the form sha1=<hex>"),
    ],
    ids=["unsigned", "badly-signed", "wrong-algorithm"],
)
async def test_unsigned_or_badly_signed_deliveries_are_refused_with_401(
    http, store, caplog, headers, reason
):
    body = json.dumps(notification()).encode()
    reply = await post(http, body, {"Content-Type": "application/json", **headers})
    assert reply.status_code == 401 and reason in reply.json()["error"]
    assert store.events() == [] and http.woken == []
    assert "webhook refused (401)" in caplog.text and SECRET not in caplog.text


async def test_a_body_signed_with_another_secret_is_refused(http, store):
    reply = await post(http, *signed(notification(), secret="not-the-app-secret"))
    assert reply.status_code == 401 and store.events() == []


async def test_a_body_over_the_limit_is_refused_with_413_before_the_signature(http, store, caplog):
    big = notification(item={"type": "contact", "id": "c", "blob": "x" * LIMIT})
    reply = await post(http, *signed(big))
    assert reply.status_code == 413 and store.events() == []
    assert "webhook refused (413)" in caplog.text


async def test_a_streamed_body_without_length_is_cut_at_the_limit(http, store):
    async def chunks():
        for _ in range(LIMIT // 512 + 2):
            yield b"x" * 512

    reply = await http.post(
        WEBHOOK_PATH, content=chunks(), headers={"X-Hub-Signature": "sha1=" + "0" * 40}
    )
    assert reply.status_code == 413


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "the body is not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (
            json.dumps({"type": "event", "id": "n", "topic": "t", "data": {}}).encode(),
            "type is 'event'",
        ),
        (
            json.dumps({"type": "notification_event", "topic": "t", "data": {}}).encode(),
            "id is missing",
        ),
        (
            json.dumps({"type": "notification_event", "id": "n", "data": {}}).encode(),
            "topic is missing",
        ),
        (
            json.dumps({"type": "notification_event", "id": "n", "topic": "t"}).encode(),
            "data is missing",
        ),
        (b"\xff\xfe{}", "the body is not JSON"),
        ('{"type": "notification_event"}'.encode("utf-16"), "the body is not JSON"),
    ],
    ids=["text", "array", "wrong-type", "no-id", "no-topic", "no-data", "not-utf8", "utf16"],
)
async def test_signed_but_malformed_bodies_are_refused_with_400(http, store, body, reason):
    reply = await post(http, *signed(body))
    assert reply.status_code == 400 and reason in reply.json()["error"]
    assert store.events() == []


async def test_head_answers_ok_for_intercom_url_validation(http):
    assert (await http.head(WEBHOOK_PATH)).status_code == 200


async def test_health_lists_the_hosted_workflows(http):
    reply = await http.get("/healthz")
    assert reply.json() == {"status": "ok", "workflows": ["closed", "new-contacts"]}


async def test_a_queue_written_before_duplicates_were_counted_migrates_and_counts_them(home):
    from intercom_connector.home import database_path
    from intercom_connector.storage import open_database, schema_version
    from intercom_connector.workflow.triggers.store import SCHEMA

    old = open_database(database_path(), migrations={"triggers": (SCHEMA,)})
    old.execute(
        "INSERT INTO trigger_events (workflow, event_id, kind, received_at, event) "
        "VALUES ('new-contacts', 'notif_old', 'webhook', 1.0, '{}')"
    )
    old.close()
    with TriggerStore() as store:
        (event,) = store.events()
        assert (event.event_id, event.duplicates, event.last_duplicate_at) == ("notif_old", 0, None)
        store.record_notification(notification(id="notif_old"), "{}", ["new-contacts"], now=5.0)
        (event,) = store.events()
        assert (event.duplicates, event.last_duplicate_at) == (1, 5.0)
        assert schema_version(store._db, "triggers") == 2
