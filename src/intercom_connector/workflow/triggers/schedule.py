"""When a schedule trigger fires: its slots, as instants, from a cron expression or a period.

``cron`` slots are wall-clock times in the trigger's time zone (``cron.py``). ``every``
slots are the multiples of the period since the Unix epoch (UTC), so ``every: 15m`` fires
at :00, :15, :30 and :45 whenever the server started, and a restart keeps the same slots.
Slots are whole seconds, which lets "the latest slot at or before t" be the slot before
``floor(t) + 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from intercom_connector.workflow.model import ScheduleOptions
from intercom_connector.workflow.triggers.cron import (
    Cron,
    next_after,
    parse_cron,
    previous_before,
)

MAX_COUNTED_MISSES = 10_000


@dataclass(frozen=True)
class Schedule:
    """The slots of one schedule trigger."""

    cron: Cron | None = None
    period: int | None = None
    """Seconds between slots of an ``every`` schedule."""
    zone: tzinfo = field(default=UTC)

    @property
    def spec(self) -> str:
        """A stable description: kept with the schedule's state, so an edit is noticed."""
        if self.cron is not None:
            return f"cron {self.cron.text} {getattr(self.zone, 'key', str(self.zone))}"
        return f"every {self.period}s"

    @property
    def timezone(self) -> str:
        return getattr(self.zone, "key", str(self.zone))

    def next_after(self, instant: float) -> float:
        """The first slot strictly after ``instant``."""
        if self.cron is not None:
            return next_after(self.cron, self.zone, instant)
        assert self.period is not None
        return float((math.floor(instant / self.period) + 1) * self.period)

    def previous_before(self, instant: float) -> float:
        """The last slot strictly before ``instant``."""
        if self.cron is not None:
            return previous_before(self.cron, self.zone, instant)
        assert self.period is not None
        return float((math.ceil(instant / self.period) - 1) * self.period)

    def latest_at_or_before(self, instant: float) -> float:
        return self.previous_before(math.floor(instant) + 1)

    def count_between(self, after: float, before: float) -> int:
        """Slots strictly between two instants (at most ``MAX_COUNTED_MISSES``)."""
        if before <= after:
            return 0
        if self.period is not None:
            first = math.floor(after / self.period) + 1
            last = math.ceil(before / self.period) - 1
            return max(0, min(last - first + 1, MAX_COUNTED_MISSES))
        count, slot = 0, self.next_after(after)
        while slot < before and count < MAX_COUNTED_MISSES:
            count += 1
            slot = self.next_after(slot)
        return count

    def local(self, instant: float) -> datetime:
        return datetime.fromtimestamp(instant, self.zone)


def schedule_of(options: ScheduleOptions) -> Schedule:
    """The schedule a workflow file's ``trigger: {schedule: ...}`` describes."""
    if options.cron is not None:
        zone: tzinfo = ZoneInfo(options.timezone) if options.timezone else UTC
        return Schedule(cron=parse_cron(options.cron), zone=zone)
    assert options.every is not None
    return Schedule(period=int(options.every))


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
