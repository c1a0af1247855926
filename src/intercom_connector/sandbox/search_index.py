"""What makes the sandbox's search fast and stable enough to be listed in parallel.

Intercom's search is an index, not a scan: a client that splits a listing into many
``created_at`` windows and pages them at once costs it little. A sandbox that scanned every
record for every new query would turn such a listing into minutes of CPU, so:

- ``narrow`` reads the day bounds a query puts on a date field at its top level (``AND`` of
  ``<``, ``>``, ``=`` filters, or an ``OR`` of ``>`` and ``=`` on the same value) and returns
  only the records in that range, from a sorted index built once per data version. The full
  predicate still runs on them, so the index only ever narrows to a superset;
- ``ResultCache`` keeps the sorted results of recent queries (least recently used out), so
  paging one query costs one scan, and 32 concurrent partitions do not evict each other;
- ``order_key`` is the position of a record in a result list, so a cursor can carry the last
  record's (sort value, seq) like Intercom's ``[1707594715.0, 12345]`` and the next page
  starts right after it even when records before it were deleted or inserted meanwhile:
  keyset paging, with no record skipped or repeated by writes elsewhere in the list.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

DAY = 86_400
CACHE_ENTRIES = 128


class _Descending:
    """Wraps a sort key so that ascending order of the wrapper is descending order of it."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


def _value_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool | int | float):
        return (0, float(value))
    return (1, str(value).casefold())


def order_key(value: Any, seq: int, sorted_by_field: bool, descending: bool) -> tuple[Any, ...]:
    """Where a record with sort value ``value`` and ``seq`` sits in a result list: records with
    a value first (ascending or descending, ties by seq), records without one last."""
    if not sorted_by_field:
        return (0, seq)
    if value is None:
        return (1, seq)
    key = _value_key(value)
    return (0, _Descending(key) if descending else key, seq)


def _day_bounds(node: Any, name: str, exact: bool) -> tuple[float, float] | None:
    """Inclusive day range that one top-level filter puts on ``name``, if it is one.
    ``exact``: the field compares whole timestamps, so ``>`` may still match its own day."""
    if not isinstance(node, dict):
        return None
    if node.get("operator") == "OR" and "field" not in node:
        children = node.get("value")
        if not isinstance(children, list) or len(children) != 2:
            return None
        ops = {c.get("operator"): c.get("value") for c in children if isinstance(c, dict)}
        same_field = all(isinstance(c, dict) and c.get("field") == name for c in children)
        if same_field and set(ops) == {">", "="} and ops[">"] == ops["="]:
            value = ops["="]
            return (int(value) // DAY, float("inf")) if isinstance(value, int) else None
        return None
    value = node.get("value")
    if node.get("field") != name or not isinstance(value, int) or isinstance(value, bool):
        return None
    day = value // DAY
    operator = node.get("operator")
    if operator == "=":
        return (day, day)
    if operator == ">":
        return (day if exact else day + 1, float("inf"))
    if operator == "<":
        return (float("-inf"), day if exact else day - 1)
    return None


def date_range(query: Any, name: str, exact: bool = False) -> tuple[float, float] | None:
    """The inclusive day range a query's top level confines ``name`` to, or None."""
    nodes = query.get("value") if isinstance(query, dict) and "field" not in query else None
    if not (isinstance(query, dict) and query.get("operator") == "AND" and isinstance(nodes, list)):
        nodes = [query]
    low, high = float("-inf"), float("inf")
    found = False
    for node in nodes:
        bounds = _day_bounds(node, name, exact)
        if bounds is not None:
            found = True
            low, high = max(low, bounds[0]), min(high, bounds[1])
    return (low, high) if found else None


class ResultCache:
    """Sorted search results and date indexes of recent queries, least recently used out."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self._entries = entries
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> Any:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self._entries:
            self._data.popitem(last=False)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def narrow(
    cache: ResultCache,
    version_key: tuple[Any, ...],
    query: Any,
    field: str,
    get: Callable[[Any], Any],
    items: Callable[[], Iterable[Any]],
    exact: bool,
) -> Iterable[Any]:
    """The records whose ``field`` lies in the query's day range (all when it sets none)."""
    bounds = date_range(query, field, exact)
    if bounds is None:
        return items()
    index_key = ("date-index", field, *version_key)
    index = cache.get(index_key)
    if index is None:
        pairs = sorted(
            ((int(v) // DAY, i) for i in items() if (v := get(i)) is not None),
            key=lambda pair: pair[0],
        )
        index = ([day for day, _ in pairs], [item for _, item in pairs])
        cache.put(index_key, index)
    days, records = index
    low, high = bounds
    start = 0 if low == float("-inf") else bisect_left(days, low)
    stop = len(days) if high == float("inf") else bisect_right(days, high)
    return records[start:stop]
