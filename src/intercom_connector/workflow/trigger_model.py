"""Workflow triggers as typed data: manual, Intercom webhook topics, and schedules.

Kept apart from the step models (``model.py``) because triggers have their own rules (topic
patterns, cron with a timezone, periods) and are read by ``serve`` as well as the loader.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from intercom_connector.workflow.durations import parse_duration

TRIGGER_TYPES = ("manual", "webhook", "schedule")
TOPIC_PATTERN = r"^(\*|[a-z0-9_]+)(\.(\*|[a-z0-9_]+))*$"
MIN_SCHEDULE_PERIOD = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ManualTrigger(_Strict):
    """Started by a person or a script (`intercom-connector run`)."""

    type: Literal["manual"] = "manual"

    @property
    def kind(self) -> str:
        return "manual"


def _check_topic(value: str) -> str:
    if not re.match(TOPIC_PATTERN, value) or len(value) > 200:
        raise ValueError(
            f"{value!r} is not a topic: lowercase parts separated by dots "
            "(conversation.admin.closed), '*' standing for one part"
        )
    return value


Topic = Annotated[
    str, AfterValidator(_check_topic), WithJsonSchema({"type": "string", "pattern": TOPIC_PATTERN})
]


class WebhookOptions(_Strict):
    topics: list[Topic] = Field(
        min_length=1,
        description="Intercom notification topics that start a run "
        "(conversation.admin.closed, contact.user.created, ...); '*' stands for one part "
        "of a topic (contact.*.created), a lone '*' for every topic.",
    )


class WebhookTrigger(_Strict):
    """One run per Intercom notification whose topic matches (`intercom-connector serve`)."""

    webhook: WebhookOptions

    @property
    def kind(self) -> str:
        return "webhook"


class ScheduleOptions(_Strict):
    cron: str | None = Field(
        None, description="Five-field cron expression ('0 2 * * *') or a macro ('@daily')."
    )
    every: float | None = Field(
        None,
        description="A period ('15m', '1h', or seconds); slots are its multiples since the "
        "Unix epoch (UTC).",
    )
    timezone: str | None = Field(
        None, description="IANA time zone of the cron expression (default UTC)."
    )
    overlap: Literal["skip", "allow"] = Field(
        "skip",
        description="skip: a slot that comes while the previous run still goes is skipped; "
        "allow: runs may overlap.",
    )

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            from intercom_connector.workflow.triggers.cron import parse_cron

            parse_cron(value)  # CronSyntaxError is a ValueError: pydantic reports it
        return value

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("give a duration like '15m' or '1h', or seconds")
        seconds = parse_duration(value) if isinstance(value, str) else float(value)
        if seconds < MIN_SCHEDULE_PERIOD or seconds != int(seconds):
            raise ValueError(f"must be a whole number of seconds, at least {MIN_SCHEDULE_PERIOD}")
        return seconds

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {value!r}; use an IANA name like Europe/Dublin or UTC"
                ) from None
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> ScheduleOptions:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give either `cron:` or `every:`")
        if self.every is not None and self.timezone is not None:
            raise ValueError(
                "timezone applies to cron; `every:` slots count from the Unix epoch in UTC"
            )
        return self


class ScheduleTrigger(_Strict):
    """Runs on a clock: a cron expression in a time zone, or every period."""

    schedule: ScheduleOptions

    @property
    def kind(self) -> str:
        return "schedule"


def _trigger_shorthand(value: Any) -> Any:
    """`trigger: manual` is short for `trigger: {type: manual}`."""
    if isinstance(value, str):
        if value in ("webhook", "schedule"):
            example = (
                "{webhook: {topics: [contact.user.created]}}"
                if value == "webhook"
                else "{schedule: {cron: '0 2 * * *'}} or {schedule: {every: 15m}}"
            )
            raise ValueError(f"trigger {value!r} needs its settings: trigger: {example}")
        value = {"type": value}
    kind = value.get("type") if isinstance(value, dict) else None
    if isinstance(kind, str) and kind != "manual":
        raise ValueError(f"unknown trigger {kind!r}; use manual, webhook or schedule")
    return value


def _trigger_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        present = [kind for kind in ("webhook", "schedule") if kind in value]
        if len(present) == 1:
            return present[0]
        return "manual" if not present and (not value or "type" in value) else None
    if isinstance(value, ManualTrigger | WebhookTrigger | ScheduleTrigger):
        return value.kind
    return None


_TOPICS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "pattern": TOPIC_PATTERN},
    "description": WebhookOptions.model_fields["topics"].description,
}
_TRIGGER_SCHEMA: dict[str, Any] = {
    "description": "What starts a run: `manual` (the CLI or Python), "
    "`{webhook: {topics: [...]}}` or `{schedule: {cron: ..., timezone: ...}}` / "
    "`{schedule: {every: 15m}}` (both hosted by `intercom-connector serve`).",
    "default": "manual",
    "anyOf": [
        {"const": "manual"},
        {
            "type": "object",
            "properties": {"type": {"const": "manual"}},
            "required": ["type"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "webhook": {
                    "type": "object",
                    "properties": {"topics": _TOPICS_SCHEMA},
                    "required": ["topics"],
                    "additionalProperties": False,
                }
            },
            "required": ["webhook"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "schedule": {
                    "type": "object",
                    "properties": {
                        "cron": {"type": "string", "minLength": 1},
                        "every": {"type": ["string", "number"]},
                        "timezone": {"type": "string"},
                        "overlap": {"enum": ["skip", "allow"]},
                    },
                    "oneOf": [{"required": ["cron"]}, {"required": ["every"]}],
                    "additionalProperties": False,
                }
            },
            "required": ["schedule"],
            "additionalProperties": False,
        },
    ],
}

Trigger = Annotated[
    Annotated[ManualTrigger, Tag("manual")]
    | Annotated[WebhookTrigger, Tag("webhook")]
    | Annotated[ScheduleTrigger, Tag("schedule")],
    Discriminator(
        _trigger_kind,
        custom_error_type="trigger_kind",
        custom_error_message="a trigger is manual, {webhook: {topics: [...]}} or "
        "{schedule: {cron: ...}} / {schedule: {every: ...}}",
    ),
    BeforeValidator(_trigger_shorthand),
    WithJsonSchema(_TRIGGER_SCHEMA),
]
AnyTrigger = ManualTrigger | WebhookTrigger | ScheduleTrigger
