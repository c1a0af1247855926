"""A triggered run's definition is checked once per file and event shape, never served stale."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import intercom_connector.workflow.triggers.events as events
from intercom_connector.workflow import WorkflowInvalid, parse_workflow
from intercom_connector.workflow.loader import check_data
from intercom_connector.workflow.triggers import run_definition

HEAD = "name: t\ntrigger:\n  webhook:\n    topics: [contact.user.created]\nsteps:\n"
FILE = HEAD + "  - {id: a, map: {topic: $.steps.trigger.topic, item: $.steps.trigger.data}}\n"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def _event(topic: str, data: object) -> dict:
    return {"type": "notification_event", "id": "n1", "topic": topic, "data": data}


@settings(max_examples=40, deadline=None)
@given(topic=st.text(), data=json_values)
def test_a_reused_definition_equals_the_definition_checked_afresh(topic, data):
    loaded = parse_workflow(FILE, "w.yaml")
    run_definition(loaded, _event("contact.user.created", {"first": True}))
    reused = run_definition(loaded, _event(topic, data))
    assert reused == check_data(reused.data, "w.yaml")
    assert reused.workflow.config["_trigger"] == _event(topic, data)


def test_events_with_the_same_keys_check_the_file_once(monkeypatch):
    checks = []

    def counting(*args, **kwargs):
        checks.append(args)
        return check_data(*args, **kwargs)

    monkeypatch.setattr(events, "check_data", counting)
    loaded = parse_workflow(FILE + "  - {id: once, map: {x: 1}}\n", "w.yaml")
    for index in range(5):
        run_definition(loaded, _event(f"topic-{index}", {"index": index}))
    run_definition(loaded, {**_event("t", {}), "app_id": "another key"})
    assert len(checks) == 2


def test_an_edited_file_of_the_same_name_is_checked_again():
    before = parse_workflow(FILE, "w.yaml")
    run_definition(before, _event("contact.user.created", {}))
    edited = parse_workflow(FILE + "  - {id: added, map: {x: 1}}\n", "w.yaml")
    run = run_definition(edited, _event("contact.user.created", {}))
    assert list(run.plan.sites) == ["trigger", "a", "added"]


def test_an_edit_that_breaks_the_definition_is_refused_not_served_from_before():
    steps = "  - {id: a, map: {x: $.steps.trigger.data}}\n"
    loaded = parse_workflow(HEAD + steps, "w.yaml")
    run_definition(loaded, _event("contact.user.created", {}))
    broken = dict(loaded.data, steps=[{"id": "trigger", "map": {"x": 1}}])
    with pytest.raises(WorkflowInvalid, match="already used"):
        run_definition(type(loaded)(loaded.plan, loaded.file, broken), _event("x", {}))


def test_a_file_that_names_the_reserved_config_key_is_checked_for_every_event(monkeypatch):
    checks = []
    monkeypatch.setattr(
        events, "check_data", lambda *a, **k: checks.append(a) or check_data(*a, **k)
    )
    text = HEAD + textwrap.indent("- {id: a, map: {x: literally _trigger}}\n", "  ")
    loaded = parse_workflow(text, "w.yaml")
    for index in range(3):
        run_definition(loaded, _event("contact.user.created", {"index": index}))
    assert len(checks) == 3
