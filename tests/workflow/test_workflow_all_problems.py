"""A bad file is reported with every one of its problems in one pass, not only the first.

Each case is a file and the complete list of what must be said about it, in file order
(file:line, step, field, then the start of the reason). Shape errors no longer hide the
unknown operation, the loop without a break or the bad literal input next to them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_kit import problems_of_file

ALL_PROBLEMS: list[tuple[str, str, list[str]]] = [
    (
        "shape-error-beside-every-other-kind",
        """\
        name: t
        steps:
          - id: no
            call: list_contacts
          - id: a
            call: list_contactz
          - id: b
            loop: {forever: true}
            steps:
              - {id: c, map: {}}
          - id: d
            break: b
          - id: e
            call: get_contact
            all: true
            input: {contact_id: x}
        """,
        [
            "bad.yaml:3: step 'steps[0]', field 'id': Input should be a valid string, got false",
            "bad.yaml:6: step 'a', field 'call': unknown operation 'list_contactz'; did you mean",
            "bad.yaml:8: step 'b', field 'loop': loop forever 'b' has no `break: b` step",
            "bad.yaml:12: step 'd', field 'break': break names loop 'b', which does not enclose",
            "bad.yaml:15: step 'e', field 'all': all: true follows pages of a list, and "
            "get_contact does not return one",
        ],
    ),
    (
        "quoted-all-beside-bad-literal-and-duplicate-id",
        """\
        name: t
        steps:
          - id: f
            call: list_contacts
            all: "yes"
            input: {per_page: "fifty"}
          - id: f
            map: {}
        """,
        [
            "bad.yaml:5: step 'f', field 'all': Input should be a valid boolean: write true or "
            "false, without quotes",
            "bad.yaml:6: step 'f', field 'input.per_page': expected integer, got 'fifty'",
            "bad.yaml:7: step 'f', field 'id': id 'f' is already used by the step at steps[0]",
        ],
    ),
    (
        "unknown-fields-and-misspelt-references",
        """\
        name: t
        steps:
          - id: list-contacts
            call: list_contacts
            inputs: {}
          - id: loop-1
            loop:
              list: $.steps.list-contacts.dataa
            steps:
              - id: companies
                call: list_attached_companies
                input:
                  contact_id: $.steps.loop-1.value.id
          - id: out
            map:
              first: $.steps.list-contacts.data.id
              names: $.steps.loop-1.results[*].companies.companies[*].nmae
        """,
        [
            "bad.yaml:5: step 'list-contacts', field 'inputs': unknown field",
            "bad.yaml:8: step 'loop-1', field 'loop.list': $.steps.list-contacts.dataa: "
            "$.steps.list-contacts has no field 'dataa'; did you mean 'data'?",
            "bad.yaml:16: step 'out', field 'map.first': $.steps.list-contacts.data.id: "
            "$.steps.list-contacts.data is a list; did you mean $.steps.list-contacts.data[0].id",
            "bad.yaml:17: step 'out', field 'map.names': "
            "$.steps.loop-1.results[*].companies.companies[*].nmae: "
            "$.steps.loop-1.results[*].companies.companies[*] has no field 'nmae'; "
            "did you mean 'name'?",
        ],
    ),
    (
        "step-with-two-kinds-beside-type-mismatches",
        """\
        name: t
        config: {per_page: fifty}
        steps:
          - id: both
            call: list_contacts
            map: {}
          - id: me
            call: identify_admin
          - id: list
            call: list_contacts
            input: {per_page: $.config.per_page}
          - id: companies
            call: list_attached_companies
            input: {contact_id: $.steps.list.data}
          - id: each
            loop: {list: $.steps.me}
            steps:
              - {id: inner, map: {}}
        """,
        [
            "bad.yaml:4: step 'both': a step needs exactly one of call, loop, break, condition, "
            "delay or map (found call and map)",
            "bad.yaml:11: step 'list', field 'input.per_page': $.config.per_page gives a string, "
            "and list_contacts's field 'per_page' takes an integer",
            "bad.yaml:14: step 'companies', field 'input.contact_id': $.steps.list.data gives a "
            "list, and list_attached_companies's field 'contact_id' takes a string",
            "bad.yaml:16: step 'each', field 'loop.list': $.steps.me gives an object, and a loop "
            "walks a list",
        ],
    ),
    (
        "bad-trigger-and-misspelt-event-field",
        """\
        name: t
        trigger:
          webhook: {topics: [conversation.admin.closed], secrett: x}
        steps:
          - id: me
            call: identify_admin
          - id: note
            call: reply_to_conversation
            input:
              conversation_id: $.steps.trigger.data.item.idd
              body: hi
              admin_id: $.steps.me.id
              message_type: note
              type: admin
        """,
        [
            "bad.yaml:3: field 'trigger.webhook.secrett': unknown field",
            "bad.yaml:10: step 'note', field 'input.conversation_id': "
            "$.steps.trigger.data.item.idd: "
            "$.steps.trigger.data.item has no field 'idd'; did you mean 'id'?",
        ],
    ),
    (
        "schedule-without-settings-and-a-misspelt-slot-field",
        """\
        name: t
        trigger: schedule
        steps:
          - id: a
            map: {x: $.steps.trigger.scheduled_at_unix, y: $.steps.trigger.scheduled_at_unixx}
        """,
        [
            "bad.yaml:2: field 'trigger': trigger 'schedule' needs its settings",
            "bad.yaml:5: step 'a', field 'map.y': $.steps.trigger.scheduled_at_unixx: "
            "$.steps.trigger has no field 'scheduled_at_unixx'; did you mean 'scheduled_at_unix'?",
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in ALL_PROBLEMS],
)
def test_every_problem_of_a_bad_file_is_reported_in_one_pass(tmp_path: Path, text, expected):
    messages = problems_of_file(tmp_path, text)
    assert len(messages) == len(expected), "\n".join(messages)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), f"{message!r}\n  should start with {start!r}"
