"""A run as the debug panel shows it: the step tree of the workflow file, filled from the log.

The run log is a flat list of step executions keyed by loop path (``loop-1[3].x``). The
panel wants the shape the author wrote: each step of the file once, a loop with its
iteration count (the iterations fetched a page at a time, never 20,000 at once), a condition
with the branch it took, and under an opened iteration the loop's body filled from that
iteration's executions. ``RunIndex`` folds the log once per run and indexes it by key so
every one of those requests is a dictionary lookup.

Values leave through the run's redactor only: the log keeps history exact, and what a
browser sees is masked the way ``runs show`` masks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.redaction import Redactor
from intercom_connector.workflow.runlog import Event, RunSummary, StepRecord

STEP_KINDS = ("call", "loop", "break", "condition", "delay", "map")
ITERATION_PAGE = 50
TIMELINE_BARS = 500
_ITERATION_KEY = re.compile(r"^(.*)\[(\d+)\]$")


def step_kind(step: dict[str, Any]) -> str:
    return next((kind for kind in STEP_KINDS if kind in step), "?")


@dataclass
class RunIndex:
    """One run's step executions, by key and by loop."""

    summary: RunSummary
    records: dict[str, StepRecord]
    redactor: Redactor
    iterations: dict[str, list[StepRecord]] = field(default_factory=dict)
    throttles: list[Event] = field(default_factory=list)
    """The run's ``throttled`` events: rate-limiter waits of calls, for the timeline."""

    @classmethod
    def build(
        cls, summary: RunSummary, records: list[StepRecord], throttles: list[Event] | None = None
    ) -> RunIndex:
        redactor = display_redactor(summary)
        index = cls(summary, {record.key: record for record in records}, redactor)
        index.throttles = list(throttles or [])
        for record in records:
            match = _ITERATION_KEY.match(record.key)
            if record.kind == "iteration" and match:
                index.iterations.setdefault(match.group(1), []).append(record)
        for runs in index.iterations.values():
            runs.sort(key=lambda r: int(_ITERATION_KEY.match(r.key).group(2)))  # type: ignore[union-attr]
        return index

    @property
    def definition_steps(self) -> list[dict[str, Any]]:
        definition = self.summary.start.get("definition") or {}
        steps = definition.get("steps") if isinstance(definition, dict) else None
        return steps if isinstance(steps, list) else []

    # --- the tree ----------------------------------------------------------------------
    def block(self, prefix: str = "") -> list[dict[str, Any]]:
        """The nodes of the block whose step keys start with ``prefix`` ('' = top level)."""
        steps = self.definition_steps
        if prefix:
            steps = self._body_of(prefix)
        return [self._node(step, prefix) for step in steps if isinstance(step, dict)]

    def _body_of(self, prefix: str) -> list[dict[str, Any]]:
        """The loop body that an iteration prefix (``a[1].b[2].``) runs."""
        steps = self.definition_steps
        for part in prefix.rstrip(".").split("."):
            match = _ITERATION_KEY.match(part)
            loop_id = match.group(1) if match else part
            loop = _find(steps, loop_id)
            if loop is None:
                return []
            steps = loop.get("steps") or []
        return steps

    def _node(self, step: dict[str, Any], prefix: str) -> dict[str, Any]:
        step_id = str(step.get("id"))
        key = prefix + step_id
        kind = step_kind(step)
        record = self.records.get(key)
        node: dict[str, Any] = {
            "id": step_id,
            "key": key,
            "kind": kind,
            "description": step.get("description"),
            **self._fields(record),
        }
        if kind == "call":
            node["operation"] = step.get("call")
            node["error_steps"] = [self._node(s, prefix) for s in _branch(step, "error")]
        if kind == "loop":
            runs = self.iterations.get(key, [])
            mode = step.get("loop") or {}
            node["loop"] = "forever" if isinstance(mode, dict) and "forever" in mode else "list"
            node["parallel"] = mode.get("parallel", 1) if isinstance(mode, dict) else 1
            node["iterations"] = len(runs)
            node["failed_iterations"] = sum(1 for r in runs if r.status == "failed")
        if kind == "condition":
            output = record.output if record and isinstance(record.output, dict) else {}
            node["branch"] = output.get("branch")
            node["then"] = [self._node(s, prefix) for s in _branch(step, "then")]
            node["else"] = [self._node(s, prefix) for s in _branch(step, "else")]
        return node

    def iteration_page(
        self, loop_key: str, offset: int = 0, limit: int = ITERATION_PAGE, failed: bool = False
    ) -> dict[str, Any]:
        runs = self.iterations.get(loop_key, [])
        if failed:
            runs = [r for r in runs if r.status == "failed"]
        page = runs[max(0, offset) : max(0, offset) + max(1, min(limit, 500))]
        return {
            "loop": loop_key,
            "offset": offset,
            "total": len(runs),
            "iterations": [
                {
                    "index": int(_ITERATION_KEY.match(r.key).group(2)),  # type: ignore[union-attr]
                    **self._fields(r),
                    "key": r.key,
                }
                for r in page
            ],
        }

    # --- one execution's data ----------------------------------------------------------
    def execution(self, key: str) -> dict[str, Any]:
        record = self.records.get(key)
        if record is None:
            raise KeyError(key)
        return {
            **self._fields(record),
            "key": key,
            "step_id": record.step_id,
            "kind": record.kind,
            "input_base": data_base(record, "input"),
            "output_base": data_base(record, "output"),
            "outer_base": outer_base(key) if record.kind != "iteration" else None,
            "warnings": [self.redactor.text(w) for w in record.warnings],
        }

    def value(self, key: str, side: str) -> Any:
        record = self.records.get(key)
        if record is None:
            raise KeyError(key)
        return self.redactor.value(record.input if side == "input" else record.output)

    def _fields(self, record: StepRecord | None) -> dict[str, Any]:
        fields = _record_fields(record)
        if fields.get("error") is not None:
            fields["error"] = self.redactor.text(fields["error"])
        return fields

    # --- the timeline ------------------------------------------------------------------
    def timeline(self, limit: int = TIMELINE_BARS) -> dict[str, Any]:
        """Bars for top-level steps and their loops' iterations (lanes show overlap)."""
        origin = self.summary.started_at
        waits, throttles = self._waits(origin), self._throttled(origin)
        rows: list[dict[str, Any]] = []
        shown_bars = 0
        hidden = 0
        for record in self.records.values():
            if "[" in record.key or "." in record.key:
                continue
            bars = [_bar(record, origin, waits, throttles)]
            lanes: list[float] = []
            for iteration in self.iterations.get(record.key, []):
                if shown_bars >= limit:
                    hidden += 1
                    continue
                bar = _bar(iteration, origin, waits, throttles)
                bar["lane"] = _lane(lanes, bar["start"], bar["end"])
                bars.append(bar)
                shown_bars += 1
            rows.append({"key": record.key, "kind": record.kind, "bars": bars, "lanes": len(lanes)})
        end = self.summary.finished_at or max(
            [r.finished_at or r.started_at for r in self.records.values()] or [origin]
        )
        return {"span": max(end - origin, 0.001), "rows": rows, "hidden": hidden}

    def _waits(self, origin: float) -> dict[str, list[list[float]]]:
        """Delays by the bar that draws them: a top-level step or a top-level loop's iteration."""
        waits: dict[str, list[list[float]]] = {}
        for record in self.records.values():
            if record.timer_until is None:
                continue
            span = [round(record.started_at - origin, 4), round(record.timer_until - origin, 4)]
            waits.setdefault(_bar_key(record.key), []).append(span)
        return waits

    def _throttled(self, origin: float) -> dict[str, list[list[float]]]:
        """Rate-limit pauses by the bar that draws them, from when each began, for how long."""
        spans: dict[str, list[list[float]]] = {}
        for event in self.throttles:
            seconds = event.data.get("seconds") if isinstance(event.data, dict) else None
            if event.key is None or not isinstance(seconds, int | float):
                continue
            span = [round(event.at - origin, 4), round(event.at + seconds - origin, 4)]
            spans.setdefault(_bar_key(event.key), []).append(span)
        return spans


def _bar_key(key: str) -> str:
    """The bar a step key is drawn in: itself at top level, else its top-level iteration."""
    return key[: key.index("]") + 1] if "[" in key else key


def display_redactor(summary: RunSummary) -> Redactor:
    """The masking ``runs show`` applies to this run: its secrets, secret keys, Bearer values."""
    return summary.redactor


def _find(steps: list[Any], step_id: str) -> dict[str, Any] | None:
    """The step with ``step_id`` in ``steps`` or in condition branches among them."""
    for step in steps:
        if not isinstance(step, dict):
            continue
        if step.get("id") == step_id:
            return step
        nested = [*_branch(step, "then"), *_branch(step, "else"), *_branch(step, "error")]
        found = _find(nested, step_id) if nested else None
        if found is not None:
            return found
    return None


def _branch(step: dict[str, Any], name: str) -> list[Any]:
    """A condition's ``then``/``else`` or a call's ``error`` steps: same prefix as the step."""
    steps = step.get(name)
    return steps if isinstance(steps, list) else []


def _record_fields(record: StepRecord | None) -> dict[str, Any]:
    if record is None:
        return {"status": "not run"}
    duration = record.duration_ms
    return {
        "status": record.status,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_ms": None if duration is None else round(duration, 1),
        "attempts": record.attempts,
        "error": record.error,
        "waiting_until": record.timer_until,
    }


def data_base(record: StepRecord, side: str) -> str | None:
    """The reference a workflow writes for this execution's data, where it can reach it.

    A step's output is ``$.steps.<id>`` in its own scope (inside the loop, for a step in a
    loop body); an iteration's input is the loop's current ``{index, value}``.
    """
    if record.kind == "iteration":
        return f"$.steps.{record.step_id}" if side == "input" else None
    return f"$.steps.{record.step_id}" if side == "output" else None


def outer_base(key: str) -> str | None:
    """For a step inside loops, the reference after the outermost loop, through ``results``."""
    parts = key.split(".")
    if len(parts) == 1:
        return None
    text = "$.steps"
    for part in parts:
        match = _ITERATION_KEY.match(part)
        if match:
            text += f"['{match.group(1)}'].results[{match.group(2)}]"
        else:
            text += f"['{part}']"
    return text


def _bar(
    record: StepRecord,
    origin: float,
    waits: dict[str, list[list[float]]],
    throttles: dict[str, list[list[float]]],
) -> dict[str, Any]:
    start = record.started_at - origin
    end = (record.finished_at or record.started_at) - origin
    bar: dict[str, Any] = {
        "key": record.key,
        "status": record.status,
        "start": round(start, 4),
        "end": round(max(end, start), 4),
        "lane": 0,
    }
    if record.key in waits:
        bar["waits"] = waits[record.key]
    if record.key in throttles:
        bar["throttles"] = throttles[record.key]
    return bar


def _lane(lanes: list[float], start: float, end: float) -> int:
    """The first lane free at ``start`` (greedy interval partitioning)."""
    for number, busy_until in enumerate(lanes):
        if busy_until <= start:
            lanes[number] = end
            return number
    lanes.append(end)
    return len(lanes) - 1
