"""One way to open every database: mode 0600, WAL, schema versions; one liveness rule."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from contextlib import closing

import pytest

from intercom_connector.storage import Owner, SchemaTooNew, open_database, schema_version

STEPS = ("CREATE TABLE things (id INTEGER PRIMARY KEY);", "ALTER TABLE things ADD name TEXT;")


def test_a_new_database_is_private_from_the_first_moment(tmp_path):
    path = tmp_path / "home" / "connector.db"
    open_database(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_migrations_run_once_in_order_and_record_the_version(tmp_path):
    path = tmp_path / "connector.db"
    with closing(open_database(path, migrations={"things": STEPS[:1]})) as db:
        assert schema_version(db, "things") == 1
    db = open_database(path, migrations={"things": STEPS})
    db.execute("INSERT INTO things (name) VALUES ('x')")
    assert schema_version(db, "things") == 2
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    open_database(path, migrations={"things": STEPS}).close()  # nothing left to do


def test_a_database_from_a_newer_connector_is_refused(tmp_path):
    path = tmp_path / "connector.db"
    open_database(path, migrations={"things": STEPS}).close()
    with pytest.raises(SchemaTooNew, match="things tables of this database are at version 2"):
        open_database(path, migrations={"things": STEPS[:1]})


def test_this_process_is_alive_and_an_ended_one_is_not():
    assert Owner.me().alive()
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert not Owner(ended.pid, Owner.me().host).alive()


def test_a_reused_pid_does_not_pass_for_the_owner():
    me = Owner.me()
    if me.started is None:
        pytest.skip("this system does not tell process start times")
    assert not Owner(os.getpid(), me.host, me.started + 1).alive()


def test_a_process_on_another_host_counts_as_alive():
    assert Owner(1, "some-other-host").alive()
