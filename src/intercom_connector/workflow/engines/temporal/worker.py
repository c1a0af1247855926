"""A worker process: the interpreted workflow on the run queue, calls on one queue per auth.

Every run names its authentication, and its calls go to the task queue
``<task-queue>.auth.<name>``. Each worker that holds that authentication polls the queue
with Temporal's task-queue rate limit (``max_task_queue_activities_per_second``), which the
Temporal server enforces for the queue as a whole: however many workers share one
Intercom app, together they start at most that many calls a second. The rate is the app's
limit less one second's worth per window, the burst Temporal's token bucket allows on top
(measured: at the full rate, three workers met 429s in 1-second windows). Within a worker, the
client's own limiter also reads Intercom's ``X-RateLimit-Remaining``, which every worker
sees fall, so a burst is slowed where it happens. (An ``all: true`` listing is one call
that sends one request per page; its pages are paced by the worker's client.)

Workflows run in Temporal's sandbox; the project's modules pass through it (they are
deterministic by design: the interpreter does no I/O, and the catalog is loaded before the
first workflow task).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.http.ratelimit import RateLimitPolicy
from intercom_connector.redaction import Redactor
from intercom_connector.workflow.engines.temporal.activities import CallActivities, ClientSource
from intercom_connector.workflow.engines.temporal.interpreted import InterpretedWorkflow

PASSED_THROUGH = (
    "intercom_connector",
    "pydantic",
    "pydantic_core",
    "jsonpath",
    "yaml",
    "jsonschema",
    "jsonschema_specifications",
    "referencing",
    "rpds",
    "attrs",
    "re2",
)

DEFAULT_REQUESTS_PER_MINUTE = RateLimitPolicy().requests_per_minute or 10_000


def activity_queue(task_queue: str, auth: str) -> str:
    return f"{task_queue}.auth.{auth}"


@dataclass(frozen=True)
class WorkerSettings:
    task_queue: str
    auths: Sequence[str]
    concurrency: int = 16
    """Calls one worker runs at once."""
    requests_per_minute: float = DEFAULT_REQUESTS_PER_MINUTE
    """The Intercom app's limit, shared by every worker of the authentication."""
    identity: str | None = None
    window_seconds: float = RateLimitPolicy().window_seconds
    """The length of Intercom's rate-limit windows (10 s)."""

    @property
    def activities_per_second(self) -> float:
        """The queue's rate, less the one second of burst Temporal's token bucket allows,
        so that no window of ``window_seconds`` ever sees more than the app's limit."""
        share = max(0.0, 1.0 - 1.0 / self.window_seconds) if self.window_seconds > 1 else 0.5
        return self.requests_per_minute / 60 * share


def build_workers(
    client: Client, settings: WorkerSettings, clients: ClientSource, redactor: Redactor
) -> list[Worker]:
    load_catalog()  # load the catalog outside any workflow task: no I/O in the sandbox
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )
    workers = [
        Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[InterpretedWorkflow],
            workflow_runner=runner,
            identity=settings.identity,
            graceful_shutdown_timeout=timedelta(seconds=5),
        )
    ]
    activities = CallActivities(clients, redactor)
    for auth in settings.auths:
        workers.append(
            Worker(
                client,
                task_queue=activity_queue(settings.task_queue, auth),
                activities=[activities.call],
                max_concurrent_activities=settings.concurrency,
                max_task_queue_activities_per_second=settings.activities_per_second,
                identity=settings.identity,
                graceful_shutdown_timeout=timedelta(seconds=5),
            )
        )
    return workers


async def run_workers(workers: Sequence[Worker], stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or forever); shut every worker down on the way out."""
    async with AsyncExitStack() as stack:
        for worker in workers:
            await stack.enter_async_context(worker)
        await (stop or asyncio.Event()).wait()
