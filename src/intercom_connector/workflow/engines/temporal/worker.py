"""A worker process: one Temporal worker per authentication it holds, for runs and calls.

Every run names its authentication and lives on the task queue ``<task-queue>.auth.<name>``
(its workflow, its calls and the authentication's quota workflow), polled by each worker
that holds that authentication. Because a run's calls share its workflow's queue, the
server hands a batch it schedules straight back to the worker that scheduled it (eager
activity dispatch, when that worker has a free slot), sparing a round trip per batch;
otherwise any worker of the authentication takes it. The workers
share one rate limit through the authentication's quota workflow (``quota``): every request
a worker's client sends takes a permit leased from it, so however many workers share one
Intercom app, together they send at most the app's limit less one second's worth per
window (the margin covers one lease's burst and a lease's lifetime). Within a worker, the
client's own limiter also reads Intercom's ``X-RateLimit-Remaining``, which every worker
sees fall, so a burst is slowed where it happens.

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
from intercom_connector.workflow.engines.temporal.activities import (
    RECORD_SECONDS,
    CallActivities,
    ClientSource,
)
from intercom_connector.workflow.engines.temporal.interpreted import InterpretedWorkflow
from intercom_connector.workflow.engines.temporal.payloads import SealedPayloadCodec
from intercom_connector.workflow.engines.temporal.quota import QuotaWorkflow
from intercom_connector.workflow.engines.temporal.stored_outputs import register_reader

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
    """Batches of calls one worker runs at once."""
    requests_per_minute: float = DEFAULT_REQUESTS_PER_MINUTE
    """The Intercom app's limit, shared by every worker of the authentication."""
    identity: str | None = None
    window_seconds: float = RateLimitPolicy().window_seconds
    """The length of Intercom's rate-limit windows (10 s)."""

    @property
    def requests_per_second(self) -> float:
        """The shared quota's rate, less one second's worth per window (a lease's burst
        and lifetime), so that no window of ``window_seconds`` sees more than the limit."""
        share = max(0.0, 1.0 - 1.0 / self.window_seconds) if self.window_seconds > 1 else 0.5
        return self.requests_per_minute / 60 * share


def build_workers(
    client: Client, settings: WorkerSettings, clients: ClientSource, redactor: Redactor
) -> list[Worker]:
    load_catalog()  # load the catalog outside any workflow task: no I/O in the sandbox
    runner = SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )
    codec = client.data_converter.payload_codec
    sealed = codec if isinstance(codec, SealedPayloadCodec) else None
    activities = CallActivities(clients, redactor, sealed)
    return [
        Worker(
            client,
            task_queue=activity_queue(settings.task_queue, auth),
            workflows=[InterpretedWorkflow, QuotaWorkflow],
            workflow_runner=runner,
            activities=[activities.calls],
            max_concurrent_activities=settings.concurrency,
            max_heartbeat_throttle_interval=timedelta(seconds=RECORD_SECONDS),
            identity=settings.identity,
            graceful_shutdown_timeout=timedelta(seconds=5),
        )
        for auth in settings.auths
    ]


async def run_workers(workers: Sequence[Worker], stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or forever); shut every worker down on the way out."""
    loop = asyncio.get_running_loop()
    async with AsyncExitStack() as stack:
        codecs = {
            id(c): c
            for w in workers
            if isinstance(c := w.client.data_converter.payload_codec, SealedPayloadCodec)
        }
        for codec in codecs.values():  # workflow code reads stored outputs through them
            stack.callback(register_reader(codec.fetch, loop))
        for worker in workers:
            await stack.enter_async_context(worker)
        await (stop or asyncio.Event()).wait()
