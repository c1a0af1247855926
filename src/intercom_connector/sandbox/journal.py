"""A sandbox workspace that survives restarts: its writes, journaled in SQLite and replayed.

Every write the API accepts (any method but GET, answered below 400) is appended to the
file, with the sandbox-clock instant it ran at, before the reply leaves. On start the
workspace is seeded from the config and the journal is replayed through the same handlers
on a clock set to each entry's instant; seeding and ids are deterministic, so the replay
rebuilds the very objects (same ids, same timestamps) the first process held. This covers
hand-written resources and generic collections alike without serialising either.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed entry survives the process
being killed (``kill -9``); a power cut may lose the last few, never corrupt the file. The
journal remembers the data config (seed, sizes) it was made with and refuses another, since
a replay over different seed data would rebuild different objects.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .config import ManualClock, SandboxConfig
from .replies import ApiError
from .state import SandboxState

logger = logging.getLogger(__name__)

_DATA_FIELDS = (
    "seed",
    "contacts",
    "companies",
    "conversations",
    "admins",
    "teams",
    "tags",
    "notes",
    "events",
    "seed_epoch",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS writes (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    version TEXT NOT NULL,
    body BLOB NOT NULL
);
"""


class JournalMismatch(ValueError):
    """The state file was made from other seed data than the config asks for."""


@dataclass(frozen=True)
class Write:
    at: float
    method: str
    path: str
    query: str
    version: str
    body: bytes


def data_config(config: SandboxConfig) -> str:
    return json.dumps({name: getattr(config, name) for name in _DATA_FIELDS}, sort_keys=True)


class StateJournal:
    def __init__(self, path: Path, config: SandboxConfig) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        wanted = data_config(config)
        row = self._db.execute("SELECT value FROM meta WHERE key = 'data_config'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta VALUES ('data_config', ?)", (wanted,))
        elif row[0] != wanted:
            self._db.close()
            raise JournalMismatch(
                f"{path} keeps a workspace seeded with {row[0]}; this sandbox asks for "
                f"{wanted}: use the same seed and sizes, or another state file"
            )

    def append(self, write: Write) -> None:
        self._db.execute(
            "INSERT INTO writes (at, method, path, query, version, body) VALUES (?,?,?,?,?,?)",
            (write.at, write.method, write.path, write.query, write.version, write.body),
        )

    def writes(self) -> Iterator[Write]:
        rows = self._db.execute(
            "SELECT at, method, path, query, version, body FROM writes ORDER BY seq"
        )
        for at, method, path, query, version, body in rows.fetchall():
            yield Write(float(at), str(method), str(path), str(query), str(version), bytes(body))

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM writes").fetchone()[0])

    def clear(self) -> None:
        self._db.execute("DELETE FROM writes")

    def close(self) -> None:
        self._db.close()


def journaled(method: str, status: int) -> bool:
    """Whether a handled request changed the workspace and must be kept."""
    return method != "GET" and status < 400


def replay(journal: StateJournal, state: SandboxState, apply: Callable[[Write], None]) -> None:
    """Apply every journaled write to ``state``, each on a clock set to when it first ran.

    A write that no longer applies (it cannot, with the same seed, unless the sandbox's
    rules changed between versions) is logged and skipped rather than failing the start.
    """
    clock = ManualClock()
    live = state.config
    state.config = replace(live, clock=clock)
    try:
        for write in journal.writes():
            clock.set(write.at)
            try:
                apply(write)
            except ApiError as error:
                logger.warning(
                    "journaled %s %s no longer applies: %s", write.method, write.path, error
                )
    finally:
        state.config = live
