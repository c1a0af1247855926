"""What makes the sandbox's search fast and stable enough to be listed in parallel.

Intercom's search is an index, not a scan: a client that splits a listing into many
``created_at`` windows and pages them at once costs it little. A sandbox that scanned every
record for every new query would turn such a listing into minutes of CPU, so:

- ``index_span`` reads the day bounds a query's conjuncts put on a date field (``<``, ``>``,
  ``=`` filters, or an ``OR`` of ``>`` and ``=`` on the same value, in nested ``AND``
  groups) and returns only the records in that range, from a sorted index built once per
  data version. The full predicate still runs on them, so the index only ever narrows to a
  superset;
- the index is in (day, value, seq) order, for numbers that of a search sorted by the field
  ascending, so when the day bounds are the whole query (a partitioned listing's windows)
  the results are a run of the index (``index_span``): a page is found by bisecting the
  keyset cursor into that run, with no scan, copy or sort of the records;
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
from dataclasses import dataclass
from typing import Any

DAY = 86_400
CACHE_ENTRIES = 1024


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


def _conjuncts(query: Any) -> list[Any]:
    """The nodes that must all hold: the query, or the members of (nested) AND groups."""
    if isinstance(query, dict) and query.get("operator") == "AND" and "field" not in query:
        members = query.get("value")
        if isinstance(members, list):
            return [node for member in members for node in _conjuncts(member)]
    return [query]


def date_range(query: Any, name: str, exact: bool = False) -> tuple[float, float, bool] | None:
    """The inclusive day range a query's conjuncts confine ``name`` to, or None; and whether
    those bounds are the whole query (every conjunct a day bound, read by calendar day)."""
    low, high = float("-inf"), float("inf")
    found = 0
    conjuncts = _conjuncts(query)
    for node in conjuncts:
        bounds = _day_bounds(node, name, exact)
        if bounds is not None:
            found += 1
            low, high = max(low, bounds[0]), min(high, bounds[1])
    if not found:
        return None
    return low, high, found == len(conjuncts) and not exact


def other_conjuncts(query: Any, name: str) -> list[Any]:
    """The conjuncts that put no day bound on ``name``: for a field compared by calendar day,
    all a record of the query's day range still has to pass."""
    return [node for node in _conjuncts(query) if _day_bounds(node, name, False) is None]


class ResultCache:
    """Sorted search results and date indexes of recent queries, least recently used out."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self._entries = entries
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        # Date indexes live apart from results (one per resource and field, of its latest
        # data version), so a burst of distinct queries never evicts the index they need.
        self.indexes: dict[tuple[Any, str], tuple[tuple[Any, ...], Any]] = {}

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
        self.indexes.clear()

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class Span:
    """The records a query's day bounds allow: ``records[start:stop]`` of the field's index,
    which holds every record with a value in (day, value, seq) order; ``days`` runs beside
    it. ``whole_query``: the bounds are the query, so the run is exactly its matches;
    ``in_value_order``: every value is a number, so the index is in ``order_key`` order of
    a search sorted by the field ascending."""

    records: list[Any]
    days: list[int]
    start: int
    stop: int
    whole_query: bool
    in_value_order: bool

    def matches(self) -> list[Any]:
        return self.records[self.start : self.stop]


def _build_index(
    items: Callable[[], Iterable[Any]], get: Callable[[Any], Any], seq: Callable[[Any], int]
) -> tuple[list[int], list[Any], bool]:
    """Days, records and whether every value is a number (as dates are: day order is then
    value order, the search's own), sorted by (day, value, seq).

    Numbers are sorted through positions, seq first and then (stably) value, so the sort
    makes no tuple per record: a hundred thousand new containers would set the cyclic
    collector walking every record of the store, several times, for nothing."""
    records = [i for i in items() if get(i) is not None]
    values = [get(i) for i in records]
    if all(isinstance(v, int | float) for v in values):  # bools are ints, as in order_key
        seqs = [seq(i) for i in records]
        order = sorted(range(len(records)), key=seqs.__getitem__)
        order.sort(key=lambda k: float(values[k]))
        return [int(values[k]) // DAY for k in order], [records[k] for k in order], True
    rows = sorted(
        zip(values, [seq(i) for i in records], records, strict=True),
        key=lambda row: (int(row[0]) // DAY, _value_key(row[0]), row[1]),
    )
    return [int(row[0]) // DAY for row in rows], [row[2] for row in rows], False


def index_span(
    cache: ResultCache,
    version_key: tuple[Any, ...],
    query: Any,
    field: str,
    get: Callable[[Any], Any],
    seq: Callable[[Any], int],
    items: Callable[[], Iterable[Any]],
    exact: bool,
) -> Span | None:
    """The run of ``field``'s index within the query's day range; None when it sets none."""
    bounds = date_range(query, field, exact)
    if bounds is None:
        return None
    slot = (version_key[0], field)
    held = cache.indexes.get(slot)
    index = held[1] if held is not None and held[0] == version_key else None
    if index is None:
        index = _build_index(items, get, seq)
        cache.indexes[slot] = (version_key, index)
    days, records, numeric = index
    low, high, whole_query = bounds
    start = 0 if low == float("-inf") else bisect_left(days, low)
    stop = len(days) if high == float("inf") else bisect_right(days, high)
    return Span(records, days, start, max(start, stop), whole_query, numeric)
