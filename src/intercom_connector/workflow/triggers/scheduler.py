"""The scheduler: turns schedule slots into queued events, once each, never overlapping.

At every tick, for each scheduled workflow, the latest slot at or before *now* is compared
with the last slot the state has seen:

- a newer slot fires: an event goes into the queue together with the new state (one
  transaction), and the dispatcher is woken;
- if several slots passed (the server was down, the machine slept), only the latest one
  fires, once, and its event says how many were ``missed``;
- if the workflow's previous run has not finished (or its event still waits), the slot is
  skipped and logged, unless the file says ``overlap: allow``;
- a schedule seen for the first time (or edited since the state was written) owes
  nothing: it starts counting from now.

Between ticks the scheduler sleeps on its clock until the earliest next slot, so tests
drive it with a fake clock and never wait on the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from intercom_connector.workflow.triggers.clock import SchedulerClock
from intercom_connector.workflow.triggers.events import schedule_event
from intercom_connector.workflow.triggers.schedule import Schedule
from intercom_connector.workflow.triggers.store import TriggerStore

log = logging.getLogger("intercom_connector.triggers")


@dataclass(frozen=True)
class ScheduledWorkflow:
    name: str
    schedule: Schedule
    overlap: bool = False


@dataclass(frozen=True)
class Firing:
    """What a tick decided for one workflow."""

    workflow: str
    slot: float
    fired: bool
    missed: int = 0
    reason: str | None = None


class Scheduler:
    def __init__(
        self,
        store: TriggerStore,
        workflows: list[ScheduledWorkflow],
        clock: SchedulerClock,
        *,
        on_fire: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.workflows = workflows
        self.clock = clock
        self.on_fire = on_fire

    def start(self) -> None:
        """Adopt each schedule; one that is new (or was edited) owes no slot."""
        now = self.clock.now()
        for item in self.workflows:
            state = self.store.schedule_state(item.name)
            if state is None or state.schedule != item.schedule.spec:
                latest = item.schedule.latest_at_or_before(now)
                self.store.start_schedule(item.name, item.schedule.spec, latest, now=now)
                note = "new schedule" if state is None else "schedule changed"
                log.info("%s: %s, counting slots from now", item.name, note)

    def tick(self) -> list[Firing]:
        now = self.clock.now()
        firings = []
        for item in self.workflows:
            firing = self._tick_one(item, now)
            if firing is not None:
                firings.append(firing)
        if any(firing.fired for firing in firings):
            self.on_fire()
        return firings

    def _tick_one(self, item: ScheduledWorkflow, now: float) -> Firing | None:
        state = self.store.schedule_state(item.name)
        schedule = item.schedule
        slot = schedule.latest_at_or_before(now)
        if state is None or slot <= state.last_slot:
            return None
        missed = schedule.count_between(state.last_slot, slot)
        when = schedule.local(slot).isoformat()
        if not item.overlap and self.store.busy(item.name):
            self.store.skip_slot(item.name, schedule.spec, slot, now=now)
            log.warning("%s: slot %s skipped: the previous run has not finished", item.name, when)
            return Firing(item.name, slot, False, missed, "previous run still going")
        event = schedule_event(
            item.name,
            schedule,
            slot,
            fired_at=now,
            missed=missed,
            last_fired=state.last_fired,
        )
        self.store.fire_slot(item.name, schedule.spec, slot, event, now=now)
        extra = f" ({missed} missed slot{'s' if missed != 1 else ''} not run)" if missed else ""
        log.info("%s: slot %s fired%s", item.name, when, extra)
        return Firing(item.name, slot, True, missed)

    def upcoming(self) -> list[tuple[str, datetime]]:
        """Each workflow's next slot, in its time zone (for the start banner)."""
        now = self.clock.now()
        return [
            (item.name, item.schedule.local(item.schedule.next_after(now)))
            for item in self.workflows
        ]

    def next_wake(self) -> float | None:
        now = self.clock.now()
        slots = [item.schedule.next_after(now) for item in self.workflows]
        return min(slots) if slots else None

    async def run(self, stop: asyncio.Event) -> None:
        """Tick, sleep until the next slot, repeat, until ``stop`` is set."""
        self.start()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self.tick()
                wake = self.next_wake()
                if wake is None:
                    await stopping
                    return
                sleeping = asyncio.ensure_future(self.clock.sleep_until(wake))
                await asyncio.wait({sleeping, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not sleeping.done():
                    sleeping.cancel()
                    await asyncio.gather(sleeping, return_exceptions=True)
        finally:
            if not stopping.done():
                stopping.cancel()
                await asyncio.gather(stopping, return_exceptions=True)
