"""Each step kind does what the file says, on an engine that records instead of calling."""

from __future__ import annotations

from typing import Any

import pytest
from workflow_kit import FakeEngine, interpret, interpret_failure, workflow

from intercom_connector.workflow import CallFailed, StepError

CONTACTS = [{"id": "c1", "name": "Ada"}, {"id": "c2", "name": "Bob"}, {"id": "c3", "name": "Cy"}]


def contacts_and_companies(operation: str, data: dict[str, Any]) -> Any:
    if operation == "list_contacts":
        return {"type": "list", "data": CONTACTS}
    if operation == "list_attached_companies":
        return {"type": "list", "companies": [{"name": f"company of {data['contact_id']}"}]}
    return {"operation": operation, "input": data}


async def test_call_sends_the_operation_by_its_canonical_name_with_resolved_input():
    loaded = workflow(
        """
        name: t
        config: {per_page: 20}
        steps:
          - id: list-contacts
            call: List contacts
            input: {per_page: $.config.per_page}
        """
    )
    outputs, engine = await interpret(loaded, FakeEngine(contacts_and_companies))
    assert engine.calls == [("list-contacts", "list_contacts", {"per_page": 20})]
    assert outputs["list-contacts"]["data"] == CONTACTS


async def test_loop_list_exposes_value_and_index_to_its_steps():
    loaded = workflow(
        """
        name: t
        steps:
          - id: list-contacts
            call: list_contacts
          - id: loop-1
            loop: {list: $.steps.list-contacts.data}
            steps:
              - id: list-attached-companies
                call: list_attached_companies
                input: {contact_id: $.steps.loop-1.value.id}
              - id: seen
                map: {index: $.steps.loop-1.index, name: $.steps.loop-1.value.name}
        """
    )
    outputs, engine = await interpret(loaded, FakeEngine(contacts_and_companies))
    assert [data for _, _, data in engine.calls[1:]] == [
        {"contact_id": "c1"},
        {"contact_id": "c2"},
        {"contact_id": "c3"},
    ]
    results = outputs["loop-1"]["results"]
    assert [r["seen"] for r in results] == [
        {"index": 0, "name": "Ada"},
        {"index": 1, "name": "Bob"},
        {"index": 2, "name": "Cy"},
    ]
    assert outputs["loop-1"]["iterations"] == 3


async def test_step_keys_are_loop_paths():
    loaded = workflow(
        """
        name: t
        steps:
          - id: loop-1
            loop: {list: [a, b]}
            steps:
              - id: inner
                loop: {list: [x]}
                steps:
                  - {id: leaf, map: {v: $.steps.inner.value}}
        """
    )
    _, engine = await interpret(loaded)
    assert "loop-1[1].inner[0].leaf" in engine.keys_of()
    assert engine.keys_of()[-1] == "loop-1"


async def test_loop_results_gather_outputs_after_the_loop_in_input_order():
    loaded = workflow(
        """
        name: t
        steps:
          - id: list-contacts
            call: list_contacts
          - id: loop-1
            loop: {list: $.steps.list-contacts.data, parallel: 3}
            steps:
              - id: list-attached-companies
                call: list_attached_companies
                input: {contact_id: $.steps.loop-1.value.id}
          - id: names
            map:
              names: $.steps.loop-1.results[*].list-attached-companies.companies[*].name
        """
    )
    outputs, _ = await interpret(loaded, FakeEngine(contacts_and_companies))
    assert outputs["names"]["names"] == ["company of c1", "company of c2", "company of c3"]


async def test_loop_forever_runs_until_its_break():
    loaded = workflow(
        """
        name: t
        steps:
          - id: poll
            loop: {forever: true}
            steps:
              - id: check
                condition:
                  all: [{value1: $.steps.poll.index, comparison: ">=", value2: 3}]
                then:
                  - {id: stop, break: poll}
        """
    )
    outputs, engine = await interpret(loaded)
    assert outputs["poll"]["iterations"] == 4
    assert outputs["poll"]["broken"] is True
    assert "poll[3].stop" in engine.keys_of()
    assert "poll[4]" not in engine.keys_of("started")


async def test_loop_forever_fails_at_max_iterations():
    loaded = workflow(
        """
        name: t
        steps:
          - id: poll
            loop: {forever: true, max_iterations: 5}
            steps:
              - id: never
                condition:
                  all: [{value1: 1, comparison: equal, value2: 2}]
                then:
                  - {id: stop, break: poll}
        """
    )
    failure = await interpret_failure(loaded)
    assert failure.ref.key == "poll"
    assert "max_iterations (5)" in str(failure)


async def test_break_of_an_outer_loop_from_an_inner_loop_ends_both():
    loaded = workflow(
        """
        name: t
        steps:
          - id: outer
            loop: {list: [1, 2, 3]}
            steps:
              - id: inner
                loop: {list: [a, b, c]}
                steps:
                  - id: found
                    condition:
                      all:
                        - {value1: $.steps.outer.value, comparison: equal, value2: 2}
                        - {value1: $.steps.inner.value, comparison: equal, value2: b}
                    then:
                      - {id: stop, break: outer}
          - {id: after, map: {outer: $.steps.outer.iterations}}
        """
    )
    outputs, engine = await interpret(loaded)
    started = engine.keys_of("started")
    assert "outer[1].inner[1].stop" in started
    assert "outer[1].inner[2]" not in started
    assert "outer[2]" not in started
    assert outputs["after"] == {"outer": 2}
    assert outputs["outer"]["broken"] is True


async def test_break_of_the_inner_loop_continues_the_outer_loop():
    loaded = workflow(
        """
        name: t
        steps:
          - id: outer
            loop: {list: [1, 2]}
            steps:
              - id: inner
                loop: {list: [a, b, c]}
                steps:
                  - id: found
                    condition:
                      all: [{value1: $.steps.inner.value, comparison: equal, value2: b}]
                    then:
                      - {id: stop, break: inner}
        """
    )
    _, engine = await interpret(loaded)
    started = engine.keys_of("started")
    assert "outer[1].inner[1].stop" in started
    assert "outer[0].inner[2]" not in started


@pytest.mark.parametrize(
    ("match", "comparisons", "branch"),
    [
        ("all", [(1, "equal", 1), ("a", "equal", "a")], "then"),
        ("all", [(1, "equal", 1), ("a", "equal", "b")], "else"),
        ("any", [(1, "equal", 2), ("a", "equal", "a")], "then"),
        ("any", [(1, "equal", 2), ("a", "equal", "b")], "else"),
    ],
)
async def test_condition_runs_then_or_else_by_all_or_any(match, comparisons, branch):
    rows = "\n".join(
        f"              - {{value1: {a!r}, comparison: {op}, value2: {b!r}}}"
        for a, op, b in comparisons
    )
    loaded = workflow(
        f"""
        name: t
        steps:
          - id: decide
            condition:
              {match}:
{rows}
            then:
              - {{id: went-then, map: {{went: then}}}}
            else:
              - {{id: went-else, map: {{went: else}}}}
        """
    )
    outputs, _ = await interpret(loaded)
    assert outputs["decide"] == {"result": branch == "then", "branch": branch}
    assert ("went-then" in outputs) is (branch == "then")
    assert ("went-else" in outputs) is (branch == "else")


async def test_condition_records_the_resolved_comparisons():
    loaded = workflow(
        """
        name: t
        config: {flag: false}
        steps:
          - id: decide
            condition:
              all: [{value1: $.config.flag, comparison: ==, value2: true}]
        """
    )
    _, engine = await interpret(loaded)
    (input,) = [data for event, key, data in engine.events if event == "started"]
    assert input["comparisons"] == [
        {"value1": False, "comparison": "equal", "value2": True, "result": False}
    ]


@pytest.mark.parametrize(
    ("written", "seconds"),
    [("2", 2.0), ("1.5", 1.5), ("'500ms'", 0.5), ("'1m30s'", 90.0), ("'2h'", 7200.0)],
)
async def test_delay_waits_seconds_or_a_duration(written, seconds):
    loaded = workflow(f"name: t\nsteps:\n  - {{id: wait, delay: {written}}}\n")
    _, engine = await interpret(loaded)
    assert engine.sleeps == [seconds]


async def test_delay_reads_its_seconds_from_a_reference():
    loaded = workflow(
        """
        name: t
        config: {poll: 30s}
        steps:
          - {id: wait, delay: $.config.poll}
        """
    )
    _, engine = await interpret(loaded)
    assert engine.sleeps == [30.0]


@pytest.mark.parametrize("resolved", [".inf", ".nan", "-1", "'8d'", "'soon'", "true"])
async def test_a_delay_resolved_at_run_time_is_bounded_like_a_literal_one(resolved):
    loaded = workflow(
        f"""
        name: t
        config: {{poll: {resolved}}}
        steps:
          - {{id: wait, delay: $.config.poll}}
        """
    )
    engine = FakeEngine()
    failure = await interpret_failure(loaded, engine)
    assert failure.ref.key == "wait"
    assert engine.sleeps == []


async def test_map_builds_an_object_from_references_templates_and_literals():
    loaded = workflow(
        """
        name: t
        config: {who: Ada, tags: [a, b]}
        steps:
          - id: m
            map:
              name: $.config.who
              greeting: "Hello {$.config.who}, run {$.env.run_id}"
              literal: $$.not-a-reference
              nested: {list: [$.config.tags, 3], none: null}
        """
    )
    outputs, _ = await interpret(loaded)
    assert outputs["m"] == {
        "name": "Ada",
        "greeting": "Hello Ada, run r-1",
        "literal": "$.not-a-reference",
        "nested": {"list": [["a", "b"], 3], "none": None},
    }


async def test_a_failing_call_fails_the_run_naming_the_step_and_its_loop_path():
    def answer(operation: str, data: dict[str, Any]) -> Any:
        if data.get("contact_id") == "c2":
            raise CallFailed(StepError(operation, "NotFound: contact c2 is gone", 404))
        return contacts_and_companies(operation, data)

    loaded = workflow(
        """
        name: t
        steps:
          - {id: list-contacts, call: list_contacts}
          - id: loop-1
            loop: {list: $.steps.list-contacts.data}
            steps:
              - id: list-attached-companies
                call: list_attached_companies
                input: {contact_id: $.steps.loop-1.value.id}
        """
    )
    engine = FakeEngine(answer)
    failure = await interpret_failure(loaded, engine)
    assert failure.ref.key == "loop-1[1].list-attached-companies"
    assert str(failure) == (
        "step 'list-attached-companies' (loop-1[1].list-attached-companies) failed: "
        "NotFound: contact c2 is gone"
    )
    assert engine.keys_of("failed") == [
        "loop-1[1].list-attached-companies",
        "loop-1[1]",
        "loop-1",
    ]
    assert "loop-1[2]" not in engine.keys_of("started")


async def test_the_same_outputs_give_the_same_step_executions():
    loaded = workflow(
        """
        name: t
        steps:
          - {id: list-contacts, call: list_contacts}
          - id: loop-1
            loop: {list: $.steps.list-contacts.data}
            steps:
              - id: list-attached-companies
                call: list_attached_companies
                input: {contact_id: $.steps.loop-1.value.id}
        """
    )
    _, first = await interpret(loaded, FakeEngine(contacts_and_companies))
    _, second = await interpret(loaded, FakeEngine(contacts_and_companies))
    assert first.events == second.events
