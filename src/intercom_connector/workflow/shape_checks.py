"""References checked against what the steps they read will produce, before anything runs.

Every step's output has a shape known from the file alone: a call answers its operation's
reply (``catalog/outputs.json``), with ``all: true`` every record under the list key; a loop
answers ``{iterations, broken, results}`` whose items hold its body's outputs by step id;
inside a loop ``.value`` is an item of the list it walks; a map answers the object it
builds; ``$.config`` is what the file (or ``--config``) says; ``$.steps.trigger`` is the
notification or schedule slot. A path that leaves these shapes is a problem, with the
closest field names; a path into a part the schema leaves open is a note. Where a whole
reference is an operation's input field, its type must be one the field accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from intercom_connector.catalog.outputs import OPEN, OutputShapes, Shape, load_outputs
from intercom_connector.catalog.registry import Catalog
from intercom_connector.workflow.model import (
    TRIGGER_CONFIG_KEY,
    TRIGGER_STEP_ID,
    CallStep,
    ConditionStep,
    ListLoop,
    LoopStep,
    MapStep,
    Workflow,
    iteration_ids,
    kind_of,
)
from intercom_connector.workflow.problems import Path, Problem
from intercom_connector.workflow.references import ReferenceSyntaxError, parse_reference
from intercom_connector.workflow.shapes import ShapeWalker, Walked, article, literal_shape, segments

if TYPE_CHECKING:
    from intercom_connector.workflow.checks import StepSite

ENV_SHAPE: Shape = {
    "type": "object",
    "properties": {
        "run_id": {"type": "string"},
        "workflow": {"type": "string"},
        "started_at": {"type": "string"},
        "started_at_unix": {"type": "integer"},
    },
    "additionalProperties": False,
}


@dataclass
class ShapeFindings:
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


class StepShapes:
    """The output shape of every step of one workflow, and references walked through them."""

    def __init__(
        self,
        workflow: Workflow,
        sites: dict[str, StepSite],
        operations: dict[str, str],
        catalog: Catalog,
        outputs: OutputShapes | None = None,
    ) -> None:
        self.workflow = workflow
        self.sites = sites
        self.operations = operations
        self.catalog = catalog
        self.outputs = outputs or load_outputs()
        self.walker = ShapeWalker(self.outputs)
        self.inputs = ShapeWalker(
            OutputShapes({"operations": {}, "steps": {}, "$defs": catalog.definitions})
        )
        self._outputs: dict[str, Shape] = {}
        self._busy: set[str] = set()

    def output(self, step_id: str) -> Shape:
        if step_id in self._outputs:
            return self._outputs[step_id]
        site = self.sites.get(step_id)
        if site is None or step_id in self._busy:
            return OPEN
        self._busy.add(step_id)
        try:
            shape = self._compute(site)
        finally:
            self._busy.discard(step_id)
        self._outputs[step_id] = shape
        return shape

    def _compute(self, site: StepSite) -> Shape:
        step = site.step
        if isinstance(step, CallStep):
            name = self.operations.get(step.id)
            if name is None:
                return OPEN
            if step.all_pages:
                shape = self.outputs.all_pages(name, self.catalog.get(name).list_key)
            else:
                shape = self.outputs.reply(name)
            if step.handles_errors or step.error_steps:
                # The reply or {error: {...}}: left open rather than checked half-way.
                return OPEN
            return shape
        if isinstance(step, LoopStep):
            base = self.outputs.steps["loop"]
            body = {sid: self.output(sid) for sid in iteration_ids(step)}
            results = {"type": "array", "items": _closed(body)}
            return {**base, "properties": {**base["properties"], "results": results}}
        if isinstance(step, MapStep):
            return self._built(step.map, site)
        return self.outputs.steps[kind_of(step)]

    def _built(self, value: Any, site: StepSite) -> Shape:
        if isinstance(value, str):
            if value.startswith("$."):
                return self.reference(value, site).shape or OPEN
            return {"type": "string"}
        if isinstance(value, dict):
            return _closed({str(k): self._built(v, site) for k, v in value.items()})
        if isinstance(value, list):
            items = [self._built(item, site) for item in value]
            alike = bool(items) and all(item == items[0] for item in items)
            return {"type": "array", "items": items[0] if alike else OPEN}
        return literal_shape(value)

    def _trigger(self) -> Shape:
        trigger = self.workflow.trigger
        if trigger.kind == "schedule":
            return self.outputs.steps["schedule"]
        base = self.outputs.steps["webhook"]
        topics = list(getattr(getattr(trigger, "webhook", None), "topics", []) or [])
        objects = {topic.split(".")[0] for topic in topics}
        item = f"#/$defs/{objects.pop()}" if len(objects) == 1 else None
        if item is None or item.rsplit("/", 1)[-1] not in self.outputs.definitions:
            return base
        data = base["properties"]["data"]
        data = {**data, "properties": {**data["properties"], "item": {"$ref": item}}}
        return {**base, "properties": {**base["properties"], "data": data}}

    def _config(self) -> Shape:
        """The config as written; a triggered run's event (``_trigger``) as its kind declares
        it, since what one notification happens to hold says nothing of the next."""
        config = dict(self.workflow.config)
        event = config.pop(TRIGGER_CONFIG_KEY, None)
        shape = literal_shape(config)
        if event is not None and self.workflow.triggered:
            shape["properties"][TRIGGER_CONFIG_KEY] = self._trigger()
        return shape

    def loop_item(self, loop: LoopStep) -> Shape:
        assert isinstance(loop.loop, ListLoop)
        items = loop.loop.items
        if isinstance(items, list):
            return literal_shape(items).get("items", OPEN)
        found = self.reference(items, self.sites[loop.id]).shape
        resolved = self.outputs.resolve(found)
        return resolved.get("items", OPEN) if found is not None else OPEN

    def reference(self, text: str, site: StepSite) -> Walked:
        """Walk ``text`` from the start its root names; ``Walked`` says where it ended."""
        try:
            reference = parse_reference(text)
        except ReferenceSyntaxError:
            return Walked()
        if reference.root == "config":
            start, where = self._config(), "$.config"
        elif reference.root == "env":
            start, where = ENV_SHAPE, "$.env"
        else:
            step_id = reference.step_id or ""
            where = f"$.steps.{step_id}"
            target = self.sites.get(step_id)
            if step_id in site.loops and target is not None and isinstance(target.step, LoopStep):
                base = self.outputs.steps["iteration"]
                value = (
                    self.loop_item(target.step) if isinstance(target.step.loop, ListLoop) else OPEN
                )
                start = {**base, "properties": {**base["properties"], "value": value}}
            elif target is None and step_id == TRIGGER_STEP_ID:
                start = self._trigger()
            else:
                start = self.output(step_id)
        path, complete = segments(reference.rest)
        walked = self.walker.walk(start, path, where)
        return walked if complete or walked.shape is None else Walked()


def check_shapes(
    workflow: Workflow,
    sites: dict[str, StepSite],
    operations: dict[str, str],
    catalog: Catalog,
    references: list[tuple[StepSite, Path, str]],
) -> ShapeFindings:
    """Problems and notes of the references that passed the structural checks."""
    shapes = StepShapes(workflow, sites, operations, catalog)
    findings = ShapeFindings()
    for site, where, text in references:
        walked = shapes.reference(text, site)
        if walked.problem is not None and _tests_existence(site, where):
            findings.notes.append(
                Problem(
                    f"{text}: {walked.problem} (an existence test of it is allowed)",
                    (*site.path, *where),
                )
            )
        elif walked.problem is not None:
            findings.problems.append(Problem(f"{text}: {walked.problem}", (*site.path, *where)))
        elif walked.note is not None:
            findings.notes.append(Problem(f"{text}: {walked.note}", (*site.path, *where)))
    for site in sites.values():
        step = site.step
        if isinstance(step, LoopStep) and isinstance(step.loop, ListLoop):
            _check_loop_list(shapes, site, step, findings)
        elif isinstance(step, CallStep) and step.id in operations:
            _check_input_types(shapes, site, step, operations[step.id], findings)
    return findings


def _tests_existence(site: StepSite, where: Path) -> bool:
    """Whether the reference is what an ``exists``/``not_exists`` comparison tests: probing
    for a field the reply does not declare (Intercom replies carry more) is the point there."""
    step = site.step
    if not isinstance(step, ConditionStep) or len(where) < 4 or where[0] != "condition":
        return False
    index = where[2]
    comparisons = step.condition.comparisons
    if where[3] != "value1" or not isinstance(index, int) or index >= len(comparisons):
        return False
    return str(comparisons[index].comparison) in ("exists", "not_exists")


def _check_loop_list(
    shapes: StepShapes, site: StepSite, step: LoopStep, found: ShapeFindings
) -> None:
    assert isinstance(step.loop, ListLoop)
    if not isinstance(step.loop.items, str):
        return
    text = step.loop.items
    shape = shapes.reference(text, site).shape
    kinds = shapes.walker.types(shape)
    if shape is None or kinds is None or "array" in kinds:
        return
    kinds = kinds - {"null"} or kinds
    label = " or ".join(sorted(kinds))
    lists = shapes.walker.list_fields(shape) if "object" in kinds else []
    unindexed = re.sub(r"\[(\d+|\*)\]$", "", text)
    if len(lists) == 1:
        hint = f"; did you mean {text}.{lists[0]}?"
    elif unindexed != text:
        hint = f"; did you mean {unindexed}?"
    else:
        hint = (
            f"; did you mean one of {', '.join(f'{text}.{name}' for name in lists)}?"
            if lists
            else ""
        )
    found.problems.append(
        Problem(
            f"{text} gives {article(label)}, and a loop walks a list{hint}",
            (*site.path, "loop", "list"),
        )
    )


def _check_input_types(
    shapes: StepShapes, site: StepSite, step: CallStep, name: str, found: ShapeFindings
) -> None:
    properties = shapes.catalog.get(name).input_schema.get("properties", {})
    for key, value in step.input.items():
        if key not in properties or not (isinstance(value, str) and value.startswith("$.")):
            continue
        given = shapes.walker.types(shapes.reference(value, site).shape)
        accepted = shapes.inputs.types(properties[key])
        if given is None or accepted is None:
            continue
        given = given - {"null"} or given
        if _fits(given, accepted, properties[key].get("x-in"), _config_value(value, shapes)):
            continue
        gives = " or ".join(sorted(given))
        takes = " or ".join(sorted(accepted - {"null"}))
        found.problems.append(
            Problem(
                f"{value} gives {article(gives)}, and {name}'s field {key!r} takes "
                + article(takes),
                (*site.path, "input", key),
            )
        )


_INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")


def _fits(given: set[str], accepted: set[str], location: str | None, literal: Any) -> bool:
    """Whether a value of one of the ``given`` types can fill a field taking ``accepted``.

    Path, query and header values travel as text, so the validator turns numbers into text
    and integer text into integers there (ids in replies are strings): those pass, except
    a config value known not to be integer text.
    """
    if "number" in accepted:
        accepted = accepted | {"integer"}
    if given & accepted:
        return True
    if location not in ("path", "query", "header"):
        return False
    if "string" in accepted and given <= {"integer", "number"}:
        return True
    if "integer" in accepted and given == {"string"}:
        return literal is _UNKNOWN or bool(
            isinstance(literal, str) and _INTEGER_TEXT.fullmatch(literal.strip())
        )
    return False


_UNKNOWN = object()


def _config_value(text: str, shapes: StepShapes) -> Any:
    """The value of a ``$.config.<key>`` reference, known from the file; else _UNKNOWN."""
    reference = parse_reference(text)
    key = reference.first_key
    if reference.root != "config" or key is None or reference.rest not in (f".{key}",):
        return _UNKNOWN
    return shapes.workflow.config.get(key, _UNKNOWN)


def _closed(properties: dict[str, Shape]) -> Shape:
    return {"type": "object", "properties": properties, "additionalProperties": False}
