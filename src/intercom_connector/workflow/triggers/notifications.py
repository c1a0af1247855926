"""Intercom notifications: their shape, and which hosted workflows a topic starts.

A notification is ``{type: "notification_event", id: "notif_...", topic, app_id,
created_at, data: {type: "notification_event_data", item: {...}}}``. Only what routing and
de-duplication need is required (``type``, ``id``, ``topic``, ``data``); the rest is passed
to the run untouched as ``$.steps.trigger``.

Topic patterns in workflow files match part by part; ``*`` stands for one part
(``contact.*.created`` matches ``contact.user.created`` and ``contact.lead.created``), and
a lone ``*`` matches every topic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

NOTIFICATION_TYPE = "notification_event"
PING_TOPIC = "ping"
"""Intercom's test notification from the Developer Hub: acknowledged, never a run."""


class MalformedNotification(ValueError):
    """A signed body that is not a notification; the message says what is wrong."""


def parse_notification(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))  # strictly UTF-8, as the queue stores it
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedNotification(f"the body is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise MalformedNotification("the body is not a JSON object")
    if value.get("type") != NOTIFICATION_TYPE:
        raise MalformedNotification(f"type is {value.get('type')!r}, not {NOTIFICATION_TYPE!r}")
    for name in ("id", "topic"):
        if not isinstance(value.get(name), str) or not value[name].strip():
            raise MalformedNotification(f"{name} is missing or not a string")
    if len(value["id"]) > 200:
        raise MalformedNotification("id is longer than 200 characters")
    if not isinstance(value.get("data"), dict):
        raise MalformedNotification("data is missing or not an object")
    return value


def topic_matches(pattern: str, topic: str) -> bool:
    if pattern == "*":
        return True
    wanted, given = pattern.split("."), topic.split(".")
    return len(wanted) == len(given) and all(
        part == "*" or part == have for part, have in zip(wanted, given, strict=True)
    )


@dataclass(frozen=True)
class TopicRoutes:
    """Workflow name -> its topic patterns."""

    patterns: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, routes: Iterable[tuple[str, Iterable[str]]]) -> TopicRoutes:
        return cls({name: tuple(topics) for name, topics in routes})

    def workflows_for(self, topic: str) -> list[str]:
        return [
            name
            for name, patterns in self.patterns.items()
            if any(topic_matches(pattern, topic) for pattern in patterns)
        ]
