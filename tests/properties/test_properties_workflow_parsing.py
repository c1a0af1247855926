"""Any workflow file loads, or is rejected as WorkflowInvalid with located problems.

Never another exception: a file is user input, and the loader's answer to a bad one is a
list of problems naming the file, and the step and field where there is one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_strategies import plausible_workflows, workflow_documents

from intercom_connector.workflow import LoadedWorkflow, WorkflowInvalid, check_data, parse_workflow

FILE = "property.yaml"
DOCUMENTS = st.one_of(workflow_documents(), plausible_workflows())
SLOW_STRATEGIES = [HealthCheck.too_slow, HealthCheck.data_too_large]


def in_a_step_mapping(path: tuple[Any, ...], data: Any) -> bool:
    """Whether ``path`` goes through a top-level step written as a mapping."""
    if len(path) < 2 or path[0] != "steps" or not isinstance(path[1], int):
        return False
    steps = data.get("steps") if isinstance(data, dict) else None
    return isinstance(steps, list) and path[1] < len(steps) and isinstance(steps[path[1]], dict)


def assert_located(error: WorkflowInvalid, file: str, data: Any = None) -> None:
    assert error.problems
    assert str(error).startswith(file)
    for problem in error.problems:
        text = str(problem)
        assert problem.message
        assert text.startswith(file), text
        if problem.field:
            assert f"field {problem.field!r}" in text
        if data is not None and in_a_step_mapping(problem.path, data):
            assert problem.step_id is not None, text
            assert f"step {problem.step_id!r}" in text


@settings(max_examples=700, deadline=None, suppress_health_check=SLOW_STRATEGIES)
@given(data=DOCUMENTS)
def test_any_workflow_data_is_loaded_or_rejected_with_located_problems(data: Any):
    try:
        loaded = check_data(data, FILE)
    except WorkflowInvalid as error:
        assert_located(error, FILE, data)
    else:
        assert isinstance(loaded, LoadedWorkflow)
        assert loaded.workflow.steps


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_STRATEGIES)
@given(data=DOCUMENTS)
def test_any_workflow_yaml_file_is_loaded_or_rejected_with_located_problems(data: Any):
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        parse_workflow(text, FILE)
    except WorkflowInvalid as error:
        assert_located(error, FILE, data)


@settings(max_examples=200, deadline=None, suppress_health_check=SLOW_STRATEGIES)
@given(data=DOCUMENTS)
def test_any_workflow_json_file_is_loaded_or_rejected_with_located_problems(data: Any):
    try:
        parse_workflow(json.dumps(data), "property.json", as_json=True)
    except WorkflowInvalid as error:
        assert_located(error, "property.json", data)


YAML_FRAGMENTS = st.sampled_from(
    [
        "name: x\n",
        "steps:\n",
        "  - id: a\n",
        "    map: {v: 1}\n",
        "- ",
        ": ",
        "&a ",
        "*a ",
        "{",
        "]",
    ]
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), st.lists(YAML_FRAGMENTS | st.text(max_size=5)).map("".join)))
def test_any_text_as_a_workflow_file_is_loaded_or_rejected_with_located_problems(text: str):
    for file, as_json in ((FILE, False), ("property.json", True)):
        try:
            parse_workflow(text, file, as_json=as_json)
        except WorkflowInvalid as error:
            assert_located(error, file)


# --- known bugs: inputs the properties above steer around (see property_strategies) ----------


def test_workflow_whose_yaml_aliases_form_a_cycle_is_rejected_as_invalid():
    with pytest.raises(WorkflowInvalid):
        parse_workflow("name: cycle\nsteps: &steps [*steps]\n", FILE)


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("long.yaml", "name: long\nsteps:\n  - id: wait\n    delay: 1" + "0" * 5000 + "\n"),
        ("long.json", '{"name": "long", "steps": [{"id": "wait", "delay": 1' + "0" * 5000 + "}]}"),
    ],
    ids=["yaml", "json"],
)
def test_workflow_with_an_integer_too_long_to_read_is_rejected_as_invalid(file: str, text: str):
    with pytest.raises(WorkflowInvalid):
        parse_workflow(text, file, as_json=file.endswith(".json"))


DUPLICATE_LOOP_ID = """
name: One id for a delay and a loop
steps:
  - id: dup
    delay: 0
  - id: dup
    loop:
      list: [1, 2]
    steps:
      - id: show
        map:
          item: $.steps.dup.value
"""


def test_workflow_reading_a_loop_whose_id_is_also_another_steps_is_rejected_as_invalid():
    with pytest.raises(WorkflowInvalid) as rejected:
        parse_workflow(DUPLICATE_LOOP_ID, FILE)
    assert "already used" in str(rejected.value)
