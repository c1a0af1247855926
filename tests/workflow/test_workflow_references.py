"""References: hyphenated step ids, singular and list paths, templates, errors naming the step."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workflow_kit import FakeEngine, interpret, interpret_failure, workflow

from intercom_connector.workflow import MISSING, ReferenceProblem, parse_reference
from intercom_connector.workflow.references import (
    ReferenceSyntaxError,
    find_references,
    lookup,
    resolve,
)

CONTEXT = {
    "steps": {
        "list-contacts": {"data": [{"id": "c1", "tags": ["a"]}, {"id": "c2", "tags": []}]},
        "loop-1": {"value": {"id": "c2"}, "index": 1},
        "no_hyphen": {"n": 0, "nothing": None},
    },
    "config": {"per_page": 50, "dir": "exports"},
    "env": {"run_id": "r-1", "workflow": "t", "started_at": "2025-01-01T00:00:00Z"},
}

step_ids = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,20}", fullmatch=True)
keys = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=10)


@given(step_id=step_ids, key=keys)
def test_any_valid_step_id_is_taken_apart_from_the_path(step_id, key):
    reference = parse_reference(f"$.steps.{step_id}.{key}")
    assert reference.step_id == step_id
    assert reference.first_key == key


@given(step_id=step_ids, value=st.integers())
def test_a_hyphenated_step_id_resolves_like_any_other(step_id, value):
    context = {"steps": {step_id: {"x": value}}, "config": {}, "env": {}}
    assert resolve(f"$.steps.{step_id}.x", context) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$.steps.list-contacts.data[0].id", "c1"),
        ("$.steps['list-contacts'].data[1].id", "c2"),
        ('$.steps["loop-1"].value.id', "c2"),
        ("$.steps.loop-1.index", 1),
        ("$.steps.list-contacts.data[*].id", ["c1", "c2"]),
        ("$.steps.list-contacts.data[?@.tags[0] == 'a'].id", ["c1"]),
        ("$.steps.list-contacts.data[5:].id", []),
        ("$.steps.no_hyphen.n", 0),
        ("$.steps.no_hyphen.nothing", None),
        ("$.config.per_page", 50),
        ("$.config", {"per_page": 50, "dir": "exports"}),
        ("$.env.run_id", "r-1"),
    ],
)
def test_reference_resolves(text, value):
    assert resolve(text, CONTEXT) == value


def test_singular_reference_that_matches_nothing_names_the_step():
    with pytest.raises(ReferenceProblem) as raised:
        resolve("$.steps.list-contacts.pages.next", CONTEXT)
    assert str(raised.value) == (
        "$.steps.list-contacts.pages.next matched nothing in the output of step 'list-contacts'"
    )


def test_conditions_may_see_a_missing_value():
    assert resolve("$.steps.loop-1.value.email", CONTEXT, allow_missing=True) is MISSING


def test_reference_to_a_step_that_has_not_run_names_it():
    with pytest.raises(ReferenceProblem) as raised:
        resolve("$.steps.later.x", CONTEXT)
    assert "step 'later' has not run (yet)" in str(raised.value)


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("id {$.steps.loop-1.value.id} of {$.env.workflow}", "id c2 of t"),
        ("tags: {$.steps.list-contacts.data[0].tags}", 'tags: ["a"]'),
        ("nothing: [{$.steps.no_hyphen.nothing}]", "nothing: []"),
        ("$$.literal", "$.literal"),
        ("no slots at all", "no slots at all"),
    ],
)
def test_template_slots_are_filled_with_text(template, text):
    assert resolve(template, CONTEXT) == text


@pytest.mark.parametrize(
    "text",
    ["$.stepz.a", "$.steps", "$.steps.", "$.steps.a[", "$.config[?"],
)
def test_malformed_reference_is_a_syntax_error(text):
    with pytest.raises(ReferenceSyntaxError):
        parse_reference(text)


def test_references_are_found_with_the_field_they_sit_in():
    found = list(
        find_references({"a": "$.config.x", "b": ["lit", {"c": "x {$.env.run_id} y"}], "d": 3})
    )
    assert found == [(("a",), "$.config.x"), (("b", 1, "c"), "$.env.run_id")]


async def test_run_time_reference_error_names_the_step_and_loop_path():
    loaded = workflow(
        """
        name: t
        steps:
          - id: loop-1
            loop: {list: [{id: 1}, {name: no-id}]}
            steps:
              - id: use
                map: {id: $.steps.loop-1.value.id}
        """
    )
    failure = await interpret_failure(loaded)
    assert failure.ref.key == "loop-1[1].use"
    assert str(failure) == (
        "step 'use' (loop-1[1].use) failed: $.steps.loop-1.value.id matched nothing in the "
        "output of step 'loop-1'"
    )


async def test_reading_a_step_of_a_branch_that_did_not_run_fails_at_run_time():
    loaded = workflow(
        """
        name: t
        steps:
          - id: decide
            condition:
              all: [{value1: 1, comparison: equal, value2: 2}]
            then:
              - {id: only-then, map: {x: 1}}
          - {id: after, map: {x: $.steps.only-then.x}}
        """
    )
    failure = await interpret_failure(loaded)
    assert failure.ref.step_id == "after"
    assert "$.steps.only-then.x: step 'only-then' has not run (yet)" in str(failure)


async def test_env_carries_run_id_and_workflow_name():
    loaded = workflow(
        "name: my flow\nsteps:\n  - {id: e, map: {run: $.env.run_id, w: $.env.workflow}}\n"
    )
    outputs, _ = await interpret(loaded, FakeEngine())
    assert outputs["e"] == {"run": "r-1", "w": "my flow"}


_NAMES = st.sampled_from(
    ["value", "data", "id", "true", "false", "null", "and", "or", "in", "not", "length", "keys"]
) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
_TREES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=12,
)


@given(st.lists(_NAMES, max_size=4), st.dictionaries(_NAMES, _TREES, max_size=4), _TREES)
def test_a_dotted_path_is_walked_to_exactly_what_python_jsonpath_finds(names, step, config):
    context = {"steps": {"s": step, "lst": [step]}, "config": config, "env": {}}
    for root in ("$.steps.s", "$.steps.lst", "$.config"):
        text = root + "".join(f".{name}" for name in names)
        try:
            reference = parse_reference(text)
        except ReferenceSyntaxError:
            continue  # a name the JSONPath grammar reads otherwise: refused at check time
        assert reference.keys is not None
        matches = reference.query.findall(context)
        assert lookup(text, context) == (matches[0] if matches else MISSING), text
