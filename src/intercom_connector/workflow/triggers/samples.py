"""A realistic notification for a topic, to try a webhook workflow with `run --event`.

The envelope is Intercom's (``notification_event`` with ``app_id``, ``id``, ``topic``,
``created_at``, ``delivery_attempts``, ``first_sent_at`` and ``data.item``), and the item
is a real object read through a client: the first contact, conversation or company of the
workspace (the seeded sandbox by default, so that `run --sandbox --event` then finds the
same ids), or a tag applied to a contact for ``contact.*.tag.*`` topics. Topics about
other objects get an item sampled from that object's schema.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Protocol

from intercom_connector.catalog.registry import Catalog
from intercom_connector.catalog.sample import SampleBuilder
from intercom_connector.errors import UsageError
from intercom_connector.workflow.model import TOPIC_PATTERN


class Calls(Protocol):
    async def call(self, name: str, data: dict[str, Any] | None = None) -> Any: ...


class UnknownTopic(UsageError):
    """A topic that is not one concrete notification topic."""


_FIRST_OF: dict[str, tuple[str, str, str | None]] = {
    # first part of the topic -> (list operation, list key, operation reading one in full)
    "contact": ("list_contacts", "data", "get_contact"),
    "user": ("list_contacts", "data", "get_contact"),
    "conversation": ("list_conversations", "conversations", "get_conversation"),
    "company": ("list_companies", "data", None),
}
_FULL_READ_FIELD = {"get_contact": "contact_id", "get_conversation": "conversation_id"}


async def sample_notification(
    client: Calls, catalog: Catalog, topic: str, *, now: int
) -> dict[str, Any]:
    if "*" in topic or not re.match(TOPIC_PATTERN, topic):
        raise UnknownTopic(
            f"{topic!r} is not a notification topic: lowercase parts separated by dots, "
            "without wildcards (conversation.admin.closed, contact.user.created)"
        )
    admin = await client.call("identify_admin")
    app_id = str(((admin or {}).get("app") or {}).get("id_code") or "sample_app")
    return {
        "type": "notification_event",
        "app_id": app_id,
        "id": f"notif_{uuid.uuid4()}",
        "topic": topic,
        "created_at": now,
        "delivery_attempts": 1,
        "first_sent_at": now,
        "data": {
            "type": "notification_event_data",
            "item": await _item(client, catalog, topic, now),
        },
    }


async def _item(client: Calls, catalog: Catalog, topic: str, now: int) -> dict[str, Any]:
    parts = topic.split(".")
    if parts[0] == "contact" and "tag" in parts[1:]:
        contact = await _first(client, "contact")
        tags = (await client.call("list_tags")).get("data") or []
        tag = tags[0] if tags else {"type": "tag", "id": "1", "name": "sample"}
        return {
            "type": "contact_tag",
            "created_at": now,
            "tag": tag,
            "contact": {"type": "contact", "id": (contact or {}).get("id")},
        }
    found = await _first(client, parts[0]) if parts[0] in _FIRST_OF else None
    if found is not None:
        return found
    schema = catalog.definitions.get(parts[0])
    if schema is None:
        return {"type": parts[0]}
    value = SampleBuilder(catalog.definitions).value(schema, parts[0])
    return value if isinstance(value, dict) else {"type": parts[0]}


async def _first(client: Calls, kind: str) -> dict[str, Any] | None:
    listing, key, full = _FIRST_OF[kind]
    reply = await client.call(listing, {"per_page": 1} if listing != "list_companies" else {})
    records = (reply or {}).get(key) or []
    if not records:
        return None
    record: dict[str, Any] = records[0]
    if full is None:
        return record
    detailed: dict[str, Any] = await client.call(full, {_FULL_READ_FIELD[full]: record["id"]})
    return detailed
