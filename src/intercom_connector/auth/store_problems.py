"""The credential store's own words for a database it cannot use, and for a damaged entry.

``storage.open_database`` explains a database that cannot be opened; inside a transaction,
SQLite's errors are explained the same way (``database_problems``). Here both become
``StoreUnusable``, an authentication error (exit 3: without the store there is no token),
and a row whose columns cannot be read becomes ``DamagedEntry`` naming the authentication.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intercom_connector.auth.errors import AuthError
from intercom_connector.database_problems import explain
from intercom_connector.storage import DatabaseUnusable


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


@contextmanager
def store_problems(path: Path) -> Iterator[None]:
    """Any failure of the store's database inside the block, as a ``StoreUnusable``."""
    try:
        yield
    except DatabaseUnusable as error:
        raise StoreUnusable(str(error)) from None
    except sqlite3.Error as error:
        raise StoreUnusable(explain(path, error)) from None
