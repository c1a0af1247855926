"""The comparisons of a condition step, by operator and spelling."""

from __future__ import annotations

import pytest

from intercom_connector.workflow import MISSING
from intercom_connector.workflow.conditions import ComparisonError, compare
from intercom_connector.workflow.model import Comparison

CASES = [
    ("equal", True, True, True),
    ("equal", True, 1, False),
    ("equal", 1, 1.0, True),
    ("equal", {"a": [1, True]}, {"a": [1, True]}, True),
    ("equal", MISSING, None, True),
    ("not_equal", "a", "b", True),
    ("less_than", 1, 2, True),
    ("less_than", "a", "b", True),
    ("less_than_or_equal", 2, 2, True),
    ("greater_than", 3, 2.5, True),
    ("greater_than_or_equal", 2, 3, False),
    ("in_list", "b", ["a", "b"], True),
    ("in_list", True, [1], False),
    ("not_in_list", "c", ["a", "b"], True),
    ("contains", ["a", "b"], "b", True),
    ("contains", "hello world", "wor", True),
    ("contains", {"key": 1}, "key", True),
    ("contains", None, "x", False),
    ("not_contains", ["a"], "b", True),
    ("exists", 0, None, True),
    ("exists", None, None, False),
    ("exists", MISSING, None, False),
    ("not_exists", MISSING, None, True),
    ("is_empty", [], None, True),
    ("is_empty", "", None, True),
    ("is_empty", MISSING, None, True),
    ("is_empty", 0, None, False),
    ("is_not_empty", {"a": 1}, None, True),
]


@pytest.mark.parametrize(("operator", "value1", "value2", "result"), CASES)
def test_comparison(operator, value1, value2, result):
    assert compare(operator, value1, value2) is result


@pytest.mark.parametrize(
    ("operator", "value1", "value2", "message"),
    [
        (
            "less_than",
            "a",
            1,
            "less_than compares two numbers or two strings, not str 'a' and int 1",
        ),
        ("greater_than", MISSING, 1, "not a reference that matched nothing and int 1"),
        ("in_list", "a", "abc", "in_list needs a list as value2"),
        ("contains", 5, 1, "contains needs a list, string or object as value1"),
    ],
)
def test_comparison_of_unrelated_values_is_an_error(operator, value1, value2, message):
    with pytest.raises(ComparisonError) as raised:
        compare(operator, value1, value2)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("spelling", "operator"),
    [
        ("==", "equal"),
        ("not equal", "not_equal"),
        ("<=", "less_than_or_equal"),
        ("in list", "in_list"),
        ("Not In List", "not_in_list"),
        ("does not contain", "not_contains"),
        ("is empty", "is_empty"),
        ("is-not-empty", "is_not_empty"),
    ],
)
def test_operators_accept_the_platform_spellings(spelling, operator):
    assert Comparison(value1=1, comparison=spelling).comparison == operator
