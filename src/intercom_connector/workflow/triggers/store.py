"""The trigger queue: every accepted notification and every fired schedule slot, durably.

Two tables in the connector's database (``connector.db``, opened by ``storage`` like the
run log and the credential store: mode 0600, WAL, schema version; ``storage.Owner`` says
whether a claiming process is alive):

- ``trigger_events``: one row per (workflow, event): a notification for each hosted
  workflow its topic matches, or one schedule slot. ``UNIQUE (workflow, event_id)`` makes a
  second delivery of the same notification id queue nothing: it only adds one to the
  row's ``duplicates`` and sets ``last_duplicate_at``, in the transaction that found the
  row already there (so the panel can show duplicates). A row is *pending* until the
  dispatcher claims it by writing the run id it is about to start (with the claiming
  process), and *finished* once that run ended. Rows are never deleted.
- ``schedule_state``: per scheduled workflow, the last slot fired (or skipped), and the
  schedule it belongs to, so an edited schedule starts afresh instead of "catching up".

Each write is one transaction committed with ``synchronous=FULL`` before anyone is told:
a notification is acknowledged only after its rows are on disk (deliveries that arrive
together share one transaction: ``group_commit``), and a schedule slot's
event row and its new state are written together, so a crash can neither lose nor repeat
a slot. Claiming a run id before the run starts is what lets a restart tell "never
started" (start it, with that id) from "started" (resume it) without ever starting twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from intercom_connector.home import database_path
from intercom_connector.storage import Owner, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS trigger_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT,
    received_at REAL NOT NULL,
    event TEXT NOT NULL,
    run_id TEXT,
    claimed_by TEXT,
    claimed_at REAL,
    finished_at REAL,
    status TEXT,
    error TEXT,
    UNIQUE (workflow, event_id)
);
CREATE INDEX IF NOT EXISTS trigger_events_open ON trigger_events (finished_at, seq);
CREATE TABLE IF NOT EXISTS schedule_state (
    workflow TEXT PRIMARY KEY,
    schedule TEXT NOT NULL,
    last_slot REAL NOT NULL,
    last_fired REAL,
    updated_at REAL NOT NULL
);
"""
DUPLICATE_COUNTS = """
ALTER TABLE trigger_events ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trigger_events ADD COLUMN last_duplicate_at REAL;
"""
MIGRATIONS = (SCHEMA, DUPLICATE_COUNTS)
"""Script ``i`` takes the ``triggers`` tables from version ``i`` to ``i + 1``."""
T = TypeVar("T")
_COLUMNS = (
    "seq, workflow, event_id, kind, topic, received_at, event, run_id, claimed_by, "
    "finished_at, status, error, duplicates, last_duplicate_at"
)


@dataclass(frozen=True)
class TriggerEvent:
    seq: int
    workflow: str
    event_id: str
    kind: str
    """webhook or schedule."""
    topic: str | None
    received_at: float
    event: dict[str, Any]
    run_id: str | None
    claimed_by: Owner | None
    finished_at: float | None
    status: str | None
    error: str | None
    duplicates: int = 0
    """Deliveries of the same notification id after the first (each acknowledged, none run)."""
    last_duplicate_at: float | None = None

    @property
    def state(self) -> str:
        """received (queued), started (claimed, running) or how its run ended (``_STATE``)."""
        if self.finished_at is not None:
            return self.status or "finished"
        return "started" if self.run_id else "received"


_STATE = (
    "CASE WHEN finished_at IS NOT NULL THEN coalesce(status, 'finished') "
    "WHEN run_id IS NOT NULL THEN 'started' ELSE 'received' END"
)
"""``TriggerEvent.state`` in SQL, for counting without reading every event's body."""


@dataclass(frozen=True)
class ScheduleState:
    schedule: str
    last_slot: float
    last_fired: float | None


def _event(row: tuple) -> TriggerEvent:
    seq, workflow, event_id, kind, topic, received, event, run_id, claimed, finished = row[:10]
    owner = Owner(**json.loads(claimed)) if claimed else None
    return TriggerEvent(
        seq,
        workflow,
        event_id,
        kind,
        topic,
        received,
        json.loads(event),
        run_id,
        owner,
        finished,
        row[10],
        row[11],
        row[12],
        row[13],
    )


def record_in(
    db: sqlite3.Connection,
    notification: dict[str, Any],
    body: str,
    workflows: Iterable[str],
    received: float,
) -> list[str]:
    """Within a transaction: queue one delivery per workflow; the workflows it was new for."""
    added = []
    for workflow in workflows:
        cursor = db.execute(
            "INSERT OR IGNORE INTO trigger_events "
            "(workflow, event_id, kind, topic, received_at, event) "
            "VALUES (?, ?, 'webhook', ?, ?, ?)",
            (workflow, notification["id"], notification["topic"], received, body),
        )
        if cursor.rowcount:
            added.append(workflow)
            continue
        db.execute(
            "UPDATE trigger_events SET duplicates = duplicates + 1, "
            "last_duplicate_at = ? WHERE workflow = ? AND event_id = ?",
            (received, workflow, notification["id"]),
        )
    return added


def claim_in(db: sqlite3.Connection, seq: int, run_id: str, owner: Owner, now: float) -> bool:
    """Within a transaction: give a pending event its run id; False if it had one."""
    cursor = db.execute(
        "UPDATE trigger_events SET run_id = ?, claimed_by = ?, claimed_at = ? "
        "WHERE seq = ? AND run_id IS NULL AND finished_at IS NULL",
        (run_id, json.dumps(vars(owner)), now, seq),
    )
    return bool(cursor.rowcount)


def finish_in(db: sqlite3.Connection, seq: int, status: str, error: str | None, now: float) -> None:
    """Within a transaction: mark an event's run ended."""
    db.execute(
        "UPDATE trigger_events SET finished_at = ?, status = ?, error = ? WHERE seq = ?",
        (now, status, error, seq),
    )


class TriggerStore:
    """The queue and the schedule state; one instance per process and thread."""

    def __init__(self, path: str | Path | None = None, *, any_thread: bool = False) -> None:
        self.path = Path(path) if path is not None else database_path()
        self._db = open_database(
            self.path,
            synchronous="FULL",
            migrations={"triggers": MIGRATIONS},
            any_thread=any_thread,
        )
        self._writers: list[TriggerStore] = []

    def writer(self) -> TriggerStore:
        """Another connection to this queue, for a thread that commits (``group_commit``).

        In WAL this store's reads never wait for that connection's commits (nor its fsync).
        It is closed with this store, by whichever thread closes it.
        """
        opened = type(self)(self.path, any_thread=True)
        self._writers.append(opened)
        return opened

    def close(self) -> None:
        for opened in self._writers:
            opened.close()
        self._db.close()

    def __enter__(self) -> TriggerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- recording ---------------------------------------------------------------------
    def record_notification(
        self,
        notification: dict[str, Any],
        body: str,
        workflows: Iterable[str],
        *,
        now: float | None = None,
    ) -> list[str]:
        """Queue ``notification`` for each workflow; the ones it was not queued for before.

        A workflow it was queued for before gets its row's duplicate count raised instead.
        """
        return self.record_notifications([(notification, body, list(workflows))], now=now)[0]

    def record_notifications(
        self,
        deliveries: list[tuple[dict[str, Any], str, list[str]]],
        *,
        now: float | None = None,
    ) -> list[list[str]]:
        """Queue several deliveries in one transaction (one fsync); per delivery, what was new
        (a repeated one raises its row's duplicate count)."""
        received = time.time() if now is None else now
        with self._transaction() as db:
            return [record_in(db, *delivery, received) for delivery in deliveries]

    def commit_together(self, writes: Sequence[Callable[[sqlite3.Connection], T]]) -> list[T]:
        """Apply ``writes`` in order in one transaction (one fsync); their results.

        If one raises, none is kept.
        """
        results = self.apply_together(writes)
        self.commit()
        return results

    def apply_together(self, writes: Sequence[Callable[[sqlite3.Connection], T]]) -> list[T]:
        """Begin a transaction and apply ``writes`` in it; ``commit`` or ``rollback`` ends it.

        ``group_commit`` applies a group on the event loop (microseconds a row) and leaves
        only ``commit``, the fsync, to its thread. If a write raises, none is kept.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            return [write(self._db) for write in writes]
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def commit(self) -> None:
        """End the transaction ``apply_together`` began, durably; if it fails, nothing is kept."""
        try:
            self._db.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def fire_slot(
        self, workflow: str, schedule: str, slot: float, event: dict[str, Any], *, now: float
    ) -> bool:
        """Queue a schedule slot and advance the state, together; False if queued before."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO trigger_events "
                "(workflow, event_id, kind, topic, received_at, event) "
                "VALUES (?, ?, 'schedule', NULL, ?, ?)",
                (workflow, f"schedule:{int(slot)}", now, json.dumps(event)),
            )
            self._set_state(db, workflow, schedule, slot, slot, now)
        return bool(cursor.rowcount)

    def skip_slot(self, workflow: str, schedule: str, slot: float, *, now: float) -> None:
        """Advance the state past a slot that did not start a run."""
        with self._transaction() as db:
            state = self._state(db, workflow)
            fired = state.last_fired if state is not None else None
            self._set_state(db, workflow, schedule, slot, fired, now)

    def start_schedule(self, workflow: str, schedule: str, slot: float, *, now: float) -> None:
        """State for a schedule seen for the first time (or edited): nothing is owed yet."""
        with self._transaction() as db:
            self._set_state(db, workflow, schedule, slot, None, now)

    @staticmethod
    def _set_state(
        db: sqlite3.Connection,
        workflow: str,
        schedule: str,
        slot: float,
        fired: float | None,
        now: float,
    ) -> None:
        db.execute(
            "INSERT INTO schedule_state (workflow, schedule, last_slot, last_fired, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (workflow) DO UPDATE SET "
            "schedule = excluded.schedule, last_slot = excluded.last_slot, "
            "last_fired = excluded.last_fired, updated_at = excluded.updated_at",
            (workflow, schedule, slot, fired, now),
        )

    @staticmethod
    def _state(db: sqlite3.Connection, workflow: str) -> ScheduleState | None:
        row = db.execute(
            "SELECT schedule, last_slot, last_fired FROM schedule_state WHERE workflow = ?",
            (workflow,),
        ).fetchone()
        return ScheduleState(*row) if row else None

    def schedule_state(self, workflow: str) -> ScheduleState | None:
        return self._state(self._db, workflow)

    # --- dispatching -------------------------------------------------------------------
    def pending(self, workflows: Iterable[str], limit: int = 100) -> list[TriggerEvent]:
        """Unclaimed events of these workflows, oldest first."""
        names = list(workflows)
        if not names:
            return []
        marks = ", ".join("?" for _ in names)
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM trigger_events WHERE finished_at IS NULL AND run_id IS NULL "
            f"AND workflow IN ({marks}) ORDER BY seq LIMIT ?",
            (*names, limit),
        ).fetchall()
        return [_event(row) for row in rows]

    def claimed_unfinished(self) -> list[TriggerEvent]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM trigger_events WHERE finished_at IS NULL "
            "AND run_id IS NOT NULL ORDER BY seq"
        ).fetchall()
        return [_event(row) for row in rows]

    def claim(self, seq: int, run_id: str, owner: Owner, *, now: float | None = None) -> bool:
        """Give a pending event its run id; False if another dispatcher claimed it first."""
        with self._transaction() as db:
            return claim_in(db, seq, run_id, owner, time.time() if now is None else now)

    def take_over(self, seq: int, owner: Owner) -> None:
        """Move a claimed event to this process (its claimer is gone)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE trigger_events SET claimed_by = ?, claimed_at = ? WHERE seq = ?",
                (json.dumps(vars(owner)), time.time(), seq),
            )

    def finish(self, seq: int, status: str, error: str | None = None) -> None:
        with self._transaction() as db:
            finish_in(db, seq, status, error, time.time())

    def busy(self, workflow: str) -> bool:
        """Whether an event of ``workflow`` is queued or its run has not finished."""
        row = self._db.execute(
            "SELECT 1 FROM trigger_events WHERE workflow = ? AND finished_at IS NULL LIMIT 1",
            (workflow,),
        ).fetchone()
        return row is not None

    def state_counts(self) -> dict[str, int]:
        """Events per state, and ``duplicate`` deliveries in all: the panel's tally."""
        counts = {"duplicate": 0}
        rows = self._db.execute(
            f"SELECT {_STATE}, count(*), sum(duplicates) FROM trigger_events GROUP BY 1"
        ).fetchall()
        for state, count, duplicates in rows:
            counts[state] = count
            counts["duplicate"] += duplicates or 0
        return counts

    def events(self, workflow: str | None = None) -> list[TriggerEvent]:
        """Every event (of one workflow), oldest first: for `serve` status and tests."""
        query = f"SELECT {_COLUMNS} FROM trigger_events"
        params: tuple[Any, ...] = ()
        if workflow is not None:
            query += " WHERE workflow = ?"
            params = (workflow,)
        rows = self._db.execute(query + " ORDER BY seq", params).fetchall()
        return [_event(row) for row in rows]
