"""Trying a webhook or schedule workflow once, from the command line, without `serve`.

`run FILE --event sample.json` runs a webhook workflow with that notification as
``$.steps.trigger``; `run FILE --now` runs a schedule workflow for its latest slot, as if
the clock had just reached it. A triggered workflow run without either is refused before
any client opens, so nothing reaches Intercom: its steps read ``$.steps.trigger``, which
only an event provides.
"""

from __future__ import annotations

import json
from typing import Any

from intercom_connector.errors import UsageError
from intercom_connector.workflow.loader import LoadedWorkflow
from intercom_connector.workflow.model import ScheduleTrigger, WebhookTrigger
from intercom_connector.workflow.triggers.events import run_definition, schedule_event
from intercom_connector.workflow.triggers.notifications import (
    MalformedNotification,
    parse_notification,
    topic_matches,
)
from intercom_connector.workflow.triggers.schedule import schedule_of


class TriggerRunRefused(UsageError):
    """A run whose trigger needs an event it was not given (or one it cannot take)."""


def _file(loaded: LoadedWorkflow) -> str:
    return loaded.file or "the workflow"


def event_for_run(
    loaded: LoadedWorkflow, *, event: Any = None, now: float | None = None
) -> dict[str, Any] | None:
    """The event a one-off run of ``loaded`` starts from (None for a manual workflow)."""
    trigger = loaded.workflow.trigger
    file = _file(loaded)
    if isinstance(trigger, WebhookTrigger):
        topics = trigger.webhook.topics
        if now is not None:
            raise TriggerRunRefused(
                f"{file} is started by webhook notifications, not a schedule: give one with "
                f"--event FILE (`intercom-connector webhook sample {topics[0]} > event.json`)"
            )
        if event is None:
            raise TriggerRunRefused(
                f"{file} is started by webhook notifications ({', '.join(topics)}), so its "
                f"steps read $.steps.trigger: host it with `intercom-connector serve {file}`, "
                f"or try it once with --event FILE "
                f"(`intercom-connector webhook sample {topics[0]} > event.json`)"
            )
        return _notification(event, topics, file)
    if isinstance(trigger, ScheduleTrigger):
        if event is not None:
            if not isinstance(event, dict):
                raise TriggerRunRefused("--event must hold a JSON object")
            return event
        if now is None:
            raise TriggerRunRefused(
                f"{file} runs on a schedule, so its steps read $.steps.trigger: host it with "
                f"`intercom-connector serve {file}`, or run it once for the latest slot "
                "with --now"
            )
        schedule = schedule_of(trigger.schedule)
        slot = schedule.latest_at_or_before(now)
        return schedule_event(loaded.workflow.name, schedule, slot, fired_at=now)
    if event is not None or now is not None:
        raise TriggerRunRefused(
            f"{file} has a manual trigger: --event and --now are for webhook and schedule workflows"
        )
    return None


def _notification(event: Any, topics: list[str], file: str) -> dict[str, Any]:
    try:
        notification = parse_notification(json.dumps(event).encode("utf-8"))
    except MalformedNotification as error:
        raise TriggerRunRefused(f"--event is not an Intercom notification: {error}") from None
    topic = notification["topic"]
    if not any(topic_matches(pattern, topic) for pattern in topics):
        raise TriggerRunRefused(
            f"--event has topic {topic!r}, which does not start {file} "
            f"(its topics: {', '.join(topics)})"
        )
    return notification


def with_event(loaded: LoadedWorkflow, event: dict[str, Any] | None) -> LoadedWorkflow:
    """The definition a one-off run executes: the file, plus the event when there is one."""
    return loaded if event is None else run_definition(loaded, event)
