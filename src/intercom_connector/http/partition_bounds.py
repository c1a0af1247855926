"""Partitions of a search: whole-day `created_at` windows (optionally cut by id ending),
the query that selects one, and the filter that passes each record once.

Windows are written so that Intercom's two readings of a date filter, by calendar day in the
workspace's time zone (contacts) or by the second (other resources), cut the same line: the
lower bound is ``created_at > P OR created_at = P``, the upper ``created_at < Q``, with P and
Q at noon UTC of their day, which lands on the same calendar day in every time zone. The
partitioned listing that uses them is in ``partitioned.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DAY",
    "NOON",
    "ChangedRecords",
    "Partition",
    "PartitionScheme",
    "PartitioningUnavailable",
    "compose_query",
]

DAY = 86_400
NOON = DAY // 2
MAX_FILTERS_PER_GROUP = 15


class PartitioningUnavailable(Exception):
    """The search cannot be cut into partitions (its query is nested too deeply)."""


@dataclass(frozen=True)
class PartitionScheme:
    """How a resource's search can be cut: an immutable date field for the windows, and a
    field whose last character cuts a busy day (None: busy days stay whole)."""

    field: str = "created_at"
    split_field: str | None = "id"
    split_alphabet: str = "0123456789abcdef"


def _point(day: int) -> int:
    return day * DAY + NOON


def _date(day: int) -> str:
    return dt.datetime.fromtimestamp(day * DAY, dt.UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Partition:
    """Days ``[low, high)`` (unix day numbers; None: open) and optionally id endings."""

    low: int | None
    high: int | None
    endings: tuple[str, ...] = ()
    expected: int = 0

    def filters(self, scheme: PartitionScheme) -> list[dict[str, Any]]:
        """The window as search groups (each a group of plain filters; see compose_query)."""
        name = scheme.field
        groups: list[dict[str, Any]] = []
        plain: list[dict[str, Any]] = []
        if self.low is not None:
            point = _point(self.low)
            groups.append(
                {
                    "operator": "OR",
                    "value": [
                        {"field": name, "operator": ">", "value": point},
                        {"field": name, "operator": "=", "value": point},
                    ],
                }
            )
        if self.high is not None:
            plain.append({"field": name, "operator": "<", "value": _point(self.high)})
        if self.endings and scheme.split_field:
            ends = [
                {"field": scheme.split_field, "operator": "$", "value": e} for e in self.endings
            ]
            if len(ends) == 1:
                plain.extend(ends)
            else:
                groups.append({"operator": "OR", "value": ends})
        if plain:
            groups.append({"operator": "AND", "value": plain})
        return groups

    def describe(self, scheme: PartitionScheme) -> str:
        low = "the start" if self.low is None else _date(self.low)
        high = "now" if self.high is None else _date(self.high - 1)
        text = f"{scheme.field} {low} to {high}"
        if self.endings:
            text += f", {scheme.split_field} ending in {'/'.join(self.endings)}"
        return text


def _is_group(node: Any) -> bool:
    return isinstance(node, Mapping) and "field" not in node


def compose_query(base: Any, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """``base AND groups`` as Intercom's schema allows it: a group holds either filters or
    groups, never both, at most two levels deep and 15 items each. So the result is an AND
    of groups of plain filters: the base's own groups, or the base wrapped as one."""
    children: list[Any] = []
    if base is not None:
        inner = base.get("value") if _is_group(base) else None
        if _is_group(base) and base.get("operator") == "AND" and isinstance(inner, list):
            children = list(inner) if all(_is_group(child) for child in inner) else [base]
        else:
            children = [base if _is_group(base) else {"operator": "AND", "value": [base]}]
    for child in children:
        if any(_is_group(grandchild) for grandchild in child.get("value") or []):
            raise PartitioningUnavailable(
                "the query already uses two levels of groups, the most Intercom allows"
            )
    children += groups
    if len(children) > MAX_FILTERS_PER_GROUP:
        raise PartitioningUnavailable(
            f"the query has too many groups to add partition bounds "
            f"(Intercom allows {MAX_FILTERS_PER_GROUP} per group)"
        )
    if len(children) == 1:
        return dict(children[0])
    return {"operator": "AND", "value": children}


class ChangedRecords:
    """Passes each record once, remembering only ids of records changed since ``since``."""

    def __init__(self, since: float, field: str = "updated_at") -> None:
        self.since = since
        self.field = field
        self.ids: set[Any] = set()

    def admit(self, records: Iterable[Any]) -> list[Any]:
        kept = []
        for record in records:
            changed = record.get(self.field) if isinstance(record, Mapping) else None
            if isinstance(changed, int | float) and changed >= self.since:
                key = record.get("id")
                if key in self.ids:
                    continue
                self.ids.add(key)
            kept.append(record)
        return kept
