"""What went wrong with a SQLite file of the connector, said so that a person can fix it.

SQLite and the OS describe a broken database in their own terms ("file is not a database",
"unable to open database file", "database is locked"). Each becomes an error of the
caller's chosen class naming the file and the next step: move a corrupt file aside, wait for
the process holding the lock, fix a path that is a directory or cannot be written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intercom_connector.errors import ConnectorError


def explain(path: Path, error: sqlite3.Error) -> str:
    text = str(error)
    if path.is_dir():
        return f"{path} is a directory, not the database file; move it away or remove it"
    if "locked" in text or "busy" in text:
        return (
            f"{path} is locked by another process (waited 10 s); try again when that "
            "process has finished"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"{path} is not a readable SQLite database ({text}); move it aside "
            f"(mv {path} {path}.broken) and start again, or restore it from a backup"
        )
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return (
            f"cannot open {path} ({text}); it must be a file the connector can read and "
            "write: check its permissions and those of its directory"
        )
    return f"{path} cannot be used ({text})"


@contextmanager
def database_problems(path: Path, kind: type[ConnectorError]) -> Iterator[None]:
    """Turn SQLite's errors inside the block into ``kind`` naming ``path``."""
    try:
        yield
    except sqlite3.Error as error:
        raise kind(explain(path, error)) from None


@contextmanager
def opening_problems(path: Path, kind: type[ConnectorError]) -> Iterator[None]:
    """Turn OS errors while creating or opening ``path`` into ``kind``."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise kind(
            f"cannot create or open {path}: {reason}; its directory {path.parent} must be "
            "a directory you can write (check INTERCOM_CONNECTOR_HOME)"
        ) from None
