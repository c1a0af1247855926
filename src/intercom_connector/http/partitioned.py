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

Planning spends a few requests of one record each (their `total_count` is what matters):
windows are cut, into twice the pieces their counts ask for and up to 64 a round, until each
holds about ``total / parallel`` records (at least four pages), then adjacent small ones are
merged. A day that
is still too big is cut by the last character of the record id (``id $ c``, groups of
endings), if the groups' counts add up to the day's count; if they do not (ids of another
shape, a search that refuses it), the day stays one partition.

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
import itertools
import math
import time
from collections import deque
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from .errors import IntercomError, PaginationError, TransientError
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
MAX_SPLIT_ROUNDS = 24
# Smaller partitions cost more probes than their concurrency saves.
MIN_PAGES = 4
# A window is cut into OVERCUT times the pieces its count asks for (records are not spread
# evenly over days), at most MAX_PIECES a round: fewer rounds of round trips, and the small
# pieces are merged again.
OVERCUT = 2
MAX_PIECES = 64


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
        self.probes = 0

    # -- requests --------------------------------------------------------------------------

    def _search(self, filters: list[dict[str, Any]], *, per_page: int, order: str) -> RequestSpec:
        body = dict(self.request.json) if isinstance(self.request.json, Mapping) else {}
        if filters or self.base_query is not None:
            body["query"] = compose_query(self.base_query, filters)
        body["pagination"] = {"per_page": per_page}
        body["sort"] = {"field": self.scheme.field, "order": order}
        return dataclasses.replace(self.request, json=body)

    async def _probe(self, filters: list[dict[str, Any]], order: str = "ascending") -> dict:
        self.probes += 1
        reply = (await self.api.send(self._search(filters, per_page=1, order=order))).body
        if not isinstance(reply, dict) or not isinstance(reply.get("total_count"), int):
            raise PaginationError("a search reply without total_count cannot be partitioned")
        return reply

    async def _count(self, partition: Partition) -> int:
        return int((await self._probe(partition.filters(self.scheme)))["total_count"])

    def _first_day(self, reply: Mapping[str, Any]) -> int | None:
        records = reply.get(self.pagination.items) or []
        value = records[0].get(self.scheme.field) if records else None
        return int(value) // DAY if isinstance(value, int | float) else None

    # -- planning --------------------------------------------------------------------------

    async def plan(self) -> list[Partition]:
        """Disjoint partitions covering the whole search, each about the target size."""
        if self.parallel == 1:
            first = await self._probe([])
            return [Partition(None, None, expected=int(first["total_count"]))]
        # The newest record is asked for at once too: one round trip less when it is needed.
        first, last = await asyncio.gather(self._probe([]), self._probe([], order="descending"))
        total = int(first["total_count"])
        whole = Partition(None, None, expected=total)
        target = max(MIN_PAGES * self.per_page, math.ceil(total / self.parallel))
        if total <= target:
            return [whole]
        start, end = self._first_day(first), self._first_day(last)
        if start is None or end is None:
            return [whole]
        # Each entry: (partition, first day holding records, day after the last one).
        pending = [(whole, start, end + 1)]
        done: list[Partition] = []
        for _ in range(MAX_SPLIT_ROUNDS):
            if not pending:
                break
            halves = await asyncio.gather(*(self._cut(*entry, target) for entry in pending))
            pending = []
            for pair in halves:
                for part, low, high in pair:
                    if part.expected > target and high - low > 1:
                        pending.append((part, low, high))
                    else:
                        done.append(part)
        done.extend(part for part, _, _ in pending)
        done.sort(key=lambda part: (part.low is not None, part.low or 0))
        merged = self._merge(done, target)
        busy = [p for p in merged if p.expected > target]
        split = await asyncio.gather(*(self._split_day(p, target) for p in busy))
        by_window = dict(zip(busy, split, strict=True))
        result: list[Partition] = []
        for part in merged:
            result.extend(by_window.get(part, [part]))
        return result

    async def _cut(
        self, part: Partition, low: int, high: int, target: int
    ) -> list[tuple[Partition, int, int]]:
        """Cut a window holding records on days ``[low, high)`` into up to MAX_PIECES
        windows of whole days, counting all but the last (the rest is the remainder)."""
        wanted = OVERCUT * math.ceil(part.expected / target)
        pieces = max(2, min(MAX_PIECES, wanted, high - low))
        cuts = sorted({low + (high - low) * n // pieces for n in range(1, pieces)})
        bounds = [part.low, *cuts, part.high]
        spans = [low, *cuts, high]
        windows = [Partition(a, b) for a, b in itertools.pairwise(bounds)]
        counts = await asyncio.gather(*(self._count(w) for w in windows[:-1]))
        rest = max(part.expected - sum(counts), 0)
        return [
            (dataclasses.replace(window, expected=count), start, stop)
            for window, count, (start, stop) in zip(
                windows, [*counts, rest], itertools.pairwise(spans), strict=True
            )
        ]

    @staticmethod
    def _merge(parts: list[Partition], target: int) -> list[Partition]:
        """Join neighbouring windows while they stay within the target (bounds stay shared)."""
        merged: list[Partition] = []
        for part in parts:
            if merged and merged[-1].expected + part.expected <= target:
                previous = merged.pop()
                part = Partition(
                    previous.low, part.high, expected=previous.expected + part.expected
                )
            merged.append(part)
        return merged

    async def _split_day(self, part: Partition, target: int) -> list[Partition]:
        """Cut a busy day into groups of id endings; keep it whole unless the groups'
        counts add up to the day's own (endings of another shape, a refused filter)."""
        alphabet = self.scheme.split_alphabet
        if not self.scheme.split_field or len(alphabet) < 2:
            return [part]
        groups = min(len(alphabet), math.ceil(part.expected / target))
        size = math.ceil(len(alphabet) / groups)
        endings = [tuple(alphabet[i : i + size]) for i in range(0, len(alphabet), size)]
        classes = [dataclasses.replace(part, endings=e) for e in endings]
        try:
            whole, *each = await asyncio.gather(
                self._count(part), *(self._count(c) for c in classes)
            )
        except IntercomError:
            return [part]  # the search refuses the cut: page the day as one partition
        if sum(each) != whole or len(classes) < 2:
            return [dataclasses.replace(part, expected=whole)]
        return [dataclasses.replace(c, expected=n) for c, n in zip(classes, each, strict=True)]

    # -- paging ----------------------------------------------------------------------------

    async def _page_partition(
        self, number: int, total: int, part: Partition, out: asyncio.Queue[list[Any]]
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
                    raise self._failed(number, total, part, error, failures) from error
                self.api.emit(
                    {"event": "partition_retry", "partition": number, "reason": str(error)}
                )
                await self.api.pause(min(2.0**failures, 30.0))
                continue
            except IntercomError as error:
                raise self._failed(number, total, part, error, failures + 1) from error
            page = reply.body if isinstance(reply.body, dict) else {}
            records = self.changed.admit(paginator.items(page))
            if records:
                count += len(records)
                await out.put(records)
            current = paginator.next(current, page)
        return count

    def _failed(
        self, number: int, total: int, part: Partition, error: IntercomError, attempts: int
    ) -> PartitionFailed:
        return PartitionFailed(
            f"partition {number} of {total} ({part.describe(self.scheme)}) failed after "
            f"{attempts} attempt{'s' if attempts != 1 else ''}: {error}",
            status=error.status,
            code=error.code,
            request_id=error.request_id,
            method=error.method,
            url=error.url,
        )

    async def batches(self) -> AsyncGenerator[list[Any], None]:
        """The records, a page at a time, in no particular order across partitions."""
        parts = await self.plan()
        total = len(parts)
        expected = sum(p.expected for p in parts)
        self.api.emit(
            {"event": "partitions", "total": total, "expected": expected, "probes": self.probes}
        )
        queue: asyncio.Queue[list[Any]] = asyncio.Queue(maxsize=self.parallel)
        work = deque(sorted(enumerate(parts, 1), key=lambda item: -item[1].expected))
        finished = 0

        async def worker() -> None:
            nonlocal finished
            while work:
                number, part = work.popleft()
                records = await self._page_partition(number, total, part, queue)
                finished += 1
                self.api.emit(
                    {"event": "partition", "done": finished, "total": total, "records": records}
                )

        async def run_workers() -> None:
            workers = [asyncio.create_task(worker()) for _ in range(min(self.parallel, total))]
            try:
                await asyncio.gather(*workers)
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)

        producer = asyncio.create_task(run_workers())
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
