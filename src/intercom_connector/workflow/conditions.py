"""Comparisons of a condition step: pure functions of two resolved values.

Equality is by JSON value, so ``true`` never equals ``1`` (Python would say it does). A
reference that matched nothing compares like ``null`` in equality and membership, exists
for nothing, and is empty; ordering it against a number is an error, not ``false``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from intercom_connector.workflow.references import MISSING


class ComparisonError(ValueError):
    """Two values the comparison cannot relate (``"abc" < 3``)."""


def _plain(value: Any) -> Any:
    return None if value is MISSING else value


def json_equal(a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ordered(name: str, test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if (_number(a) and _number(b)) or (isinstance(a, str) and isinstance(b, str)):
            return test(a, b)
        raise ComparisonError(
            f"{name} compares two numbers or two strings, not {_label(a)} and {_label(b)}"
        )

    return compare


def _label(value: Any) -> str:
    if value is MISSING:
        return "a reference that matched nothing"
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"[:80]


def _in_list(a: Any, b: Any) -> bool:
    if not isinstance(b, list):
        raise ComparisonError(f"in_list needs a list as value2, not {_label(b)}")
    return any(json_equal(a, item) for item in b)


def _contains(a: Any, b: Any) -> bool:
    a = _plain(a)
    if isinstance(a, list):
        return any(json_equal(item, b) for item in a)
    if isinstance(a, str):
        if not isinstance(b, str):
            raise ComparisonError(f"a string contains strings, not {_label(b)}")
        return b in a
    if isinstance(a, Mapping):
        return isinstance(b, str) and b in a
    if a is None:
        return False
    raise ComparisonError(f"contains needs a list, string or object as value1, not {_label(a)}")


def _exists(a: Any, _: Any) -> bool:
    return a is not MISSING and a is not None


def _empty(a: Any, _: Any) -> bool:
    a = _plain(a)
    return a is None or (isinstance(a, str | list | Mapping) and len(a) == 0)


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "equal": json_equal,
    "not_equal": lambda a, b: not json_equal(a, b),
    "less_than": _ordered("less_than", lambda a, b: a < b),
    "less_than_or_equal": _ordered("less_than_or_equal", lambda a, b: a <= b),
    "greater_than": _ordered("greater_than", lambda a, b: a > b),
    "greater_than_or_equal": _ordered("greater_than_or_equal", lambda a, b: a >= b),
    "in_list": _in_list,
    "not_in_list": lambda a, b: not _in_list(a, b),
    "contains": _contains,
    "not_contains": lambda a, b: not _contains(a, b),
    "exists": _exists,
    "not_exists": lambda a, b: not _exists(a, b),
    "is_empty": _empty,
    "is_not_empty": lambda a, b: not _empty(a, b),
}


def compare(operator: str, value1: Any, value2: Any) -> bool:
    return COMPARISONS[operator](value1, value2)
