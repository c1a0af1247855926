"""A database that cannot be opened is one ``DatabaseUnusable`` naming the file and the fix."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from intercom_connector.storage import DatabaseUnusable, open_database


def _random_bytes(path: Path) -> Path:
    path.write_bytes(os.urandom(4096))
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


def _under_a_file(path: Path) -> Path:
    path.write_text("not a directory")
    return path / "connector.db"


CASES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("random-bytes", _random_bytes, "is not a readable SQLite database (file is not a database)"),
    ("a-directory", _directory, "is a directory, not the database file"),
    ("parent-is-a-file", _under_a_file, "cannot create or open"),
]


@pytest.mark.parametrize(("make", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_an_unusable_database_is_explained(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path / "connector.db")
    with pytest.raises(DatabaseUnusable) as refused:
        open_database(path, migrations={"probe": ("CREATE TABLE t (x);",)})
    assert str(path) in str(refused.value) and message in str(refused.value)
    assert refused.value.exit_code == 1
