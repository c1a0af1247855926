"""The Temporal workflow: the project's one interpreter, with Temporal as its engine.

``InterpretedWorkflow`` checks the run's workflow definition and hands the interpreter a
``TemporalStepEngine``: calls become activities, a delay becomes a durable timer, ``now`` is
the workflow clock. The calls the interpreter issues during one workflow task (the
iterations of a parallel loop that a finished batch let start) travel together as one
activity, a ``CallBatch`` of at most ``BATCH_CALLS``, whose id is the first call's step key
(its loop path) followed by how many more it carries. One activity per call would cost
the server and the workflow two tasks per call; a batch costs them once. Step boundaries go
to a journal kept in the workflow's state (the same events the embedded engine writes to
the run log), which the ``journal`` query pages out, so `run` and `runs show` mirror a
Temporal run into the local run log and render it with the same debug view.

Long runs: when the history grows past ``continue_after`` events (or Temporal suggests it)
the engine stops admitting new calls, waits for the calls in flight, and continues as new
with the journal so far. The new run replays the interpreter over that journal (finished
calls answer with their recorded outputs, a timer waits only what was left) and carries
on, so a 20,000-iteration loop never meets Temporal's history limits. The journal itself
travels through the payload store when it is large.

Errors: the activity reports a failed call as that call's outcome, the ``StepError``; the
engine turns it back into ``CallFailed``, so the user reads Intercom's message, not
"Activity task failed".
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import fields
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from intercom_connector.workflow.engine import CallFailed, StepError, StepRef
    from intercom_connector.workflow.engines.temporal.messages import (
        CALLS_ACTIVITY,
        JOURNAL_QUERY,
        WORKFLOW_NAME,
        CallBatch,
        CallOutcome,
        CallRequest,
        JournalPage,
        RunOutcome,
        RunRequest,
    )
    from intercom_connector.workflow.engines.temporal.stored_outputs import (
        dumps,
        from_marker,
        loads,
        with_markers,
    )
    from intercom_connector.workflow.interpreter import Interpreter, StepFailed
    from intercom_connector.workflow.loader import check_data
    from intercom_connector.workflow.runlog import (
        STEP_FAILED,
        STEP_FINISHED,
        STEP_STARTED,
        TIMER_STARTED,
    )

JOURNAL_PAGE = 5_000
TAIL_LIMIT = 2_000_000
"""Characters of outputs above which a finished run's result carries no journal tail."""
BATCH_CALLS = 8
"""Calls per activity at most: big enough to spare the server a task per call, small
enough that a batch waiting for its slowest call holds few loop iterations back."""
REPLAY_SLICE = 2_000
"""Replayed step executions per workflow task while a carried journal is replayed."""

CALL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=20,
)
"""Temporal retries only attempts that vanished (a worker lost mid-batch): every failure of a
call is reported as its outcome, because the client inside the activity has already
applied the connector's own retry policy. One policy per kind of failure, never both."""


class TemporalStepEngine:
    """The ``Engine`` the interpreter sees inside the workflow."""

    def __init__(self, request: RunRequest) -> None:
        self.request = request
        self.journal: list[dict[str, Any]] = loads(request.journal)
        self.carried = len(self.journal)
        """Events carried in from before a continue-as-new (or a resume)."""
        self.done: dict[str, Any] = {}
        self.timers: dict[str, float] = {}
        self.open: set[str] = set()
        for event in self.journal:
            key, kind = event.get("key"), event["type"]
            if key is None:
                continue
            if kind == STEP_STARTED:
                self.open.add(key)
            elif kind == STEP_FINISHED:
                self.done[key] = event.get("data")
                self.open.discard(key)
            elif kind == STEP_FAILED:
                self.open.discard(key)
            elif kind == TIMER_STARTED:
                self.timers[key] = float(event["data"]["until"])
        self.in_flight = 0
        self.draining = False
        self._unyielded = 0
        self._pause: asyncio.Future[None] | None = None
        self._history_base: int | None = None
        self._batch: list[tuple[CallRequest, asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Future[None]] = set()

    def _append(self, type: str, ref: StepRef, data: Any) -> None:
        self.journal.append(
            {
                "type": type,
                "key": ref.key,
                "step_id": ref.step_id,
                "kind": ref.kind,
                "data": data,
                "at": self.now(),
            }
        )

    def now(self) -> float:
        return workflow.now().timestamp()

    def started(self, ref: StepRef, input: Any) -> None:
        self._unyielded += 1
        if ref.key in self.done or ref.key in self.open:
            return  # replayed, or carried over open from before a continue-as-new
        self.open.add(ref.key)
        self._append(STEP_STARTED, ref, input)

    def finished(self, ref: StepRef, output: Any) -> None:
        if ref.key in self.done:
            return
        self.open.discard(ref.key)
        self.done[ref.key] = output
        self._append(STEP_FINISHED, ref, output)

    def failed(self, ref: StepRef, error: str) -> None:
        self.open.discard(ref.key)
        self._append(STEP_FAILED, ref, {"error": error})

    async def _admit(self) -> None:
        """Hold new work once the run is about to continue as new (it is then cancelled)."""
        if self.draining:
            await workflow.wait_condition(lambda: False)
        if self._history_base is None:  # the replay of the carried journal is over
            self._history_base = workflow.info().get_current_history_length()
        self._unyielded = 0

    async def _replayed(self) -> None:
        """Let a long replay span several workflow tasks (each has a two-second budget).

        Every branch of a parallel loop waits at the same short timer, so the workflow
        task ends there and the next slice of the replay runs in the next one."""
        if self._pause is None or self._pause.done():
            if self._unyielded < REPLAY_SLICE:
                return
            self._unyielded = 0
            self._pause = asyncio.ensure_future(workflow.sleep(0.001))
        await self._pause

    def _check_history(self) -> None:
        info = workflow.info()
        grown = info.get_current_history_length() - (self._history_base or 0)
        if grown >= self.request.continue_after or info.is_continue_as_new_suggested():
            self.draining = True

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
        if ref.key in self.done:
            await self._replayed()
            return self.done[ref.key]
        await self._admit()
        request = CallRequest(
            self.request.auth,
            operation,
            with_markers(data),
            all_pages,
            ref.key,
            ref.step_id,
            {"parallel": parallel, "updated_since": updated_since},
        )
        self.in_flight += 1
        try:
            outcome: CallOutcome = await self._batched(request)
        finally:
            self.in_flight -= 1
            self._check_history()
        if outcome.error is not None:
            raise CallFailed(StepError(**outcome.error), maybe_applied=outcome.maybe_applied)
        return from_marker(outcome.output)

    def _batched(self, request: CallRequest) -> asyncio.Future[Any]:
        """The call's outcome, once the batch it joins (this workflow task's) returns."""
        future = asyncio.get_running_loop().create_future()
        if not self._batch:
            self._keep(self._send_batches())
        self._batch.append((request, future))
        return future

    async def _send_batches(self) -> None:
        # A condition is checked only once nothing else in the workflow task can run: by
        # then every iteration that could start has issued its call.
        await workflow.wait_condition(lambda: True)
        calls, self._batch = self._batch, []
        for start in range(0, len(calls), BATCH_CALLS):
            self._keep(self._send(calls[start : start + BATCH_CALLS]))

    def _keep(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, calls: list[tuple[CallRequest, asyncio.Future[Any]]]) -> None:
        requests = [request for request, _ in calls]
        first = requests[0].key
        try:
            outcomes = await workflow.execute_activity(
                CALLS_ACTIVITY,
                CallBatch(requests),
                activity_id=first if len(requests) == 1 else f"{first} +{len(requests) - 1}",
                task_queue=self.request.activity_queue,
                start_to_close_timeout=timedelta(hours=2),
                heartbeat_timeout=timedelta(seconds=10),
                retry_policy=CALL_RETRY,
                result_type=list[CallOutcome],
            )
        except ActivityError as error:
            outcomes = [
                CallOutcome(error=step_error(r.operation, error).as_output()) for r in requests
            ]
        for (_, future), outcome in zip(calls, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)

    async def sleep(self, ref: StepRef, seconds: float) -> None:
        if ref.key in self.done:
            await self._replayed()
            return
        await self._admit()
        until = self.timers.get(ref.key)
        if until is None:
            until = self.now() + seconds
            self.timers[ref.key] = until
            self._append(TIMER_STARTED, ref, {"until": until, "seconds": seconds})
        remaining = until - self.now()
        if remaining > 0:
            await workflow.sleep(remaining)


def step_error(operation: str, error: ActivityError) -> StepError:
    """Intercom's message from the activity's failure, whatever Temporal wrapped it in."""
    cause: BaseException | None = error.cause
    if isinstance(cause, ApplicationError) and cause.details:
        details = cause.details[0]
        if isinstance(details, dict) and "message" in details:
            return StepError(
                operation=details.get("operation") or operation,
                message=str(details["message"]),
                status=details.get("status"),
                code=details.get("code"),
                request_id=details.get("request_id"),
            )
    while cause is not None and getattr(cause, "cause", None) is not None:
        cause = cause.cause  # type: ignore[attr-defined]
    message = str(cause or error) or type(cause or error).__name__
    return StepError(operation=operation, message=message, code=type(cause or error).__name__)


def _tail(engine: TemporalStepEngine, outputs: str) -> tuple[str, int]:
    """The journal of the run's last leg, for its result, and where it starts.

    Only when the outputs are small: the journal holds them again, and encoding tens of
    megabytes twice would exceed the workflow task's two-second budget. Without a tail the
    mirror reads the rest by query, as for a run it fell behind on."""
    if len(outputs) > TAIL_LIMIT:
        return "[]", len(engine.journal)
    return dumps(engine.journal[engine.carried :]), engine.carried


@workflow.defn(name=WORKFLOW_NAME)
class InterpretedWorkflow:
    def __init__(self) -> None:
        self.engine: TemporalStepEngine | None = None
        self.running = True

    @workflow.run
    async def run(self, request: RunRequest) -> RunOutcome:
        engine = self.engine = TemporalStepEngine(request)
        loaded = check_data(request.definition, request.file)
        interpreter = Interpreter(loaded.plan, engine, config=request.config, env=request.env)
        task = asyncio.ensure_future(interpreter.run())
        await workflow.wait_condition(
            lambda: task.done() or (engine.draining and engine.in_flight == 0)
        )
        if not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            carried = {field.name: getattr(request, field.name) for field in fields(request)}
            carried.update(journal=dumps(engine.journal), generation=request.generation + 1)
            workflow.continue_as_new(carried)
        self.running = False
        try:
            outputs = dumps(task.result())
        except StepFailed as failure:
            ref = failure.ref
            failed = ("failed", "{}", str(failure), ref.step_id, ref.key)
            return RunOutcome(*failed, "[]", len(engine.journal))  # the mirror queries the rest
        return RunOutcome("succeeded", outputs, None, None, None, *_tail(engine, outputs))

    @workflow.query(name=JOURNAL_QUERY)
    def journal_page(self, since: int) -> JournalPage:
        events = self.engine.journal if self.engine is not None else []
        page = events[since : since + JOURNAL_PAGE]
        return JournalPage(dumps(page), since + len(page), self.running)
