"""Checks that need the whole workflow or the catalog, done before anything runs.

The model only knows shapes. Here: ids unique across the workflow; operations known to the
catalog (with suggestions) and their literal inputs valid; ``all: true`` only on list
operations; every ``break`` naming a loop around it; every ``loop forever`` having a break;
and every reference pointing at something that will exist when it is read. A step's output
exists for the steps after it in its own block and in the blocks around it; what runs inside
a loop is visible outside only through the loop's ``results``; a step in a condition branch
may not have run, which only the run can tell.

In webhook and schedule workflows ``$.steps.trigger`` is the event that started the run,
readable everywhere: the run's definition gets it as a generated first step (``map``, id
``trigger``; see ``triggers/events.py``), so the id is reserved for that step there.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from intercom_connector.catalog.model import Operation
from intercom_connector.catalog.registry import Catalog, UnknownOperation, load_catalog
from intercom_connector.catalog.validation import InvalidInput
from intercom_connector.workflow.model import (
    TRIGGER_CONFIG_KEY,
    TRIGGER_STEP_ID,
    AnyStep,
    BreakStep,
    CallStep,
    ConditionStep,
    DelayStep,
    ForeverLoop,
    ListLoop,
    LoopStep,
    MapStep,
    Workflow,
)
from intercom_connector.workflow.problems import Path, Problem, format_field
from intercom_connector.workflow.references import (
    ENV_KEYS,
    Reference,
    ReferenceSyntaxError,
    find_references,
    has_references,
    parse_reference,
)
from intercom_connector.workflow.shape_checks import check_shapes


@dataclass(frozen=True)
class StepSite:
    """Where a step sits: its data path, its place in run order, what encloses it."""

    step: AnyStep
    path: Path
    order: int
    loops: tuple[str, ...]
    """Ids of the loops around the step, outermost first."""
    branches: tuple[tuple[str, str], ...]
    """(condition id, "then" | "else") around the step, outermost first."""


@dataclass(frozen=True)
class Plan:
    """A workflow that passed every check, with what the interpreter needs precomputed."""

    workflow: Workflow
    sites: dict[str, StepSite]
    operations: dict[str, str]
    """Call step id -> the operation's canonical name."""
    retry_safe: dict[str, bool]
    notes: list[Problem] = dataclasses.field(default_factory=list)
    """What the checks could not settle (paths into open schemas); never a reason to refuse."""


def walk(workflow: Workflow) -> Iterator[StepSite]:
    """Every step in run order (pre-order), with its site."""
    counter = iter(range(1_000_000))

    def block(
        steps: list[AnyStep], path: Path, loops: tuple[str, ...], branches: tuple
    ) -> Iterator[StepSite]:
        for index, step in enumerate(steps):
            here = (*path, index)
            yield StepSite(step, here, next(counter), loops, branches)
            if isinstance(step, LoopStep):
                yield from block(step.steps, (*here, "steps"), (*loops, step.id), branches)
            elif isinstance(step, CallStep) and step.error_steps:
                yield from block(
                    step.error_steps, (*here, "error"), loops, (*branches, (step.id, "error"))
                )
            elif isinstance(step, ConditionStep):
                yield from block(step.then, (*here, "then"), loops, (*branches, (step.id, "then")))
                yield from block(
                    step.otherwise, (*here, "else"), loops, (*branches, (step.id, "else"))
                )

    yield from block(list(workflow.steps), ("steps",), (), ())


def check_workflow(
    workflow: Workflow, catalog: Catalog | None = None
) -> tuple[Plan, list[Problem]]:
    catalog = catalog or load_catalog()
    problems: list[Problem] = []
    sites: dict[str, StepSite] = {}
    for site in walk(workflow):
        first = sites.get(site.step.id)
        if first is not None:
            problems.append(
                Problem(
                    f"id {site.step.id!r} is already used by the step at "
                    f"{format_field(first.path)}; step ids are unique in a workflow",
                    (*site.path, "id"),
                )
            )
            continue
        sites[site.step.id] = site
    _check_trigger_step(workflow, sites, problems)
    operations: dict[str, str] = {}
    retry_safe: dict[str, bool] = {}
    readable: list[tuple[StepSite, Path, str]] = []
    for site in walk(workflow):
        step = site.step
        if isinstance(step, CallStep):
            operation = _check_call(step, site.path, catalog, problems)
            if operation is not None:
                operations[step.id] = operation.name
                retry_safe[step.id] = operation.retry_safe
        elif isinstance(step, BreakStep):
            _check_break(step, site, sites, problems)
        elif (
            isinstance(step, LoopStep)
            and isinstance(step.loop, ForeverLoop)
            and not _has_break_for(step)
        ):
            problems.append(
                Problem(
                    f"loop forever {step.id!r} has no `break: {step.id}` step, so it could "
                    "only end at max_iterations; add a condition with a break",
                    (*site.path, "loop"),
                )
            )
        for field, text in references_of(step):
            message = _check_reference(text, site, sites, workflow)
            if message is not None:
                problems.append(Problem(message, (*site.path, *field)))
            elif (
                site.step.id in sites
                and sites[site.step.id].path == site.path
                and not is_generated_trigger_step(workflow, site)
            ):
                readable.append((site, field, text))
    shapes = check_shapes(workflow, sites, operations, catalog, readable)
    problems.extend(shapes.problems)
    return Plan(workflow, sites, operations, retry_safe, shapes.notes), problems


def is_generated_trigger_step(workflow: Workflow, site: StepSite) -> bool:
    """The first step of a triggered run's definition, which holds the event."""
    return (
        workflow.triggered
        and site.path == ("steps", 0)
        and isinstance(site.step, MapStep)
        and TRIGGER_CONFIG_KEY in workflow.config
    )


def _check_trigger_step(
    workflow: Workflow, sites: dict[str, StepSite], problems: list[Problem]
) -> None:
    site = sites.get(TRIGGER_STEP_ID)
    if site is None or not workflow.triggered or is_generated_trigger_step(workflow, site):
        return
    problems.append(
        Problem(
            f"id {TRIGGER_STEP_ID!r} is reserved in {workflow.trigger.kind} workflows: "
            f"$.steps.{TRIGGER_STEP_ID} is the event that started the run; rename this step",
            (*site.path, "id"),
        )
    )


def references_of(step: AnyStep) -> Iterator[tuple[Path, str]]:
    """(field path inside the step, reference text) for every reference the step reads."""
    if isinstance(step, CallStep):
        yield from find_references(step.input, ("input",))
    elif isinstance(step, LoopStep) and isinstance(step.loop, ListLoop):
        yield from find_references(step.loop.items, ("loop", "list"))
    elif isinstance(step, ConditionStep):
        key = step.condition.match
        for index, comparison in enumerate(step.condition.comparisons):
            yield from find_references(comparison.value1, ("condition", key, index, "value1"))
            yield from find_references(comparison.value2, ("condition", key, index, "value2"))
    elif isinstance(step, DelayStep):
        yield from find_references(step.delay, ("delay",))
    elif isinstance(step, MapStep):
        yield from find_references(step.map, ("map",))


def _check_call(
    step: CallStep, path: Path, catalog: Catalog, problems: list[Problem]
) -> Operation | None:
    try:
        operation = catalog.get(step.call)
    except UnknownOperation as error:
        problems.append(Problem(str(error), (*path, "call")))
        return None
    if step.all_pages and operation.pagination is None and operation.list_key is None:
        problems.append(
            Problem(
                f"all: true follows pages of a list, and {operation.name} does not return one",
                (*path, "all"),
            )
        )
    for field, message in static_input_problems(catalog, operation, step.input):
        problems.append(Problem(message, (*path, "input", *field)))
    return operation


_PLACEHOLDERS: dict[str, Any] = {
    "string": "x",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "array": [],
    "object": {},
}


def _placeholder(schema: dict[str, Any]) -> Any:
    """A value of the field's type, standing in for a reference during static validation."""
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    value = _PLACEHOLDERS.get(kind or "object", {})
    if kind == "string":
        return "x" * max(1, int(schema.get("minLength", 1)))
    if kind in ("integer", "number") and "minimum" in schema:
        return schema["minimum"]
    return value


def static_input_problems(
    catalog: Catalog, operation: Operation, data: dict[str, Any]
) -> list[tuple[Path, str]]:
    """Problems with the literal part of an input; fields given by reference wait for the run."""
    referenced = {key for key, value in data.items() if has_references(value)}
    properties = operation.input_schema.get("properties", {})
    probe = {
        key: _placeholder(properties.get(key, {})) if key in referenced else value
        for key, value in data.items()
    }
    try:
        catalog.validator.prepare(operation, probe)
    except InvalidInput as error:
        found = []
        for problem in error.problems:
            top = problem.field.split(".")[0].split("[")[0]
            about_name = problem.message.startswith(("unknown field", "is set by"))
            if (top in referenced and not about_name) or (not top and referenced):
                continue
            found.append((_field_path(problem.field), problem.message))
        return found
    return []


def _field_path(field: str) -> Path:
    parts: list[str | int] = []
    for chunk in field.replace("[", ".[").split("."):
        if not chunk:
            continue
        index = chunk[1:-1]
        parts.append(int(index) if chunk.startswith("[") and index.isdigit() else chunk)
    return tuple(parts)


def _check_break(
    step: BreakStep, site: StepSite, sites: dict[str, StepSite], problems: list[Problem]
) -> None:
    target = step.break_loop
    if target in site.loops:
        return
    around = ", ".join(site.loops) or "none"
    if target not in sites:
        message = f"break names {target!r}, which is no step of this workflow"
    elif not isinstance(sites[target].step, LoopStep):
        message = f"break names {target!r}, which is not a loop"
    else:
        message = f"break names loop {target!r}, which does not enclose this step"
    problems.append(Problem(f"{message} (loops around this step: {around})", (*site.path, "break")))


def _has_break_for(loop: LoopStep) -> bool:
    pending: list[AnyStep] = list(loop.steps)
    while pending:
        step = pending.pop()
        if isinstance(step, BreakStep) and step.break_loop == loop.id:
            return True
        if isinstance(step, LoopStep):
            pending.extend(step.steps)
        elif isinstance(step, ConditionStep):
            pending.extend([*step.then, *step.otherwise])
    return False


def _check_reference(
    text: str, site: StepSite, sites: dict[str, StepSite], workflow: Workflow
) -> str | None:
    try:
        reference = parse_reference(text)
    except ReferenceSyntaxError as error:
        return str(error)
    if reference.root == "config":
        key = reference.first_key
        if key is not None and key not in workflow.config:
            return _unknown(text, "config key", key, list(workflow.config), "the workflow's config")
        return None
    if reference.root == "env":
        key = reference.first_key
        if key is not None and key not in ENV_KEYS:
            return _unknown(text, "env value", key, list(ENV_KEYS), "$.env")
        return None
    return _check_step_reference(reference, site, sites, workflow)


def _check_step_reference(
    reference: Reference, site: StepSite, sites: dict[str, StepSite], workflow: Workflow
) -> str | None:
    text, target_id = reference.text, reference.step_id
    assert target_id is not None
    target = sites.get(target_id)
    if target is None and target_id == TRIGGER_STEP_ID:
        if workflow.triggered:
            return None  # the event; every step runs after it
        return (
            f"{text}: $.steps.{TRIGGER_STEP_ID} is the event of a webhook or schedule "
            f"trigger, and this workflow's trigger is {workflow.trigger.kind}"
        )
    if target is None:
        return _unknown(text, "step", target_id, list(sites), "this workflow")
    if target_id in site.loops:
        loop = target.step
        if not isinstance(loop, LoopStep):
            return None  # the id is shared with another step: reported as "already used"
        if reference.first_key == "index":
            return None
        if reference.first_key == "value" and isinstance(loop.loop, ListLoop):
            return None
        if isinstance(loop.loop, ForeverLoop):
            return f"{text}: inside loop forever {target_id!r} only .index is available" + (
                f"; did you mean $.steps.{target_id}.index?" if reference.first_key else ""
            )
        close = difflib.get_close_matches(reference.first_key or "", ["value", "index"], n=1)
        if close:
            return (
                f"{text}: inside loop {target_id!r} there is no .{reference.first_key}; "
                f"did you mean $.steps.{target_id}.{close[0]}?"
            )
        return (
            f"{text}: inside loop {target_id!r}, read the current item as "
            f"$.steps.{target_id}.value (and its position as .index); the loop's results "
            "exist only after it"
        )
    if target.order == site.order:
        return f"{text}: a step cannot read its own output"
    if target.order > site.order:
        return f"{text}: step {target_id!r} runs after this step, so its output does not exist yet"
    outside = [loop for loop in target.loops if loop not in site.loops]
    if outside:
        return (
            f"{text}: step {target_id!r} runs inside loop {outside[0]!r}; after the loop, "
            f"read its outputs as $.steps.{outside[0]}.results[*].{target_id}"
        )
    for condition, branch in target.branches:
        other = "else" if branch == "then" else "then"
        if (condition, other) in site.branches:
            return (
                f"{text}: step {target_id!r} is in the {branch} branch of {condition!r} and "
                f"this step in its {other} branch; they never both run"
            )
    return None


def _unknown(text: str, what: str, name: str, known: list[str], where: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{text}: there is no {what} {name!r} in {where}{hint}"
