"""Personal authentications belong to their owner; organisational ones to every user."""

from __future__ import annotations

import pytest
from auth_fakes import TOKEN

from intercom_connector.auth import AuthenticationExists, AuthenticationNotFound


def test_personal_authentication_is_hidden_from_other_users(store, bob):
    store.add("mine", TOKEN, type="personal", scopes=["read_tags"])

    assert bob.list() == []
    with pytest.raises(AuthenticationNotFound):
        bob.get("mine")


def test_personal_authentication_cannot_be_used_by_other_users(store, bob):
    store.add("mine", TOKEN, type="personal", scopes=["read_tags"])

    with pytest.raises(AuthenticationNotFound) as raised:
        bob.resolve("mine")
    assert TOKEN not in str(raised.value)


def test_personal_authentication_cannot_be_removed_by_other_users(store, bob):
    store.add("mine", TOKEN, type="personal", scopes=["read_tags"])

    with pytest.raises(AuthenticationNotFound):
        bob.remove("mine")
    assert [auth.name for auth in store.list()] == ["mine"]


def test_organisational_authentication_is_usable_by_every_user(store, bob):
    store.add("team", TOKEN, type="organisational", scopes=["read_tags"])

    assert [auth.name for auth in bob.list()] == ["team"]
    assert bob.resolve("team").token == TOKEN
    assert bob.get("team").owner == "alice"


def test_each_user_lists_own_personal_and_all_organisational(store, bob):
    store.add("alice-own", TOKEN, type="personal", scopes=["read_tags"])
    store.add("team", TOKEN, type="organisational", scopes=["read_tags"])
    bob.add("bob-own", TOKEN, type="personal", scopes=["read_tags"])

    assert [auth.name for auth in store.list()] == ["alice-own", "team"]
    assert [auth.name for auth in bob.list()] == ["bob-own", "team"]


def test_a_name_taken_by_another_users_personal_authentication_is_refused(store, bob):
    store.add("prod", TOKEN, type="personal", scopes=["read_tags"])

    with pytest.raises(AuthenticationExists, match="another user's personal"):
        bob.add("prod", "bobs-token", scopes=["read_tags"])
