"""The interpreter: walks a checked workflow and decides what happens next, nothing more.

It never does I/O. Operation calls, sleeps and step boundaries go through the ``Engine``
(``engine.py``); what it decides depends only on the workflow, ``config``, ``env`` and the
outputs the engine hands back, so a replay with recorded outputs takes the same path and gives every
step execution the same key: the step id, prefixed by the loop iterations around it
(``loop-1[3].list-attached-companies``).

Scopes: a step's output is visible to the steps after it in its block and in the blocks
around it. A loop iteration starts from a copy of the scope around the loop plus
``{value, index}`` under the loop's id; what its steps produce stays in the iteration, and
the loop's own output collects it per iteration under ``results``, in input order even
when iterations run in parallel.

A ``break`` travels as an exception to the loop it names, through any loops in between.
In a parallel loop, a break or a failure stops new iterations from starting; iterations
already running finish (a half-done call is worse than a late one), and the loop's results
keep only the iterations up to the one that broke, as a sequential loop would have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from intercom_connector.workflow.checks import Plan
from intercom_connector.workflow.conditions import ComparisonError, compare
from intercom_connector.workflow.durations import parse_duration
from intercom_connector.workflow.engine import (
    MAX_DELAY_SECONDS,
    CallFailed,
    Engine,
    StepRef,
    is_handled_error,
)
from intercom_connector.workflow.loop_items import iteration_start, recorded_list
from intercom_connector.workflow.model import (
    UNARY_OPERATORS,
    AnyStep,
    BreakStep,
    CallStep,
    ConditionStep,
    DelayStep,
    ForeverLoop,
    ListLoop,
    LoopStep,
    MapStep,
    iteration_ids,
    kind_of,
)
from intercom_connector.workflow.references import ReferenceProblem, resolve

Scope = dict[str, Any]


class StepFailed(Exception):
    """A step raised; the run ends failed. Names the step and its loop path."""

    def __init__(self, ref: StepRef, reason: str) -> None:
        self.ref = ref
        self.reason = reason
        super().__init__(f"step {ref.step_id!r} ({ref.key}) failed: {reason}")


class BreakLoop(Exception):
    """Unwinds to the loop named ``loop_id``."""

    def __init__(self, loop_id: str, origin: str) -> None:
        self.loop_id = loop_id
        self.origin = origin
        super().__init__(f"break {loop_id} (from {origin})")


class Interpreter:
    def __init__(
        self, plan: Plan, engine: Engine, *, config: dict[str, Any], env: dict[str, Any]
    ) -> None:
        self.plan = plan
        self.engine = engine
        self.config = config
        self.env = env
        self._recorded = {s.id for s in plan.workflow.steps if isinstance(s, CallStep)}
        """Top-level call steps: each output is recorded once, as the interpreter saw it."""
        self._handlers: dict[type, Callable[..., Coroutine[Any, Any, None]]] = {
            CallStep: self._call,
            LoopStep: self._loop,
            BreakStep: self._break,
            ConditionStep: self._condition,
            DelayStep: self._delay,
            MapStep: self._map,
        }

    async def run(self) -> Scope:
        """Run every step; the top-level outputs by step id. Raises StepFailed."""
        scope: Scope = {}
        await self._block(list(self.plan.workflow.steps), scope, "", 0)
        return scope

    async def _block(self, steps: list[AnyStep], scope: Scope, prefix: str, depth: int) -> None:
        for step in steps:
            ref = StepRef(prefix + step.id, step.id, kind_of(step), depth)
            await self._handlers[type(step)](step, ref, scope, prefix, depth)

    def _context(self, scope: Scope) -> dict[str, Any]:
        return {"steps": scope, "config": self.config, "env": self.env}

    def _fail(self, ref: StepRef, reason: str, input: Any = None, *, started: bool) -> StepFailed:
        if not started:
            self.engine.started(ref, input)
        self.engine.failed(ref, reason)
        return StepFailed(ref, reason)

    def _resolve(self, ref: StepRef, value: Any, scope: Scope, input: Any) -> Any:
        try:
            return resolve(value, self._context(scope))
        except ReferenceProblem as problem:
            raise self._fail(ref, str(problem), input, started=False) from None

    # --- step kinds --------------------------------------------------------------------
    async def _call(
        self, step: CallStep, ref: StepRef, scope: Scope, prefix: str, depth: int
    ) -> None:
        operation = self.plan.operations[step.id]
        written = {"operation": operation, "input": step.input}
        data = self._resolve(ref, step.input, scope, written)
        listing = step.listing(self.engine.now()) if step.all_pages else {}
        self.engine.started(
            ref,
            {
                "operation": operation,
                "input": data,
                **({"all": True} if step.all_pages else {}),
                **listing,
            },
        )
        try:
            output = await self._attempts(step, ref, operation, data, listing)
        except CallFailed as failure:
            if not (step.handles_errors or step.error_steps):
                raise self._fail(ref, failure.error.message, started=True) from failure
            handled = {"error": failure.error.as_output()}
            if not step.handles_errors:  # an error branch, then the run fails
                self.engine.failed(ref, failure.error.message)
                scope[step.id] = handled
                await self._block(list(step.error_steps), scope, prefix, depth)
                raise StepFailed(ref, failure.error.message) from failure
            self.engine.finished(ref, handled)
            scope[step.id] = handled
            await self._block(list(step.error_steps), scope, prefix, depth)
            return
        self.engine.finished(ref, output)
        scope[step.id] = output
        if step.error_steps and is_handled_error(output):
            # A replay: the recorded output is the handled failure, so its branch ran too.
            await self._block(list(step.error_steps), scope, prefix, depth)

    async def _attempts(
        self,
        step: CallStep,
        ref: StepRef,
        operation: str,
        data: dict[str, Any],
        listing: dict[str, Any],
    ) -> Any:
        """The call, sent again on failure as ``on_error: retry`` asks (never a write that
        may have been applied: the engine has settled or refused those already)."""
        attempts = step.attempts if step.on_error == "retry" else 1
        wait = float(step.backoff)
        for attempt in range(1, attempts + 1):
            try:
                return await self.engine.call(
                    ref, operation, data, all_pages=step.all_pages, **listing
                )
            except CallFailed as failure:
                if attempt == attempts or failure.maybe_applied:
                    raise
                self.engine.failed(ref, failure.error.message)
                retry = StepRef(f"{ref.key}#retry-{attempt}", step.id, "retry-wait", ref.depth)
                await self.engine.sleep(retry, wait * 2 ** (attempt - 1))
                self.engine.started(ref, {"operation": operation, "input": data, **listing})
        raise AssertionError("unreachable")  # pragma: no cover

    async def _map(
        self, step: MapStep, ref: StepRef, scope: Scope, prefix: str, depth: int
    ) -> None:
        output = self._resolve(ref, step.map, scope, {"map": step.map})
        # No input: what it maps is the definition, which the run keeps once already.
        self.engine.started(ref, None)
        self.engine.finished(ref, output)
        scope[step.id] = output

    async def _delay(
        self, step: DelayStep, ref: StepRef, scope: Scope, prefix: str, depth: int
    ) -> None:
        value = self._resolve(ref, step.delay, scope, {"delay": step.delay})
        try:
            if isinstance(value, bool):
                raise TypeError("a delay is seconds or a duration, not true or false")
            seconds = parse_duration(value) if isinstance(value, str) else float(value)
            if not 0 <= seconds <= MAX_DELAY_SECONDS:  # also refuses nan and inf
                raise ValueError(f"a delay must be between 0 and {MAX_DELAY_SECONDS} seconds")
        except (TypeError, ValueError) as error:
            reason = f"delay {value!r}: {error}"
            raise self._fail(ref, reason, {"delay": step.delay}, started=False) from None
        self.engine.started(ref, {"seconds": seconds})
        await self.engine.sleep(ref, seconds)
        self.engine.finished(ref, {"seconds": seconds})
        scope[step.id] = {"seconds": seconds}

    async def _break(
        self, step: BreakStep, ref: StepRef, scope: Scope, prefix: str, depth: int
    ) -> None:
        self.engine.started(ref, {"loop": step.break_loop})
        self.engine.finished(ref, None)
        raise BreakLoop(step.break_loop, ref.key)

    async def _condition(
        self, step: ConditionStep, ref: StepRef, scope: Scope, prefix: str, depth: int
    ) -> None:
        condition = step.condition
        context = self._context(scope)
        evaluated: list[dict[str, Any]] = []
        written = {"match": condition.match, "comparisons": evaluated}
        result = condition.match == "all"
        for comparison in condition.comparisons:
            operator = comparison.comparison
            try:
                value1 = resolve(comparison.value1, context, allow_missing=True)
                value2 = (
                    None
                    if operator in UNARY_OPERATORS
                    else resolve(comparison.value2, context, allow_missing=True)
                )
                outcome = compare(operator, value1, value2)
            except (ReferenceProblem, ComparisonError) as error:
                raise self._fail(ref, str(error), written, started=False) from None
            evaluated.append(
                {"value1": value1, "comparison": operator, "value2": value2, "result": outcome}
            )
            if outcome != result:  # all: one false decides; any: one true decides
                result = outcome
                break
        self.engine.started(ref, written)
        branch = "then" if result else "else"
        output = {"result": result, "branch": branch}
        self.engine.finished(ref, output)
        scope[step.id] = output
        await self._block(step.then if result else step.otherwise, scope, prefix, depth)

    async def _loop(
        self, step: LoopStep, ref: StepRef, scope: Scope, prefix: str, depth: int
    ) -> None:
        mode = step.loop
        if isinstance(mode, ListLoop):
            items = self._resolve(ref, mode.items, scope, {"list": mode.items})
            if not isinstance(items, list):
                kind = "nothing" if items is None else type(items).__name__
                reason = f"loop list needs a list, and {mode.items!r} is {kind}"
                raise self._fail(ref, reason, {"list": mode.items}, started=False)
            written = {"list": mode.items, "count": len(items), "parallel": mode.parallel}
            self.engine.started(ref, written)
            source = recorded_list(mode.items, self._recorded)
            run = self._list_iterations(step, mode, items, source, scope, prefix, depth)
        else:
            self.engine.started(ref, {"forever": True, "max_iterations": mode.max_iterations})
            run = self._forever_iterations(step, mode, scope, prefix, depth)
        try:
            results, stop = await run
        except StepFailed as failure:
            self.engine.failed(ref, failure.reason if failure.ref == ref else str(failure))
            raise
        outer = stop if stop is not None and stop.loop_id != step.id else None
        summary = {"iterations": len(results), "broken": stop is not None}
        self.engine.finished(ref, summary)
        scope[step.id] = {**summary, "results": results}
        if outer is not None:
            raise outer

    async def _iteration(
        self,
        loop: LoopStep,
        index: int,
        value: Any,
        scope: Scope,
        prefix: str,
        depth: int,
        source: list[str] | None = None,
    ) -> tuple[dict[str, Any], BreakLoop | None]:
        """One iteration; ``source``: where the list's items are recorded (``loop_items``)."""
        key = f"{prefix}{loop.id}[{index}]"
        ref = StepRef(key, loop.id, "iteration", depth)
        inner = dict(scope)
        current: dict[str, Any] = {"index": index}
        recorded = current
        if isinstance(loop.loop, ListLoop):
            current["value"] = value
            recorded = iteration_start(index, value, source)
        inner[loop.id] = current
        self.engine.started(ref, recorded)
        stopped: BreakLoop | None = None
        try:
            await self._block(list(loop.steps), inner, key + ".", depth + 1)
        except BreakLoop as signal:
            stopped = signal
        except StepFailed as failure:
            self.engine.failed(ref, str(failure))
            raise
        self.engine.finished(ref, {"break": stopped.loop_id} if stopped else None)
        output = {step_id: inner[step_id] for step_id in iteration_ids(loop) if step_id in inner}
        return output, stopped

    async def _forever_iterations(
        self, step: LoopStep, mode: ForeverLoop, scope: Scope, prefix: str, depth: int
    ) -> tuple[list[Any], BreakLoop | None]:
        results: list[Any] = []
        for index in range(mode.max_iterations):
            output, stopped = await self._iteration(step, index, None, scope, prefix, depth)
            results.append(output)
            if stopped is not None:
                return results, stopped
        reason = (
            f"loop forever {step.id!r} ran max_iterations ({mode.max_iterations}) times "
            "without a break; raise max_iterations or check the break condition"
        )
        raise StepFailed(StepRef(prefix + step.id, step.id, "loop", depth), reason)

    async def _list_iterations(
        self,
        step: LoopStep,
        mode: ListLoop,
        items: list[Any],
        source: list[str] | None,
        scope: Scope,
        prefix: str,
        depth: int,
    ) -> tuple[list[Any], BreakLoop | None]:
        count = len(items)
        results: list[Any] = [None] * count
        done = [False] * count
        failures: list[tuple[int, StepFailed]] = []
        stops: list[tuple[int, BreakLoop]] = []
        cursor = iter(range(count))

        async def worker() -> None:
            for index in cursor:
                try:
                    output, stopped = await self._iteration(
                        step, index, items[index], scope, prefix, depth, source
                    )
                except StepFailed as failure:
                    failures.append((index, failure))
                    return
                results[index], done[index] = output, True
                if stopped is not None:
                    stops.append((index, stopped))
                if failures or stops:
                    return

        workers = min(mode.parallel, count)
        if workers <= 1:
            await worker()
        else:
            async with asyncio.TaskGroup() as group:
                for _ in range(workers):
                    group.create_task(worker())
        if failures:
            raise min(failures, key=lambda pair: pair[0])[1]
        if not stops:
            return results, None
        last, stop = min(stops, key=lambda pair: pair[0])
        return [results[i] for i in range(last + 1) if done[i]], stop
