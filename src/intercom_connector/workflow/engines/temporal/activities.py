"""The one activity: a batch of calls, each made with the worker's client for the run's auth.

The worker holds the secrets. ``ClientSource`` turns an authentication name into a client
(opened once per worker and shared by every activity, so one process keeps one rate
limiter and one connection pool per authentication); the workflow never sees a token.

A batch is every call one workflow task issued (see ``interpreted``); its calls run at once.
Each call is the embedded engine's ``SettledCall``: transient failures are retried there,
and a write that may have been applied is settled before it is sent again. So Temporal
retries nothing the call reported: a failure is that call's ``CallOutcome`` (the
``StepError``, secrets masked), and the batch still completes. Temporal retries only an
attempt that vanished with its worker. Finished calls are *recorded* as they finish, in
the activity's heartbeat details (at most ``RECORD_SECONDS`` apart), so the next attempt
returns them as recorded and sends only the rest; those may have reached Intercom, so they
run with "maybe sent since the batch was first scheduled", which settles a write first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from temporalio import activity

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.redaction import Redactor
from intercom_connector.workflow.engine import CallFailed, StepRef
from intercom_connector.workflow.engines.calls import SettledCall, step_error
from intercom_connector.workflow.engines.temporal.messages import (
    CALLS_ACTIVITY,
    CallBatch,
    CallOutcome,
    CallRequest,
)
from intercom_connector.workflow.engines.temporal.payloads import SealedPayloadCodec
from intercom_connector.workflow.engines.temporal.stored_outputs import (
    STORED,
    expand_value,
    holds_markers,
)

log = logging.getLogger(__name__)

ClientSource = Callable[[str], Awaitable[AsyncIntercomClient]]
"""Authentication name -> the worker's client for it (its token stays in the worker)."""

HEARTBEAT_SECONDS = 2.0
"""Liveness while calls are slow (the activity's heartbeat timeout is 10 s)."""
RECORD_SECONDS = 0.2
"""Finished calls reach Temporal at most this long after they finish."""


def recorded(batch: CallBatch, details: Any) -> dict[int, CallOutcome]:
    """The outcomes an earlier attempt of this batch recorded in its last heartbeat
    (details: step key -> outcome), by the call's place in the batch."""
    if not details or not isinstance(details[0], dict):
        return {}
    outcomes = {}
    for index, call in enumerate(batch.calls):
        value = details[0].get(call.key)
        if isinstance(value, dict):
            outcomes[index] = CallOutcome(
                value.get("output"), value.get("error"), bool(value.get("maybe_applied"))
            )
    return outcomes


class CallActivities:
    def __init__(
        self,
        clients: ClientSource,
        redactor: Redactor | None = None,
        codec: SealedPayloadCodec | None = None,
    ) -> None:
        self.clients = clients
        self.redactor = redactor or Redactor()
        self.codec = codec
        """Keeps large outputs in the payload store (``stored_outputs``); None: never."""

    async def _kept(self, output: Any) -> Any:
        """``output``, or the marker of its stored copy when it is over the threshold."""
        if self.codec is None or not isinstance(output, dict):
            return output
        content = json.dumps(output).encode()
        if len(content) <= self.codec.threshold:
            return output
        return {STORED: await self.codec.keep(content), "bytes": len(content)}

    def _failure(self, operation: str, failure: Exception) -> CallOutcome:
        if isinstance(failure, CallFailed):
            error, maybe = failure.error, failure.maybe_applied
        else:
            error, maybe = step_error(operation, failure), False
        return CallOutcome(error=self.redactor.value(error.as_output()), maybe_applied=maybe)

    async def _one(self, request: CallRequest, maybe_sent_at: float | None) -> CallOutcome:
        try:
            client = await self.clients(request.auth)
            record = client.operation(request.operation)
            data = request.data
            if self.codec is not None and holds_markers(data):
                data = await expand_value(data, self.codec.fetch)
            listing = {k: v for k, v in request.listing.items() if v not in (None, 1)}
            call = SettledCall(
                client,
                StepRef(request.key, request.step_id, "call"),
                record,
                data,
                request.all_pages,
                warn=lambda message: log.warning("%s: %s", request.key, message),
                sleep=asyncio.sleep,
                now=time.time,
                listing=listing,
            )
            return CallOutcome(await self._kept(await call.run(maybe_sent_at)))
        except Exception as error:
            return self._failure(request.operation, error)

    @activity.defn(name=CALLS_ACTIVITY)
    async def calls(self, batch: CallBatch) -> list[CallOutcome]:
        info = activity.info()
        done = recorded(batch, info.heartbeat_details)
        maybe_sent_at = info.scheduled_time.timestamp() if info.attempt > 1 else None
        state = {"beat": 0.0, "dirty": False}

        def record() -> None:
            activity.heartbeat({batch.calls[i].key: outcome for i, outcome in done.items()})
            state["beat"], state["dirty"] = time.monotonic(), False

        async def run(index: int, request: CallRequest) -> None:
            done[index] = await self._one(request, maybe_sent_at)
            state["dirty"] = True
            if len(done) < len(batch.calls) and time.monotonic() - state["beat"] >= RECORD_SECONDS:
                record()

        async def keep_alive() -> None:
            while True:
                await asyncio.sleep(min(RECORD_SECONDS, HEARTBEAT_SECONDS))
                if state["dirty"] or time.monotonic() - state["beat"] >= HEARTBEAT_SECONDS:
                    record()

        beating = asyncio.create_task(keep_alive())
        try:
            pending = [run(i, r) for i, r in enumerate(batch.calls) if i not in done]
            await asyncio.gather(*pending)
        finally:
            beating.cancel()
            with suppress(asyncio.CancelledError):
                await beating
        return [done[i] for i in range(len(batch.calls))]
