"""The trigger part of workflow files: webhook and schedule, checked before anything runs."""

from __future__ import annotations

import textwrap

import jsonschema
import pytest
import yaml
from triggers_kit import EXAMPLES

from intercom_connector.workflow import (
    WorkflowInvalid,
    load_workflow,
    parse_workflow,
    workflow_json_schema,
)
from intercom_connector.workflow.model import ManualTrigger, ScheduleTrigger, WebhookTrigger
from intercom_connector.workflow.triggers import run_definition

STEPS = "steps:\n  - {id: a, map: {x: 1}}\n"

VALID: list[tuple[str, str, type]] = [
    ("manual-word", "manual", ManualTrigger),
    (
        "webhook",
        "{webhook: {topics: [conversation.admin.closed, contact.user.created]}}",
        WebhookTrigger,
    ),
    ("webhook-pattern", "{webhook: {topics: ['contact.*.created', '*']}}", WebhookTrigger),
    ("cron", "{schedule: {cron: '0 2 * * *', timezone: Europe/Dublin}}", ScheduleTrigger),
    ("cron-macro", "{schedule: {cron: '@daily'}}", ScheduleTrigger),
    ("every", "{schedule: {every: 15m}}", ScheduleTrigger),
    ("every-seconds", "{schedule: {every: 90, overlap: allow}}", ScheduleTrigger),
]

INVALID: list[tuple[str, str, str]] = [
    ("bare-schedule", "schedule", "field 'trigger': trigger 'schedule' needs its settings"),
    ("bare-webhook", "webhook", "field 'trigger': trigger 'webhook' needs its settings"),
    ("unknown-word", "cron", "field 'trigger': unknown trigger 'cron'; use manual, webhook"),
    ("unknown-key", "{webhok: {topics: [a]}}", "field 'trigger': a trigger is manual, {webhook"),
    (
        "two-kinds",
        "{webhook: {topics: [a]}, schedule: {every: 1}}",
        "field 'trigger': a trigger is",
    ),
    ("no-topics", "{webhook: {topics: []}}", "field 'trigger.webhook.topics': List should have"),
    (
        "bad-topic",
        "{webhook: {topics: [Contact Created]}}",
        "field 'trigger.webhook.topics[0]': 'Contact Created' is not a topic",
    ),
    (
        "cron-fields",
        "{schedule: {cron: '0 2 * *'}}",
        "field 'trigger.schedule.cron': '0 2 * *' has 4 fields",
    ),
    (
        "cron-range",
        "{schedule: {cron: '0 25 * * *'}}",
        "field 'trigger.schedule.cron': hour: '25' is not valid",
    ),
    (
        "no-kind",
        "{schedule: {timezone: UTC}}",
        "field 'trigger.schedule': give either `cron:` or `every:`",
    ),
    (
        "both-kinds",
        "{schedule: {cron: '@daily', every: 1h}}",
        "field 'trigger.schedule': give either",
    ),
    (
        "bad-zone",
        "{schedule: {cron: '@daily', timezone: Europe/Atlantis}}",
        "unknown time zone 'Europe/Atlantis'",
    ),
    ("zone-with-every", "{schedule: {every: 1h, timezone: UTC}}", "timezone applies to cron"),
    (
        "short-period",
        "{schedule: {every: 500ms}}",
        "field 'trigger.schedule.every': must be a whole number of seconds",
    ),
    ("bad-period", "{schedule: {every: soon}}", "'soon' is not a duration"),
    ("bad-overlap", "{schedule: {every: 1h, overlap: queue}}", "field 'trigger.schedule.overlap'"),
    (
        "unknown-option",
        "{schedule: {every: 1h, catchup: true}}",
        "field 'trigger.schedule.catchup': unknown field "
        "(fields here: cron, every, timezone, overlap)",
    ),
]


@pytest.mark.parametrize(("name", "trigger", "kind"), VALID, ids=[case[0] for case in VALID])
def test_valid_triggers_load(name, trigger, kind):
    loaded = parse_workflow(f"name: t\ntrigger: {trigger}\n{STEPS}", "ok.yaml")
    assert isinstance(loaded.workflow.trigger, kind)


@pytest.mark.parametrize(
    ("name", "trigger", "expected"), INVALID, ids=[case[0] for case in INVALID]
)
def test_invalid_triggers_are_rejected_at_the_trigger_line(name, trigger, expected):
    with pytest.raises(WorkflowInvalid) as raised:
        parse_workflow(f"name: t\ntrigger: {trigger}\n{STEPS}", "bad.yaml")
    messages = [str(problem) for problem in raised.value.problems]
    assert any(
        message.startswith("bad.yaml:2: ") and expected in message for message in messages
    ), messages


@pytest.mark.parametrize(("name", "trigger", "kind"), VALID, ids=[case[0] for case in VALID])
def test_valid_triggers_fit_the_exported_schema(name, trigger, kind):
    data = yaml.safe_load(f"name: t\ntrigger: {trigger}\n{STEPS}")
    jsonschema.validate(data, workflow_json_schema())


def webhook_file(steps: str) -> str:
    head = "name: t\ntrigger:\n  webhook:\n    topics: [contact.user.created]\nsteps:\n"
    return head + textwrap.dedent(steps)


def test_a_triggered_workflow_reads_the_event_as_steps_trigger_anywhere():
    parse_workflow(
        webhook_file(
            """\
            - id: loop-1
              loop: {list: [1, 2]}
              steps:
                - id: inner
                  map: {contact: $.steps.trigger.data.item.id}
            - id: text
              map: {line: "new contact {$.steps.trigger.data.item.email}"}
            """
        )
    )


def test_a_manual_workflow_cannot_read_steps_trigger():
    with pytest.raises(
        WorkflowInvalid,
        match=r"\$\.steps\.trigger is the event of a webhook or schedule trigger, "
        "and this workflow's trigger is manual",
    ):
        parse_workflow("name: t\nsteps:\n  - {id: a, map: {x: $.steps.trigger.id}}\n", "bad.yaml")


def test_trigger_is_a_reserved_step_id_in_triggered_workflows():
    with pytest.raises(WorkflowInvalid, match="id 'trigger' is reserved in webhook workflows"):
        parse_workflow(webhook_file("- {id: trigger, map: {x: 1}}\n"), "bad.yaml")


def test_trigger_stays_an_ordinary_step_id_in_manual_workflows():
    parse_workflow(
        "name: t\nsteps:\n  - {id: trigger, map: {x: 1}}\n"
        "  - {id: b, map: {y: $.steps.trigger.x}}\n"
    )


def test_the_run_definition_holds_the_event_as_data_and_a_first_step():
    loaded = parse_workflow(webhook_file("- {id: a, map: {x: $.steps.trigger.topic}}\n"), "w.yaml")
    event = {"type": "notification_event", "id": "n1", "topic": "contact.user.created", "data": {}}
    run = run_definition(loaded, event)
    assert run.data["config"]["_trigger"] == event
    first = run.data["steps"][0]
    assert first["id"] == "trigger" and set(first["map"]) == set(event)
    assert [site for site in run.plan.sites] == ["trigger", "a"]
    assert loaded.data["steps"][0]["id"] == "a"  # the file's own data is untouched


@pytest.mark.parametrize(
    "path",
    sorted(EXAMPLES.glob("webhook-*.yaml")) + sorted(EXAMPLES.glob("schedule-*.yaml")),
    ids=lambda p: p.name,
)
def test_trigger_examples_load_and_fit_the_schema(path):
    loaded = load_workflow(path)
    assert loaded.workflow.triggered
    jsonschema.validate(yaml.safe_load(path.read_text()), workflow_json_schema())
