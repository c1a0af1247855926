"""Partitioned listing: one search cut into disjoint `created_at` windows, paged at once.

A cursor listing waits a round trip per page; the rate limit allows ~166 requests a second.
Cutting the search space into partitions that share no record and paging them concurrently
(all under the client's one rate limiter) lists at the rate limit instead of the latency.

Windows are whole days. Intercom matches contact dates by calendar day in the workspace's
time zone and other resources by the exact second, so a window's bounds are written so that
both readings cut the same line: the lower bound is ``created_at > P OR created_at = P`` and
the upper bound ``created_at < Q``, with P and Q at noon UTC of their day (noon lands on the
same calendar day in every time zone, DST included). Consecutive windows share their bound,
the first has no lower and the last no upper bound, so every record falls in exactly one.

Planning (``partition_planner.py``) counts windows with one-record probes and cuts them until
each holds about ``total / parallel`` records; each partition is paged as soon as it is
final, so the pagers start after the first round of probes, not after the whole plan.

Exactly once: the window field is immutable and each partition is paged in `created_at`
order, so a record that existed throughout the listing is met once. A record can only be
met twice if it changed while the listing ran (the server moved it), so ids are kept only
for records whose `updated_at` is at or after the listing's start (less a clock-skew
margin): the memory is that of the records written during the listing, not of the listing.
Pages travel through a queue of ``parallel`` slots, so memory is bounded by the concurrency.
A partition whose request fails after the client's own retries is resumed from its cursor,
up to ``partition_attempts`` times; then the listing fails with `PartitionFailed`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from .collector import young_collections_spaced
from .errors import IntercomError, TransientError
from .paginators import PaginationSpec, make_paginator
from .partition_bounds import (
    DAY,
    NOON,
    ChangedRecords,
    Partition,
    PartitioningUnavailable,
    PartitionScheme,
    compose_query,
)
from .partition_planner import PartitionPlanner
from .request import RequestSpec

if TYPE_CHECKING:
    from .client import AsyncApiClient

__all__ = [
    "DAY",
    "NOON",
    "ChangedRecords",
    "Partition",
    "PartitionFailed",
    "PartitionScheme",
    "PartitionedListing",
    "PartitioningUnavailable",
    "compose_query",
]

CLOCK_SKEW = 300.0


class PartitionFailed(IntercomError):
    """A partition could not be listed after its retries; the listing stops with this."""


class PartitionedListing:
    """One partitioned walk over a search operation's records; make a fresh one per walk."""

    def __init__(
        self,
        api: AsyncApiClient,
        request: RequestSpec,
        pagination: PaginationSpec,
        scheme: PartitionScheme,
        *,
        parallel: int,
        per_page: int = 150,
        partition_attempts: int = 3,
        clock: Any = time.time,
    ) -> None:
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        body = request.json if isinstance(request.json, Mapping) else {}
        self.api = api
        self.request = request
        self.pagination = pagination
        self.scheme = scheme
        self.parallel = parallel
        self.per_page = per_page
        self.partition_attempts = partition_attempts
        self.base_query = body.get("query")
        compose_query(self.base_query, Partition(0, 1, ("0",)).filters(scheme))  # fits?
        self.changed = ChangedRecords(clock() - CLOCK_SKEW)
        self._planned: list[Partition] = []
        self._planning = False
        self.planner = PartitionPlanner(
            self._probe, scheme, pagination.items, parallel=parallel, per_page=per_page
        )

    # -- requests --------------------------------------------------------------------------

    def _search(self, filters: list[dict[str, Any]], *, per_page: int, order: str) -> RequestSpec:
        body = dict(self.request.json) if isinstance(self.request.json, Mapping) else {}
        if filters or self.base_query is not None:
            body["query"] = compose_query(self.base_query, filters)
        body["pagination"] = {"per_page": per_page}
        body["sort"] = {"field": self.scheme.field, "order": order}
        return dataclasses.replace(self.request, json=body)

    async def _probe(self, filters: list[dict[str, Any]], order: str) -> Any:
        return (await self.api.send(self._search(filters, per_page=1, order=order))).body

    @property
    def probes(self) -> int:
        """Probes spent planning so far."""
        return self.planner.probes

    async def plan(self) -> list[Partition]:
        """Disjoint partitions covering the whole search, each about the target size."""
        parts: list[Partition] = []
        await self.planner.plan(parts.append)
        return parts

    # -- paging ----------------------------------------------------------------------------

    async def _page_partition(
        self, number: int, part: Partition, out: asyncio.Queue[list[Any]]
    ) -> int:
        paginator = make_paginator(self.pagination)
        filters = part.filters(self.scheme)
        current: RequestSpec | None = paginator.first(
            self._search(filters, per_page=self.per_page, order="ascending")
        )
        failures = 0
        count = 0
        while current is not None:
            try:
                reply = await self.api.send(current)
            except TransientError as error:
                failures += 1
                if failures >= self.partition_attempts:
                    raise self._failed(number, part, error, failures) from error
                self.api.emit(
                    {"event": "partition_retry", "partition": number, "reason": str(error)}
                )
                await self.api.pause(min(2.0**failures, 30.0))
                continue
            except IntercomError as error:
                raise self._failed(number, part, error, failures + 1) from error
            page = reply.body if isinstance(reply.body, dict) else {}
            records = self.changed.admit(paginator.items(page))
            if records:
                count += len(records)
                await out.put(records)
            current = paginator.next(current, page)
        return count

    def _failed(
        self, number: int, part: Partition, error: IntercomError, attempts: int
    ) -> PartitionFailed:
        return PartitionFailed(
            f"partition {number} of {'at least ' if self._planning else ''}{len(self._planned)} "
            f"({part.describe(self.scheme)}) failed after "
            f"{attempts} attempt{'s' if attempts != 1 else ''}: {error}",
            status=error.status,
            code=error.code,
            request_id=error.request_id,
            method=error.method,
            url=error.url,
        )

    async def batches(self) -> AsyncGenerator[list[Any], None]:
        """The records, a page at a time, in no particular order across partitions.

        Paging starts as soon as the planner hands out its first partition; the biggest
        partition waiting is taken first, so the long ones do not finish last. Young
        collections are spaced out meanwhile (``collector.py``)."""
        work: asyncio.PriorityQueue[tuple[int, int, Partition | None]] = asyncio.PriorityQueue()
        planned = self._planned = []
        self._planning = True
        finished = 0

        def take(part: Partition) -> None:
            planned.append(part)
            work.put_nowait((-part.expected, len(planned), part))

        async def plan() -> None:
            await self.planner.plan(take)
            self._planning = False
            self.api.emit(
                {
                    "event": "partitions",
                    "total": len(planned),
                    "expected": sum(p.expected for p in planned),
                    "probes": self.probes,
                }
            )
            for _ in range(self.parallel):
                work.put_nowait((1, 0, None))  # after every partition: no more work

        async def worker() -> None:
            nonlocal finished
            while True:
                _, number, part = await work.get()
                if part is None:
                    return
                records = await self._page_partition(number, part, queue)
                finished += 1
                self.api.emit(
                    {
                        "event": "partition",
                        "done": finished,
                        "total": len(planned),
                        "records": records,
                    }
                )

        queue: asyncio.Queue[list[Any]] = asyncio.Queue(maxsize=self.parallel)

        async def run_tasks() -> None:
            tasks = [asyncio.create_task(plan())]
            tasks += [asyncio.create_task(worker()) for _ in range(self.parallel)]
            try:
                await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

        with young_collections_spaced():  # many pages alive at once: see collector.py
            producer = asyncio.create_task(run_tasks())
            getter: asyncio.Future[list[Any]] | None = None
            try:
                while True:
                    if producer.done() and queue.empty():
                        producer.result()  # raises the partition's failure, if any
                        return
                    getter = asyncio.ensure_future(queue.get())
                    await asyncio.wait({getter, producer}, return_when=asyncio.FIRST_COMPLETED)
                    if getter.done():
                        yield getter.result()
                        continue
                    getter.cancel()
                    if producer.exception() is not None:
                        producer.result()
            finally:
                if getter is not None:
                    getter.cancel()
                producer.cancel()
                await asyncio.gather(producer, return_exceptions=True)
