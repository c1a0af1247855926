"""What went wrong with the credential store's file, said so that a person can fix it.

SQLite and the OS describe a broken store in their own terms ("file is not a database",
"unable to open database file", a JSONDecodeError from a damaged row). Each becomes a
``StoreUnusable`` naming the file and the next step: move a corrupt file aside, wait for the
process holding the lock, fix a path that is a directory, repair or remove a damaged entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intercom_connector.auth.errors import AuthError


class StoreUnusable(AuthError):
    """The credential store's database cannot be used as it is; the message says why."""


class DamagedEntry(StoreUnusable):
    """One stored authentication has a column that cannot be read."""

    def __init__(self, path: Path, name: str, column: str) -> None:
        self.name = name
        super().__init__(
            f"authentication {name!r} in {path} is damaged ({column} cannot be read); "
            f"remove it with `intercom-connector auth remove {name}` and add it again"
        )


def _explain(path: Path, error: sqlite3.Error) -> str:
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
            f"(mv {path} {path}.broken) and add the authentications again, or restore it "
            "from a backup"
        )
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return (
            f"cannot open {path} ({text}); it must be a file the connector can read and "
            "write: check its permissions and those of its directory"
        )
    return f"{path} cannot be used ({text})"


@contextmanager
def database_problems(path: Path) -> Iterator[None]:
    """Turn SQLite's errors inside the block into a ``StoreUnusable`` naming ``path``."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreUnusable(_explain(path, error)) from None


@contextmanager
def opening_problems(path: Path) -> Iterator[None]:
    """Turn OS errors while creating or opening ``path`` into a ``StoreUnusable``."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StoreUnusable(
            f"cannot create or open {path}: {reason}; its directory {path.parent} must be "
            "a directory you can write (check INTERCOM_CONNECTOR_HOME)"
        ) from None
