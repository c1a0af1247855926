"""The run log: an append-only table of events, the source of truth for every run.

One row per event (run started / resumed / finished; step started / finished / failed; a
timer started; a warning) in the connector's SQLite database next to the credentials,
opened by ``storage.open_database`` (WAL, schema migrations). Each event's data is what the
step saw and produced, exactly, sealed with the store's key (``sealing.py``): resume
replays it bit for bit, and the file shows no customer data. Masking happens only where a
run is shown (``render.py``, through ``intercom_connector.redaction``).

Events are written in groups (group commit): a transaction holds up to ``batch`` events
or ``batch_seconds`` of them. The crash promise, for a process killed at any instant:

- lost are at most the events appended since the last commit, which are only ever
  step boundaries of steps with no effect outside the run (reads, maps, conditions) or
  the finish of a write, never the start of one;
- run starts, resumes and finishes, timers, and the start of every operation that is not
  retry-safe commit before the run moves on (``flush``), so after a crash the log always
  knows that a write may have been sent; the engine then settles it (looks the record up)
  instead of sending it again blindly. A lost finish costs a repeated read or a
  settlement lookup, never a duplicate.

``synchronous=NORMAL`` is durable against a killed process, which is what resume is for;
only a power cut can lose the last commits.

Nothing is ever updated: a run's status, the debug view and a resume are all folds over its
events (``summary``, ``steps``).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intercom_connector.auth.crypto import KeyRing, load_keys
from intercom_connector.errors import UsageError
from intercom_connector.home import database_path
from intercom_connector.redaction import Redactor
from intercom_connector.storage import Owner, open_database
from intercom_connector.workflow.loop_items import restore_items
from intercom_connector.workflow.sealing import Sealer

MIGRATIONS = (
    """
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
    """,
    # Version 2: data is sealed (a BLOB); rows of version 1 keep their JSON text and are
    # read as such. The key check proves the key before anything is sealed with it.
    # ``auth rotate-key`` re-seals both (``storage.SEALED_COLUMNS``).
    """
    CREATE TABLE IF NOT EXISTS workflow_run_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    """,
)

RUN_STARTED = "run_started"
RUN_RESUMED = "run_resumed"
RUN_FINISHED = "run_finished"
STEP_STARTED = "step_started"
STEP_FINISHED = "step_finished"
STEP_FAILED = "step_failed"
TIMER_STARTED = "timer_started"
WARNING = "warning"
THROTTLED = "throttled"
"""A call waited ``seconds`` for the client's rate limiter (a second or more); not folded."""
SECRETS_KEY = "redact"
"""Where run_started and run_resumed keep the values to mask when the run is shown."""


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
    """running, interrupted (its process is gone), detached (a Temporal run no process here
    follows: Temporal knows how it stands, `temporal sync` brings the log up to date),
    succeeded or failed."""
    started_at: float
    finished_at: float | None
    error: str | None
    attempts: int
    steps_finished: int
    start: dict[str, Any] = field(repr=False, default_factory=dict)
    """The run_started event's data: definition, config, env and connection."""
    secrets: list[str] = field(repr=False, default_factory=list)
    """Values every display of this run masks (the tokens it ran with; kept sealed)."""

    @property
    def redactor(self) -> Redactor:
        """What shows this run masks with: its secrets, secret-looking keys, Bearer values."""
        return Redactor(self.secrets)

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
    maybe_applied: bool = False
    """The step failed after its write may have reached Intercom (settle before resending)."""

    @property
    def duration_ms(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at) * 1000


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


class RunLog:
    """Append events and read runs back; one instance per process and thread.

    ``keys`` defaults to the store's key ring (``INTERCOM_CONNECTOR_KEY`` or the key file
    next to the database), loaded when the first payload is sealed or opened.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        keys: KeyRing | None = None,
        batch: int = 100,
        batch_seconds: float = 0.2,
    ) -> None:
        self.path = Path(path) if path is not None else database_path()
        self._db = open_database(self.path, migrations={"runlog": MIGRATIONS})
        self._keys = keys
        self._sealer: Sealer | None = None
        self.batch = batch
        self.batch_seconds = batch_seconds
        self._pending: list[tuple[Any, ...]] = []
        self._oldest = 0.0

    def close(self) -> None:
        self.flush()
        self._db.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def sealer(self) -> Sealer:
        """The store's sealer, after proving its key opens what the log already holds."""
        if self._sealer is None:
            found = self._db.execute(
                "SELECT value FROM workflow_run_meta WHERE key = 'key_check'"
            ).fetchone()
            ring = self._keys or load_keys(self.path.parent, create=found is None)
            sealer = Sealer(ring)
            if found is not None:
                sealer.verify(found[0])
            else:
                self._db.execute(
                    "INSERT OR IGNORE INTO workflow_run_meta (key, value) VALUES ('key_check', ?)",
                    (sealer.key_check(),),
                )
            self._sealer = sealer
        return self._sealer

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
        durable: bool = False,
    ) -> None:
        """Queue one event; ``durable`` commits it (and everything before it) now."""
        now = time.time() if at is None else at
        sealed = None if data is None else self.sealer.seal(data)
        if not self._pending:
            self._oldest = time.monotonic()
        self._pending.append((run_id, now, type, key, step_id, kind, sealed))
        if (
            durable
            or len(self._pending) >= self.batch
            or time.monotonic() - self._oldest >= self.batch_seconds
        ):
            self.flush()

    def flush(self) -> None:
        """Commit every queued event in one transaction."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT INTO workflow_run_events (run_id, at, type, key, step_id, kind, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            self._pending = rows + self._pending
            raise
        self._db.execute("COMMIT")

    def _open(self, data: Any) -> Any:
        if data is None:
            return None
        if isinstance(data, str):  # a row of schema version 1: JSON text
            return json.loads(data)
        return self.sealer.open(data)

    # --- reading ---------------------------------------------------------------------
    def events(self, run_id: str, types: tuple[str, ...] | None = None) -> list[Event]:
        self.flush()
        query = (
            "SELECT seq, run_id, at, type, key, step_id, kind, data FROM workflow_run_events "
            "WHERE run_id = ?"
        )
        params: list[Any] = [run_id]
        if types:
            query += f" AND type IN ({', '.join('?' for _ in types)})"
            params.extend(types)
        rows = self._db.execute(query + " ORDER BY seq", params).fetchall()
        return [
            Event(seq, run, at, type_, key, step_id, kind, self._open(data))
            for seq, run, at, type_, key, step_id, kind, data in rows
        ]

    def resolve_id(self, text: str) -> str:
        """A run id from its full form, a unique prefix, or ``last``."""
        self.flush()
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
        self.flush()
        rows = self._db.execute(
            "SELECT run_id FROM workflow_run_events WHERE type = ? ORDER BY seq DESC LIMIT ?",
            (RUN_STARTED, limit),
        ).fetchall()
        return [self.summary(row[0]) for row in rows]

    def summary(self, run_id: str) -> RunSummary:
        lifecycle = self.events(run_id, (RUN_STARTED, RUN_RESUMED, RUN_FINISHED))
        if not lifecycle or lifecycle[0].type != RUN_STARTED:
            raise RunNotFound(f"no run {run_id!r}; see `intercom-connector runs list`")
        start = dict(lifecycle[0].data or {})
        attempts = [e for e in lifecycle if e.type in (RUN_STARTED, RUN_RESUMED)]
        secrets = [s for e in attempts for s in (e.data or {}).get(SECRETS_KEY) or ()]
        start.pop(SECRETS_KEY, None)
        last = lifecycle[-1]
        (finished,) = self._db.execute(
            "SELECT COUNT(*) FROM workflow_run_events WHERE run_id = ? AND type = ?",
            (run_id, STEP_FINISHED),
        ).fetchone()
        if last.type == RUN_FINISHED:
            status = str(last.data.get("status", "failed"))
            error, finished_at = last.data.get("error"), last.at
        else:
            owner = Owner.from_record(attempts[-1].data)
            alive = owner is not None and owner.alive()
            on_temporal = (start.get("connection") or {}).get("engine") == "temporal"
            gone = "detached" if on_temporal else "interrupted"
            status, error, finished_at = ("running" if alive else gone), None, None
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
            secrets=secrets,
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
                record.maybe_applied = False
            elif event.type == STEP_FINISHED:
                record.status, record.output, record.finished_at = "finished", data, event.at
            elif event.type == STEP_FAILED:
                record.status, record.finished_at = "failed", event.at
                record.error = str((data or {}).get("error"))
                record.maybe_applied = bool((data or {}).get("maybe_applied"))
            elif event.type == TIMER_STARTED:
                record.timer_until = float(data["until"])
            elif event.type == WARNING:
                record.warnings.append(str(data.get("message")))
        restore_items(records)
        return list(records.values())
