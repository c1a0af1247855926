"""A broken credential store gets a message naming the file and what to do; no traceback.

Each case breaks the store of a connector home that holds one authentication (``prod``),
then runs a command: the exit code and the message it must print are the specification.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from auth_fakes import TOKEN

from intercom_connector.auth import AuthenticationStore
from intercom_connector.auth.crypto.keys import KEY_FILE_NAME
from intercom_connector.home import DATABASE_NAME

pytestmark = pytest.mark.timeout(120)


def _truncate(home: Path) -> None:
    database = home / DATABASE_NAME
    database.write_bytes(database.read_bytes()[:1500])


def _random_bytes(home: Path) -> None:
    (home / DATABASE_NAME).write_bytes(os.urandom(8192))


def _directory(home: Path) -> None:
    (home / DATABASE_NAME).unlink()
    (home / DATABASE_NAME).mkdir()


def _scopes_not_json(home: Path) -> None:
    with closing(sqlite3.connect(home / DATABASE_NAME)) as connection, connection:
        connection.execute("UPDATE authentications SET scopes = 'read_tags,' WHERE name='prod'")


def _key_file_readable(home: Path) -> None:
    (home / KEY_FILE_NAME).chmod(0o644)


BROKEN_STORES: list[tuple[str, Callable[[Path], None], list[str], int, str]] = [
    (
        "truncated-database",
        _truncate,
        ["auth", "list"],
        3,
        "is not a readable SQLite database (database disk image is malformed); move it aside",
    ),
    (
        "random-bytes-database",
        _random_bytes,
        ["auth", "list"],
        3,
        "is not a readable SQLite database (file is not a database); move it aside",
    ),
    (
        "database-path-is-a-directory",
        _directory,
        ["auth", "list"],
        3,
        "connector.db is a directory, not the database file; move it away or remove it",
    ),
    (
        "scopes-not-json",
        _scopes_not_json,
        ["auth", "show", "prod"],
        3,
        "authentication 'prod' in {home}/connector.db is damaged (scopes cannot be read); "
        "remove it with `intercom-connector auth remove prod` and add it again",
    ),
    (
        "scopes-not-json-listed",
        _scopes_not_json,
        ["auth", "list"],
        3,
        "authentication 'prod' in {home}/connector.db is damaged (scopes cannot be read)",
    ),
    (
        "key-file-readable-by-others",
        _key_file_readable,
        ["call", "list_tags", "--auth", "prod"],
        3,
        "key file {home}/secret.key is open to other users (mode 0644); it opens every "
        "stored secret, so run `chmod 600 {home}/secret.key`",
    ),
]


@pytest.fixture
def stored(home: Path, cli) -> Path:
    result = cli(
        "auth",
        "add",
        "prod",
        "--token",
        TOKEN,
        "--base-url",
        "http://127.0.0.1:9",
        "--scopes",
        "read_tags",
        "--no-verify",
    )
    assert result.exit_code == 0, result.output
    return home


@pytest.mark.parametrize(
    ("breaks", "args", "code", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN_STORES],
)
def test_a_broken_store_is_explained_with_the_file_and_the_fix(
    stored: Path, cli, breaks, args: list[str], code: int, message: str
) -> None:
    breaks(stored)
    result = cli(*args)
    assert result.exit_code == code, result.output
    assert message.format(home=stored) in result.output
    assert "Traceback" not in result.output


def test_a_damaged_entry_can_still_be_removed(stored: Path, cli) -> None:
    _scopes_not_json(stored)
    assert cli("auth", "remove", "prod").exit_code == 0
    assert cli("auth", "list").exit_code == 0


def test_a_home_that_is_a_file_is_a_usage_error(tmp_path: Path, monkeypatch, cli) -> None:
    not_a_directory = tmp_path / "home-file"
    not_a_directory.write_text("oops")
    monkeypatch.setenv("INTERCOM_CONNECTOR_HOME", str(not_a_directory))
    result = cli("auth", "list")
    assert result.exit_code == 2, result.output
    assert (
        f"the connector home INTERCOM_CONNECTOR_HOME={not_a_directory} is a file, not a "
        "directory; point INTERCOM_CONNECTOR_HOME at a directory" in result.output
    )


@pytest.fixture
def locked(stored: Path) -> Iterator[Path]:
    holder = sqlite3.connect(stored / DATABASE_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield stored
    holder.execute("ROLLBACK")
    holder.close()


def test_a_locked_database_says_who_to_wait_for(locked: Path, cli) -> None:
    result = cli("auth", "remove", "prod")  # a write: readers pass a writer in WAL mode
    assert result.exit_code == 3, result.output
    assert f"{locked}/connector.db is locked by another process (waited 10 s)" in result.output


def test_the_python_api_raises_the_same_explained_error(stored: Path) -> None:
    _random_bytes(stored)
    with pytest.raises(Exception, match="is not a readable SQLite database") as raised:
        AuthenticationStore(owner="alice").list()
    assert type(raised.value).__name__ == "StoreUnusable"
