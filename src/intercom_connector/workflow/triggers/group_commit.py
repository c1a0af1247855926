"""The trigger queue's writes of one moment share a transaction; each waits for its commit.

One commit with ``synchronous=FULL`` costs an fsync, and the event loop waits for it:
committing each write alone caps the endpoint at the disk's fsync rate whatever the
concurrency, and during a burst the dispatcher's own writes (a claim before each run, a
finish after it) took a third of the loop's time. Here a write waits for the next group
commit instead: the first one of a quiet moment starts a flush, which lets the deliveries
already read by the event loop (and the claims and finishes asked for meanwhile) join it,
applies them all in one transaction and only then resolves each waiter. So every 200
still follows its own delivery's commit, and every run still starts after its claim's.
A failed commit fails every write of its group (a delivery answers 500; Intercom sends it
again).

The fsync itself runs on a thread of its own, on a connection of its own
(``TriggerStore.writer``): the group's rows are applied on the event loop (microseconds
each), then the thread commits while the loop goes on reading and verifying the next
deliveries (on the loop, the fsync was a sixth of its time during a burst); those form the
next group. Only the commit leaves the loop: the rows cost little, and every call a thread
makes into SQLite has to take the GIL back from the busy loop when it returns, so one call
per group keeps those hand-offs to one. What a 200 means is unchanged: a waiter is resolved
only once the commit holding its write has returned, and groups are committed one at a
time, in the order their writes were asked for.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from intercom_connector.storage import Owner
from intercom_connector.workflow.triggers.store import (
    TriggerStore,
    claim_in,
    finish_in,
    record_in,
)

T = TypeVar("T")

JOIN_ROUNDS = 3
"""Event-loop turns a flush waits so deliveries already received (bodies read) can join."""


class GroupCommit:
    """Queues writes for ``store`` and commits them in groups."""

    def __init__(self, store: TriggerStore) -> None:
        self._store = store
        self._writer: TriggerStore | None = None
        """The connection of the group commits, opened on the first one."""
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trigger-commits")
        self._pending: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def record(
        self, notification: dict[str, Any], body: str, workflows: list[str]
    ) -> list[str]:
        """Wait until the delivery is committed; the workflows it was newly queued for."""
        write = partial(
            record_in,
            notification=notification,
            body=body,
            workflows=workflows,
            received=time.time(),
        )
        return await self._join(write)

    async def claim(self, seq: int, run_id: str, owner: Owner) -> bool:
        """Wait until the event holds ``run_id``; False if another dispatcher claimed it."""
        return await self._join(
            partial(claim_in, seq=seq, run_id=run_id, owner=owner, now=time.time())
        )

    async def finish(self, seq: int, status: str, error: str | None = None) -> None:
        """Wait until the event is marked finished with ``status``."""
        await self._join(partial(finish_in, seq=seq, status=status, error=error, now=time.time()))

    async def settle(self) -> None:
        """Wait until every write asked for so far is committed (or failed): before closing."""
        while self._flushing is not None and not self._flushing.done():
            await asyncio.gather(self._flushing, return_exceptions=True)

    async def _join(self, write: Callable[[sqlite3.Connection], T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((write, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            for _ in range(JOIN_ROUNDS):
                await asyncio.sleep(0)
            group, self._pending = self._pending, []
            if self._writer is None:
                self._writer = self._store.writer()
            try:
                results = self._writer.apply_together([write for write, _ in group])
                committing = loop.run_in_executor(self._thread, self._writer.commit)
                try:
                    await asyncio.shield(committing)
                except asyncio.CancelledError:  # the connection is free only once it returns
                    await asyncio.wait({committing})
                    raise
            except Exception as error:  # every waiter of the group fails with it
                self._writer.rollback()
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(result)
