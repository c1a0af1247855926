"""The workflow file format as typed data, and its JSON Schema for editors.

A workflow is a name, a trigger, an optional default authentication, ``config`` values and
a list of steps. The trigger is ``manual`` (the CLI or Python start a run), ``webhook``
(one run per matching Intercom notification) or ``schedule`` (cron or a period), the last
two hosted by ``intercom-connector serve``. A step's kind is the key that names it
(``call``, ``loop``, ``break``, ``condition``, ``delay``, ``map``), which keeps files short
and lets one callable discriminator pick the model, so that an error names the field of
the right kind of step instead of listing every kind it could have been.

The model checks shape only; what needs the whole workflow or the catalog (unique ids,
operation names, references to earlier steps, break targets) is in ``checks.py``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from intercom_connector.catalog.watermark import parse_since
from intercom_connector.errors import UsageError
from intercom_connector.workflow.durations import parse_duration
from intercom_connector.workflow.engine import MAX_DELAY_SECONDS, MAX_ITERATIONS
from intercom_connector.workflow.trigger_model import (  # noqa: F401  (re-exported)
    MIN_SCHEDULE_PERIOD,
    TOPIC_PATTERN,
    TRIGGER_TYPES,
    AnyTrigger,
    ManualTrigger,
    ScheduleOptions,
    ScheduleTrigger,
    Trigger,
    WebhookOptions,
    WebhookTrigger,
)

FORMAT_VERSION = 1
STEP_KINDS = ("call", "loop", "break", "condition", "delay", "map")
LOOP_KINDS = ("list", "forever")
TRIGGER_STEP_ID = "trigger"
"""In webhook and schedule workflows, ``$.steps.trigger`` is the event that started the run."""
TRIGGER_CONFIG_KEY = "_trigger"
"""Where a triggered run's definition keeps its event (see ``triggers/events.py``)."""
DEFAULT_MAX_ITERATIONS = 1000
MAX_STEP_ATTEMPTS = 10
MAX_BACKOFF_SECONDS = 3600
MAX_PARALLEL = 64

STEP_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
REFERENCE_HELP = (
    "A string starting with `$.` is a JSONPath reference: `$.steps.<step-id>...`, "
    "`$.config...` or `$.env...`; `{$.path}` inside a longer string is replaced by the value; "
    "start a literal with `$$` to keep a leading `$.`."
)

# Comparison operators: canonical name first, then the spellings accepted for it.
OPERATORS: dict[str, tuple[str, ...]] = {
    "equal": ("==", "equals", "is"),
    "not_equal": ("!=", "not_equals", "is_not"),
    "less_than": ("<",),
    "less_than_or_equal": ("<=",),
    "greater_than": (">",),
    "greater_than_or_equal": (">=",),
    "in_list": ("in",),
    "not_in_list": ("not_in",),
    "contains": (),
    "not_contains": ("does_not_contain",),
    "exists": (),
    "not_exists": ("does_not_exist",),
    "is_empty": (),
    "is_not_empty": (),
}
UNARY_OPERATORS = frozenset({"exists", "not_exists", "is_empty", "is_not_empty"})
_OPERATOR_SPELLINGS = {
    spelling: name for name, spellings in OPERATORS.items() for spelling in (name, *spellings)
}
_OPERATOR_SCHEMA: dict[str, Any] = {
    "description": "equal (==), not_equal (!=), less_than (<), less_than_or_equal (<=), "
    "greater_than (>), greater_than_or_equal (>=), in_list, not_in_list, contains, "
    "not_contains, exists, not_exists, is_empty, is_not_empty; spaces may replace the "
    "underscores ('is not empty').",
    "enum": sorted(
        {s for name in OPERATORS for s in (name, name.replace("_", " "))}
        | {s for spellings in OPERATORS.values() for s in spellings}
    ),
}
Operator = Literal[
    "equal",
    "not_equal",
    "less_than",
    "less_than_or_equal",
    "greater_than",
    "greater_than_or_equal",
    "in_list",
    "not_in_list",
    "contains",
    "not_contains",
    "exists",
    "not_exists",
    "is_empty",
    "is_not_empty",
]


def is_reference(value: object) -> bool:
    return isinstance(value, str) and value.startswith("$.")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class StepBase(_Strict):
    id: Annotated[
        str,
        Field(
            pattern=STEP_ID_PATTERN,
            max_length=100,
            description="Unique in the workflow; letters, digits, '_' and '-'.",
        ),
    ]
    description: str | None = Field(None, description="A note for people reading the run.")


class CallStep(StepBase):
    """Run one Intercom operation."""

    call: str = Field(
        description="Operation name, operationId or display name ('List contacts').",
        min_length=1,
    )
    input: dict[str, Any] = Field(
        default_factory=dict, description="The operation's input fields. " + REFERENCE_HELP
    )
    all_pages: bool = Field(
        False,
        alias="all",
        strict=True,
        description="Follow every page; the output holds all records under the list key.",
    )
    parallel: int = Field(
        1,
        ge=1,
        le=MAX_PARALLEL,
        strict=True,
        description="With all: true, requests in flight at once under the shared rate limit "
        "(searches are cut into created_at partitions; records in any order).",
    )
    updated_since: int | float | str | None = Field(
        None,
        description="With all: true, only records updated since a unix time, an ISO 8601 "
        "time or a duration before the run's clock (24h, 7d).",
    )

    @field_validator("parallel", "updated_since")
    @classmethod
    def _listing_options_need_all(cls, value: Any, info: ValidationInfo) -> Any:
        default = 1 if info.field_name == "parallel" else None
        if value != default and not info.data.get("all_pages"):
            raise ValueError(f"{info.field_name} applies to listings: add all: true")
        if isinstance(value, str):
            try:
                parse_since(value, 0.0, "updated_since")
            except UsageError as error:
                raise ValueError(str(error)) from None
        return value

    def listing(self, now: float) -> dict[str, Any]:
        """The listing options the engine needs, only those set (``now``: the run's clock)."""
        options: dict[str, Any] = {}
        if self.parallel != 1:
            options["parallel"] = self.parallel
        if isinstance(self.updated_since, str):
            options["updated_since"] = parse_since(self.updated_since, now, "updated_since")
        elif self.updated_since is not None:
            options["updated_since"] = float(self.updated_since)
        return options

    on_error: Literal["fail", "continue", "retry"] = Field(
        "fail",
        description="When the call fails for good: fail the run (default); continue (the "
        "step's output is {error: {status, code, message, request_id, operation}}); or retry "
        "it `attempts` times, waiting `backoff` (doubling) in between, for errors the client "
        "does not retry itself (404 of a record not yet visible, 409, 422).",
    )
    attempts: int = Field(
        3, ge=2, le=MAX_STEP_ATTEMPTS, description="With on_error: retry, sends in all."
    )
    backoff: float | str = Field(
        1.0,
        description="With on_error: retry, the wait before the second send (seconds or a "
        "duration like '2s'); it doubles after each failure.",
    )
    error_steps: list[Step] = Field(
        default_factory=list,
        alias="error",
        description="Steps run when the call fails for good, reading "
        "$.steps.<id>.error; the run then goes on (unless on_error: fail is written).",
    )

    @field_validator("backoff", mode="before")
    @classmethod
    def _backoff(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("give seconds (a number) or a duration like '2s'")
        seconds = parse_duration(value) if isinstance(value, str) else float(value)
        if not 0 <= seconds <= MAX_BACKOFF_SECONDS:
            raise ValueError(f"must be between 0 and {MAX_BACKOFF_SECONDS} seconds")
        return seconds

    @model_validator(mode="after")
    def _retry_fields(self) -> CallStep:
        given = {"attempts", "backoff"} & self.model_fields_set
        if given and self.on_error != "retry":
            raise ValueError(
                f"{' and '.join(sorted(given))} apply to on_error: retry only (this step "
                f"has on_error: {self.on_error})"
            )
        return self

    @property
    def handles_errors(self) -> bool:
        """Whether a failure lets the run go on (continue, or an error branch)."""
        if self.on_error == "continue":
            return True
        return bool(self.error_steps) and "on_error" not in self.model_fields_set


class ListLoop(_Strict):
    items: list[Any] | str = Field(
        alias="list",
        description="A reference to a list (or a literal list); each item is "
        "$.steps.<loop-id>.value and its position $.steps.<loop-id>.index.",
    )
    parallel: int = Field(
        1,
        ge=1,
        le=MAX_PARALLEL,
        description="Iterations run at once (sharing the rate limiter); results stay in order.",
    )

    @field_validator("items", mode="before")
    @classmethod
    def _list_or_reference(cls, value: Any) -> Any:
        if isinstance(value, list) or is_reference(value):
            return value
        raise ValueError("give a reference to a list ($.steps.<id>.data) or a literal list")


class ForeverLoop(_Strict):
    forever: Literal[True] = Field(description="Repeat the steps until a break ends the loop.")
    max_iterations: int = Field(
        DEFAULT_MAX_ITERATIONS,
        ge=1,
        le=MAX_ITERATIONS,
        description="Guard against a break that never comes: the step fails past this count.",
    )


def _loop_kind(value: Any) -> str | None:
    keys = value if isinstance(value, dict) else vars(value) if isinstance(value, BaseModel) else {}
    if "list" in keys or "items" in keys:
        return "list"
    if "forever" in keys:
        return "forever"
    return None


LoopMode = Annotated[
    Annotated[ListLoop, Tag("list")] | Annotated[ForeverLoop, Tag("forever")],
    Discriminator(
        _loop_kind,
        custom_error_type="loop_kind",
        custom_error_message="a loop needs `list: <reference>` or `forever: true`",
    ),
]


class LoopStep(StepBase):
    """Repeat ``steps`` over a list, or forever until a ``break``."""

    loop: LoopMode
    steps: list[Step] = Field(min_length=1)


class BreakStep(StepBase):
    """End the named enclosing loop (the innermost one, or any loop around it)."""

    break_loop: str = Field(alias="break", description="Id of an enclosing loop.")


class Comparison(_Strict):
    value1: Any = Field(description="Left-hand value. " + REFERENCE_HELP)
    comparison: Annotated[Operator, WithJsonSchema(_OPERATOR_SCHEMA)]
    value2: Any = Field(None, description="Right-hand value (not used by the unary tests).")

    @field_validator("comparison", mode="before")
    @classmethod
    def _spelling(cls, value: Any) -> Any:
        if isinstance(value, str):
            folded = re.sub(r"[\s-]+", "_", value.strip().lower())
            return _OPERATOR_SPELLINGS.get(folded, value)
        return value


class Condition(_Strict):
    all_of: list[Comparison] | None = Field(None, alias="all", min_length=1)
    any_of: list[Comparison] | None = Field(None, alias="any", min_length=1)

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["all"]}, {"required": ["any"]}]}
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        if (self.all_of is None) == (self.any_of is None):
            raise ValueError("give either `all:` or `any:` with a list of comparisons")
        return self

    @property
    def match(self) -> Literal["all", "any"]:
        return "all" if self.all_of is not None else "any"

    @property
    def comparisons(self) -> list[Comparison]:
        return self.all_of if self.all_of is not None else self.any_of or []


class ConditionStep(StepBase):
    """Compare values; run ``then`` when the condition holds, ``else`` otherwise."""

    condition: Condition
    then: list[Step] = Field(default_factory=list)
    otherwise: list[Step] = Field(default_factory=list, alias="else")


class DelayStep(StepBase):
    """Wait before the next step (seconds, a duration like '1m30s', or a reference)."""

    delay: Annotated[
        float | str,
        Field(description="Seconds, a duration ('500ms', '30s', '1m30s') or a reference."),
    ]

    @field_validator("delay", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("give seconds (a number), a duration like '30s', or a reference")
        if is_reference(value):
            return value
        seconds = parse_duration(value) if isinstance(value, str) else float(value)
        if not 0 <= seconds <= MAX_DELAY_SECONDS:
            raise ValueError(f"must be between 0 and {MAX_DELAY_SECONDS} seconds")
        return seconds


class MapStep(StepBase):
    """Build an object from references and literals (the data mapper)."""

    map: dict[str, Any] = Field(description="The object to build. " + REFERENCE_HELP)


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        present = [kind for kind in STEP_KINDS if kind in value]
        return present[0] if len(present) == 1 else None
    return _MODEL_KINDS.get(type(value))


Step = Annotated[
    Annotated[CallStep, Tag("call")]
    | Annotated[LoopStep, Tag("loop")]
    | Annotated[BreakStep, Tag("break")]
    | Annotated[ConditionStep, Tag("condition")]
    | Annotated[DelayStep, Tag("delay")]
    | Annotated[MapStep, Tag("map")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs exactly one of call, loop, break, condition, "
        "delay or map",
    ),
]
AnyStep = CallStep | LoopStep | BreakStep | ConditionStep | DelayStep | MapStep
_MODEL_KINDS: dict[type, str] = {
    CallStep: "call",
    LoopStep: "loop",
    BreakStep: "break",
    ConditionStep: "condition",
    DelayStep: "delay",
    MapStep: "map",
}


def kind_of(step: AnyStep) -> str:
    return _MODEL_KINDS[type(step)]


def children(step: AnyStep) -> list[AnyStep]:
    """The steps nested directly in ``step`` (a loop's body, both condition branches, a
    call's error branch)."""
    if isinstance(step, LoopStep):
        return list(step.steps)
    if isinstance(step, CallStep):
        return list(step.error_steps)
    if isinstance(step, ConditionStep):
        return [*step.then, *step.otherwise]
    return []


def iteration_ids(loop: LoopStep) -> list[str]:
    """Ids whose outputs make up one iteration's result: the body, through conditions."""
    ids: list[str] = []
    pending = list(loop.steps)
    while pending:
        step = pending.pop(0)
        ids.append(step.id)
        if isinstance(step, ConditionStep | CallStep):
            pending.extend(children(step))
    return ids


class Workflow(_Strict):
    """A workflow file."""

    version: Literal[1] = Field(1, description="Format version of this file.")
    name: str = Field(min_length=1)
    description: str | None = None
    trigger: Trigger = Field(default_factory=ManualTrigger)
    authentication: str | None = Field(
        None, description="Name of the stored authentication used unless `--auth` is given."
    )
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="Values read as $.config.<key>; `--config key=value` overrides them.",
    )
    steps: list[Step] = Field(min_length=1)

    @property
    def triggered(self) -> bool:
        """Whether runs start on events (webhook, schedule), so ``$.steps.trigger`` exists."""
        return not isinstance(self.trigger, ManualTrigger)


for _model in (CallStep, LoopStep, ConditionStep, Workflow):
    _model.model_rebuild()

SCHEMA_ID = "https://intercom-connector.dev/schemas/workflow-v1.json"


def workflow_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of the file format, for editor completion and CI checks."""
    schema = Workflow.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "intercom-connector workflow",
        **{k: v for k, v in schema.items() if k != "title"},
    }
