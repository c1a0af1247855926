"""The debug view of a run: every step execution with its input and output, readable.

The log holds each step's data exactly; this is where it is masked for people
(``summary.redactor``: the run's secrets, secret-looking keys, Bearer values), in both
forms and before anything is cut short. Two forms from one fold of the run log:
``run_view`` (plain data, for ``--json`` and for programs) and ``render_run`` (rich text
for a terminal). Without a step filter the text
form is one line per step execution, with a short preview of the output, so a loop of 500
iterations stays scannable; with ``step`` (an id, a key like ``loop-1[3]``, or a key
prefix) each matching execution is shown in full, input above output.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.panel import Panel
from rich.text import Text

from intercom_connector.redaction import Redactor
from intercom_connector.workflow.engine import is_handled_error
from intercom_connector.workflow.runlog import RunLog, RunSummary, StepRecord

STATUS_STYLE = {
    "succeeded": "green",
    "finished": "green",
    "failed": "red",
    "running": "yellow",
    "started": "yellow",
    "interrupted": "magenta",
    "detached": "cyan",
}
STATUS_MARK = {"finished": "✓", "failed": "✗", "started": "…"}
_PREVIEW_WIDTH = 70
_DETAIL_LINES = 40


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def matches(record: StepRecord, step: str) -> bool:
    """Whether ``--step`` selects this execution: its id, its key, or a key it is inside."""
    return (
        record.step_id == step
        or record.key == step
        or record.key.startswith((step + ".", step + "["))
    )


def run_view(log: RunLog, run_id: str, step: str | None = None) -> dict[str, Any]:
    """The run and its step executions as plain data (what ``runs show --json`` prints)."""
    summary = log.summary(run_id)
    records = [r for r in log.steps(run_id) if step is None or matches(r, step)]
    redactor = summary.redactor
    return {
        "run": summary_view(summary),
        "steps": [_step_data(record, redactor) for record in records],
    }


def summary_view(summary: RunSummary) -> dict[str, Any]:
    """A run's summary as plain data (one row of ``runs list --json``)."""
    start = summary.start
    redactor = summary.redactor
    return {
        "run_id": summary.run_id,
        "workflow": summary.workflow,
        "file": summary.file,
        "status": summary.status,
        "started_at": _iso(summary.started_at),
        "finished_at": _iso(summary.finished_at),
        "duration_s": None if summary.duration is None else round(summary.duration, 3),
        "attempts": summary.attempts,
        "steps_finished": summary.steps_finished,
        "error": None if summary.error is None else redactor.text(summary.error),
        "config": redactor.value(start.get("config")),
        "env": redactor.value(start.get("env")),
        "connection": redactor.value(start.get("connection")),
    }


def masked(record: StepRecord, redactor: Redactor) -> StepRecord:
    """A copy of ``record`` as it may be shown: input, output, error, warnings masked."""
    return replace(
        record,
        input=redactor.value(record.input),
        output=redactor.value(record.output),
        error=None if record.error is None else redactor.text(record.error),
        warnings=[redactor.text(warning) for warning in record.warnings],
    )


def _step_data(record: StepRecord, redactor: Redactor) -> dict[str, Any]:
    record = masked(record, redactor)
    duration = record.duration_ms
    return {
        "key": record.key,
        "step_id": record.step_id,
        "kind": record.kind,
        "status": record.status,
        "attempts": record.attempts,
        "started_at": _iso(record.started_at),
        "duration_ms": None if duration is None else round(duration, 1),
        "input": record.input,
        "output": record.output,
        "error": record.error,
        "warnings": record.warnings,
    }


def preview(value: Any, width: int = _PREVIEW_WIDTH) -> str:
    """A one-line gist of a JSON value: lists by their length, long text cut."""

    def gist(item: Any, level: int) -> str:
        if isinstance(item, list):
            if level > 0 or len(item) > 3:
                return f"[{len(item)} items]"
            return "[" + ", ".join(gist(x, level + 1) for x in item) + "]"
        if isinstance(item, dict):
            if level > 1:
                return "{…}"
            return "{" + ", ".join(f"{k}: {gist(v, level + 1)}" for k, v in item.items()) + "}"
        return json.dumps(item, ensure_ascii=False, default=repr)

    text = gist(value, 0)
    return text if len(text) <= width else text[: width - 1] + "…"


def _header(summary: RunSummary) -> Text:
    error = summary.redactor.text(summary.error) if summary.error else None
    status = Text(summary.status, style=STATUS_STYLE.get(summary.status, ""))
    duration = "" if summary.duration is None else f" in {summary.duration:.2f}s"
    attempts = f", {summary.attempts} attempts" if summary.attempts > 1 else ""
    head = Text.assemble(
        ("run ", "bold"),
        (summary.run_id, "bold cyan"),
        f"  {summary.workflow}  ",
        status,
        f"{duration}{attempts}, {summary.steps_finished} step executions finished",
    )
    if error:
        head.append(f"\n{error}", style="red")
    return head


def _depth(key: str) -> int:
    return key.count("].")


def _summary_lines(records: list[StepRecord], limit: int, width: int) -> RenderableType:
    """One line per step execution: mark, key (indented by loop depth), kind, ms, gist."""
    keys = [("  " * _depth(r.key)) + r.key for r in records[:limit]]
    key_width = min(max((len(k) for k in keys), default=4), 48)
    lines = Text()
    for record, key in zip(records[:limit], keys, strict=False):
        if record.status == "failed":
            shown = record.error or ""
        elif is_handled_error(record.output):
            error = record.output["error"]
            shown = f"error handled (on_error): {error['code']}: {error['message']}"
        else:
            shown = preview(record.input if record.kind == "iteration" else record.output, 200)
        if record.warnings:
            shown = f"⚠ {record.warnings[-1]}  {shown}"
        duration = "" if record.duration_ms is None else f"{record.duration_ms:.0f} ms"
        head = f" {key:<{key_width}}  {record.kind:<9} {duration:>8}  "
        room = max(10, width - len(head) - 2)
        if len(shown) > room:
            shown = shown[: room - 1] + "…"
        mark = STATUS_MARK.get(record.status, "?")
        lines.append(mark, style=STATUS_STYLE.get(record.status, ""))
        lines.append(head)
        lines.append(shown + "\n", style="red" if record.status == "failed" else "")
    if len(records) > limit:
        lines.append(f"… {len(records) - limit} more step executions (narrow with --step)\n")
    return lines


def _json_block(value: Any, full: bool) -> Text:
    lines = json.dumps(value, indent=2, ensure_ascii=False, default=repr).splitlines()
    if not full and len(lines) > _DETAIL_LINES:
        hidden = len(lines) - _DETAIL_LINES
        lines = [*lines[:_DETAIL_LINES], f"… {hidden} more lines (--full shows all)"]
    return JSONHighlighter()(Text("\n".join(lines)))


def _detail(record: StepRecord, full: bool) -> RenderableType:
    parts: list[RenderableType] = [Text("input", style="bold"), _json_block(record.input, full)]
    if record.status == "failed":
        parts += [Text("error", style="bold red"), Text(record.error or "")]
    elif record.status == "finished":
        parts += [Text("output", style="bold"), _json_block(record.output, full)]
    else:
        parts.append(Text("no recorded finish (interrupted while running)", style="yellow"))
    for warning in record.warnings:
        parts.append(Text(f"⚠ {warning}", style="yellow"))
    duration = "" if record.duration_ms is None else f" · {record.duration_ms:.0f} ms"
    attempts = f" · {record.attempts} attempts" if record.attempts > 1 else ""
    title = f"{record.key} · {record.kind} · {record.status}{duration}{attempts}"
    return Panel(
        Group(*parts),
        title=title,
        title_align="left",
        border_style=STATUS_STYLE.get(record.status, ""),
    )


def render_run(
    log: RunLog,
    run_id: str,
    *,
    step: str | None = None,
    full: bool = False,
    limit: int = 200,
    console: Console | None = None,
) -> None:
    """Print the debug view of a run: a line per step execution, or details of ``step``."""
    console = console or Console()
    summary = log.summary(run_id)
    records = [masked(record, summary.redactor) for record in log.steps(run_id)]
    console.print(_header(summary))
    if step is None:
        console.print(_summary_lines(records, limit, console.width), end="")
        return
    selected = [record for record in records if matches(record, step)]
    if not selected:
        console.print(Text(f"no step execution matches {step!r}", style="yellow"))
        return
    for record in selected[:limit]:
        console.print(_detail(record, full))
    if len(selected) > limit:
        console.print(f"… {len(selected) - limit} more executions of {step!r}")
