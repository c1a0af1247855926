"""One deadline per operation, over its retries and the lookups that settle a write.

Each HTTP request has its own read timeout, but an operation can be many requests: retries,
then for an ambiguous create the lookups that settle whether it was applied, each of which
may wait out its own timeout. Against a server that accepts connections and never answers,
that was minutes. The deadline bounds the whole operation; nested calls made while settling
run under the outer deadline, not a fresh one of their own. When it passes, the error says
what is known about the write, so nobody resends a create that may have been applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from intercom_connector.catalog.model import Operation
from intercom_connector.errors import OperationFailed
from intercom_connector.http import IntercomError

DEFAULT_DEADLINE = 120.0
"""Seconds for one operation, retries and settlement included (one page, when listing)."""

STREAMED_TO_FILE = frozenset({"download_export_job"})
"""Composites that stream a file: bounded by each read's timeout, not by a deadline, since a
large export may take longer than any fixed time while still making progress."""

_UNDER_DEADLINE: ContextVar[bool] = ContextVar("under_operation_deadline", default=False)


class DeadlineExceeded(IntercomError, OperationFailed):
    """The operation did not finish in time; the message says whether a write may be applied."""


class Stage:
    """How far the operation got, for the message when time runs out."""

    __slots__ = ("settling",)

    def __init__(self) -> None:
        self.settling = False


def _what_is_known(operation: Operation, stage: Stage) -> str:
    if operation.method == "GET":
        return "it only reads, so nothing was changed"
    if stage.settling:
        return (
            "a first attempt failed ambiguously and the lookup that settles it did not finish, "
            "so whether it was applied is unknown: look the record up before sending it again"
        )
    if operation.retry_safe:
        return "whether it was applied is unknown; sending it again is safe (it is idempotent)"
    return (
        "the request may have reached Intercom, so whether it was applied is unknown: look "
        "the record up before sending it again"
    )


@asynccontextmanager
async def operation_deadline(
    operation: Operation, seconds: float | None, stage: Stage
) -> AsyncIterator[None]:
    """Bound the block by ``seconds`` unless an outer operation's deadline already does.

    Downloads are not bounded here (see ``STREAMED_TO_FILE``); their requests still are.
    """
    streamed = operation.downloads or operation.name in STREAMED_TO_FILE
    if seconds is None or streamed or _UNDER_DEADLINE.get():
        yield
        return
    marker = _UNDER_DEADLINE.set(True)
    try:
        async with asyncio.timeout(seconds) as scope:
            yield
    except TimeoutError:
        if not scope.expired():
            raise
        raise DeadlineExceeded(
            f"did not finish within {seconds:g} s (--timeout): {_what_is_known(operation, stage)}",
            operation=operation.name,
        ) from None
    finally:
        _UNDER_DEADLINE.reset(marker)
