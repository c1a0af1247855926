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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.http.jsoncodec import loads

NOTIFICATION_TYPE = "notification_event"
PING_TOPIC = "ping"
"""Intercom's test notification from the Developer Hub: acknowledged, never a run."""


MAX_NESTING = 64
"""Objects and lists inside one another; Intercom's notifications use about ten."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""The only way a lone surrogate gets into parsed text: strict UTF-8 refuses encoded ones."""
ROUTES_KEPT = 1024
"""Topics whose matching workflows are remembered (a workflow set never changes)."""


class MalformedNotification(ValueError):
    """A signed body that is not a notification; the message says what is wrong."""


def escaped(text: str) -> str:
    """``text`` safe for one log line: control characters and lone surrogates escaped."""
    return text.encode("unicode_escape").decode("ascii")


def _check_values(value: Any) -> None:
    """Bounded nesting and real Unicode text throughout, without recursing.

    A run copies, seals and queries the notification recursively, so depth is bounded here;
    a lone surrogate (``"\\ud800"`` is valid JSON) cannot be stored as UTF-8.
    """
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            if depth > MAX_NESTING:
                raise MalformedNotification(f"the body nests deeper than {MAX_NESTING} levels")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, item in items:
                if isinstance(key, str):
                    pending.append((key, depth))
                pending.append((item, depth + 1))
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise MalformedNotification(
                    f"the body holds a lone surrogate ({escaped(node)[:60]}), not Unicode text"
                ) from None


def _plainly_bounded(body: bytes) -> bool:
    """Whether the body's bytes alone show what ``_check_values`` checks, at C speed.

    No more brackets than ``MAX_NESTING`` (counted inside strings too) cannot nest deeper,
    and no surrogate escape leaves no lone surrogate; most notifications pass, the rest
    are walked.
    """
    return (
        body.count(b"{") + body.count(b"[") <= MAX_NESTING
        and _SURROGATE_ESCAPE.search(body) is None
    )


def parse_notification(body: bytes) -> dict[str, Any]:
    try:
        body.decode("utf-8")  # strictly UTF-8, as the queue stores it
        value = loads(body)
    except RecursionError:
        raise MalformedNotification(f"the body nests deeper than {MAX_NESTING} levels") from None
    except (UnicodeDecodeError, ValueError) as error:  # ValueError: a 5,000-digit number
        raise MalformedNotification(f"the body is not JSON: {error}") from None
    if not _plainly_bounded(body):
        _check_values(value)
    if not isinstance(value, dict):
        raise MalformedNotification("the body is not a JSON object")
    if value.get("type") != NOTIFICATION_TYPE:
        raise MalformedNotification(f"type is {value.get('type')!r}, not {NOTIFICATION_TYPE!r}")
    for name in ("id", "topic"):
        if not isinstance(value.get(name), str) or not value[name].strip():
            raise MalformedNotification(f"{name} is missing or not a string")
        if _CONTROL.search(value[name]):
            raise MalformedNotification(
                f"{name} {escaped(value[name])[:80]!r} holds control characters"
            )
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
    _found: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, routes: Iterable[tuple[str, Iterable[str]]]) -> TopicRoutes:
        return cls({name: tuple(topics) for name, topics in routes})

    def workflows_for(self, topic: str) -> list[str]:
        found = self._found.get(topic)
        if found is None:
            found = tuple(
                name
                for name, patterns in self.patterns.items()
                if any(topic_matches(pattern, topic) for pattern in patterns)
            )
            if len(self._found) >= ROUTES_KEPT:
                self._found.clear()
            self._found[topic] = found
        return list(found)
