"""Make a non-idempotent create safe to retry: look before you resend.

When a POST that creates something fails ambiguously (a 5xx, or the connection dropped after
the request went out), the server may or may not have created the record. Resending blindly
can duplicate it; giving up loses the step. For creates that carry a natural key, the
connector asks Intercom whether the record exists, returns it when it does, and resends only
when it does not. A resend that meets Intercom's 409 "already exists" is resolved the same
way, so the outcome is exactly one record however the faults fall.

Lookups use strongly consistent reads first (``find_by_external_id``); search is eventually
consistent on Intercom, so a miss there is not trusted alone: the resend's 409 settles it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intercom_connector.catalog.settlement import Caller, contact_by_natural_key
from intercom_connector.http import (
    Conflict,
    ConnectionFailed,
    IntercomError,
    RateLimitExceeded,
    RequestSpec,
    RetryPolicy,
    ServerError,
    backoff_delay,
)

if TYPE_CHECKING:
    from intercom_connector.catalog.client import AsyncIntercomClient

_EXISTING_ID = re.compile(r"\bid=([A-Za-z0-9_-]+)")

Lookup = Callable[[Caller, dict[str, Any]], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Reconciler:
    """How to find the record a create may already have made."""

    keys: tuple[str, ...]  # natural keys: without one, nothing can be looked up
    lookup: Lookup
    fetch_by_id: str  # operation that reads one record by id, for ids named in a 409
    id_field: str  # that operation's id input field
    # When set, a 429 on the resend is how the API refuses a duplicate (so the resend must
    # not wait it out), and this explains what that means to the caller.
    refused_duplicate: str | None = None

    def applies_to(self, data: dict[str, Any]) -> bool:
        return any(data.get(key) for key in self.keys)


async def _nothing_to_look_up(client: Caller, data: dict[str, Any]) -> dict[str, Any] | None:
    return None


class ExportJobUnknown(RateLimitExceeded):
    """A resent export request met the one-active-job rule: the lost reply's job is running."""


RECONCILERS: dict[str, Reconciler] = {
    "create_contact": Reconciler(
        ("external_id", "email"), contact_by_natural_key, "get_contact", "contact_id"
    ),
    # Intercom keeps one active content export per workspace and refuses a second with a
    # 429, so resending cannot make two jobs: it either creates the only one or is refused.
    "create_export_job": Reconciler(
        ("created_at_after",),
        _nothing_to_look_up,
        "get_export_job",
        "job_identifier",
        refused_duplicate=(
            "create_export_job: the first request's reply was lost and Intercom now refuses "
            "another export while one is active, so that job was probably created but its id "
            "is unknown; wait for it to finish (or cancel it) and run again"
        ),
    ),
}

AMBIGUOUS = (ServerError, ConnectionFailed)


def can_settle(name: str, data: dict[str, Any], error: IntercomError) -> bool:
    """Whether a failed create can be settled by looking for what it may have made."""
    reconciler = RECONCILERS.get(name)
    return reconciler is not None and reconciler.applies_to(data) and is_ambiguous(error)


def is_ambiguous(error: IntercomError) -> bool:
    """A failure after which the server may have acted on the request."""
    if isinstance(error, ConnectionFailed):
        return error.request_sent
    return isinstance(error, ServerError)


async def settle(
    client: AsyncIntercomClient,
    name: str,
    data: dict[str, Any],
    request: RequestSpec,
    first_error: IntercomError,
) -> Any:
    """Find or create exactly one record after an ambiguous failure of ``name``."""
    reconciler = RECONCILERS[name]
    policy = client.api.retry
    resend_policy = RetryPolicy.none() if reconciler.refused_duplicate else None

    async def resend() -> Any:
        return (await client.api.send(request, retry=resend_policy)).body

    error: IntercomError = first_error
    for attempt in range(1, policy.max_attempts + 1):
        await client.api.pause(backoff_delay(policy, attempt))
        try:
            existing = await reconciler.lookup(client, data)
            if existing is not None:
                client.api.emit({"event": "reconciled", "operation": name, "attempt": attempt})
                return existing
            return await resend()
        except Conflict as conflict:
            named = _EXISTING_ID.search(conflict.message or str(conflict))
            if named:
                return await client.call(reconciler.fetch_by_id, {reconciler.id_field: named[1]})
            existing = await reconciler.lookup(client, data)
            if existing is not None:
                return existing
            raise
        except RateLimitExceeded as refused:
            if not reconciler.refused_duplicate:
                raise
            raise ExportJobUnknown(
                reconciler.refused_duplicate,
                status=refused.status,
                code=refused.code,
                request_id=refused.request_id,
            ) from refused
        except AMBIGUOUS as again:
            if not is_ambiguous(again):
                raise
            error = again
    raise error
