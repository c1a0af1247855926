"""Signed notifications for the sandbox's own events, sent the way Intercom sends them.

With ``SandboxConfig(webhook_url=...)`` (or ``Sandbox.subscribe``), a successful API write
that Intercom would notify about POSTs a ``notification_event`` to that URL, signed with
``X-Hub-Signature: sha1=<HMAC-SHA1 of the body>`` keyed with ``webhook_secret`` (by
default the first OAuth app's client secret, as at Intercom, where the key is the app's
client secret). Delivery happens in a background task after the API reply is built: it
never delays the reply nor fails it; a refused or failed delivery is retried a few times
(the same notification id, ``delivery_attempts`` counting up) and then dropped and logged.

Topics follow the 2.x webhook models: ``contact.user.created`` / ``contact.lead.created``,
``contact.user.tag.created`` / ``contact.lead.tag.created``, ``contact.deleted``,
``contact.archived``, ``conversation.user.created``, ``conversation.user.replied``,
``conversation.admin.replied`` / ``noted`` / ``closed`` / ``opened`` / ``snoozed`` /
``assigned``, ``conversation.deleted``. Nothing here imports workflow code: signing is
the few lines of ``hmac`` below.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from intercom_connector.httpx_lib import httpx

from .call import Call
from .replies import Reply
from .state import SandboxState

logger = logging.getLogger(__name__)

RETRY_DELAYS = (0.2, 1.0, 3.0)
"""Waits before the second, third and fourth attempt."""
TIMEOUT_SECONDS = 5.0

_MANAGE_TOPICS = {
    "close": "conversation.admin.closed",
    "open": "conversation.admin.opened",
    "snoozed": "conversation.admin.snoozed",
    "assignment": "conversation.admin.assigned",
}


@dataclass(frozen=True)
class Delivery:
    """One notification's fate, kept for tests and the curious."""

    id: str
    topic: str
    url: str
    attempts: int
    status: int | None
    """The last HTTP status, or None when no reply came."""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _reply_json(reply: Reply) -> dict[str, Any]:
    try:
        value = json.loads(reply.body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _contact_role(state: SandboxState, contact_id: str) -> str:
    contact = state.contacts.get(contact_id)
    return contact.role if contact is not None else "user"


def notification_for(
    state: SandboxState, operation: str, call: Call, reply: Reply
) -> tuple[str, dict[str, Any]] | None:
    """(topic, item) of the notification a successful operation causes, if any."""
    body = _reply_json(reply)
    data = call.data
    if operation == "create_contact":
        return f"contact.{body.get('role', 'user')}.created", body
    if operation == "delete_contact":
        return "contact.deleted", body
    if operation == "archive_contact":
        return "contact.archived", body
    if operation == "attach_tag_to_contact":
        contact_id = call.path["contact_id"]
        item = {
            "type": "contact_tag",
            "created_at": state.now(),
            "tag": body,
            "contact": {"type": "contact", "id": contact_id},
        }
        return f"contact.{_contact_role(state, contact_id)}.tag.created", item
    if operation == "create_conversation":
        return "conversation.user.created", body
    if operation == "delete_conversation":
        return "conversation.deleted", body
    if operation == "reply_to_conversation":
        if data.get("type") != "admin":
            return "conversation.user.replied", body
        noted = data.get("message_type") == "note"
        return ("conversation.admin.noted" if noted else "conversation.admin.replied"), body
    if operation == "manage_conversation":
        topic = _MANAGE_TOPICS.get(str(data.get("message_type")))
        return (topic, body) if topic else None
    return None


def sign(body: bytes, secret: str) -> str:
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


class WebhookSender:
    """Builds, signs and delivers notifications in the background."""

    def __init__(self, state: Callable[[], SandboxState]) -> None:
        self._state = state
        self._tasks: set[asyncio.Task[None]] = set()
        self.deliveries: list[Delivery] = []

    def observe(self, operation: str, call: Call, reply: Reply) -> None:
        """Called after a successful write; queues its notification, if it has one."""
        state = self._state()
        config = state.config
        if not config.webhook_url or not 200 <= reply.status < 300:
            return
        found = notification_for(state, operation, call, reply)
        if found is None:
            return
        topic, item = found
        if config.webhook_topics and topic not in config.webhook_topics:
            return
        secret = config.webhook_secret or config.oauth_clients[0].client_secret
        notification = {
            "type": "notification_event",
            "app_id": state.workspace.id_code,
            "id": f"notif_{uuid.uuid4()}",
            "topic": topic,
            "created_at": state.now(),
            "delivery_attempts": 1,
            "first_sent_at": state.now(),
            "data": {"type": "notification_event_data", "item": item},
        }
        task = asyncio.get_running_loop().create_task(
            self._deliver(config.webhook_url, secret, notification)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, secret: str, notification: dict[str, Any]) -> None:
        status: int | None = None
        attempts = 0
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            for attempt, delay in enumerate((0.0, *RETRY_DELAYS), start=1):
                if delay:
                    await asyncio.sleep(delay)
                attempts = attempt
                notification["delivery_attempts"] = attempt
                body = json.dumps(notification, separators=(",", ":")).encode()
                headers = {
                    "Content-Type": "application/json",
                    "X-Hub-Signature": sign(body, secret),
                    "User-Agent": "intercom-sandbox-webhooks",
                }
                try:
                    status = (await http.post(url, content=body, headers=headers)).status_code
                except httpx.HTTPError as error:
                    status = None
                    logger.warning("webhook %s to %s failed: %s", notification["id"], url, error)
                    continue
                if 200 <= status < 300 or status in (400, 401, 413):
                    break  # delivered, or refused for a reason a retry cannot fix
        delivery = Delivery(notification["id"], notification["topic"], url, attempts, status)
        self.deliveries.append(delivery)
        if not delivery.delivered:
            logger.warning(
                "webhook %s (%s) not delivered after %d attempts (last status %s)",
                delivery.id,
                delivery.topic,
                attempts,
                status,
            )

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for deliveries in flight (tests; a clean shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
