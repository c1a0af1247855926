"""Intercom's search query language, compiled to a Python predicate.

A query is a filter ``{field, operator, value}`` or a group ``{operator: AND|OR, value: [...]}``.
Intercom's limits are enforced as it enforces them — at most two levels of groups and 15
filters per group — and each field kind accepts only the operators Intercom accepts for it
(dates: ``= < >``, compared by calendar day in the workspace timezone, UTC here; tag ids:
``= !=``). The resource modules supply how to read a field, so contacts and conversations
share this module and ``run_search``, which pages the results through the request body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .call import Call
from .pagination import cursor_pages, decode_cursor, encode_cursor, per_page_value
from .replies import ApiError, invalid
from .state import SandboxState

T = TypeVar("T")

MAX_NESTING = 2
MAX_PER_PAGE = 150
MAX_FILTERS_PER_GROUP = 15
DAY = 86_400

STRING_OPS = frozenset({"=", "!=", "IN", "NIN", "~", "!~", "^", "$"})
INTEGER_OPS = frozenset({"=", "!=", "IN", "NIN", "<", ">", "<=", ">="})
BOOLEAN_OPS = frozenset({"=", "!=", "IN", "NIN"})
DATE_OPS = frozenset({"=", "<", ">"})
SET_OPS = frozenset({"=", "!="})
ANY_OPS = STRING_OPS | INTEGER_OPS

OPERATORS_BY_KIND = {
    "string": STRING_OPS,
    "integer": INTEGER_OPS,
    "timestamp": INTEGER_OPS,
    "boolean": BOOLEAN_OPS,
    "date": DATE_OPS,
    "set": SET_OPS,
    "any": ANY_OPS,
}

Predicate = Callable[[T], bool]


@dataclass(frozen=True)
class Field(Generic[T]):
    """How to read one searchable field.

    ``kind``: ``string``, ``integer``, ``timestamp`` (exact seconds), ``date`` (matched by
    day), ``boolean``, ``set`` (the getter returns a collection; ``=`` means "contains"),
    or ``any`` (custom attributes: compared by the value's own type).
    """

    kind: str
    get: Callable[[T], Any]


Resolver = Callable[[str], "Field[T] | None"]


def bad_query(message: str) -> ApiError:
    return ApiError(400, "parameter_invalid", message, field_name="query")


def compile_query(query: Any, resolve: Resolver[T]) -> Predicate[T]:
    if not isinstance(query, dict):
        raise bad_query("query must be an object")
    return _compile(query, resolve, depth=0)


def _compile(node: dict[str, Any], resolve: Resolver[T], depth: int) -> Predicate[T]:
    operator = node.get("operator")
    if operator in ("AND", "OR") and "field" not in node:
        if depth >= MAX_NESTING:
            raise bad_query(f"filters can be nested at most {MAX_NESTING} levels deep")
        children = node.get("value")
        if not isinstance(children, list) or not children:
            raise bad_query(f"an {operator} group needs a non-empty list of filters")
        if len(children) > MAX_FILTERS_PER_GROUP:
            raise bad_query(
                f"an {operator} group can hold at most {MAX_FILTERS_PER_GROUP} filters, "
                f"got {len(children)}"
            )
        parts: list[Predicate[T]] = []
        for child in children:
            if not isinstance(child, dict):
                raise bad_query("each filter must be an object")
            parts.append(_compile(child, resolve, depth + 1))
        if operator == "AND":
            return lambda item: all(p(item) for p in parts)
        return lambda item: any(p(item) for p in parts)
    return _compile_filter(node, resolve)


def _compile_filter(node: dict[str, Any], resolve: Resolver[T]) -> Predicate[T]:
    name = node.get("field")
    operator = node.get("operator")
    if not isinstance(name, str) or not name:
        raise bad_query("a filter needs a field")
    if not isinstance(operator, str):
        raise bad_query(f"the filter on {name} needs an operator")
    spec = resolve(name)
    if spec is None:
        raise bad_query(f"{name} is not a searchable field")
    allowed = OPERATORS_BY_KIND[spec.kind]
    if operator not in allowed:
        raise bad_query(
            f"operator {operator!r} is not supported for {name}; use one of "
            + ", ".join(sorted(allowed))
        )
    if "value" not in node:
        raise bad_query(f"the filter on {name} needs a value")
    value = node["value"]
    if operator in ("IN", "NIN"):
        if not isinstance(value, list):
            raise bad_query(f"{operator} on {name} needs a list value")
        options = [_matcher("=", _normalise(spec.kind, name, v), spec.kind) for v in value]
        get = spec.get
        if operator == "IN":
            return lambda item: any(m(get(item)) for m in options)
        return lambda item: not any(m(get(item)) for m in options)
    if isinstance(value, list):
        raise bad_query(f"{operator} on {name} needs a single value")
    matcher = _matcher(operator, _normalise(spec.kind, name, value), spec.kind)
    get = spec.get
    return lambda item: matcher(get(item))


def _normalise(kind: str, name: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("integer", "timestamp", "date"):
        if isinstance(value, bool):
            raise bad_query(f"{name} needs a number")
        if isinstance(value, str):
            try:
                value = int(float(value))
            except ValueError as exc:
                raise bad_query(f"{name} needs a number, got {value!r}") from exc
        if not isinstance(value, int | float):
            raise bad_query(f"{name} needs a number")
        return int(value) // DAY if kind == "date" else value
    if kind == "boolean":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise bad_query(f"{name} needs true or false")
        return value
    if kind in ("string", "set"):
        return str(value)
    return value


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _matcher(operator: str, wanted: Any, kind: str) -> Callable[[Any], bool]:
    if kind == "set":
        if operator == "=":
            return lambda actual: wanted in actual
        return lambda actual: wanted not in actual
    if kind == "date":

        def day(actual: Any) -> int | None:
            return None if actual is None else int(actual) // DAY

        if operator == "=":
            return lambda actual: day(actual) == wanted
        if not isinstance(wanted, int):
            raise bad_query(f"operator {operator!r} needs a date (unix timestamp) value")
        if operator == ">":
            return lambda actual: (d := day(actual)) is not None and d > wanted
        return lambda actual: (d := day(actual)) is not None and d < wanted
    folded = _fold(wanted)
    if operator == "=":
        return lambda actual: _fold(actual) == folded
    if operator == "!=":
        return lambda actual: _fold(actual) != folded
    if operator in ("<", ">", "<=", ">="):
        return _ordering(operator, wanted)
    if not isinstance(folded, str):
        raise bad_query(f"operator {operator!r} needs a text value")
    if operator == "~":
        return lambda actual: isinstance(actual, str) and folded in actual.casefold()
    if operator == "!~":
        return lambda actual: not (isinstance(actual, str) and folded in actual.casefold())
    if operator == "^":
        return lambda actual: isinstance(actual, str) and actual.casefold().startswith(folded)
    return lambda actual: isinstance(actual, str) and actual.casefold().endswith(folded)


def _ordering(operator: str, wanted: Any) -> Callable[[Any], bool]:
    if wanted is None or isinstance(wanted, bool) or not isinstance(wanted, int | float):
        raise bad_query(f"operator {operator!r} needs a number, got {wanted!r}")

    def compare(actual: Any) -> bool:
        if actual is None or isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        if operator == "<":
            return bool(actual < wanted)
        if operator == ">":
            return bool(actual > wanted)
        if operator == "<=":
            return bool(actual <= wanted)
        return bool(actual >= wanted)

    return compare


def sort_items(items: Sequence[T], field: Field[T] | None, descending: bool) -> list[T]:
    """Stable sort with missing values last in either direction."""
    if field is None:
        return list(reversed(items)) if descending else list(items)
    get = field.get
    present = [i for i in items if get(i) is not None]
    absent = [i for i in items if get(i) is None]
    present.sort(key=lambda i: _sort_key(get(i)), reverse=descending)
    return present + absent


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool | int | float):
        return (0, float(value))
    return (1, str(value).casefold())


def fingerprint(*parts: Any) -> str:
    """Short stable digest tying a search cursor to the query it was issued for."""
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


# --- search endpoints: filter, sort and page in the body -----------------------------


def run_search(
    state: SandboxState,
    call: Call,
    kind: str,
    items: Callable[[], Iterable[Any]],
    resolve: Resolver[Any],
    default_per_page: int,
) -> tuple[list[Any], dict[str, Any], int]:
    """Filter, sort and page ``items`` per the search body; shared with conversations.

    Results are cached per (query, sort, data version) so paging through a large search
    costs one scan, not one per page. The cursor carries an offset and a digest of the query.
    """
    body = call.data
    predicate = compile_query(body.get("query"), resolve)
    pagination = body.get("pagination") or {}
    per_page = per_page_value(
        pagination.get("per_page"), default_per_page, MAX_PER_PAGE, "pagination.per_page"
    )
    sort = body.get("sort") if isinstance(body.get("sort"), dict) else None
    sort_field = None
    descending = False
    if sort is not None and sort.get("field"):
        sort_field = resolve(str(sort["field"]))
        if sort_field is None:
            raise bad_query(f"cannot sort on {sort['field']}")
        descending = sort.get("order", "descending") == "descending"
    digest = fingerprint(kind, body.get("query"), sort)
    key = (kind, digest, _version(state, kind))
    results = state.search_cache.get(key)
    if results is None:
        results = sort_items([i for i in items() if predicate(i)], sort_field, descending)
        if len(state.search_cache) >= 16:
            state.search_cache.clear()
        state.search_cache[key] = results
    offset = 0
    cursor = pagination.get("starting_after")
    if cursor:
        parts = decode_cursor(cursor, "pagination.starting_after")
        if len(parts) != 2 or parts[1] != digest or not isinstance(parts[0], int):
            raise invalid(
                "pagination.starting_after does not belong to this query",
                "pagination.starting_after",
            )
        offset = parts[0]
    page = results[offset : offset + per_page]
    more = offset + per_page < len(results)
    next_cursor = encode_cursor([offset + per_page, digest]) if more else None
    pages = cursor_pages(offset // per_page + 1, per_page, len(results), next_cursor)
    return page, pages, len(results)


def _version(state: SandboxState, kind: str) -> int:
    if kind == "contacts":
        return state.contacts.version
    if kind.startswith("collection:"):
        return state.collections.version
    return state.conversation_version
