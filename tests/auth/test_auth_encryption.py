"""Secrets are sealed at rest, files are private, and a wrong key is an error, not garbage."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from auth_fakes import TOKEN
from cryptography.fernet import Fernet

from intercom_connector.auth import (
    AuthenticationStore,
    InvalidKey,
    KeyMissing,
    TamperedSecret,
    WrongKey,
)
from intercom_connector.auth.crypto import KEY_ENV
from intercom_connector.auth.crypto.keys import KEY_FILE_NAME


def _all_bytes(home: Path) -> bytes:
    """Everything on disk under the home: the database, its journals, the key file."""
    return b"".join(path.read_bytes() for path in home.rglob("*") if path.is_file())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_token_bytes_are_not_in_any_file_of_the_store(home, store):
    store.add("prod", TOKEN, scopes=["read_tags"])
    store.resolve("prod")

    on_disk = _all_bytes(home)
    assert TOKEN.encode() not in on_disk
    assert TOKEN.encode()[8:24] not in on_disk


def test_database_file_is_created_readable_by_its_owner_only(home, store):
    store.add("prod", TOKEN, scopes=["read_tags"])

    assert _mode(home / "connector.db") == 0o600


def test_key_file_is_created_on_first_use_with_mode_0600(home, store):
    store.add("prod", TOKEN, scopes=["read_tags"])

    key_file = home / KEY_FILE_NAME
    assert _mode(key_file) == 0o600
    Fernet(key_file.read_bytes().strip())  # a usable Fernet key


def test_key_from_environment_is_used_and_no_key_file_is_made(home, store, monkeypatch):
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())

    store.add("prod", TOKEN, scopes=["read_tags"])

    assert store.resolve("prod").token == TOKEN
    assert not (home / KEY_FILE_NAME).exists()


def test_listing_needs_no_key(home, store, monkeypatch):
    store.add("prod", TOKEN, scopes=["read_tags"])
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())

    assert [auth.name for auth in store.list()] == ["prod"]


def test_wrong_key_gives_a_clear_error_naming_where_the_key_came_from(store, monkeypatch):
    store.add("prod", TOKEN, scopes=["read_tags"])
    wrong = Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, wrong)

    with pytest.raises(WrongKey) as raised:
        store.resolve("prod")
    message = str(raised.value)
    assert KEY_ENV in message and "not the key" in message
    assert wrong not in message and TOKEN not in message


def test_wrong_key_cannot_add_secrets_that_the_right_key_could_not_open(store, monkeypatch):
    store.add("prod", TOKEN, scopes=["read_tags"])
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())

    with pytest.raises(WrongKey):
        store.add("second", TOKEN, scopes=["read_tags"])


def test_key_that_is_not_a_fernet_key_is_refused_without_echoing_it(store, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "hunter2-not-a-key")

    with pytest.raises(InvalidKey) as raised:
        store.add("prod", TOKEN, scopes=["read_tags"])
    assert "hunter2" not in str(raised.value)


def test_lost_key_file_is_reported_instead_of_replaced(home, store):
    store.add("prod", TOKEN, scopes=["read_tags"])
    (home / KEY_FILE_NAME).unlink()

    with pytest.raises(KeyMissing, match="missing"):
        store.resolve("prod")
    assert not (home / KEY_FILE_NAME).exists()


def test_rotating_the_key_file_reencrypts_every_secret_with_a_new_key(home, store):
    store.add("one", TOKEN, scopes=["read_tags"])
    store.add("two", "second-token", scopes=["read_tags"])
    old_key = (home / KEY_FILE_NAME).read_bytes().strip()

    assert store.rotate_key() == 2

    new_keys = (home / KEY_FILE_NAME).read_bytes().split()
    assert new_keys != [old_key] and len(new_keys) == 1
    assert _mode(home / KEY_FILE_NAME) == 0o600
    assert store.resolve("one").token == TOKEN
    assert store.resolve("two").token == "second-token"


def test_after_rotation_the_old_key_opens_nothing(home, store, monkeypatch):
    store.add("prod", TOKEN, scopes=["read_tags"])
    old_key = (home / KEY_FILE_NAME).read_text().strip()
    store.rotate_key()
    monkeypatch.setenv(KEY_ENV, old_key)

    with pytest.raises(WrongKey):
        store.resolve("prod")


def test_environment_keys_rotate_to_the_first_one_listed(store, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, old)
    store.add("prod", TOKEN, scopes=["read_tags"])
    monkeypatch.setenv(KEY_ENV, f"{new},{old}")

    store.rotate_key()
    monkeypatch.setenv(KEY_ENV, new)

    assert store.resolve("prod").token == TOKEN


def test_a_secret_copied_to_another_row_is_refused(home, store):
    store.add("personal-one", TOKEN, scopes=["read_tags"])
    store.add("shared", "harmless", type="organisational", scopes=["read_tags"])
    with closing(sqlite3.connect(home / "connector.db")) as connection, connection:
        connection.execute(
            "UPDATE authentications SET secret = "
            "(SELECT secret FROM authentications WHERE name = 'personal-one') "
            "WHERE name = 'shared'"
        )
    connection.close()

    with pytest.raises(TamperedSecret):
        AuthenticationStore(owner="bob").resolve("shared")


def test_stored_values_and_reprs_never_show_the_token(store):
    store.add("prod", TOKEN, scopes=["read_tags"])
    resolved = store.resolve("prod")

    for text in (repr(resolved), str(resolved), repr(store.get("prod")), repr(store)):
        assert TOKEN not in text
