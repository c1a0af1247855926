"""Intercom's search query language, compiled to a Python predicate.

A query is a filter ``{field, operator, value}`` or a group ``{operator: AND|OR, value: [...]}``.
Intercom's limits are enforced as it enforces them — at most two levels of groups and 15
filters per group — and each field kind accepts only the operators Intercom accepts for it
(dates: ``= < >``, compared by calendar day in the workspace timezone, UTC here; tag ids:
``= !=``; ids: the text operators plus ordering, numerically for numeric ids). Groups may
mix nested groups and filters (``AND[OR[a, b], c]``), as Intercom allows. The resource
modules supply how to read a field, so contacts, conversations and the generic collections
share this module and ``run_search``, which pages the results through the request body.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import operator as operator_module
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from .call import Call
from .catalog_data import Operation
from .pagination import cursor_pages, decode_cursor, encode_cursor, per_page_value
from .replies import ApiError, invalid
from .search_index import Span, index_span, order_key, other_conjuncts
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
ID_OPS = STRING_OPS | frozenset({"<", ">", "<=", ">="})
ANY_OPS = STRING_OPS | INTEGER_OPS

OPERATORS_BY_KIND = {
    "string": STRING_OPS,
    "integer": INTEGER_OPS,
    "timestamp": INTEGER_OPS,
    "boolean": BOOLEAN_OPS,
    "date": DATE_OPS,
    "set": SET_OPS,
    "id": ID_OPS,
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


_QUERY_SCHEMAS = ("single_filter_search_request", "multiple_filter_search_request")


def query_checked_here(op: Operation) -> Operation:
    """``op`` with its search ``query`` left to this module to check.

    The spec's query schema lets a group hold only groups or only filters, yet Intercom
    accepts a mix (``AND[OR[a, b], c]``) and real clients send it; ``compile_query`` checks
    the query as Intercom does and names the field and its operators when it refuses.
    """
    prop = op.properties.get("query")
    if prop is None or not any(name in str(prop) for name in _QUERY_SCHEMAS):
        return op
    loose = {"type": "object", "x-in": prop.get("x-in", "body")}
    schema = {**op.input_schema, "properties": {**op.properties, "query": loose}}
    return replace(op, input_schema=schema)


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
        endings = _endings(children, resolve)
        if endings is not None:
            return endings
        return lambda item: any(p(item) for p in parts)
    return _compile_filter(node, resolve)


def _endings(children: list[Any], resolve: Resolver[T]) -> Predicate[T] | None:
    """``OR`` of ``$`` filters on one text field (how a partitioned listing cuts a busy day
    by id ending) as one ``endswith`` of them all: the same answer, one read of the field.
    Called once the group compiled, so its filters are known to be valid."""
    names = {child.get("field") for child in children}
    if len(names) != 1 or any(child.get("operator") != "$" for child in children):
        return None
    spec = resolve(str(next(iter(names))))
    if spec is None or spec.kind not in ("string", "id"):
        return None
    wanted = tuple(str(child["value"]).casefold() for child in children)
    get = spec.get

    def ends(item: T) -> bool:
        actual = get(item)
        return isinstance(actual, str) and actual.casefold().endswith(wanted)

    return ends


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
    if kind in ("string", "set", "id"):
        return str(value)
    return value


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator_module.lt,
    ">": operator_module.gt,
    "<=": operator_module.le,
    ">=": operator_module.ge,
}


def _id_ordering(operator: str, wanted: str) -> Callable[[Any], bool]:
    """``id > 123`` (sent by sync taps): numeric ids compare as numbers, others as text."""
    compare = _ORDERINGS[operator]
    if wanted.isdigit():
        number = int(wanted)
        return lambda actual: str(actual).isdigit() and compare(int(str(actual)), number)
    return lambda actual: actual is not None and compare(str(actual), wanted)


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
    if kind == "id" and operator in ("<", ">", "<=", ">="):
        return _id_ordering(operator, wanted)
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
    costs one scan, not one per page, and a ``created_at`` range is read from an index
    (``search_index``). The cursor is a keyset: the last record's sort value and seq, and a
    digest of the query, so writes elsewhere in the list neither skip nor repeat records.
    """
    body = call.data
    query = body.get("query")
    predicate = compile_query(query, resolve)
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
    digest = fingerprint(kind, query, sort)
    version = (kind, _version(state, kind))
    cache = state.search_cache
    key = ("results", digest, *version)
    get = sort_field.get if sort_field is not None else None

    def place(item: Any) -> tuple[Any, ...]:
        return order_key(get(item) if get else None, seq_of(item), get is not None, descending)

    cursor = pagination.get("starting_after")
    created = resolve("created_at")
    exact = created is not None and created.kind != "date"
    span = (
        None
        if created is None
        else index_span(cache, version, query, "created_at", created.get, seq_of, items, exact)
    )
    by_index = (
        span is not None
        and span.whole_query
        and span.in_value_order
        and sort_field is not None
        and sort_field is created
    )
    if span is not None and by_index and not descending:
        # A window of the index in the search's own order: page it in place.
        results, low, high = span.records, span.start, span.stop
    elif span is not None and by_index and not cursor and per_page == 1:
        # A count sorted newest first: the first record is on the window's last day.
        total = span.stop - span.start
        tail = _day_start(span, span.stop - 1) if total else span.stop
        first = heapq.nsmallest(1, span.records[tail : span.stop], key=place)
        next_cursor = _cursor_after(first[-1], sort_field, digest) if total > 1 else None
        return first, cursor_pages(1, per_page, total, next_cursor), total
    else:
        results = cache.get(key)
        if results is None:
            if span is None:
                matched = [i for i in items() if predicate(i)]
            elif span.whole_query:
                matched = span.matches()
            else:
                check = (
                    predicate if exact else _all_of(other_conjuncts(query, "created_at"), resolve)
                )
                matched = [i for i in span.matches() if check(i)]
            if not cursor and per_page == 1:  # a count: no need to sort or keep the results
                first = heapq.nsmallest(per_page, matched, key=place)
                more = len(matched) > per_page
                next_cursor = _cursor_after(first[-1], sort_field, digest) if more else None
                return first, cursor_pages(1, per_page, len(matched), next_cursor), len(matched)
            results = sorted(matched, key=place)
            cache.put(key, results)
        low, high = 0, len(results)
    offset = low
    if cursor:
        parts = decode_cursor(cursor, "pagination.starting_after")
        if len(parts) != 3 or parts[2] != digest or not isinstance(parts[1], int):
            raise invalid(
                "pagination.starting_after does not belong to this query",
                "pagination.starting_after",
            )
        position = order_key(parts[0], parts[1], get is not None, descending)
        offset = bisect_right(results, position, lo=low, hi=high, key=place)
    page = results[offset : min(offset + per_page, high)]
    more = offset + per_page < high
    next_cursor = _cursor_after(page[-1], sort_field, digest) if more and page else None
    pages = cursor_pages((offset - low) // per_page + 1, per_page, high - low, next_cursor)
    return page, pages, high - low


def _all_of(nodes: list[Any], resolve: Resolver[T]) -> Predicate[T]:
    """The conjunction of nodes of a query that compiled already (so they are valid)."""
    parts = [_compile(node, resolve, depth=0) for node in nodes]
    if len(parts) == 1:
        return parts[0]
    return lambda item: all(p(item) for p in parts)


def _day_start(span: Span, at: int) -> int:
    """Where the run of records on the same day as ``span.records[at]`` begins."""
    return bisect_left(span.days, span.days[at], span.start, at)


def _cursor_after(last: Any, sort_field: Field[Any] | None, digest: str) -> str:
    """A keyset cursor: the last record's sort value and seq, and the query's digest."""
    value = sort_field.get(last) if sort_field is not None else None
    return encode_cursor([value, seq_of(last), digest])


def seq_of(item: Any) -> int:
    """A record's place among equals: the stateful stores' ``seq``; for a generic
    collection's object (a dict), its numeric id, or a stable number made from its id."""
    seq = getattr(item, "seq", None)
    if isinstance(seq, int):
        return seq
    raw = item.get("id") if isinstance(item, dict) else None
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return int(hashlib.sha256(str(raw).encode()).hexdigest()[:12], 16)


def _version(state: SandboxState, kind: str) -> int:
    if kind == "contacts":
        return state.contacts.version
    if kind.startswith("collection:"):
        return state.collections.version
    return state.conversation_version
