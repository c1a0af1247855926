"""Partition bounds, query composition and the changed-record filter, without a server."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.http.partitioned import (
    DAY,
    ChangedRecords,
    Partition,
    PartitioningUnavailable,
    PartitionScheme,
    compose_query,
)

SCHEME = PartitionScheme()
FILTER = {"field": "role", "operator": "=", "value": "user"}


def _matches(query: dict, created_at: int, exact: bool) -> bool:
    """Intercom's two readings of a date filter: by calendar day, or by the second."""

    def test(node: dict) -> bool:
        if "field" not in node:
            results = [test(child) for child in node["value"]]
            return all(results) if node["operator"] == "AND" else any(results)
        value = node["value"]
        left, right = (created_at, value) if exact else (created_at // DAY, value // DAY)
        return {"=": left == right, "<": left < right, ">": left > right}[node["operator"]]

    return test(query)


@given(
    cuts=st.lists(st.integers(0, 40_000), min_size=1, max_size=8, unique=True),
    created_at=st.integers(0, 40_001 * DAY),
    exact=st.booleans(),
)
def test_consecutive_windows_hold_every_instant_exactly_once(cuts, created_at, exact):
    bounds = [None, *sorted(cuts), None]
    windows = [Partition(low, high) for low, high in itertools.pairwise(bounds)]

    holding = [
        w for w in windows if _matches(compose_query(None, w.filters(SCHEME)), created_at, exact)
    ]

    assert len(holding) == 1


def test_a_plain_filter_is_wrapped_so_no_group_mixes_filters_and_groups():
    query = compose_query(FILTER, Partition(3, 9).filters(SCHEME))

    assert query["operator"] == "AND"
    for child in query["value"]:
        assert "field" not in child
        assert all("field" in grandchild for grandchild in child["value"])


def test_an_and_of_groups_keeps_its_groups_at_the_top():
    base = {"operator": "AND", "value": [{"operator": "OR", "value": [FILTER, FILTER]}]}

    query = compose_query(base, Partition(3, None).filters(SCHEME))

    assert query["value"][0] == base["value"][0]
    assert len(query["value"]) == 2


def test_a_query_already_two_levels_deep_cannot_be_partitioned():
    deep = {"operator": "OR", "value": [{"operator": "AND", "value": [FILTER]}]}

    with pytest.raises(PartitioningUnavailable, match="two levels"):
        compose_query(deep, Partition(1, 2).filters(SCHEME))


def test_id_endings_of_one_day_cut_it_into_disjoint_classes():
    filters = Partition(5, 6, ("a", "b")).filters(SCHEME)

    assert {
        "operator": "OR",
        "value": [
            {"field": "id", "operator": "$", "value": "a"},
            {"field": "id", "operator": "$", "value": "b"},
        ],
    } in filters


def test_a_record_changed_during_the_listing_and_met_twice_is_passed_once():
    changed = ChangedRecords(since=1_000)
    moved = {"id": "c1", "updated_at": 1_500}

    first = changed.admit([moved, {"id": "c2", "updated_at": 10}])
    again = changed.admit([dict(moved)])

    assert [r["id"] for r in first] == ["c1", "c2"]
    assert again == []


def test_only_records_changed_since_the_start_are_remembered():
    changed = ChangedRecords(since=1_000)

    changed.admit([{"id": f"old{n}", "updated_at": 999} for n in range(100)])
    changed.admit([{"id": "new", "updated_at": 1_000}])

    assert changed.ids == {"new"}
