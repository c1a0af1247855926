"""The sandbox sends signed notifications of its own events, like Intercom, never in the way."""

from __future__ import annotations

import json

import pytest
from triggers_kit import Recorder, eventually, new_sandbox, serving

from intercom_connector.sandbox import Sandbox
from intercom_connector.workflow.triggers import parse_notification, verify


async def admin_id(http) -> str:
    return (await http.get("/me")).json()["id"]


async def first_conversation(http) -> str:
    return (await http.get("/conversations", params={"per_page": 1})).json()["conversations"][0][
        "id"
    ]


async def topics_after(sandbox: Sandbox, recorder: Recorder, count: int) -> list[str]:
    await eventually(lambda: len(sandbox.webhooks.deliveries) >= count)
    return [parse_notification(body)["topic"] for body, _ in recorder.received]


async def test_sandbox_events_become_signed_notifications():
    recorder = Recorder()
    sandbox = new_sandbox()
    async with serving(recorder) as url, sandbox.async_client() as http:
        sandbox.subscribe(url)
        contact = (await http.post("/contacts", json={"email": "ada@example.com"})).json()
        lead = (await http.post("/contacts", json={"role": "lead", "name": "Lee"})).json()
        conversation, admin = await first_conversation(http), await admin_id(http)
        base = f"/conversations/{conversation}"
        await http.post(
            f"{base}/reply",
            json={"type": "admin", "admin_id": admin, "message_type": "comment", "body": "hi"},
        )
        await http.post(
            f"{base}/reply",
            json={"type": "admin", "admin_id": admin, "message_type": "note", "body": "fyi"},
        )
        await http.post(
            f"{base}/parts", json={"type": "admin", "admin_id": admin, "message_type": "close"}
        )
        tag = (await http.post("/tags", json={"name": "vip"})).json()
        await http.post(f"/contacts/{contact['id']}/tags", json={"id": tag["id"]})
        topics = await topics_after(sandbox, recorder, 6)
    assert topics == [
        "contact.user.created",
        "contact.lead.created",
        "conversation.admin.replied",
        "conversation.admin.noted",
        "conversation.admin.closed",
        "contact.user.tag.created",
    ]
    first_body, first_headers = recorder.received[0]
    verify(
        first_body, sandbox.config.oauth_clients[0].client_secret, first_headers["x-hub-signature"]
    )
    created = json.loads(first_body)
    assert created["data"]["item"]["id"] == contact["id"] and created["id"].startswith("notif_")
    assert created["app_id"] == sandbox.state.workspace.id_code
    assert json.loads(recorder.received[1][0])["data"]["item"]["id"] == lead["id"]
    closed = json.loads(recorder.received[4][0])["data"]["item"]
    assert closed["id"] == conversation and closed["state"] == "closed"


async def test_only_the_subscribed_topics_are_sent_with_the_given_secret():
    recorder = Recorder()
    sandbox = new_sandbox()
    async with serving(recorder) as url, sandbox.async_client() as http:
        sandbox.subscribe(url, "own-secret", ("contact.lead.created",))
        await http.post("/contacts", json={"email": "ada@example.com"})
        await http.post("/contacts", json={"role": "lead"})
        await topics_after(sandbox, recorder, 1)
    ((body, headers),) = recorder.received
    assert parse_notification(body)["topic"] == "contact.lead.created"
    verify(body, "own-secret", headers["x-hub-signature"])


async def test_a_failed_delivery_is_retried_with_the_same_notification_id(monkeypatch):
    monkeypatch.setattr("intercom_connector.sandbox.webhooks.RETRY_DELAYS", (0.01, 0.01, 0.01))
    recorder = Recorder(statuses=[500, 503, 200])
    sandbox = new_sandbox()
    async with serving(recorder) as url, sandbox.async_client() as http:
        sandbox.subscribe(url)
        await http.post("/contacts", json={"email": "ada@example.com"})
        await eventually(lambda: len(sandbox.webhooks.deliveries) == 1)
    (delivery,) = sandbox.webhooks.deliveries
    assert (delivery.attempts, delivery.status, delivery.delivered) == (3, 200, True)
    sent = [json.loads(body) for body, _ in recorder.received]
    assert {item["id"] for item in sent} == {delivery.id}
    assert [item["delivery_attempts"] for item in sent] == [1, 2, 3]


async def test_an_unreachable_endpoint_never_fails_the_api_reply(monkeypatch, caplog):
    monkeypatch.setattr("intercom_connector.sandbox.webhooks.RETRY_DELAYS", (0.01,))
    sandbox = new_sandbox()
    sandbox.subscribe("http://127.0.0.1:9/unreachable")
    async with sandbox.async_client() as http:
        reply = await http.post("/contacts", json={"email": "ada@example.com"})
        assert reply.status_code == 200
        await sandbox.webhooks.drain()
    (delivery,) = sandbox.webhooks.deliveries
    assert not delivery.delivered and delivery.attempts == 2
    assert "not delivered after 2 attempts" in caplog.text


@pytest.mark.parametrize("subscribed", [False, True])
async def test_reads_and_failed_writes_send_nothing(subscribed):
    recorder = Recorder()
    sandbox = new_sandbox()
    async with serving(recorder) as url, sandbox.async_client() as http:
        if subscribed:
            sandbox.subscribe(url)
        await http.get("/contacts")
        assert (await http.post("/contacts", json={"role": "admin"})).status_code == 400
        await sandbox.webhooks.drain()
    assert recorder.received == [] and sandbox.webhooks.deliveries == []
