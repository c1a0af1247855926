"""The store keeps authentications by name and hands out their tokens for use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auth_fakes import TOKEN

from intercom_connector.auth import (
    AuthenticationExists,
    AuthenticationNotFound,
    AuthenticationStore,
    AuthType,
    InvalidAuthenticationInput,
    Method,
    resolve,
)
from intercom_connector.home import database_path


def test_added_authentication_is_listed_with_its_metadata(store):
    store.add("prod", TOKEN, region="eu", scopes=["read_tags"], extra_scopes=["beta_scope"])

    (listed,) = store.list()
    assert (listed.name, listed.type, listed.owner, listed.method) == (
        "prod",
        AuthType.personal,
        "alice",
        Method.token,
    )
    assert (listed.region, listed.scopes, listed.extra_scopes) == (
        "eu",
        ("read_tags",),
        ("beta_scope",),
    )
    assert listed.last_used_at is None


def test_resolve_returns_token_region_base_url_and_all_granted_scopes(store):
    store.add(
        "sbx", TOKEN, base_url="http://127.0.0.1:9/", scopes=["read_tags"], extra_scopes=["x"]
    )

    resolved = store.resolve("sbx")

    assert resolved.token == TOKEN
    assert resolved.base_url == "http://127.0.0.1:9"
    assert resolved.region == "us"
    assert resolved.scopes == {"read_tags", "x"}


def test_resolve_marks_the_authentication_used(home):
    times = iter([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)])
    store = AuthenticationStore(owner="alice", clock=lambda: next(times))
    store.add("prod", TOKEN, scopes=["read_tags"])

    store.resolve("prod")

    assert store.get("prod").last_used_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert store.get("prod").created_at == datetime(2026, 1, 2, tzinfo=UTC) - timedelta(days=1)


def test_module_resolve_uses_the_store_in_the_connector_home(home, monkeypatch):
    monkeypatch.setenv("LOGNAME", "carol")
    AuthenticationStore().add("prod", TOKEN, scopes=["read_tags"])

    assert resolve("prod").token == TOKEN
    assert database_path().parent == home


def test_a_name_can_be_used_once(store):
    store.add("prod", TOKEN, scopes=["read_tags"])

    with pytest.raises(AuthenticationExists, match="already exists"):
        store.add("prod", "another-token", scopes=["read_tags"])


def test_removed_authentication_is_gone(store):
    store.add("prod", TOKEN, scopes=["read_tags"])

    store.remove("prod")

    assert store.list() == []
    with pytest.raises(AuthenticationNotFound):
        store.resolve("prod")


def test_unknown_name_is_reported_with_a_hint(store):
    with pytest.raises(AuthenticationNotFound, match="auth list"):
        store.get("nope")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "has space"),
        ("name", "-leading-dash"),
        ("name", ""),
        ("region", "mars"),
        ("type", "team"),
        ("base_url", "ftp://example.com"),
    ],
)
def test_malformed_input_is_refused_before_anything_is_stored(store, field, value):
    arguments = {"name": "prod", "region": "us", "type": "personal", "base_url": None}
    arguments[field] = value

    with pytest.raises(InvalidAuthenticationInput):
        store.add(token=TOKEN, scopes=["read_tags"], **arguments)
    assert store.list() == []


def test_empty_token_is_refused(store):
    with pytest.raises(InvalidAuthenticationInput, match="empty"):
        store.add("prod", "   ", scopes=["read_tags"])


def test_american_spelling_of_organisational_is_accepted(store):
    assert store.add("shared", TOKEN, type="organizational", scopes=["read_tags"]).type is (
        AuthType.organisational
    )
