"""The scheduler's clock, injectable: the system's, or one that tests move by hand.

``sleep_until`` takes an instant rather than a duration so that the system clock can wake
in short stretches and notice a wall-clock jump (a suspended laptop, an NTP step) instead
of oversleeping a slot; the fake clock wakes sleepers only when a test moves it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class SchedulerClock(Protocol):
    def now(self) -> float: ...

    async def sleep_until(self, when: float) -> None: ...


class SystemClock:
    max_nap: float = 30.0

    def now(self) -> float:
        return time.time()

    async def sleep_until(self, when: float) -> None:
        while (left := when - time.time()) > 0:
            await asyncio.sleep(min(left, self.max_nap))


class FakeClock:
    """A clock that moves only when told to; sleepers wake when it passes their instant."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = float(start)
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self.naps = 0
        """How many times something went to sleep on this clock (tests wait on it)."""

    def now(self) -> float:
        return self._now

    async def sleep_until(self, when: float) -> None:
        if when <= self._now:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (when, future)
        self._sleepers.append(entry)
        self.naps += 1
        try:
            await future
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)

    def set(self, when: float) -> None:
        self._now = float(when)
        for deadline, future in list(self._sleepers):
            if deadline <= self._now and not future.done():
                future.set_result(None)

    def advance(self, seconds: float) -> None:
        self.set(self._now + seconds)

    async def wait_for_naps(self, count: int, timeout: float = 5.0) -> None:
        """Return once ``naps`` reached ``count`` (the sleeper is idle again)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.naps < count:
            if loop.time() > deadline:
                raise TimeoutError(f"nothing slept {count} times on the fake clock")
            await asyncio.sleep(0.001)
