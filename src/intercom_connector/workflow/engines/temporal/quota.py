"""One rate limit per authentication across every worker: permits leased from a workflow.

Calls travel in batches (one activity carries every call a workflow task issued), so
Temporal's task-queue rate limit, which counts activities, cannot count requests. Instead
each authentication has a small long-lived workflow, ``QuotaWorkflow`` (id
``<task-queue>.auth.<name>.quota``, on that queue), that hands out *leases*: "send up to N
requests from time T". It keeps one number, when the next permit is free, and moves it on
by N / rate for each lease, so however many workers ask, together they start at most
``rate`` requests a second plus one lease's burst. Every request a worker sends (each page
of an ``all: true`` listing, each retry, each settlement lookup) takes a permit, because
the worker's client draws from ``QuotaLimiter``.

A worker asks for ``LEASE_SIZE`` permits at a time, and for the next lease while half of
the current one is left, so one update serves a burst of calls; a permit not used within
``LEASE_LIFETIME`` of its start is dropped, which bounds what an idle worker can save up.
The lease is an update with start (``USE_EXISTING``): the first worker to ask starts the
quota workflow, and a lease that meets it between two runs of a continue-as-new is simply
asked again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import workflow
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

with workflow.unsafe.imports_passed_through():
    from intercom_connector.http.ratelimit import RateLimiter, RateLimitPolicy
    from intercom_connector.workflow.engines.temporal.messages import (
        LEASE_UPDATE,
        QUOTA_WORKFLOW,
        Lease,
        QuotaState,
    )

LEASE_SIZE = 16
LEASE_LIFETIME = 0.5
"""Seconds a lease's permits stay usable after its start."""
LEASES_PER_RUN = 400
"""Leases one run of the quota workflow grants before it continues as new (~5 events each)."""
LEASE_ATTEMPTS = 50


@workflow.defn(name=QUOTA_WORKFLOW)
class QuotaWorkflow:
    @workflow.init
    def __init__(self, state: QuotaState) -> None:
        self.next_free = state.next_free
        self.granted = 0

    @workflow.run
    async def run(self, state: QuotaState) -> None:
        await workflow.wait_condition(
            lambda: self.granted >= LEASES_PER_RUN or workflow.info().is_continue_as_new_suggested()
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(QuotaState(self.next_free))

    @workflow.update(name=LEASE_UPDATE)
    def lease(self, count: int, per_second: float) -> Lease:
        now = workflow.now().timestamp()
        start = max(now, self.next_free)
        self.next_free = start + count / per_second
        self.granted += 1
        return Lease(count, start)

    @lease.validator
    def _valid(self, count: int, per_second: float) -> None:
        if count < 1 or per_second <= 0:
            raise ValueError(f"a lease needs a count >= 1 and a rate > 0 ({count}, {per_second})")


Leaser = Callable[[int], Awaitable[Lease]]


def leaser(client: Client, task_queue: str, per_second: float) -> Leaser:
    """Ask the authentication's quota workflow (starting it if need be) for permits;
    ``task_queue`` is the authentication's own queue."""
    workflow_id = f"{task_queue}.quota"

    async def lease(count: int) -> Lease:
        last: Exception | None = None
        for attempt in range(LEASE_ATTEMPTS):
            start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
                QUOTA_WORKFLOW,
                QuotaState(),
                id=workflow_id,
                task_queue=task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
            try:
                return await client.execute_update_with_start_workflow(
                    LEASE_UPDATE,
                    args=[count, per_second],
                    start_workflow_operation=start,
                    result_type=Lease,
                )
            except (RPCError, WorkflowUpdateFailedError) as error:
                last = error  # between two runs of a continue-as-new, or the server restarting
                await asyncio.sleep(min(0.05 * (attempt + 1), 1.0))
        raise RuntimeError(f"no rate-limit lease from {workflow_id}: {last}")

    return lease


class QuotaLimiter(RateLimiter):
    """The client's own limiter, then a permit from the shared quota, before every request.

    The next lease is asked for while half of the current one is still unused, so a
    steady stream of requests rarely waits for the quota workflow's answer."""

    def __init__(
        self, policy: RateLimitPolicy, lease: Leaser, *, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(policy, clock=clock)
        self._lease = lease
        self._now = clock
        self._permits = 0
        self._expires = 0.0
        self._next: asyncio.Task[None] | None = None

    async def acquire(self, on_wait: Callable[[float], None] | None = None) -> None:
        await super().acquire(on_wait)
        while True:
            if self._permits and self._now() >= self._expires:
                self._permits = 0  # a lease unused for its lifetime is given up
            if self._permits <= LEASE_SIZE // 2 and self._next is None:
                self._next = asyncio.create_task(self._take_lease())
            if self._permits:
                self._permits -= 1
                return
            assert self._next is not None
            await asyncio.shield(self._next)

    async def _take_lease(self) -> None:
        try:
            lease = await self._lease(LEASE_SIZE)
            delay = lease.start - self._now()
            if delay > 0:
                await asyncio.sleep(delay)
            self._permits += lease.count
            self._expires = max(lease.start, self._now()) + LEASE_LIFETIME
        finally:
            self._next = None
