"""One step's call, made safe to repeat: transient failures retried, writes settled first.

A read, or a write that is idempotent, is simply sent again after a transient failure
(5xx, 429, a dropped connection). A write that is not idempotent is sent again only once
it is *settled* (``catalog/settlement.py``): after an ambiguous failure (a 5xx, or a reply
lost after the request went out) and on resume of a step that started without a recorded
finish, the rule looks for what the first attempt made and adopts it; only when nothing is
found is the write sent again. A write without a rule is never re-sent: the step fails
with ``not_settleable`` and a message naming the step, the request and what to check,
unless the person resuming said to resend it (``runs resume --resend KEY``).

A 429 means Intercom did not process the request, so it is always safe to send again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.reconcile import ExportJobUnknown
from intercom_connector.catalog.settlement import SettlementRule, settlement_rule
from intercom_connector.http import (
    Conflict,
    ConnectionFailed,
    IntercomError,
    ServerError,
    TransientError,
    backoff_delay,
)
from intercom_connector.workflow.engine import CallFailed, StepError, StepRef

ATTEMPTS = 12
"""Sends of one step's call (each already retried by the client where that is safe)."""


def maybe_applied(error: BaseException) -> bool:
    """A failure after which Intercom may have applied the request."""
    if isinstance(error, ConnectionFailed):
        return error.request_sent
    return isinstance(error, ServerError)


def step_error(operation: str, error: BaseException, code: str | None = None) -> StepError:
    """The failure as the workflow sees it; the message keeps the error's class."""
    name = type(error).__name__
    text = str(error)
    message = f"{name}: {text}" if text and text != name else name
    return StepError(
        operation=operation,
        message=message,
        status=getattr(error, "status", None),
        code=code or getattr(error, "code", None) or name,
        request_id=getattr(error, "request_id", None),
    )


@dataclass
class SettledCall:
    """Makes one call of one step; ``warn`` records what settling decided."""

    client: AsyncIntercomClient
    ref: StepRef
    record: Operation
    data: dict[str, Any]
    all_pages: bool
    warn: Callable[[str], None]
    sleep: Callable[[float], Awaitable[Any]]
    now: Callable[[], float]
    resend: bool = False
    """The person resuming asked for this write to be sent again without a rule."""
    listing: dict[str, Any] = field(default_factory=dict)
    """With ``all_pages``: the listing options (parallel, updated_since)."""

    async def run(self, maybe_sent_at: float | None) -> Any:
        """The call's output; ``maybe_sent_at``: when an earlier attempt may have gone out."""
        unsettled: tuple[float, str] | None = None
        if maybe_sent_at is not None and not self.record.retry_safe:
            unsettled = (maybe_sent_at, "before the run was interrupted")
        for attempt in range(1, ATTEMPTS + 1):
            sent_at = self.now()
            try:
                if unsettled is not None:
                    found = await self._settle(*unsettled)
                    unsettled = None  # settled: not applied, or safe to send again
                    if found is not None:
                        return found
                    sent_at = self.now()
                return await self._send()
            except CallFailed:
                raise
            except Conflict as conflict:
                adopted = await self._adopt(conflict, maybe_sent_at)
                if adopted is None:
                    raise self._failed(conflict) from conflict
                return adopted
            except TransientError as error:
                if maybe_applied(error) and not self.record.retry_safe and unsettled is None:
                    unsettled = (sent_at, f"when it failed ({error})")
                    maybe_sent_at = sent_at
                if attempt == ATTEMPTS or isinstance(error, ExportJobUnknown):
                    raise self._failed(error, maybe=unsettled is not None) from error
                await self.sleep(backoff_delay(self.client.api.retry, attempt))
            except IntercomError as error:
                raise self._failed(error, maybe=unsettled is not None) from error
            except Exception as error:
                # invalid input, a refused scope, a download that cannot be written
                raise self._failed(error) from error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self) -> Any:
        if not self.all_pages:
            return await self.client.call(self.record.name, self.data)
        records = await self.client.collect(self.record.name, self.data, **self.listing)
        items_key = (self.record.pagination or {}).get("items") or self.record.list_key or "data"
        return {"type": "list", items_key: records, "total_count": len(records)}

    def _failed(self, error: BaseException, *, maybe: bool = False) -> CallFailed:
        applied = maybe and not self.record.retry_safe
        return CallFailed(step_error(self.record.name, error), maybe_applied=applied)

    async def _settle(self, since: float, why: str) -> Any:
        """What the earlier attempt made, or None when the write should be sent (again)."""
        rule = settlement_rule(self.record.name)
        name = self.record.name
        if rule is None:
            if self.resend:
                self.warn(f"{name} may have been applied {why}; sent again as asked (--resend)")
                return None
            raise self._not_settleable(why)
        if rule.find is None:
            self.warn(f"{name} may have been applied {why}; {rule.how}")
            return None
        found = await rule.find(self.client, self.data, since)
        if found is not None:
            self.warn(
                f"{name} had been applied {why}: settled by a lookup, the record it made is "
                "the step's output and nothing was sent again"
            )
            return found
        self.warn(f"{name} had not been applied {why} (settled by a lookup); sent again")
        return None

    async def _adopt(self, conflict: Conflict, maybe_sent_at: float | None) -> Any:
        """After a resend of a create, the record Intercom says already exists is ours."""
        rule: SettlementRule | None = settlement_rule(self.record.name)
        if maybe_sent_at is None or rule is None or rule.conflict_names is None:
            return None
        existing = rule.named_in_conflict(conflict.message or str(conflict))
        if existing is None:
            return None
        operation, field = rule.conflict_names
        self.warn(f"{self.record.name}: Intercom answered 409 naming {existing}; adopted it")
        return await self.client.call(operation, {field: existing})

    def _not_settleable(self, why: str) -> CallFailed:
        request = f"{self.record.method} {self.record.path}"
        sent = json.dumps(self.data, ensure_ascii=False, default=repr)
        if len(sent) > 300:
            sent = sent[:299] + "…"
        message = (
            f"{self.record.name} ({request}) may have been applied by Intercom {why}, and "
            "there is no rule to check whether it was, so it is not sent again. Check in "
            f"Intercom whether this request was applied: {sent}. If it was not, resume with "
            f"`--resend {self.ref.key}` to send it again."
        )
        error = StepError(self.record.name, message, code="not_settleable")
        return CallFailed(error, maybe_applied=True)
