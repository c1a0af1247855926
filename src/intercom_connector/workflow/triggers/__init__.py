"""Webhook and schedule triggers, and the `serve` process that hosts them.

One concern per module:

- ``signature``      ``X-Hub-Signature`` (HMAC-SHA1 of the raw body), constant-time check
- ``notifications``  the notification shape, topic patterns and routing
- ``store``          the durable queue of trigger events and the schedule state (SQLite)
- ``receiver``       the webhook endpoint (starlette): verify, record, acknowledge
- ``cron``           five-field cron in a time zone; ``schedule``: slots of a trigger
- ``clock``          the scheduler's injectable clock (system, or fake for tests)
- ``scheduler``      slots -> queued events: missed slots once, no overlap
- ``events``         the event made into the run's definition (``$.steps.trigger``)
- ``dispatcher``     queued events -> runs; recovery after a crash
- ``server``         all of it in one asyncio process, with graceful shutdown
"""

from typing import TYPE_CHECKING

from intercom_connector.lazy_import import attach

if TYPE_CHECKING:
    from intercom_connector.workflow.triggers.clock import FakeClock, SchedulerClock, SystemClock
    from intercom_connector.workflow.triggers.cron import (
        Cron,
        CronSyntaxError,
        next_after,
        parse_cron,
        previous_before,
    )
    from intercom_connector.workflow.triggers.dispatcher import Dispatcher, HostedWorkflow, RunEnded
    from intercom_connector.workflow.triggers.events import run_definition, schedule_event
    from intercom_connector.workflow.triggers.notifications import (
        MalformedNotification,
        TopicRoutes,
        parse_notification,
        topic_matches,
    )
    from intercom_connector.workflow.triggers.receiver import (
        DEFAULT_MAX_BODY,
        WEBHOOK_PATH,
        webhook_app,
    )
    from intercom_connector.workflow.triggers.schedule import Schedule, schedule_of
    from intercom_connector.workflow.triggers.scheduler import Firing, ScheduledWorkflow, Scheduler
    from intercom_connector.workflow.triggers.server import (
        DEFAULT_HOST,
        DEFAULT_PORT,
        ServeOptions,
        ServeProblem,
        TriggerServer,
        bind,
        check_servable,
    )
    from intercom_connector.workflow.triggers.signature import (
        SIGNATURE_HEADER,
        SignatureRejected,
        sign,
        verify,
    )
    from intercom_connector.workflow.triggers.store import (
        Owner,
        ScheduleState,
        TriggerEvent,
        TriggerStore,
    )

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_MAX_BODY",
    "DEFAULT_PORT",
    "SIGNATURE_HEADER",
    "WEBHOOK_PATH",
    "Cron",
    "CronSyntaxError",
    "Dispatcher",
    "FakeClock",
    "Firing",
    "HostedWorkflow",
    "MalformedNotification",
    "Owner",
    "RunEnded",
    "Schedule",
    "ScheduleState",
    "ScheduledWorkflow",
    "Scheduler",
    "SchedulerClock",
    "ServeOptions",
    "ServeProblem",
    "SignatureRejected",
    "SystemClock",
    "TopicRoutes",
    "TriggerEvent",
    "TriggerServer",
    "TriggerStore",
    "bind",
    "check_servable",
    "next_after",
    "parse_cron",
    "parse_notification",
    "previous_before",
    "run_definition",
    "schedule_event",
    "schedule_of",
    "sign",
    "topic_matches",
    "verify",
    "webhook_app",
]

__getattr__, __dir__ = attach(__name__, __file__)
