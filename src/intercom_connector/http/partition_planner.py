"""Planning a partitioned listing: disjoint partitions of about ``total / parallel`` records
each, handed to the pagers one by one as soon as each is final.

The counts come from probes, searches of one record (``pagination.per_page: 1``) whose
``total_count`` is what matters. The oldest and the newest record are asked for together;
the whole search is then cut into windows of whole days (up to 32 a round), counting all
windows but the last (the remainder is known). A window within the target is final at once
and goes to the pagers while the rest is still being planned, with its final neighbours
from the same cut merged into it while they fit. A window over the target is cut again:

- by the last character of the record id (``id $ c``, groups of endings) when it is at most
  ``ID_SPLIT_MAX`` times the target, or when it is a single day: one more round of probes
  gives balanced partitions, where cutting by days would need a round per halving to find
  the busy day that made the window big. The cut is used only if the groups' counts add up
  to the window's own (counted in the same round); if they do not (ids of another shape, a
  search that refuses the filter), a window of several days is cut by days instead, and a
  single day stays one partition;
- by days otherwise (it holds many targets' worth: days spread them).

Rounds of probes are what planning costs (a round trip each); paging starts after the first
cut, so only the busy windows wait for the later rounds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .errors import IntercomError, PaginationError
from .partition_bounds import DAY, Partition, PartitionScheme

__all__ = ["ID_SPLIT_MAX", "MAX_PIECES", "MIN_PAGES", "PartitionPlanner"]

# Smaller partitions cost more probes than their concurrency saves.
MIN_PAGES = 4
# A window is cut into at most this many pieces a round: few rounds of round trips. (Cutting
# twice as fine, up to 64, was tried: 30 more probes and slower planning on 100,000 contacts.)
MAX_PIECES = 32
# A window of up to this many targets is cut by id endings rather than by days.
ID_SPLIT_MAX = 4
MAX_SPLIT_ROUNDS = 24

Probe = Callable[[list[dict[str, Any]], str], Awaitable[Mapping[str, Any]]]
Emit = Callable[[Partition], None]


class PartitionPlanner:
    """Plans one partitioned walk; ``probe(filters, order)`` sends a one-record search."""

    def __init__(
        self, probe: Probe, scheme: PartitionScheme, items: str, *, parallel: int, per_page: int
    ) -> None:
        self._send_probe = probe
        self.scheme = scheme
        self.items = items
        self.parallel = parallel
        self.per_page = per_page
        self.probes = 0
        # The target size and where final partitions go, for the plan being made.
        self._target = 0
        self._emit: Emit = _ignore

    async def _probe(self, filters: list[dict[str, Any]], order: str = "ascending") -> Mapping:
        self.probes += 1
        reply = await self._send_probe(filters, order)
        if not isinstance(reply, Mapping) or not isinstance(reply.get("total_count"), int):
            raise PaginationError("a search reply without total_count cannot be partitioned")
        return reply

    async def _count(self, partition: Partition) -> int:
        return int((await self._probe(partition.filters(self.scheme)))["total_count"])

    def _first_day(self, reply: Mapping[str, Any]) -> int | None:
        records = reply.get(self.items) or []
        value = records[0].get(self.scheme.field) if records else None
        return int(value) // DAY if isinstance(value, int | float) else None

    async def plan(self, emit: Emit) -> None:
        """Call ``emit`` with each partition once it is final; together they cover the search."""
        if self.parallel == 1:
            first = await self._probe([])
            emit(Partition(None, None, expected=int(first["total_count"])))
            return
        # The newest record is asked for at once too: one round trip less when it is needed.
        first, last = await asyncio.gather(self._probe([]), self._probe([], "descending"))
        total = int(first["total_count"])
        whole = Partition(None, None, expected=total)
        target = max(MIN_PAGES * self.per_page, math.ceil(total / self.parallel))
        start, end = self._first_day(first), self._first_day(last)
        if total <= target or start is None or end is None:
            emit(whole)
            return
        self._target, self._emit = target, emit
        await self._by_days(whole, start, end + 1, 0, self._can_split_ids())

    async def _settle(self, part: Partition, low: int, high: int, depth: int, ids: bool) -> None:
        """Emit a window over the target as balanced partitions (see the module docstring);
        ``ids``: whether cutting by id endings is still worth a try here."""
        target, emit = self._target, self._emit
        single_day = high - low <= 1
        if ids and (single_day or part.expected <= ID_SPLIT_MAX * target):
            classes = await self._by_ids(part, target)
            if classes is not None:
                for piece in classes:
                    emit(piece)
                return
            ids = False  # nor will it work on a part of this window
        if single_day or depth >= MAX_SPLIT_ROUNDS:
            emit(part)
            return
        await self._by_days(part, low, high, depth + 1, ids)

    def _can_split_ids(self) -> bool:
        return bool(self.scheme.split_field) and len(self.scheme.split_alphabet) >= 2

    async def _by_days(self, part: Partition, low: int, high: int, depth: int, ids: bool) -> None:
        """Cut a window into whole days; emit the final pieces (neighbours merged while they
        fit) at once, and settle the big ones concurrently."""
        target, emit = self._target, self._emit
        pieces = await self._cut(part, low, high, target)
        big = []
        run: list[Partition] = []
        for piece, start, stop in pieces:
            if piece.expected > target:
                if run:
                    emit(_joined(run))
                    run = []
                big.append(self._settle(piece, start, stop, depth, ids))
            elif run and sum(p.expected for p in run) + piece.expected > target:
                emit(_joined(run))
                run = [piece]
            else:
                run.append(piece)
        if run:
            emit(_joined(run))
        await asyncio.gather(*big)

    async def _cut(
        self, part: Partition, low: int, high: int, target: int
    ) -> list[tuple[Partition, int, int]]:
        """Cut a window holding records on days ``[low, high)`` into up to MAX_PIECES
        windows of whole days, counting all but the last (the rest is the remainder)."""
        pieces = max(2, min(MAX_PIECES, math.ceil(part.expected / target), high - low))
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

    async def _by_ids(self, part: Partition, target: int) -> list[Partition] | None:
        """The window cut into groups of id endings, or None unless the groups' counts add
        up to the window's own (endings of another shape, a refused filter)."""
        alphabet = self.scheme.split_alphabet
        groups = min(len(alphabet), math.ceil(part.expected / target))
        size = math.ceil(len(alphabet) / groups)
        endings = [tuple(alphabet[i : i + size]) for i in range(0, len(alphabet), size)]
        classes = [dataclasses.replace(part, endings=e) for e in endings]
        if len(classes) < 2:
            return None
        try:
            whole, *each = await asyncio.gather(
                self._count(part), *(self._count(c) for c in classes)
            )
        except IntercomError:
            return None  # the search refuses the cut
        if sum(each) != whole:
            return None
        return [dataclasses.replace(c, expected=n) for c, n in zip(classes, each, strict=True)]


def _joined(run: list[Partition]) -> Partition:
    """Neighbouring windows as one (they share their bounds)."""
    return Partition(run[0].low, run[-1].high, expected=sum(p.expected for p in run))


def _ignore(partition: Partition) -> None:
    """Where partitions go before a plan is started (nowhere: nothing is planned then)."""
