"""The embedded engine: steps run in this asyncio process, every boundary in the run log.

``EmbeddedEngine`` runs calls over an ``AsyncIntercomClient`` and writes every step
boundary to the run log. Given the history of an earlier attempt it resumes: a step whose
finish was recorded is not executed again (a call answers with its recorded output), a
delay waits only what was left of it, and a step that started without a recorded finish
runs again; if it is a write that is not idempotent, it is settled first (``calls.py``),
never re-sent blindly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.http.ratelimit import hearing_throttles
from intercom_connector.redaction import Redactor
from intercom_connector.workflow.engine import (
    CallFailed,
    ProgressEvent,
    ProgressHandler,
    StepRef,
)
from intercom_connector.workflow.engines.calls import SettledCall
from intercom_connector.workflow.runlog import (
    STEP_FAILED,
    STEP_FINISHED,
    STEP_STARTED,
    THROTTLED,
    TIMER_STARTED,
    WARNING,
    RunLog,
    StepRecord,
)


@dataclass
class RunJournal:
    """Appends one run's events to the run log, exactly as they happened.

    ``redactor`` is for what this run shows while it goes (error messages, progress); the
    log itself is sealed, not masked.
    """

    log: RunLog
    run_id: str
    redactor: Redactor = field(default_factory=Redactor)

    def append(
        self, type: str, ref: StepRef | None = None, data: Any = None, *, durable: bool = False
    ) -> None:
        self.log.append(
            self.run_id,
            type,
            key=ref.key if ref else None,
            step_id=ref.step_id if ref else None,
            kind=ref.kind if ref else None,
            data=data,
            durable=durable,
        )


class EmbeddedEngine:
    """Runs steps in this process with ``client``; logs them; replays a recorded history."""

    def __init__(
        self,
        client: AsyncIntercomClient,
        journal: RunJournal,
        *,
        history: Mapping[str, StepRecord] | None = None,
        on_progress: ProgressHandler | None = None,
        clock: Callable[[], float] = time.time,
        sleeper: Callable[[float], Any] = asyncio.sleep,
        resend: Collection[str] = (),
    ) -> None:
        self.client = client
        self.journal = journal
        self.history = dict(history or {})
        self._on_progress = on_progress
        self._clock = clock
        self._sleep = sleeper
        self.resend = frozenset(resend)
        """Step keys whose unsettleable write the person resuming said to send again."""
        self._maybe_applied: set[str] = set()

    def _done_before(self, ref: StepRef) -> StepRecord | None:
        prior = self.history.get(ref.key)
        return prior if prior is not None and prior.status == "finished" else None

    def _progress(self, type: str, ref: StepRef, data: Any = None) -> None:
        if self._on_progress is not None:
            self._on_progress(ProgressEvent(type, ref, data))

    def now(self) -> float:
        return self._clock()

    def started(self, ref: StepRef, input: Any) -> None:
        if self._done_before(ref) is None:
            self.journal.append(STEP_STARTED, ref, input)
            self._progress("started", ref, input)

    def finished(self, ref: StepRef, output: Any) -> None:
        done = self._done_before(ref)
        if done is not None:
            self._progress("replayed", ref, done.output)
            return
        self.journal.append(STEP_FINISHED, ref, output)
        self._progress("finished", ref, output)

    def failed(self, ref: StepRef, error: str) -> None:
        data: dict[str, Any] = {"error": error}
        if ref.key in self._maybe_applied:
            data["maybe_applied"] = True
        self.journal.append(STEP_FAILED, ref, data, durable=True)
        self._progress("failed", ref, error)

    def warn(self, ref: StepRef, message: str) -> None:
        self.journal.append(WARNING, ref, {"message": message})
        self._progress("warning", ref, message)

    async def call(
        self,
        ref: StepRef,
        operation: str,
        data: dict[str, Any],
        *,
        all_pages: bool,
        parallel: int = 1,
        updated_since: float | None = None,
    ) -> Any:
        done = self._done_before(ref)
        if done is not None:
            return done.output
        prior = self.history.get(ref.key)
        record = self.client.operation(operation)
        if not record.retry_safe:
            # The log must know this write may be sent before it is: a crash from here on
            # leaves a started step, which the next attempt settles instead of resending.
            self.journal.log.flush()
        maybe_sent_at = None
        if prior is not None and (prior.status == "started" or prior.maybe_applied):
            maybe_sent_at = prior.started_at
        call = SettledCall(
            self.client,
            ref,
            record,
            data,
            all_pages,
            warn=lambda message: self.warn(ref, message),
            sleep=self._sleep,
            now=self.now,
            resend=ref.key in self.resend,
            listing={"parallel": parallel, "updated_since": updated_since},
        )

        def throttled(wait: float) -> None:
            self.journal.append(THROTTLED, ref, {"seconds": wait})

        try:
            with hearing_throttles(throttled):
                return await call.run(maybe_sent_at)
        except CallFailed as failure:
            if failure.maybe_applied:
                self._maybe_applied.add(ref.key)
            raise

    async def sleep(self, ref: StepRef, seconds: float) -> None:
        if self._done_before(ref) is not None:
            return
        prior = self.history.get(ref.key)
        now = self.now()
        if prior is not None and prior.timer_until is not None:
            until = prior.timer_until
        else:
            until = now + seconds
            self.journal.append(
                TIMER_STARTED, ref, {"until": until, "seconds": seconds}, durable=True
            )
        remaining = max(0.0, until - now)
        self._progress("waiting", ref, remaining)
        if remaining > 0:
            await self._sleep(remaining)
