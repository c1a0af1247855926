"""The one activity: call an operation with the worker's client for the run's authentication.

The worker holds the secrets. ``ClientSource`` turns an authentication name into a client
(opened once per worker and shared by every activity, so one process keeps one rate
limiter and one connection pool per authentication); the workflow never sees a token.

The call is the embedded engine's ``SettledCall``: transient failures are retried there,
and a write that may have been applied is settled before it is sent again. So Temporal
retries nothing the call reported: a failure becomes a non-retryable ``ApplicationError``
carrying the ``StepError`` (secrets masked). Temporal retries only an attempt that vanished
with its worker; that attempt may have reached Intercom, so the next one runs with
"maybe sent since the activity was first scheduled", which settles a write first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.redaction import Redactor
from intercom_connector.workflow.engine import CallFailed, StepRef
from intercom_connector.workflow.engines.calls import SettledCall, step_error
from intercom_connector.workflow.engines.temporal.messages import CALL_ACTIVITY, CallRequest

log = logging.getLogger(__name__)

ClientSource = Callable[[str], Awaitable[AsyncIntercomClient]]
"""Authentication name -> the worker's client for it (its token stays in the worker)."""

HEARTBEAT_SECONDS = 2.0


async def _heartbeat() -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(HEARTBEAT_SECONDS)


class CallActivities:
    def __init__(self, clients: ClientSource, redactor: Redactor | None = None) -> None:
        self.clients = clients
        self.redactor = redactor or Redactor()

    def _failure(self, operation: str, failure: CallFailed | Exception) -> ApplicationError:
        error = failure.error if isinstance(failure, CallFailed) else step_error(operation, failure)
        details = self.redactor.value(error.as_output())
        return ApplicationError(
            details["message"], details, type=error.code or "CallFailed", non_retryable=True
        )

    @activity.defn(name=CALL_ACTIVITY)
    async def call(self, request: CallRequest) -> Any:
        beating = asyncio.create_task(_heartbeat())
        info = activity.info()
        try:
            client = await self.clients(request.auth)
            record = client.operation(request.operation)
            listing = {k: v for k, v in request.listing.items() if v not in (None, 1)}
            call = SettledCall(
                client,
                StepRef(request.key, request.step_id, "call"),
                record,
                request.data,
                request.all_pages,
                warn=lambda message: log.warning("%s: %s", request.key, message),
                sleep=asyncio.sleep,
                now=time.time,
                listing=listing,
            )
            maybe_sent_at = info.scheduled_time.timestamp() if info.attempt > 1 else None
            return await call.run(maybe_sent_at)
        except Exception as error:
            raise self._failure(request.operation, error) from None
        finally:
            beating.cancel()
            with suppress(asyncio.CancelledError):
                await beating
