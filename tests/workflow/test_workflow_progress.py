"""Progress on the terminal: top-level steps, loops, waits and warnings; not every iteration."""

from __future__ import annotations

import io

from rich.console import Console

from intercom_connector.workflow import ProgressEvent, StepRef, TerminalProgress


def _lines(events: list[ProgressEvent]) -> list[str]:
    out = io.StringIO()
    with TerminalProgress(Console(file=out, width=120), bars=False) as progress:
        for event in events:
            progress(event)
    return out.getvalue().splitlines()


def test_progress_shows_steps_loops_and_waits_but_not_each_iteration():
    call = StepRef("list-contacts", "list-contacts", "call")
    loop = StepRef("loop-1", "loop-1", "loop")
    iteration = StepRef("loop-1[0]", "loop-1", "iteration", 0)
    inner = StepRef("loop-1[0].wait", "wait", "delay", 1)
    lines = _lines(
        [
            ProgressEvent("started", call),
            ProgressEvent("finished", call, {}),
            ProgressEvent("started", loop, {"count": 2}),
            ProgressEvent("started", iteration),
            ProgressEvent("waiting", inner, 1.5),
            ProgressEvent("finished", inner, {}),
            ProgressEvent("finished", iteration),
            ProgressEvent("warning", inner, "may have been sent"),
            ProgressEvent("finished", loop, {"iterations": 2}),
        ]
    )
    assert [line.split("  ")[0] for line in lines] == [
        "✓ list-contacts",
        "▸ loop-1",
        "… loop-1[0].wait: waiting 1.5s",
        "⚠ loop-1[0].wait: may have been sent",
        "✓ loop-1",
    ]
    assert "loop over 2 items" in lines[1]
    assert "loop, 2 iterations" in lines[-1]


def test_progress_marks_steps_replayed_from_the_log():
    call = StepRef("list-contacts", "list-contacts", "call")
    (line,) = _lines([ProgressEvent("replayed", call, {})])
    assert line.startswith("↺ list-contacts") and "(recorded, not run again)" in line
