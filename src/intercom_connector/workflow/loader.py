"""Read a workflow file (YAML, or JSON) into a checked plan, or reject it with every problem.

Nothing runs until the whole file passes: parse errors, shape errors from the model and the
workflow-wide checks are all collected, each placed at its file, line, step id and field.
Lines come from the YAML node tree (JSON text is YAML too), which also catches a key given
twice in one mapping (PyYAML would silently keep the last one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path as FilePath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from intercom_connector.catalog.registry import Catalog
from intercom_connector.workflow.checks import Plan, check_workflow
from intercom_connector.workflow.file_limits import LimitExceeded, check_structure, read_bounded
from intercom_connector.workflow.model import (
    LOOP_KINDS,
    STEP_KINDS,
    TRIGGER_TYPES,
    BreakStep,
    CallStep,
    Comparison,
    Condition,
    ConditionStep,
    DelayStep,
    ForeverLoop,
    ListLoop,
    LoopStep,
    MapStep,
    ScheduleOptions,
    WebhookOptions,
    Workflow,
)
from intercom_connector.workflow.problems import (
    STEP_LISTS,
    Path,
    Problem,
    WorkflowInvalid,
    node_at,
)
from intercom_connector.workflow.salvage import salvage


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp rule: a date in a file stays the text written."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class LoadedWorkflow:
    """A workflow that passed every check, with where it came from."""

    plan: Plan
    file: str | None
    data: dict[str, Any]
    """The document as written, kept in the run log so a resume needs no file."""

    @property
    def workflow(self) -> Workflow:
        return self.plan.workflow


class _Lines:
    """Line numbers of the nodes of a YAML (or JSON) document, by data path."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        self.duplicates: list[tuple[Path, int]] = []
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError:
            return
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: Path, ancestors: frozenset[int] = frozenset()) -> None:
        if id(node) in ancestors:
            return  # an alias that points back at its own ancestor: the loader reports it
        ancestors = ancestors | {id(node)}
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(((*path, key), key_node.start_mark.line + 1))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key), ancestors)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index), ancestors)

    def line(self, path: Path) -> int | None:
        for end in range(len(path), -1, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


def load_workflow(path: str | FilePath, catalog: Catalog | None = None) -> LoadedWorkflow:
    """Read and check a workflow file; raise WorkflowInvalid listing every problem."""
    file = str(path)
    try:
        text = read_bounded(FilePath(path))
    except OSError as error:
        problem = Problem(f"cannot read the file: {error.strerror}", file=file)
        raise WorkflowInvalid([problem], file) from None
    except LimitExceeded as error:
        raise WorkflowInvalid([Problem(error.message, file=file, line=error.line)], file) from None
    as_json = file.endswith(".json")
    return parse_workflow(text, file, as_json=as_json, catalog=catalog)


def parse_workflow(
    text: str, file: str | None = None, *, as_json: bool = False, catalog: Catalog | None = None
) -> LoadedWorkflow:
    """Check a workflow given as YAML (or JSON) text."""
    try:
        check_structure(text, _Loader)
    except LimitExceeded as error:
        raise WorkflowInvalid([Problem(error.message, file=file, line=error.line)], file) from None
    try:
        data = json.loads(text) if as_json else yaml.load(text, Loader=_Loader)
        _ensure_acyclic(data)
    except (ValueError, RecursionError) as error:
        if isinstance(error, json.JSONDecodeError):
            problem = Problem(f"not valid JSON: {error.msg}", file=file, line=error.lineno)
            raise WorkflowInvalid([problem], file) from None
        # a number too long to read, or a YAML alias that contains itself
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise WorkflowInvalid([Problem(f"cannot be read: {detail}", file=file)], file) from None
    except json.JSONDecodeError as error:
        problem = Problem(f"not valid JSON: {error.msg}", file=file, line=error.lineno)
        raise WorkflowInvalid([problem], file) from None
    except yaml.reader.ReaderError as error:
        at = text[: error.position].count("\n") + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        reason = f"character U+{code:04X} is not allowed in YAML text"
        raise WorkflowInvalid(
            [Problem(f"not valid YAML: {reason}", file=file, line=at)], file
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise WorkflowInvalid(
            [Problem(f"not valid YAML: {reason}", file=file, line=line)], file
        ) from None
    return check_data(data, file, _Lines(text), catalog=catalog)


def _ensure_acyclic(data: Any, ancestors: frozenset[int] = frozenset()) -> None:
    """YAML aliases can make a list contain itself; no workflow needs that."""
    if isinstance(data, dict | list):
        if id(data) in ancestors:
            raise ValueError("a YAML alias refers to a node that contains it")
        inner = ancestors | {id(data)}
        for item in data.values() if isinstance(data, dict) else data:
            _ensure_acyclic(item, inner)


def check_data(
    data: Any,
    file: str | None = None,
    lines: _Lines | None = None,
    *,
    catalog: Catalog | None = None,
) -> LoadedWorkflow:
    """Check a workflow given as parsed data (a dict); the run log stores this form."""

    def place(problem: Problem) -> Problem:
        line = lines.line(problem.path) if lines is not None else None
        return problem.placed(file, data, line)

    if not isinstance(data, dict):
        shape = "an empty file" if data is None else f"a {type(data).__name__}"
        message = f"a workflow is a mapping with name and steps, not {shape}"
        raise WorkflowInvalid([place(Problem(message))], file)
    problems = [
        Problem(f"key {p[-1]!r} is given twice", p) for p, _ in (lines.duplicates if lines else [])
    ]
    try:
        workflow = Workflow.model_validate(data)
    except ValidationError as error:
        problems.extend(_from_pydantic(error, data))
        problems.extend(_checks_past_shape_errors(data, error, catalog))
        raise WorkflowInvalid(_unique(place(p) for p in problems), file) from None
    plan, checked = check_workflow(workflow, catalog)
    problems.extend(checked)
    if problems:
        raise WorkflowInvalid(_unique(place(p) for p in problems), file)
    return LoadedWorkflow(plan, file, data)


_SALVAGE_ROUNDS = 3


def _checks_past_shape_errors(
    data: dict[str, Any], error: ValidationError, catalog: Catalog | None
) -> list[Problem]:
    """What the workflow-wide checks find in the rest of a file the model refused."""
    refused = [(_clean_loc(d["loc"], data), d["type"]) for d in error.errors()]
    current = data
    for _ in range(_SALVAGE_ROUNDS):
        rescued = salvage(current, refused)
        if rescued is None:
            return []
        try:
            workflow = Workflow.model_validate(rescued.data)
        except ValidationError as again:
            current = rescued.data
            refused = [(_clean_loc(d["loc"], current), d["type"]) for d in again.errors()]
            continue
        _, checked = check_workflow(workflow, catalog)
        return [problem for problem in checked if not rescued.covers(problem)]
    return []


def check_config(loaded: LoadedWorkflow, overrides: dict[str, Any]) -> None:
    """Check the workflow again with ``--config`` values in place (WorkflowInvalid)."""
    if not overrides:
        return
    data = {**loaded.data, "config": {**(loaded.data.get("config") or {}), **overrides}}
    try:
        check_data(data, loaded.file)
    except WorkflowInvalid as error:
        problems = [replace(p, message=f"with --config: {p.message}") for p in error.problems]
        raise WorkflowInvalid(problems, loaded.file) from None


def _unique(problems: Any) -> list[Problem]:
    """Each problem once, in file order."""
    seen: set[tuple[Path, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return sorted(kept, key=lambda problem: problem.line or 0)


_TYPE_NAMES = ("str", "int", "float", "bool", "dict", "list")


def _clean_loc(loc: tuple[str | int, ...], data: Any) -> Path:
    """The data path of a pydantic error: drop discriminator tags and union member names."""
    path: list[str | int] = []
    node = data
    expect: tuple[str, ...] = ()  # the tags pydantic puts after a step index or a loop field
    for position, part in enumerate(loc):
        if position < len(loc) - 1 and part in expect:
            expect = LOOP_KINDS if part == "loop" else ()
            continue
        absent = isinstance(part, str) and not (isinstance(node, dict) and part in node)
        if absent and ("[" in str(part) or part in _TYPE_NAMES):
            continue  # a union member's name, not a key of the document
        parent = path[-1] if path else None
        path.append(part)
        if isinstance(part, int) and parent in STEP_LISTS:
            expect = STEP_KINDS
        elif part == "trigger" and parent is None:
            expect = TRIGGER_TYPES
        elif part != "loop" or expect != LOOP_KINDS:
            expect = ()
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(path)


def _from_pydantic(error: ValidationError, data: Any) -> list[Problem]:
    return [
        Problem(_message(detail, data), _clean_loc(detail["loc"], data))
        for detail in error.errors()
    ]


def _message(detail: ErrorDetails, data: Any) -> str:
    kind = detail["type"]
    message = detail["msg"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        path = _clean_loc(detail["loc"], data)
        allowed = _fields_at(path[:-1], data)
        return f"unknown field (fields here: {', '.join(allowed)})" if allowed else "unknown field"
    if kind == "step_kind":
        node = node_at(_clean_loc(detail["loc"], data), data)
        found = [k for k in STEP_KINDS if isinstance(node, dict) and k in node]
        return message + (f" (found {' and '.join(found)})" if len(found) > 1 else "")
    if kind == "bool_type":
        return f"{message}: write true or false, without quotes"
    if kind == "string_type" and isinstance(detail.get("input"), bool):
        return (
            f"{message}, got {str(detail['input']).lower()}: YAML reads yes/no/on/off/true/"
            "false as booleans, so quote the value"
        )
    if message.startswith(("Value error, ", "Assertion failed, ")):
        return message.split(", ", 1)[1]
    return message


_STEP_MODELS: dict[str, type[BaseModel]] = {
    "call": CallStep,
    "loop": LoopStep,
    "break": BreakStep,
    "condition": ConditionStep,
    "delay": DelayStep,
    "map": MapStep,
}


def _aliases(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _fields_at(path: Path, data: Any) -> list[str]:
    """The field names allowed in the mapping at ``path`` (for 'unknown field' messages)."""
    node = node_at(path, data)
    if not path:
        return _aliases(Workflow)
    last, parent = path[-1], path[-2] if len(path) > 1 else None
    model: type[BaseModel] | None = None
    if isinstance(last, int) and parent in STEP_LISTS and isinstance(node, dict):
        kinds = [kind for kind in STEP_KINDS if kind in node]
        model = _STEP_MODELS.get(kinds[0]) if len(kinds) == 1 else None
    elif last == "loop" and isinstance(node, dict):
        model = ListLoop if "list" in node else ForeverLoop
    elif last == "condition":
        model = Condition
    elif isinstance(last, int) and parent in ("all", "any"):
        model = Comparison
    elif last == "trigger" and len(path) == 1:
        return ["type", "webhook", "schedule"]
    elif path == ("trigger", "webhook"):
        model = WebhookOptions
    elif path == ("trigger", "schedule"):
        model = ScheduleOptions
    return _aliases(model) if model is not None else []
