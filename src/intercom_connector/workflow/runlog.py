"""The run log: an append-only table of events, the source of truth for every run.

One row per event (run started / resumed / finished; step started / finished / failed; a
timer started; a warning), in the connector's SQLite database next to the credentials. A
row is committed before the run moves on, so a process killed at any instant leaves a log
that says exactly which steps finished; WAL keeps readers (``runs show`` while a run goes,
or a test watching one) from blocking the writer. ``synchronous=NORMAL`` is durable against
a killed process, which is what resume is for; only a power cut can lose the last commits.

Nothing is ever updated: a run's status, the debug view and a resume are all folds over its
events (``summary``, ``steps``).
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intercom_connector.auth.store import open_database
from intercom_connector.errors import UsageError
from intercom_connector.home import database_path
from intercom_connector.workflow.references import MISSING

SCHEMA = """
CREATE TABLE IF NOT EXISTS workflow_run_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    at REAL NOT NULL,
    type TEXT NOT NULL,
    key TEXT,
    step_id TEXT,
    kind TEXT,
    data TEXT
);
CREATE INDEX IF NOT EXISTS workflow_run_events_by_run ON workflow_run_events (run_id, seq);
CREATE INDEX IF NOT EXISTS workflow_run_events_by_type ON workflow_run_events (type, seq);
"""

RUN_STARTED = "run_started"
RUN_RESUMED = "run_resumed"
RUN_FINISHED = "run_finished"
STEP_STARTED = "step_started"
STEP_FINISHED = "step_finished"
STEP_FAILED = "step_failed"
TIMER_STARTED = "timer_started"
WARNING = "warning"


class RunNotFound(UsageError):
    """No run matches the given id."""

    label = "unknown run"


@dataclass(frozen=True)
class Event:
    seq: int
    run_id: str
    at: float
    type: str
    key: str | None
    step_id: str | None
    kind: str | None
    data: Any


@dataclass
class RunSummary:
    run_id: str
    workflow: str
    file: str | None
    status: str
    """running, interrupted (its process is gone), succeeded or failed."""
    started_at: float
    finished_at: float | None
    error: str | None
    attempts: int
    steps_finished: int
    start: dict[str, Any] = field(repr=False, default_factory=dict)
    """The run_started event's data: definition, config, env and connection."""

    @property
    def duration(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at


@dataclass
class StepRecord:
    """One step execution (one key), folded from its events."""

    key: str
    step_id: str
    kind: str
    status: str = "started"
    input: Any = None
    output: Any = None
    error: str | None = None
    started_at: float = 0.0
    finished_at: float | None = None
    attempts: int = 0
    timer_until: float | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_ms(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at) * 1000


def _encode(value: Any) -> str:
    return json.dumps(value, default=_fallback, ensure_ascii=False, separators=(",", ":"))


def _fallback(value: Any) -> Any:
    if value is MISSING:
        return "<nothing matched>"
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _process_alive(pid: int | None, host: str | None) -> bool:
    if not pid or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLog:
    """Append events and read runs back; one instance per process and thread."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else database_path()
        self._db = open_database(self.path)
        self._db.isolation_level = None  # every INSERT commits on its own
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------
    def append(
        self,
        run_id: str,
        type: str,
        *,
        key: str | None = None,
        step_id: str | None = None,
        kind: str | None = None,
        data: Any = None,
        at: float | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO workflow_run_events (run_id, at, type, key, step_id, kind, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                time.time() if at is None else at,
                type,
                key,
                step_id,
                kind,
                None if data is None else _encode(data),
            ),
        )

    # --- reading ---------------------------------------------------------------------
    def events(self, run_id: str, types: tuple[str, ...] | None = None) -> list[Event]:
        query = (
            "SELECT seq, run_id, at, type, key, step_id, kind, data FROM workflow_run_events "
            "WHERE run_id = ?"
        )
        params: list[Any] = [run_id]
        if types:
            query += f" AND type IN ({', '.join('?' for _ in types)})"
            params.extend(types)
        rows = self._db.execute(query + " ORDER BY seq", params).fetchall()
        return [_event(row) for row in rows]

    def resolve_id(self, text: str) -> str:
        """A run id from its full form, a unique prefix, or ``last``."""
        if text in ("last", "latest"):
            row = self._db.execute(
                "SELECT run_id FROM workflow_run_events WHERE type = ? ORDER BY seq DESC LIMIT 1",
                (RUN_STARTED,),
            ).fetchone()
            if row is None:
                raise RunNotFound("no workflow has run yet")
            return str(row[0])
        rows = self._db.execute(
            "SELECT run_id FROM workflow_run_events WHERE type = ? AND substr(run_id, 1, ?) = ? "
            "ORDER BY seq DESC LIMIT 5",
            (RUN_STARTED, len(text), text),
        ).fetchall()
        matches = [row[0] for row in rows]
        if text in matches:
            return text
        if len(matches) == 1:
            return str(matches[0])
        if not matches:
            raise RunNotFound(f"no run {text!r}; see `intercom-connector runs list`")
        raise RunNotFound(f"{text!r} matches several runs: {', '.join(matches)}")

    def runs(self, limit: int = 20) -> list[RunSummary]:
        rows = self._db.execute(
            "SELECT run_id FROM workflow_run_events WHERE type = ? ORDER BY seq DESC LIMIT ?",
            (RUN_STARTED, limit),
        ).fetchall()
        return [self.summary(row[0]) for row in rows]

    def summary(self, run_id: str) -> RunSummary:
        lifecycle = self.events(run_id, (RUN_STARTED, RUN_RESUMED, RUN_FINISHED))
        if not lifecycle or lifecycle[0].type != RUN_STARTED:
            raise RunNotFound(f"no run {run_id!r}; see `intercom-connector runs list`")
        start = lifecycle[0].data or {}
        attempts = [e for e in lifecycle if e.type in (RUN_STARTED, RUN_RESUMED)]
        last = lifecycle[-1]
        (finished,) = self._db.execute(
            "SELECT COUNT(*) FROM workflow_run_events WHERE run_id = ? AND type = ?",
            (run_id, STEP_FINISHED),
        ).fetchone()
        if last.type == RUN_FINISHED:
            status = str(last.data.get("status", "failed"))
            error, finished_at = last.data.get("error"), last.at
        else:
            latest = attempts[-1].data or {}
            alive = _process_alive(latest.get("pid"), latest.get("host"))
            status, error, finished_at = ("running" if alive else "interrupted"), None, None
        return RunSummary(
            run_id=run_id,
            workflow=str(start.get("workflow", "?")),
            file=start.get("file"),
            status=status,
            started_at=lifecycle[0].at,
            finished_at=finished_at,
            error=error,
            attempts=len(attempts),
            steps_finished=int(finished),
            start=start,
        )

    def steps(self, run_id: str) -> list[StepRecord]:
        """Every step execution of the run in the order it first started, latest state each."""
        records: dict[str, StepRecord] = {}
        step_events = (STEP_STARTED, STEP_FINISHED, STEP_FAILED, TIMER_STARTED, WARNING)
        for event in self.events(run_id, step_events):
            if event.key is None:
                continue
            record = records.get(event.key)
            if record is None:
                record = StepRecord(event.key, event.step_id or "", event.kind or "")
                records[event.key] = record
            data = event.data
            if event.type == STEP_STARTED:
                record.status, record.input, record.started_at = "started", data, event.at
                record.attempts += 1
                record.error, record.finished_at = None, None
            elif event.type == STEP_FINISHED:
                record.status, record.output, record.finished_at = "finished", data, event.at
            elif event.type == STEP_FAILED:
                record.status, record.finished_at = "failed", event.at
                record.error = str((data or {}).get("error"))
            elif event.type == TIMER_STARTED:
                record.timer_until = float(data["until"])
            elif event.type == WARNING:
                record.warnings.append(str(data.get("message")))
        return list(records.values())


def _event(row: tuple) -> Event:
    seq, run_id, at, type_, key, step_id, kind, data = row
    return Event(
        seq, run_id, at, type_, key, step_id, kind, None if data is None else json.loads(data)
    )
