"""The Triggers page: a webhook delivered twice to a real `serve` runs once; one duplicate."""

from __future__ import annotations

import asyncio
import re
import textwrap
from collections.abc import Iterator

import pytest
from ui_kit import PanelHandle, in_thread, sandbox_client

from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import RunLog, parse_workflow
from intercom_connector.workflow.triggers import (
    HostedWorkflow,
    TriggerServer,
    TriggerStore,
    bind,
    sign,
)

SECRET = "panel-test-secret"
WORKFLOW = """\
name: On new contact
trigger:
  webhook:
    topics: [contact.user.created]
steps:
  - id: seen
    map:
      contact: $.steps.trigger.data.item.id
"""
NOTIFICATION = (
    b'{"type": "notification_event", "app_id": "abc", "id": "notif_twice", '
    b'"topic": "contact.user.created", "created_at": 1767225600, '
    b'"data": {"type": "notification_event_data", "item": {"type": "contact", "id": "c-9"}}}'
)


async def _deliver_twice() -> list[str]:
    """Serve the workflow on a free port, post one signed notification twice, wait for its run."""
    loaded = parse_workflow(textwrap.dedent(WORKFLOW), "on-new-contact.yaml")
    async with sandbox_client() as client:
        server = TriggerServer([HostedWorkflow(loaded, client, {"sandbox": True})], secret=SECRET)
        serving = asyncio.create_task(server.serve(sock=bind("127.0.0.1", 0)))
        await server.ready.wait()
        assert server.endpoint is not None and server.dispatcher is not None
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature": sign(NOTIFICATION, SECRET),
        }
        async with httpx.AsyncClient(timeout=30) as http:
            replies = [
                (await http.post(server.endpoint, content=NOTIFICATION, headers=headers)).json()
                for _ in range(2)
            ]
        await server.dispatcher.idle()
        server.stop()
        await serving
    return [reply["status"] for reply in replies]


@pytest.fixture
def delivered_twice(panel: PanelHandle) -> Iterator[str]:
    """The one run the two deliveries started."""
    assert in_thread(lambda: asyncio.run(_deliver_twice())) == ["queued", "duplicate"]
    with RunLog() as log:
        (run,) = log.runs()
    yield run.run_id


def test_a_duplicate_delivery_is_counted_on_its_row_and_starts_no_run(delivered_twice):
    with TriggerStore() as store:
        (event,) = store.events()
        counts = store.state_counts()
    assert (event.run_id, event.state, event.duplicates) == (delivered_twice, "succeeded", 1)
    assert event.last_duplicate_at is not None and event.last_duplicate_at >= event.received_at
    assert counts == {"succeeded": 1, "duplicate": 1}


def test_the_triggers_page_shows_the_duplicate_and_links_the_run(panel, delivered_twice):
    with httpx.Client(timeout=30) as http:
        page = http.get(panel.url("/triggers"), follow_redirects=True)
    assert page.status_code == 200
    html = " ".join(page.text.split())
    assert f'<a href="/runs/{delivered_twice}">' in html
    for state in ("duplicate", "succeeded"):  # the tally
        assert re.search(rf'data-state="{state}"><span [^>]*>{state}</span> <b>1</b>', html)
    assert re.search(r'<td class="duplicates">1 <span', html), "the row shows 1 duplicate"
