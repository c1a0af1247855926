"""Keep checking a file past its shape errors, so that one pass reports every problem.

When the model refuses part of a file (``id: no`` read as ``false``, an unknown field, a
step with two kinds), the rest of the file still deserves its checks: unknown operations,
literal inputs, breaks, references. Here each refused part is replaced by a harmless
stand-in (the field dropped, the step made an empty ``map`` under a placeholder id) so the
model accepts the copy; the workflow-wide checks then run on it, and whatever they say
about the stand-ins themselves is dropped, since the shape error already covers that place.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from intercom_connector.workflow.model import STEP_ID_PATTERN
from intercom_connector.workflow.problems import STEP_LISTS, Path, Problem, node_at

STAND_IN_PREFIX = "_invalid_"

_TOP_LEVEL_STAND_INS: dict[str, Any] = {
    "name": "invalid",
    "version": 1,
    "config": {},
    "trigger": {"webhook": {"topics": ["*"]}},
}
_SCHEDULE_STAND_IN = {"schedule": {"every": "1h"}}
"""A broken schedule trigger stays a schedule, so $.steps.trigger keeps its slot fields."""
_FIELD_STAND_INS: dict[str, Any] = {
    "input": {},
    "map": {},
    "delay": 0,
    "loop": {"list": []},
    "condition": {"all": [{"value1": True, "comparison": "exists"}]},
    "then": [],
    "else": [],
}
_DROPPABLE = {"description", "all", "authentication"}


@dataclass
class Salvage:
    """A copy of the document with every refused part replaced, and where that happened."""

    data: dict[str, Any]
    replaced: list[Path] = field(default_factory=list)
    _count: int = 0

    def stand_in_id(self) -> str:
        self._count += 1
        return f"{STAND_IN_PREFIX}{self._count}"

    def covers(self, problem: Problem) -> bool:
        """Whether ``problem`` is about a stand-in rather than anything written."""
        if STAND_IN_PREFIX in problem.message:
            return True
        return any(problem.path[: len(place)] == place for place in self.replaced)


def salvage(data: dict[str, Any], refused: list[tuple[Path, str]]) -> Salvage | None:
    """Replace each refused (path, error type) part; None when nothing sensible is left."""
    result = Salvage(copy.deepcopy(data))
    for path, kind in refused:
        if not path:
            return None
        if kind == "extra_forbidden":
            _delete(result, path)
            continue
        step = _innermost_step(path)
        if step is None:
            _top_level(result, path)
        else:
            _in_step(result, step, path[len(step) :], kind)
    return result


def _innermost_step(path: Path) -> Path | None:
    found = None
    for position in range(1, len(path)):
        if isinstance(path[position], int) and path[position - 1] in STEP_LISTS:
            found = path[: position + 1]
    return found


def _delete(result: Salvage, path: Path) -> None:
    parent = node_at(path[:-1], result.data)
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
        result.replaced.append(path)


def _top_level(result: Salvage, path: Path) -> None:
    key = path[0]
    if key == "steps":
        result.data["steps"] = [{"id": result.stand_in_id(), "map": {}}]
    elif key == "trigger":
        written = result.data.get("trigger")
        scheduled = written == "schedule" or (isinstance(written, dict) and "schedule" in written)
        stand_in = _SCHEDULE_STAND_IN if scheduled else _TOP_LEVEL_STAND_INS["trigger"]
        result.data["trigger"] = copy.deepcopy(stand_in)
    elif key in _TOP_LEVEL_STAND_INS:
        result.data[str(key)] = copy.deepcopy(_TOP_LEVEL_STAND_INS[str(key)])
    else:
        result.data.pop(str(key), None)
    result.replaced.append((key,))


def _in_step(result: Salvage, step_path: Path, inner: Path, kind: str) -> None:
    container = node_at(step_path[:-1], result.data)
    index = step_path[-1]
    if not isinstance(container, list) or not isinstance(index, int):
        return
    step = container[index]
    if not isinstance(step, dict):
        container[index] = {"id": result.stand_in_id(), "map": {}}
        result.replaced.append(step_path)
        return
    head = inner[0] if inner else None
    if head == "id":
        step["id"] = result.stand_in_id()
        result.replaced.append((*step_path, "id"))
    elif head in _DROPPABLE:
        step.pop(head, None)
        result.replaced.append((*step_path, head))
    elif head == "steps" and "loop" in step:
        step["steps"] = [{"id": result.stand_in_id(), "map": {}}]
        result.replaced.append((*step_path, "steps"))
    elif isinstance(head, str) and head in _FIELD_STAND_INS and (head in step or kind != "missing"):
        step[head] = copy.deepcopy(_FIELD_STAND_INS[head])
        result.replaced.append((*step_path, head))
    else:
        raw_id = step.get("id")
        kept = raw_id if isinstance(raw_id, str) and _valid_id(raw_id) else result.stand_in_id()
        container[index] = {"id": kept, "map": {}}
        result.replaced.append(step_path)


def _valid_id(text: str) -> bool:
    return bool(re.match(STEP_ID_PATTERN, text)) and len(text) <= 100
