"""Deliveries that arrive together are stored in one transaction, each acknowledged after it.

One commit with ``synchronous=FULL`` costs an fsync; committing each delivery alone caps
the endpoint at the disk's fsync rate whatever the concurrency. Here a delivery waits for
the next group commit instead: the first one of a quiet moment starts a flush, which lets
the deliveries already read by the event loop join it, stores them all in one transaction
and only then resolves each waiter, so every 200 still follows its own commit. A failed
commit fails every delivery of its group (each answers 500; Intercom sends it again).
"""

from __future__ import annotations

import asyncio
from typing import Any

from intercom_connector.workflow.triggers.store import TriggerStore

JOIN_ROUNDS = 3
"""Event-loop turns a flush waits so deliveries already received (bodies read) can join."""


class GroupCommit:
    """Queues deliveries for ``store`` and commits them in groups."""

    def __init__(self, store: TriggerStore) -> None:
        self._store = store
        self._pending: list[tuple[dict[str, Any], str, list[str], asyncio.Future[list[str]]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def record(
        self, notification: dict[str, Any], body: str, workflows: list[str]
    ) -> list[str]:
        """Wait until the delivery is committed; the workflows it was newly queued for."""
        future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._pending.append((notification, body, workflows, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._pending:
            for _ in range(JOIN_ROUNDS):
                await asyncio.sleep(0)
            group, self._pending = self._pending, []
            try:
                results = self._store.record_notifications([entry[:3] for entry in group])
            except Exception as error:  # every waiter of the group answers 500
                for *_, future in group:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (*_, future), added in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(added)
