"""A run log database that cannot be opened is explained, naming the file; no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner
from workflow_kit import cli_app

CASES = [
    ("random-bytes", lambda db: db.write_bytes(os.urandom(8192)), "is not a readable SQLite"),
    ("a-directory", lambda db: db.mkdir(), "is a directory, not the database file"),
]


@pytest.mark.parametrize(("breaks", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_runs_list_on_an_unusable_database_exits_1_naming_it(home: Path, breaks, message) -> None:
    home.mkdir(parents=True, exist_ok=True)
    database = home / "connector.db"
    breaks(database)
    result = CliRunner().invoke(cli_app(), ["runs", "list"])
    assert result.exit_code == 1, result.output
    assert f"{database}" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
