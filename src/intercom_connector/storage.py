"""Every SQLite database of the project is opened here, the same way.

The run log, the trigger queue and the credential store share the connector's database
(``connector.db``). ``open_database`` creates the file with mode 0600 before SQLite opens
it (so there is no moment when another user could read it), turns on WAL (readers such as
``runs show`` never block the writer) and applies each component's schema migrations in
order, recording the version reached in ``schema_versions``. A database written by a newer
version of the connector is refused rather than misread.

``synchronous`` is the caller's promise: ``NORMAL`` survives a killed process (what resume
is for; only a power cut can lose the last commits), ``FULL`` survives a power cut too (the
trigger queue acknowledges webhooks only once they are on disk).

``Owner`` is the one rule for "is the process that owns this row alive": the same host, a
process with that pid, and, where the system tells it, the same process start time (so a
pid reused by an unrelated process does not pass for the owner). A process on another host
cannot be checked and counts as alive: nothing is ever taken over from a machine we cannot
see.
"""

from __future__ import annotations

import base64
import os
import socket
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intercom_connector.database_problems import database_problems, opening_problems
from intercom_connector.errors import ConnectorError

Migration = str
"""A script of SQL statements that moves a component's schema one version up."""


class DatabaseUnusable(ConnectorError):
    """A connector database that cannot be opened as it is: corrupt, locked, a directory, in
    a directory that cannot be written. The message names the file and what to do."""


class SchemaTooNew(DatabaseUnusable, RuntimeError):
    """The database was written by a newer connector; this one cannot read it safely."""


def open_database(
    path: Path,
    *,
    synchronous: str = "NORMAL",
    migrations: dict[str, Sequence[Migration]] | None = None,
    timeout: float = 10.0,
    any_thread: bool = False,
) -> sqlite3.Connection:
    """Open (creating with mode 0600) a connector database, migrated; the caller closes it.

    ``any_thread`` lets a connection that one worker thread uses be closed by another.

    ``migrations`` maps a component name (``runlog``, ``triggers``, ``auth``) to its
    scripts: script ``i`` takes the component from version ``i`` to ``i + 1``. The
    connection is in autocommit mode (``isolation_level=None``): transactions are explicit.
    """
    # SQLite's and the OS's own words ("file is not a database") become one clear message
    with database_problems(path, DatabaseUnusable), opening_problems(path, DatabaseUnusable):
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with suppress(FileExistsError):  # a concurrent process made it, with the same mode
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        connection = sqlite3.connect(path, timeout=timeout, check_same_thread=not any_thread)
        try:
            connection.isolation_level = None
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(f"PRAGMA synchronous={_synchronous(synchronous)}")
            for component, scripts in (migrations or {}).items():
                migrate(connection, component, scripts)
        except BaseException:
            connection.close()  # a database refused here is not left open behind the error
            raise
        return connection


def _synchronous(level: str) -> str:
    if level.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"unknown synchronous level {level!r}")
    return level.upper()


def schema_version(connection: sqlite3.Connection, component: str) -> int:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_versions "
        "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    row = connection.execute(
        "SELECT version FROM schema_versions WHERE component = ?", (component,)
    ).fetchone()
    return int(row[0]) if row else 0


def migrate(connection: sqlite3.Connection, component: str, scripts: Sequence[Migration]) -> int:
    """Bring ``component`` to ``len(scripts)``; each step commits with its version."""
    current = schema_version(connection, component)
    if current > len(scripts):
        raise SchemaTooNew(
            f"the {component} tables of this database are at version {current}, newer than "
            f"this connector knows ({len(scripts)}); upgrade intercom-connector"
        )
    while current < len(scripts):
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = schema_version(connection, component)
            if current < len(scripts):
                for statement in _statements(scripts[current]):
                    connection.execute(statement)
                current += 1
                connection.execute(
                    "INSERT OR REPLACE INTO schema_versions (component, version) VALUES (?, ?)",
                    (component, current),
                )
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    return current


def _statements(script: str) -> list[str]:
    """A script split into statements (executescript would commit on its own)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


SEALED_COLUMNS = (
    ("workflow_run_events", "seq", "data"),
    ("workflow_run_meta", "key", "value"),
)
"""Columns holding Fernet tokens as raw bytes (the run log's sealed history)."""


def reseal(connection: sqlite3.Connection, rotate: Callable[[bytes], bytes]) -> int:
    """Re-seal every sealed value under the newest key, inside the caller's transaction.

    ``rotate`` takes and returns a Fernet token (``MultiFernet.rotate``); rows written
    before sealing existed (JSON text) are left as they are. Returns how many were resealed.
    """
    count = 0
    for table, key, column in SEALED_COLUMNS:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if exists is None:
            continue
        rows = connection.execute(
            f"SELECT {key}, {column} FROM {table} WHERE typeof({column}) = 'blob'"
        ).fetchall()
        for row_key, sealed in rows:
            token = rotate(base64.urlsafe_b64encode(sealed))
            connection.execute(
                f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                (base64.urlsafe_b64decode(token), row_key),
            )
        count += len(rows)
    return count


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), or None if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat.rsplit(b")", 1)[-1].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


@dataclass(frozen=True)
class Owner:
    """The process that owns a run or a claimed event."""

    pid: int
    host: str
    started: int | None = None
    """Start time of the process (clock ticks since boot), where the system tells it."""

    @classmethod
    def me(cls) -> Owner:
        pid = os.getpid()
        return cls(pid, socket.gethostname(), _start_time(pid))

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> Owner | None:
        if not record or not record.get("pid"):
            return None
        started = record.get("started")
        return cls(int(record["pid"]), str(record.get("host") or ""), started)

    def record(self) -> dict[str, Any]:
        return {"pid": self.pid, "host": self.host, "started": self.started}

    def alive(self) -> bool:
        if self.host != socket.gethostname():
            return True  # cannot tell: never take over another machine's work
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # someone else's process: it exists
        if self.started is None:
            return True
        now = _start_time(self.pid)
        return now is None or now == self.started
