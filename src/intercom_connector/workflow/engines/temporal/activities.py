"""The one activity: call an operation with the worker's client for the run's authentication.

The worker holds the secrets. ``ClientSource`` turns an authentication name into a client
(opened once per worker and shared by every activity, so one process keeps one rate
limiter and one connection pool per authentication); the workflow never sees a token.

Failures are reported once: the client has already retried what its policy retries, so
the activity raises a non-retryable ``ApplicationError`` carrying the ``StepError`` (with
secrets masked). Temporal retries only an attempt that vanished with its worker; if that
attempt was a non-idempotent write, it may have reached Intercom, so a create that has a
settlement rule is looked up before it is sent again, and any other is sent again with a
warning in the worker's log (as the embedded engine does on resume).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.catalog.reconcile import RECONCILERS
from intercom_connector.workflow.engine import StepError
from intercom_connector.workflow.engines.temporal.messages import CALL_ACTIVITY, CallRequest
from intercom_connector.workflow.redaction import Redactor

log = logging.getLogger(__name__)

ClientSource = Callable[[str], Awaitable[AsyncIntercomClient]]
"""Authentication name -> the worker's client for it (its token stays in the worker)."""

HEARTBEAT_SECONDS = 2.0


async def perform_call(
    client: AsyncIntercomClient, operation: str, data: dict[str, Any], all_pages: bool
) -> Any:
    """One page, or every record of every page in the reply shape the debug view shows."""
    if not all_pages:
        return await client.call(operation, data)
    record = client.operation(operation)
    records = await client.collect(operation, data)
    items_key = (record.pagination or {}).get("items") or record.list_key or "data"
    return {"type": "list", items_key: records, "total_count": len(records)}


def step_error_of(operation: str, error: Exception, redactor: Redactor) -> StepError:
    name = type(error).__name__
    text = str(error)
    message = f"{name}: {text}" if text and text != name else name
    return StepError(
        operation=operation,
        message=redactor.text(message),
        status=getattr(error, "status", None),
        code=getattr(error, "code", None) or name,
        request_id=getattr(error, "request_id", None),
    )


async def _heartbeat() -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(HEARTBEAT_SECONDS)


class CallActivities:
    def __init__(self, clients: ClientSource, redactor: Redactor | None = None) -> None:
        self.clients = clients
        self.redactor = redactor or Redactor()

    async def _settled(
        self, client: AsyncIntercomClient, request: CallRequest
    ) -> dict[str, Any] | None:
        """On a retried attempt of a write: what the lost attempt may already have made."""
        record = client.operation(request.operation)
        if record.retry_safe or activity.info().attempt == 1:
            return None
        reconciler = RECONCILERS.get(record.name)
        if reconciler is not None and reconciler.applies_to(request.data):
            return await reconciler.lookup(client, request.data)
        log.warning(
            "%s (%s) is not retry-safe: the worker running it was lost and it is sent again",
            record.name,
            request.key,
        )
        return None

    @activity.defn(name=CALL_ACTIVITY)
    async def call(self, request: CallRequest) -> Any:
        beating = asyncio.create_task(_heartbeat())
        try:
            client = await self.clients(request.auth)
            existing = await self._settled(client, request)
            if existing is not None:
                return existing
            return await perform_call(client, request.operation, request.data, request.all_pages)
        except Exception as error:
            failure = step_error_of(request.operation, error, self.redactor)
            raise ApplicationError(
                failure.message, failure.as_output(), type=failure.code, non_retryable=True
            ) from None
        finally:
            beating.cancel()
            with suppress(asyncio.CancelledError):
                await beating
