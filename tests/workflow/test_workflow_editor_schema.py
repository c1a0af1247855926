"""The exported workflow schema alone completes and checks operations and their inputs.

An off-the-shelf validator (jsonschema), with no connector code, accepts every example and
rejects a misspelt operation name or input field, which is what an editor running
yaml-language-server over the same schema shows while typing.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from workflow_kit import EXAMPLES

from intercom_connector.catalog.registry import load_catalog
from intercom_connector.workflow.editor_schema import editor_json_schema, spellings

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = editor_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _document(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _first_call(document: dict) -> dict:
    pending = list(document["steps"])
    while pending:
        step = pending.pop(0)
        if "call" in step and step.get("input"):
            return step
        pending.extend(step.get("steps", []) + step.get("then", []) + step.get("else", []))
    raise AssertionError("no call step with input")


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_fits_the_exported_schema(validator, path):
    errors = [error.message for error in validator.iter_errors(_document(path))]
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_points_editors_at_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../workflow.schema.json"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_a_misspelt_operation_name_is_rejected_by_the_schema_alone(validator, path):
    document = copy.deepcopy(_document(path))
    step = _first_call(document)
    step["call"] = step["call"] + "z"
    assert not validator.is_valid(document)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_a_misspelt_input_field_is_rejected_by_the_schema_alone(validator, path):
    document = copy.deepcopy(_document(path))
    step = _first_call(document)
    field = next(iter(step["input"]))
    step["input"][field + "x"] = step["input"].pop(field)
    messages = [error.message for error in validator.iter_errors(document)]
    assert any(f"'{field}x'" in message for message in messages), messages


def test_a_literal_of_the_wrong_type_is_rejected_and_a_reference_accepted(validator):
    document = {"name": "t", "steps": [{"id": "a", "call": "list_contacts", "input": {}}]}
    document["steps"][0]["input"] = {"per_page": "fifty"}
    assert not validator.is_valid(document)
    document["steps"][0]["input"] = {"per_page": "$.config.per_page"}
    assert validator.is_valid(document)


def test_call_is_an_enum_of_every_name_and_alias():
    enum = set(editor_json_schema()["$defs"]["CallStep"]["properties"]["call"]["enum"])
    for operation in load_catalog():
        assert set(spellings(operation)) <= enum
    assert {"List contacts", "list_contacts", "Download export job", "Raw HTTP request"} <= enum


def test_all_must_be_a_boolean_in_the_schema(validator):
    document = {"name": "t", "steps": [{"id": "a", "call": "list_contacts", "all": "yes"}]}
    assert not validator.is_valid(document)
