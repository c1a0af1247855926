"""Reading the run log and the trigger queue for the panel, from any server thread.

``RunLog`` and ``TriggerStore`` hold one SQLite connection each and are meant for one
thread, while the server answers requests from a thread pool: each read opens its own and
closes it when done (a connection kept per pool thread could never be closed, and Python
3.13 warns of every connection left to the garbage collector).
Folding a run's log is the expensive read (a run of 20,000 iterations is 80,000 events), so
the fold of a finished run is kept; a run still going is folded again at most once a second.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from intercom_connector.ui.run_tree import RunIndex
from intercom_connector.workflow.render import summary_view
from intercom_connector.workflow.runlog import STEP_FAILED, THROTTLED, RunLog, RunSummary
from intercom_connector.workflow.triggers.store import TriggerStore

_FINAL = ("succeeded", "failed", "cancelled")
_LISTED = ("config", "env", "connection")
"""Left out of the rows the pages poll: a run's config may hold a list of 20,000 items."""


def run_row(summary: RunSummary) -> dict[str, Any]:
    """A run's summary as the pages show it (``runs list --json``'s row, masked, slimmed)."""
    return {k: v for k, v in summary_view(summary).items() if k not in _LISTED}


_LIVE_REFRESH = 1.0
_CACHED_RUNS = 8


class RunReader:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[float, RunIndex]] = OrderedDict()

    @contextmanager
    def log(self) -> Iterator[RunLog]:
        with RunLog(self.path) as log:
            yield log

    @contextmanager
    def triggers(self) -> Iterator[TriggerStore]:
        with TriggerStore(self.path) as store:
            yield store

    def runs(
        self, limit: int = 100, status: str | None = None, workflow: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows of the runs list, newest first, with each run's trigger and failure count.

        ``workflow`` matches any part of the name, case aside, so the list narrows as it is typed.
        """
        with self.triggers() as store:
            triggered = {event.run_id: event for event in store.events() if event.run_id}
        with self.log() as log:
            return self._rows(log, triggered, limit, status, workflow)

    def _rows(
        self,
        log: RunLog,
        triggered: dict[str, Any],
        limit: int,
        status: str | None,
        workflow: str | None,
    ) -> list[dict[str, Any]]:
        rows = []
        for summary in log.runs(limit):
            if status and summary.status != status:
                continue
            if workflow and workflow.casefold() not in summary.workflow.casefold():
                continue
            row = run_row(summary)
            event = triggered.get(summary.run_id)
            row["trigger"] = f"{event.kind}: {event.topic or event.event_id}" if event else "manual"
            row["started_unix"] = summary.started_at
            row["failures"] = len(log.events(summary.run_id, (STEP_FAILED,)))
            rows.append(row)
        return rows

    def summary(self, run_id: str) -> RunSummary:
        with self.log() as log:
            return log.summary(log.resolve_id(run_id))

    def index(self, run_id: str) -> RunIndex:
        summary = self.summary(run_id)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(summary.run_id)
        if cached is not None:
            built_at, index = cached
            same = (index.summary.status, index.summary.attempts) == (
                summary.status,
                summary.attempts,
            )
            if same and (summary.status in _FINAL or now - built_at < _LIVE_REFRESH):
                return index
        with self.log() as log:
            throttles = log.events(summary.run_id, (THROTTLED,))
            index = RunIndex.build(summary, log.steps(summary.run_id), throttles)
        with self._lock:
            self._cache[summary.run_id] = (now, index)
            self._cache.move_to_end(summary.run_id)
            while len(self._cache) > _CACHED_RUNS:
                self._cache.popitem(last=False)
        return index

    def deliveries(self, limit: int = 200) -> list[dict[str, Any]]:
        """The `serve` queue, newest first: each delivery's state and the run it started."""
        rows = []
        with self.triggers() as store:
            events = store.events()[-limit:]
        for event in reversed(events):
            rows.append(
                {
                    "seq": event.seq,
                    "workflow": event.workflow,
                    "event_id": event.event_id,
                    "kind": event.kind,
                    "topic": event.topic,
                    "received_at": event.received_at,
                    "state": event.state,
                    "run_id": event.run_id,
                    "error": event.error,
                    "duplicates": event.duplicates,
                    "last_duplicate_at": event.last_duplicate_at,
                }
            )
        return rows

    def delivery_counts(self) -> dict[str, int]:
        """How many deliveries are in each state, duplicates included (the whole queue)."""
        with self.triggers() as store:
            return store.state_counts()
