"""Any reference gives a value or one of the references module's own errors.

``ReferenceSyntaxError`` when the text cannot be parsed (the checks report it before a run),
``ReferenceProblem`` when it cannot be resolved (the run fails the step that reads it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from property_strategies import CONTEXTS, VALID_IDS, json_values, reference_texts, template_texts

from intercom_connector.catalog.client import AsyncIntercomClient
from intercom_connector.httpx_lib import httpx
from intercom_connector.workflow import (
    RunLog,
    WorkflowInvalid,
    parse_reference,
    parse_workflow,
    run_workflow,
)
from intercom_connector.workflow.references import (
    ReferenceProblem,
    ReferenceSyntaxError,
    resolve,
)

ANY_DOLLAR_TEXT = st.one_of(reference_texts(), st.text().map(lambda text: "$" + text))


@settings(max_examples=1000, deadline=None)
@given(text=ANY_DOLLAR_TEXT)
def test_any_reference_text_parses_or_is_a_reference_syntax_error(text: str):
    try:
        reference = parse_reference(text)
    except ReferenceSyntaxError as error:
        assert repr(text) in str(error)
    else:
        assert reference.root in ("steps", "config", "env")


@settings(max_examples=600, deadline=None)
@given(text=ANY_DOLLAR_TEXT, context=CONTEXTS, allow_missing=st.booleans())
def test_any_reference_resolves_or_raises_a_reference_error(
    text: str, context: dict[str, Any], allow_missing: bool
):
    try:
        resolve(text, context, allow_missing=allow_missing)
    except (ReferenceSyntaxError, ReferenceProblem) as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(text=template_texts(), context=CONTEXTS)
def test_any_template_fills_to_text_or_raises_a_reference_error(text: str, context: dict[str, Any]):
    try:
        filled = resolve(text, context)
    except (ReferenceSyntaxError, ReferenceProblem) as error:
        assert str(error)
    else:
        if not text.startswith("$"):
            assert isinstance(filled, str)


KEY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=8)


def _bracketed(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


@settings(max_examples=200, deadline=None)
@given(config=st.dictionaries(KEY_TEXT, json_values(6), min_size=1), data=st.data())
def test_a_bracketed_config_reference_resolves_to_that_config_value(
    config: dict[str, Any], data: st.DataObject
):
    key = data.draw(st.sampled_from(sorted(config)))
    context = {"steps": {}, "config": config, "env": {}}

    resolved = resolve(f"$.config[{_bracketed(key)}]", context)

    assert resolved is config[key]


@settings(max_examples=300, deadline=None)
@given(step_id=VALID_IDS, output=json_values(6))
def test_a_step_reference_resolves_to_that_steps_output(step_id: str, output: Any):
    context = {"steps": {step_id: output}, "config": {}, "env": {}}

    resolved = resolve(f"$.steps.{step_id}", context)

    assert resolved is output


# --- known bugs: inputs the properties above steer around (see property_strategies) ----------


def test_reference_with_an_invalid_regex_literal_is_a_syntax_error():
    with pytest.raises(ReferenceSyntaxError):
        parse_reference("$.config[?@.name =~ /(/]")


def test_workflow_with_an_invalid_regex_literal_in_a_reference_is_rejected_as_invalid():
    text = "name: x\nconfig: {s: a}\nsteps:\n  - id: m\n    map: {v: '$.config[?@ =~ /(/]'}\n"
    with pytest.raises(WorkflowInvalid):
        parse_workflow(text, "regex.yaml")


FAILING_WHILE_EVALUATING = [
    "$.config[?count(@) > 0]",  # count() handed a value instead of a node list
    "$.config[?@ in 'text']",  # python-jsonpath's `in` with a string on the right
    "$.config[?@ contains 1]",  # and `contains` with a string on the left
]


@pytest.mark.parametrize("text", FAILING_WHILE_EVALUATING)
def test_reference_whose_filter_fails_while_evaluating_is_a_reference_problem(text: str):
    context = {"steps": {}, "config": {"n": 1, "s": "text"}, "env": {}}
    with pytest.raises(ReferenceProblem):
        resolve(text, context)


MAP_WITH_FAILING_FILTER = """
name: A filter that fails while evaluating
config: {n: 1}
steps:
  - id: gather
    map:
      counted: $.config[?count(@) > 0]
"""


async def test_run_whose_reference_fails_while_evaluating_fails_that_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(tmp_path))
    loaded = parse_workflow(MAP_WITH_FAILING_FILTER, "filter.yaml")
    never_sent = httpx.MockTransport(lambda request: httpx.Response(500))
    with RunLog() as log:
        async with AsyncIntercomClient("token", transport=never_sent) as client:
            result = await run_workflow(loaded, client, runlog=log)
    assert result.status == "failed"
    assert result.failed_step == "gather"
