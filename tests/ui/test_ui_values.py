"""Values are served a page at a time, and every node's reference reaches that node."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.ui.run_tree import outer_base
from intercom_connector.ui.values import children, reference, search
from intercom_connector.workflow.references import lookup

keys = st.text(min_size=1, max_size=12)


@given(first=keys, second=keys, index=st.integers(0, 3))
def test_the_reference_of_a_node_resolves_to_that_node(first: str, second: str, index: int) -> None:
    value = {first: [{second: n} for n in range(4)]}
    path = reference("$.steps.list-contacts", [first, index, second])
    assert lookup(path, {"steps": {"list-contacts": value}}) == index


def test_a_large_list_comes_a_page_at_a_time() -> None:
    value = {"data": [{"id": str(n)} for n in range(20_000)]}
    page = children(value, "$.steps.s", ["data"], offset=100, limit=100)
    assert page["total"] == 20_000
    assert [c["path"] for c in page["children"][:2]] == [
        "$.steps.s.data[100]",
        "$.steps.s.data[101]",
    ]
    assert len(page["children"]) == 100
    assert page["children"][0]["size"] == 1


def test_search_finds_keys_and_values_with_their_references() -> None:
    value: dict[str, Any] = {"companies": [{"name": "Acme"}, {"name": "Globex"}]}
    found = search(value, "$.steps.c", "globex")
    assert [m["path"] for m in found["matches"]] == ["$.steps.c.companies[1].name"]


def test_a_step_in_nested_loops_is_reached_after_them_through_results() -> None:
    assert outer_base("a[1].b[2].c") == "$.steps['a'].results[1]['b'].results[2]['c']"
    assert outer_base("list-contacts") is None
