"""An example with any one node replaced by any value is loaded or rejected, never a crash.

This drives the stand-ins that let the checks go on past shape errors, and the shape walk
of references, through every place of real workflows rather than random ones.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from intercom_connector.workflow import WorkflowInvalid, check_data

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
DOCUMENTS = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in EXAMPLES]
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
NAMED = st.sampled_from(["$.steps.me.id", "$.steps.x[0]", "$.config.tag", "list_contacts", "yes"])
VALUES = st.recursive(
    SCALARS | NAMED,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_places(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_places(value, (*path, index)))
    return found


@settings(max_examples=300, deadline=None)
@given(which=st.integers(0, len(DOCUMENTS) - 1), where=st.integers(0, 10_000), value=VALUES)
def test_a_damaged_example_is_loaded_or_rejected_with_placed_problems(which, where, value):
    document = copy.deepcopy(DOCUMENTS[which])
    places = _places(document)[1:]
    place = places[where % len(places)]
    parent = document
    for part in place[:-1]:
        parent = parent[part]
    parent[place[-1]] = value
    try:
        check_data(document, "damaged.yaml")
    except WorkflowInvalid as error:
        assert error.problems
        assert all(problem.message for problem in error.problems)
