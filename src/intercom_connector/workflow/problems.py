"""What is wrong with a workflow file, said so that it can be fixed without a debugger.

Every problem carries the file, the line (when the file is YAML or JSON text), the id of the
step it is in and the field inside that step, so that a list of problems reads like::

    examples/bad.yaml:14: step 'list-companies', field 'input.contact_idd': unknown field...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from intercom_connector.errors import UsageError

Path = tuple[str | int, ...]
STEP_LISTS = ("steps", "then", "else")


def format_field(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def node_at(path: Path, data: Any) -> Any:
    """The node of ``data`` at ``path``, or None when the path leads nowhere."""
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def locate(path: Path, data: Any) -> tuple[str | None, Path]:
    """The id of the innermost step on ``path`` in ``data``, and the path inside that step."""
    step_id: str | None = None
    start = 0
    node = data
    for position, part in enumerate(path):
        parent_key = path[position - 1] if position else None
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and parent_key in STEP_LISTS and isinstance(node, dict):
            raw_id = node.get("id")
            step_id = (
                raw_id if isinstance(raw_id, str) and raw_id else format_field(path[: position + 1])
            )
            start = position + 1
    return step_id, path[start:] if step_id is not None else path


@dataclass(frozen=True)
class Problem:
    message: str
    path: Path = ()
    file: str | None = None
    line: int | None = None
    step_id: str | None = None
    field: str = ""

    def placed(self, file: str | None, data: Any, line: int | None) -> Problem:
        step_id, inner = locate(self.path, data)
        return replace(self, file=file, line=line, step_id=step_id, field=format_field(inner))

    def __str__(self) -> str:
        where = self.file or "<workflow>"
        if self.line is not None:
            where += f":{self.line}"
        parts = []
        if self.step_id is not None:
            parts.append(f"step {self.step_id!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        subject = ", ".join(parts)
        return f"{where}: {subject + ': ' if subject else ''}{self.message}"


class WorkflowInvalid(UsageError):
    """The workflow file was rejected before anything ran."""

    label = "invalid workflow"

    def __init__(self, problems: Sequence[Problem], file: str | None = None) -> None:
        self.problems = list(problems)
        self.file = file
        count = len(self.problems)
        head = f"{file or 'the workflow'} is invalid ({count} problem{'s' if count != 1 else ''})"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))
