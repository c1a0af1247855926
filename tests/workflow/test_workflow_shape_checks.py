"""References are walked through what the steps they read will produce, before any run."""

from __future__ import annotations

import pytest
from workflow_kit import workflow

from intercom_connector.workflow import WorkflowInvalid


def problems(text: str) -> list[str]:
    with pytest.raises(WorkflowInvalid) as raised:
        workflow(text)
    return [problem.message for problem in raised.value.problems]


def notes(text: str) -> list[str]:
    return [note.message for note in workflow(text).plan.notes]


def test_all_pages_output_holds_every_record_under_the_list_key_and_no_pages():
    text = """
    name: t
    steps:
      - {id: every, call: list_contacts, all: true}
      - id: m
        map: {first: '$.steps.every.data[0].email', count: $.steps.every.total_count}
    """
    assert workflow(text).plan.notes == []
    (message,) = problems(text.replace("total_count}", "total_count, p: $.steps.every.pages}"))
    assert "$.steps.every has no field 'pages'" in message


def test_a_path_into_custom_attributes_is_a_note_not_a_problem():
    (note,) = notes("""
    name: t
    steps:
      - {id: contacts, call: list_contacts}
      - id: m
        map: {plan: '$.steps.contacts.data[0].custom_attributes.plan'}
    """)
    assert "custom_attributes is an open object" in note
    assert note.endswith("custom_attributes.plan is checked only when the run reads it")


def test_a_raw_request_body_is_open_so_paths_into_it_are_notes():
    (note,) = notes("""
    name: t
    steps:
      - id: raw
        call: raw_http_request
        input: {method: GET, endpoint: /me}
      - id: m
        map: {name: $.steps.raw.body.name, status: $.steps.raw.status_code}
    """)
    assert note.startswith("$.steps.raw.body.name: $.steps.raw.body is not described further")


def test_loop_value_over_a_literal_list_has_the_items_shape():
    (message,) = problems("""
    name: t
    steps:
      - id: each
        loop: {list: [{name: a}, {name: b}]}
        steps:
          - id: m
            map: {n: $.steps.each.value.nme}
    """)
    assert "$.steps.each.value has no field 'nme'; did you mean 'name'?" in message


def test_a_map_output_is_the_object_it_builds():
    (message,) = problems("""
    name: t
    config: {tag: vip}
    steps:
      - id: built
        map: {tag: {name: $.config.tag, count: 2}}
      - id: m
        map: {n: $.steps.built.tag.nmae}
    """)
    assert "$.steps.built.tag has no field 'nmae'; did you mean 'name'?" in message


def test_condition_and_delay_outputs_are_known():
    (message,) = problems("""
    name: t
    steps:
      - id: check
        condition:
          all: [{value1: 1, comparison: equal, value2: 1}]
      - {id: wait, delay: 0}
      - id: m
        map: {r: $.steps.check.result, b: $.steps.check.branchh, s: $.steps.wait.seconds}
    """)
    assert "$.steps.check has no field 'branchh'; did you mean 'branch'?" in message


def test_a_loop_results_items_hold_the_body_outputs_by_step_id():
    (message,) = problems("""
    name: t
    steps:
      - id: each
        loop: {list: [1, 2]}
        steps:
          - {id: wait, delay: 0}
      - id: m
        map: {s: '$.steps.each.results[*].wiat.seconds'}
    """)
    assert "$.steps.each.results[*] has no field 'wiat'; did you mean 'wait'?" in message


def test_a_list_into_a_scalar_input_is_refused():
    (message,) = problems("""
    name: t
    steps:
      - {id: contacts, call: list_contacts}
      - id: get
        call: get_contact
        input: {contact_id: '$.steps.contacts.data[*].id'}
    """)
    assert "gives a list, and get_contact's field 'contact_id' takes a string" in message


def test_numbers_fill_text_path_fields_as_the_validator_coerces_them():
    workflow("""
    name: t
    steps:
      - id: each
        loop: {list: [1, 2]}
        steps:
          - id: get
            call: get_contact
            input: {contact_id: $.steps.each.value}
    """)


def test_filters_are_not_walked():
    loaded = workflow("""
    name: t
    steps:
      - {id: contacts, call: list_contacts}
      - id: m
        map: {x: "$.steps.contacts.data[?@.role == 'user'].whatever"}
    """)
    assert loaded.plan.notes == []
