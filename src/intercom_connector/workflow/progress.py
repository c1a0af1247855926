"""Progress on the terminal while a run goes: steps as they finish, loops, waits.

A line per top-level step, a bar per top-level loop (iterations done of how many), and a
note for every wait of a delay step (the client reports its own retries).
Every line passes through the run's ``Redactor`` (the events carry exact data).
When stderr is not a terminal the bars become a line at the start and the end of each
loop, so CI logs stay short. Step executions inside loops are not printed one by one;
``runs show`` has them all.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from intercom_connector.redaction import Redactor
from intercom_connector.workflow.engine import ProgressEvent, StepRef


class TerminalProgress:
    """A ``ProgressHandler``: call it with the engine's events, inside ``with``."""

    def __init__(
        self,
        console: Console | None = None,
        *,
        bars: bool | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.redactor = redactor or Redactor()
        self.bars = self.console.is_terminal if bars is None else bars
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._began: dict[str, float] = {}

    def __enter__(self) -> TerminalProgress:
        if self.bars:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
            )
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _say(self, text: str) -> None:
        self.console.print(self.redactor.text(text), highlight=False, markup=False)

    def _elapsed(self, ref: StepRef) -> str:
        began = self._began.pop(ref.key, None)
        return "" if began is None else f"  {(time.perf_counter() - began) * 1000:.0f} ms"

    def __call__(self, event: ProgressEvent) -> None:
        ref = event.ref
        if event.type == "started" and ref.depth == 0:
            self._began[ref.key] = time.perf_counter()
            if ref.kind == "loop":
                self._loop_started(ref, event.data or {})
        elif event.type in ("finished", "replayed"):
            if ref.kind == "iteration":
                self._advance(ref)
            elif ref.kind == "loop" and ref.depth == 0:
                self._loop_finished(ref, event.data, event.type == "replayed")
            elif ref.depth == 0:
                mark = "↺" if event.type == "replayed" else "✓"
                note = "  (recorded, not run again)" if event.type == "replayed" else ""
                self._say(f"{mark} {ref.key}  {ref.kind}{self._elapsed(ref)}{note}")
        elif event.type == "failed" and ref.kind not in ("iteration", "loop"):
            self._say(f"✗ {ref.key}  {event.data}")
        elif event.type == "waiting":
            seconds = float(event.data or 0)
            if seconds > 0:
                self._say(f"… {ref.key}: waiting {seconds:.1f}s")
        elif event.type == "warning":
            self._say(f"⚠ {ref.key}: {event.data}")

    def _loop_started(self, ref: StepRef, data: dict[str, Any]) -> None:
        total = data.get("count")
        if self._progress is not None:
            self._tasks[ref.key] = self._progress.add_task(ref.key, total=total)
        else:
            size = f"over {total} items" if total is not None else "until a break"
            self._say(f"▸ {ref.key}  loop {size}")

    def _advance(self, ref: StepRef) -> None:
        loop_key = ref.key.rsplit("[", 1)[0]
        task = self._tasks.get(loop_key)
        if task is not None and self._progress is not None:
            self._progress.advance(task)

    def _loop_finished(self, ref: StepRef, data: Any, replayed: bool) -> None:
        task = self._tasks.pop(ref.key, None)
        if task is not None and self._progress is not None:
            self._progress.update(task, total=self._progress.tasks[task].completed)
        iterations = (data or {}).get("iterations", "?") if isinstance(data, dict) else "?"
        note = "  (recorded)" if replayed else ""
        self._say(f"✓ {ref.key}  loop, {iterations} iterations{self._elapsed(ref)}{note}")
