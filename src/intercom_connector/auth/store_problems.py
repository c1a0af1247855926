"""The credential store's own words for a database it cannot use, and for a damaged entry.

The explanations are ``intercom_connector.database_problems``'s; here they become
``StoreUnusable`` (an authentication error: without the store there is no token), and a row
whose columns cannot be read becomes ``DamagedEntry`` naming the authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intercom_connector import database_problems as problems
from intercom_connector.auth.errors import AuthError
from intercom_connector.errors import ConnectorError


class StoreUnusable(AuthError, ConnectorError):
    """The credential store's database cannot be used as it is; the message says why."""

    exit_code = 3
    label = "authentication"


class DamagedEntry(StoreUnusable):
    """One stored authentication has a column that cannot be read."""

    def __init__(self, path: Path, name: str, column: str) -> None:
        self.name = name
        super().__init__(
            f"authentication {name!r} in {path} is damaged ({column} cannot be read); "
            f"remove it with `intercom-connector auth remove {name}` and add it again"
        )


@contextmanager
def database_problems(path: Path) -> Iterator[None]:
    with problems.database_problems(path, StoreUnusable):
        yield


@contextmanager
def opening_problems(path: Path) -> Iterator[None]:
    with problems.opening_problems(path, StoreUnusable):
        yield
