"""Invalid workflow files are rejected before anything runs, each problem placed exactly.

Every case is a file and the message it must produce: file and line, step id, field, and
what is wrong. Files are small on purpose: one mistake each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_kit import problems_of_file

from intercom_connector.workflow import WorkflowInvalid, load_workflow

HEAD = "name: t\nsteps:\n"

BAD_FILES: list[tuple[str, str, str]] = [
    (
        "not-yaml",
        "name: t\nsteps: [\n",
        "bad.yaml:3: not valid YAML: expected the node content",
    ),
    (
        "not-a-mapping",
        "- id: a\n  map: {}\n",
        "bad.yaml:1: a workflow is a mapping with name and steps, not a list",
    ),
    (
        "empty-file",
        "",
        "bad.yaml: a workflow is a mapping with name and steps, not an empty file",
    ),
    (
        "name-missing",
        "steps:\n  - {id: a, map: {}}\n",
        "bad.yaml:1: field 'name': required field is missing",
    ),
    (
        "no-steps",
        "name: t\nsteps: []\n",
        "bad.yaml:2: field 'steps': List should have at least 1 item",
    ),
    (
        "unknown-top-level-field",
        "name: t\nstep:\n  - {id: a, map: {}}\nsteps:\n  - {id: a, map: {}}\n",
        "bad.yaml:2: field 'step': unknown field (fields here: version, name, description, "
        "trigger, authentication, config, steps)",
    ),
    (
        "key-given-twice",
        "name: t\nname: u\nsteps:\n  - {id: a, map: {}}\n",
        "bad.yaml:2: field 'name': key 'name' is given twice",
    ),
    (
        "schedule-trigger",
        "name: t\ntrigger: schedule\nsteps:\n  - {id: a, map: {}}\n",
        "bad.yaml:2: field 'trigger': trigger 'schedule' needs its settings",
    ),
    (
        "step-without-kind",
        HEAD + "  - id: a\n    input: {}\n",
        "bad.yaml:3: step 'a': a step needs exactly one of call, loop, break, condition, "
        "delay or map",
    ),
    (
        "step-with-two-kinds",
        HEAD + "  - {id: a, map: {}, delay: 1}\n",
        "bad.yaml:3: step 'a': a step needs exactly one of call, loop, break, condition, "
        "delay or map (found delay and map)",
    ),
    (
        "step-id-missing",
        HEAD + "  - map: {}\n",
        "bad.yaml:3: step 'steps[0]', field 'id': required field is missing",
    ),
    (
        "step-id-with-spaces",
        HEAD + "  - {id: list contacts, map: {}}\n",
        "bad.yaml:3: step 'list contacts', field 'id': String should match pattern",
    ),
    (
        "step-id-read-as-boolean",
        HEAD + "  - {id: no, map: {}}\n",
        "bad.yaml:3: step 'steps[0]', field 'id': Input should be a valid string, got false: "
        "YAML reads yes/no/on/off/true/false as booleans, so quote the value",
    ),
    (
        "duplicate-id",
        HEAD + "  - {id: a, map: {}}\n  - {id: a, map: {}}\n",
        "bad.yaml:4: step 'a', field 'id': id 'a' is already used by the step at steps[0]",
    ),
    (
        "unknown-operation",
        HEAD + "  - id: list-contacts\n    call: list_contact\n",
        "bad.yaml:4: step 'list-contacts', field 'call': unknown operation 'list_contact'; "
        "did you mean list_contacts",
    ),
    (
        "unknown-input-field",
        HEAD + "  - id: list-contacts\n    call: list_contacts\n    input:\n      per_pag: 5\n",
        "bad.yaml:6: step 'list-contacts', field 'input.per_pag': unknown field; "
        "did you mean 'per_page'?",
    ),
    (
        "input-out-of-range",
        HEAD + "  - id: list-contacts\n    call: list_contacts\n    input:\n      per_page: 900\n",
        "bad.yaml:6: step 'list-contacts', field 'input.per_page': 900 breaks maximum 150",
    ),
    (
        "required-input-missing",
        HEAD + "  - id: companies\n    call: List attached companies\n",
        "bad.yaml:3: step 'companies', field 'input.contact_id': required field is missing",
    ),
    (
        "unknown-field-given-by-reference",
        HEAD
        + "  - {id: a, map: {}}\n  - id: b\n    call: list_contacts\n    input:\n"
        + "      cursor: $.steps.a.x\n",
        "bad.yaml:7: step 'b', field 'input.cursor': unknown field",
    ),
    (
        "all-pages-on-a-single-record",
        HEAD + "  - id: me\n    call: identify_admin\n    all: true\n",
        "bad.yaml:5: step 'me', field 'all': all: true follows pages of a list, and "
        "identify_admin does not return one",
    ),
    (
        "reference-to-unknown-step",
        HEAD + "  - {id: list-contacts, call: list_contacts}\n"
        "  - id: loop-1\n    loop: {list: $.steps.list-contact.data}\n"
        "    steps:\n      - {id: x, map: {}}\n",
        "bad.yaml:5: step 'loop-1', field 'loop.list': $.steps.list-contact.data: there is no "
        "step 'list-contact' in this workflow; did you mean 'list-contacts'?",
    ),
    (
        "reference-to-later-step",
        HEAD + "  - {id: a, map: {x: $.steps.b.y}}\n  - {id: b, map: {y: 1}}\n",
        "bad.yaml:3: step 'a', field 'map.x': $.steps.b.y: step 'b' runs after this step, so "
        "its output does not exist yet",
    ),
    (
        "reference-to-own-output",
        HEAD + "  - {id: a, map: {x: $.steps.a.x}}\n",
        "bad.yaml:3: step 'a', field 'map.x': $.steps.a.x: a step cannot read its own output",
    ),
    (
        "reference-into-a-loop-from-outside",
        HEAD + "  - id: loop-1\n    loop: {list: [1]}\n    steps:\n      - {id: in, map: {}}\n"
        "  - {id: out, map: {x: $.steps.in}}\n",
        "bad.yaml:7: step 'out', field 'map.x': $.steps.in: step 'in' runs inside loop "
        "'loop-1'; after the loop, read its outputs as $.steps.loop-1.results[*].in",
    ),
    (
        "loop-results-read-inside-the-loop",
        HEAD + "  - id: loop-1\n    loop: {list: [1]}\n    steps:\n"
        "      - {id: in, map: {x: $.steps.loop-1.results}}\n",
        "bad.yaml:6: step 'in', field 'map.x': $.steps.loop-1.results: inside loop 'loop-1', "
        "read the current item as $.steps.loop-1.value",
    ),
    (
        "value-of-a-forever-loop",
        HEAD + "  - id: poll\n    loop: {forever: true}\n    steps:\n"
        "      - {id: in, map: {x: $.steps.poll.value}}\n      - {id: stop, break: poll}\n",
        "bad.yaml:6: step 'in', field 'map.x': $.steps.poll.value: inside loop forever 'poll' "
        "only .index is available",
    ),
    (
        "other-branch-of-the-same-condition",
        HEAD + "  - id: c\n    condition:\n      all: [{value1: 1, comparison: equal, value2: 1}]\n"
        "    then:\n      - {id: t, map: {}}\n    else:\n      - {id: e, map: {x: $.steps.t}}\n",
        "bad.yaml:9: step 'e', field 'map.x': $.steps.t: step 't' is in the then branch of 'c' "
        "and this step in its else branch; they never both run",
    ),
    (
        "unknown-config-key",
        "name: t\nconfig: {per_page: 5}\nsteps:\n  - {id: a, map: {x: $.config.perpage}}\n",
        "bad.yaml:4: step 'a', field 'map.x': $.config.perpage: there is no config key "
        "'perpage' in the workflow's config; did you mean 'per_page'?",
    ),
    (
        "unknown-env-value",
        HEAD + "  - {id: a, map: {x: $.env.run}}\n",
        "bad.yaml:3: step 'a', field 'map.x': $.env.run: there is no env value 'run' in $.env; "
        "did you mean 'run_id'?",
    ),
    (
        "reference-with-unknown-root",
        HEAD + "  - {id: a, map: {x: $.data.x}}\n",
        "bad.yaml:3: step 'a', field 'map.x': '$.data.x' is not a reference: it must start "
        "with $.steps.<step-id>, $.config or $.env",
    ),
    (
        "reference-that-is-not-jsonpath",
        HEAD + "  - {id: a, map: {}}\n  - {id: b, map: {x: '$.steps.a[?'}}\n",
        "bad.yaml:4: step 'b', field 'map.x': '$.steps.a[?' is not valid JSONPath",
    ),
    (
        "reference-in-a-template-slot",
        HEAD + "  - {id: a, map: {x: 'Hello {$.steps.nobody.name}'}}\n",
        "bad.yaml:3: step 'a', field 'map.x': $.steps.nobody.name: there is no step 'nobody'",
    ),
    (
        "loop-without-list-or-forever",
        HEAD + "  - id: l\n    loop: {over: $.x}\n    steps:\n      - {id: a, map: {}}\n",
        "bad.yaml:4: step 'l', field 'loop': a loop needs `list: <reference>` or `forever: true`",
    ),
    (
        "loop-list-that-is-a-number",
        HEAD + "  - id: l\n    loop: {list: 5}\n    steps:\n      - {id: a, map: {}}\n",
        "bad.yaml:4: step 'l', field 'loop.list': give a reference to a list",
    ),
    (
        "parallel-on-a-forever-loop",
        HEAD + "  - id: l\n    loop: {forever: true, parallel: 4}\n"
        "    steps:\n      - {id: s, break: l}\n",
        "bad.yaml:4: step 'l', field 'loop.parallel': unknown field (fields here: forever, "
        "max_iterations)",
    ),
    (
        "parallel-zero",
        HEAD
        + "  - id: l\n    loop: {list: [1], parallel: 0}\n    steps:\n      - {id: a, map: {}}\n",
        "bad.yaml:4: step 'l', field 'loop.parallel': Input should be greater than or equal to 1",
    ),
    (
        "loop-without-steps",
        HEAD + "  - id: l\n    loop: {list: [1]}\n",
        "bad.yaml:3: step 'l', field 'steps': required field is missing",
    ),
    (
        "forever-without-break",
        HEAD
        + "  - id: poll\n    loop: {forever: true}\n    steps:\n      - {id: wait, delay: 1}\n",
        "bad.yaml:4: step 'poll', field 'loop': loop forever 'poll' has no `break: poll` step",
    ),
    (
        "break-outside-its-loop",
        HEAD + "  - id: l\n    loop: {list: [1]}\n    steps:\n      - {id: a, map: {}}\n"
        "  - {id: stop, break: l}\n",
        "bad.yaml:7: step 'stop', field 'break': break names loop 'l', which does not enclose "
        "this step (loops around this step: none)",
    ),
    (
        "break-of-a-step-that-is-not-a-loop",
        HEAD + "  - {id: a, map: {}}\n  - id: l\n    loop: {list: [1]}\n"
        "    steps:\n      - {id: stop, break: a}\n",
        "bad.yaml:7: step 'stop', field 'break': break names 'a', which is not a loop",
    ),
    (
        "condition-with-all-and-any",
        HEAD + "  - id: c\n    condition:\n      all: [{value1: 1, comparison: equal}]\n"
        "      any: [{value1: 1, comparison: equal}]\n",
        "bad.yaml:4: step 'c', field 'condition': give either `all:` or `any:`",
    ),
    (
        "unknown-comparison",
        HEAD
        + "  - id: c\n    condition:\n      all: [{value1: 1, comparison: about, value2: 1}]\n",
        "bad.yaml:5: step 'c', field 'condition.all[0].comparison': Input should be 'equal'",
    ),
    (
        "bad-duration",
        HEAD + "  - {id: wait, delay: soon}\n",
        "bad.yaml:3: step 'wait', field 'delay': 'soon' is not a duration",
    ),
    (
        "negative-delay",
        HEAD + "  - {id: wait, delay: -5}\n",
        "bad.yaml:3: step 'wait', field 'delay': must be between 0 and 604800 seconds",
    ),
    (
        "max-iterations-past-the-bound",
        HEAD + "  - id: l\n    loop: {forever: true, max_iterations: 100001}\n    steps:\n"
        "      - {id: stop, break: l}\n",
        "bad.yaml:4: step 'l', field 'loop.max_iterations': Input should be less than or equal "
        "to 100000",
    ),
    (
        "unknown-field-in-a-nested-step",
        HEAD + "  - id: l\n    loop: {list: [1]}\n    steps:\n"
        "      - id: inner\n        call: list_contacts\n        inputs: {}\n",
        "bad.yaml:8: step 'inner', field 'inputs': unknown field (fields here: id, description, "
        "call, input, all, parallel, updated_since, on_error, attempts, backoff, error)",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(text, expected, id=name) for name, text, expected in BAD_FILES],
)
def test_invalid_file_is_rejected_with_its_place_and_reason(tmp_path: Path, text, expected):
    messages = problems_of_file(tmp_path, text)
    assert any(message.startswith(expected) for message in messages), messages


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        HEAD + "  - {id: a, call: list_contact}\n  - {id: b, map: {x: $.steps.zz}}\n",
        encoding="utf-8",
    )
    with pytest.raises(WorkflowInvalid) as raised:
        load_workflow(path)
    assert [problem.step_id for problem in raised.value.problems] == ["a", "b"]
    assert str(raised.value).startswith(f"{path} is invalid (2 problems):")


def test_invalid_json_file_names_its_line(tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text('{"name": "t",\n "steps": [}\n', encoding="utf-8")
    with pytest.raises(WorkflowInvalid) as raised:
        load_workflow(path)
    assert str(raised.value.problems[0]).startswith(f"{path}:2: not valid JSON")


def test_json_workflow_is_accepted(tmp_path: Path):
    path = tmp_path / "ok.json"
    path.write_text('{"name": "t", "steps": [{"id": "a", "map": {"x": 1}}]}', encoding="utf-8")
    assert load_workflow(path).workflow.name == "t"


def test_unreadable_file_is_a_problem_not_a_traceback(tmp_path: Path):
    with pytest.raises(WorkflowInvalid) as raised:
        load_workflow(tmp_path / "missing.yaml")
    assert "cannot read the file" in str(raised.value)
