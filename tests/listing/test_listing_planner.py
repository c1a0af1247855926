"""The planner hands out partitions that hold every record exactly once, balanced, in few
rounds of probes; without a server: the probe answers from a list of records."""

from __future__ import annotations

import asyncio
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from intercom_connector.http.partition_planner import PartitionPlanner
from intercom_connector.http.partitioned import DAY, Partition, PartitionScheme, compose_query

CONTACTS = PartitionScheme()


def _holds(node: dict, record: dict) -> bool:
    """Intercom's reading for contacts: dates by calendar day (UTC here), ``$`` on the id."""
    if "field" not in node:
        results = [_holds(child, record) for child in node["value"]]
        return all(results) if node["operator"] == "AND" else any(results)
    value, operator = node["value"], node["operator"]
    if node["field"] == "id":
        return record["id"].endswith(value)
    left, right = record["created_at"] // DAY, value // DAY
    return {"=": left == right, "<": left < right, ">": left > right}[operator]


class Workspace:
    """Answers one-record searches over ``records``, counting rounds of concurrent probes."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.rounds = 0
        self._in_flight = 0

    def matching(self, filters: list[dict]) -> list[dict]:
        if not filters:
            return list(self.records)
        query = compose_query(None, filters)
        return [r for r in self.records if _holds(query, r)]

    async def probe(self, filters: list[dict], order: str) -> dict:
        if self._in_flight == 0:
            self.rounds += 1
        self._in_flight += 1
        await asyncio.sleep(0)
        self._in_flight -= 1
        found = sorted(self.matching(filters), key=lambda r: r["created_at"])
        if order == "descending":
            found.reverse()
        return {"data": found[:1], "total_count": len(found)}


def _records(days: list[int]) -> list[dict]:
    return [
        {"id": f"{n * 2654435761 % 16**24:024x}", "created_at": day * DAY + n % DAY}
        for n, day in enumerate(days)
    ]


def _plan(workspace: Workspace, parallel: int, per_page: int, scheme=CONTACTS):
    planner = PartitionPlanner(
        workspace.probe, scheme, "data", parallel=parallel, per_page=per_page
    )
    parts: list[Partition] = []
    asyncio.run(planner.plan(parts.append))
    return parts


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(st.integers(19_000, 19_600), max_size=400),
    busy=st.lists(st.tuples(st.integers(19_000, 19_600), st.integers(1, 200)), max_size=4),
    parallel=st.integers(2, 40),
    per_page=st.sampled_from([1, 5, 25]),
)
def test_every_record_falls_in_exactly_one_partition(days, busy, parallel, per_page):
    workspace = Workspace(_records(days + [day for day, size in busy for _ in range(size)]))

    parts = _plan(workspace, parallel, per_page)

    held = [0] * len(workspace.records)
    for part in parts:
        query = compose_query(None, part.filters(CONTACTS))
        for n, record in enumerate(workspace.records):
            held[n] += _holds(query, record)
    assert held == [1] * len(workspace.records)
    assert sum(p.expected for p in parts) == len(workspace.records)


def test_a_window_made_big_by_one_busy_day_is_cut_by_id_endings_in_one_more_round():
    days = [19_000 + n % 300 for n in range(3_000)] + [19_150] * 600
    workspace = Workspace(_records(days))

    parts = _plan(workspace, parallel=16, per_page=25)

    target = math.ceil(len(days) / 16)
    assert max(p.expected for p in parts) <= target
    assert any(p.endings for p in parts)
    assert workspace.rounds == 3  # oldest and newest; windows by day; id endings


def test_ids_that_the_endings_do_not_cover_are_cut_by_days_instead():
    days = [19_000 + n % 300 for n in range(3_000)]
    workspace = Workspace(_records(days))
    digits_only = PartitionScheme(split_alphabet="0123456789")  # hex ids end in a-f too

    parts = _plan(workspace, parallel=64, per_page=5, scheme=digits_only)

    assert not any(p.endings for p in parts)
    assert sum(p.expected for p in parts) == len(days)
    assert max(p.expected for p in parts) <= math.ceil(len(days) / 64) * 2
