"""A run at a glance, for a person at an 80-column terminal: `runs show RUN --summary`.

The debug view has a line per step execution, so a loop over 50 contacts is 100 lines. The
summary folds the executions of each step into one line: the loop's (``loop-1`` times 50,
a check mark) and, under it, its inner steps' (with how many failed); then the final result,
the output of the last top-level step, as indented JSON cut to fit. Every line fits in 80
columns. It shows what the debug view shows, folded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.workflow.runlog import RunLog, StepRecord

WIDTH = 80
TIMES = "\u00d7"  # the multiplication sign of "loop-1 x50"
_INDEX = re.compile(r"\[\d+\]")
_MARKS = {"finished": "✓", "failed": "✗", "skipped": "-"}


@dataclass
class _Fold:
    """Every execution of one step (one key pattern): how many, how they ended, how long."""

    pattern: str
    kind: str
    depth: int
    count: int = 0
    iterations: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    total_ms: float = 0.0

    def add(self, record: StepRecord) -> None:
        self.count += 1
        self.statuses[record.status] = self.statuses.get(record.status, 0) + 1
        self.total_ms += record.duration_ms or 0.0

    def line(self) -> str:
        failed = self.statuses.get("failed", 0)
        mark = "✗" if failed else _MARKS.get(next(iter(self.statuses)), "…")
        times = self.iterations if self.kind == "loop" else self.count
        name = "  " * self.depth + self.pattern.rsplit(".", 1)[-1]
        name += (f" {TIMES}{times}" if times != 1 else "") + f" {mark}"
        outcome = f"{failed} failed" if failed else ""
        if len(self.statuses) > 1 and not failed:
            outcome = ", ".join(f"{n} {status}" for status, n in self.statuses.items())
        timing = f"{self.total_ms:,.0f} ms" + (" in all" if self.count > 1 else "")
        return f"{name:<40.40} {self.kind:<10.10} {timing:>14}  {outcome}".rstrip()


def fold(records: list[StepRecord]) -> list[_Fold]:
    """The step executions grouped by their key with loop indexes folded, in first-run order."""
    folds: dict[str, _Fold] = {}
    for record in records:
        pattern = _INDEX.sub("", record.key)
        if record.kind == "iteration":
            if pattern in folds:  # counted on its loop's line
                folds[pattern].iterations += 1
            continue
        if pattern not in folds:
            folds[pattern] = _Fold(pattern, record.kind, record.key.count("."))
        folds[pattern].add(record)
    return list(folds.values())


def _final_result(records: list[StepRecord]) -> tuple[str, Any] | None:
    top = [r for r in records if "." not in r.key and "[" not in r.key and r.status == "finished"]
    return (top[-1].step_id, top[-1].output) if top else None


def _shortened(value: Any, more: str, lines: int = 16) -> list[str]:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str).splitlines()
    cut = [line if len(line) <= WIDTH - 2 else line[: WIDTH - 3] + "…" for line in text[:lines]]
    if len(text) > lines:
        cut.append(f"… {len(text) - lines} more lines: {more}")
    return cut


def summary_lines(log: RunLog, run_id: str) -> list[str]:
    summary = log.summary(run_id)
    records = log.steps(run_id)
    took = "" if summary.duration is None else f" in {summary.duration:.2f}s"
    lines = [f"{summary.workflow}: {summary.status}{took}", f"run {run_id}", ""]
    lines += [item.line() for item in fold(records)]
    if summary.error:
        lines += ["", f"error: {summary.error}"]
    result = _final_result(records)
    if result is not None and summary.status == "succeeded":
        step, output = result
        more = f"runs show {run_id} --step {step} --full"
        lines += ["", f"result ({step}):", *("  " + line for line in _shortened(output, more))]
    return [line if len(line) <= WIDTH else line[: WIDTH - 1] + "…" for line in lines]


__all__ = ["fold", "summary_lines"]
