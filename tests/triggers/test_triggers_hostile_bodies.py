"""Hostile bodies with a valid signature get a 4xx with a reason, or a run; never a 500.

Whoever holds the client secret (or Intercom, on a bad day) can send anything. Each case is
a body and the status and reason it must get; the log line of every delivery is one line.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from triggers_kit import (
    SECRET,
    eventually,
    hosted,
    new_sandbox,
    notification,
    sandbox_client,
    signed,
    workflow,
)

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import RunLog
from intercom_connector.workflow.triggers import (
    WEBHOOK_PATH,
    TopicRoutes,
    TriggerServer,
    TriggerStore,
    bind,
    webhook_app,
)
from intercom_connector.workflow.triggers.notifications import MAX_NESTING

pytestmark = pytest.mark.timeout(60)

ROUTES = TopicRoutes.of([("watch", ["*"])])


def _nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _nested_item(depth: int) -> dict[str, Any]:
    item: dict[str, Any] = {"id": "c-1"}
    for _ in range(depth):
        item = {"inner": item}
    return item


def _with_huge_number(digits: int) -> bytes:
    body = json.dumps(notification(id="notif_number")).encode()
    created = b'"created_at": 1767225600'
    assert created in body
    return body.replace(created, b'"created_at": ' + b"9" * digits)


HOSTILE_BODIES: list[tuple[str, bytes, int, str]] = [
    ("nested-5000", _nested_json(5_000), 400, f"the body nests deeper than {MAX_NESTING} levels"),
    (
        "nested-100000",
        _nested_json(100_000),
        400,
        f"the body nests deeper than {MAX_NESTING} levels",
    ),
    (
        "integer-10000-digits",
        _with_huge_number(10_000),
        400,
        "the body is not JSON: Exceeds the limit (4300 digits)",
    ),
    (
        "lone-surrogate-in-id",
        json.dumps(notification(id="notif_\ud800")).encode(),
        400,
        "the body holds a lone surrogate (notif_\\ud800), not Unicode text",
    ),
    (
        "lone-surrogate-in-item",
        json.dumps(notification(item={"id": "c-1", "name": "\udfff"})).encode(),
        400,
        "the body holds a lone surrogate",
    ),
    (
        "item-nested-900",
        json.dumps(notification(item=_nested_item(900))).encode(),
        400,
        f"the body nests deeper than {MAX_NESTING} levels",
    ),
    (
        "topic-with-newline",
        json.dumps(notification(topic="contact.user.created\nFAKE log line")).encode(),
        400,
        "topic 'contact.user.created\\\\nFAKE log line' holds control characters",
    ),
    (
        "id-with-escape-sequence",
        json.dumps(notification(id="notif_\x1b[31mred")).encode(),
        400,
        "holds control characters",
    ),
]


@pytest.fixture
async def http(store: TriggerStore) -> AsyncIterator[httpx.AsyncClient]:
    app = webhook_app(store, ROUTES, SECRET)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://serve"
    ) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [pytest.param(*case[1:], id=case[0]) for case in HOSTILE_BODIES],
)
async def test_a_signed_hostile_body_gets_a_4xx_with_its_reason(
    http, store, caplog, body: bytes, status: int, reason: str
) -> None:
    raw, headers = signed(body)
    with caplog.at_level(logging.INFO, logger="intercom_connector.triggers"):
        reply = await http.post(WEBHOOK_PATH, content=raw, headers=headers)
    assert reply.status_code == status
    assert reason in reply.json()["error"]
    assert store.events() == []
    assert all("\n" not in record.getMessage() for record in caplog.records)


async def test_a_deeply_nested_item_within_the_limit_starts_a_run(home) -> None:
    deep = notification(item=_nested_item(MAX_NESTING - 4), id="notif_deep")
    watch = """
        name: watch
        trigger:
          webhook:
            topics: [contact.user.created]
        steps:
          - {id: seen, map: {item: $.steps.trigger.data.item}}
    """
    async with sandbox_client(new_sandbox()) as client:
        server = TriggerServer([hosted(workflow(watch), client)], secret=SECRET)
        serving = asyncio.create_task(server.serve(sock=bind("127.0.0.1", 0)))
        await server.ready.wait()
        assert server.endpoint is not None
        try:
            raw, headers = signed(deep)
            async with httpx.AsyncClient(timeout=20) as posting:
                reply = await posting.post(server.endpoint, content=raw, headers=headers)
            with RunLog() as runlog:
                await eventually(lambda: any(r.status != "running" for r in runlog.runs()))
                statuses = [run.status for run in runlog.runs()]
        finally:
            server.stop()
            await serving
    assert reply.status_code == 200
    assert statuses == ["succeeded"]
