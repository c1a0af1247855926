"""Scopes are chosen from the catalog's list, and an operation outside them never leaves."""

from __future__ import annotations

import pytest
from auth_fakes import TOKEN
from hypothesis import given
from hypothesis import strategies as st

from intercom_connector.auth import (
    InvalidAuthenticationInput,
    ScopeRefusedByServer,
    UnknownScope,
    choose_scopes,
    known_scopes,
    refused_scope,
)
from intercom_connector.catalog.registry import load_catalog
from intercom_connector.catalog.scopes import MissingScope
from intercom_connector.http import PermissionDenied
from intercom_connector.httpx_lib import httpx

KNOWN = known_scopes()


def test_every_operation_needs_a_scope_from_the_list_except_raw_request_and_me():
    unlisted = {op.name: op.scope for op in load_catalog() if op.scope not in KNOWN}

    assert unlisted == {"raw_http_request": None, "identify_admin": None}


def test_scopes_carry_the_descriptions_people_tick():
    assert KNOWN["read_events"] == "List all events belonging to user"


def test_scopes_are_chosen_by_id_in_repeated_or_comma_separated_options():
    chosen = choose_scopes(["read_tags,write_tags", "read_events"])

    assert set(chosen.scopes) == {"read_tags", "write_tags", "read_events"}
    assert chosen.extra_scopes == ()


def test_all_scopes_grants_the_whole_list():
    assert choose_scopes(all_scopes=True).scopes == tuple(KNOWN)


def test_extra_scopes_are_kept_as_given():
    chosen = choose_scopes(["read_tags"], extra=["read_beta_feature"])

    assert chosen.extra_scopes == ("read_beta_feature",)


def test_an_extra_scope_that_is_on_the_list_counts_as_a_chosen_scope():
    chosen = choose_scopes(extra=["read_tags"])

    assert (chosen.scopes, chosen.extra_scopes) == (("read_tags",), ())


def test_unknown_scope_is_refused_with_suggestions_and_the_extra_scopes_hint():
    with pytest.raises(UnknownScope) as raised:
        choose_scopes(["read_tag"])

    assert "read_tags" in raised.value.suggestions
    assert "--extra-scopes" in str(raised.value)


def test_choosing_nothing_is_refused():
    with pytest.raises(InvalidAuthenticationInput, match="--all-scopes"):
        choose_scopes()


@given(
    st.lists(st.sampled_from(sorted(KNOWN)), min_size=1),
    st.lists(st.from_regex(r"[a-z_]{3,12}", fullmatch=True)),
)
def test_chosen_scopes_are_always_listed_ones_and_extras_never_are(requested, extra):
    chosen = choose_scopes(requested, extra=extra)

    assert set(requested) <= set(chosen.scopes) <= set(KNOWN)
    assert not set(chosen.extra_scopes) & set(KNOWN)


async def test_an_operation_outside_the_granted_scopes_is_refused_before_any_request(store):
    store.add("tags-only", TOKEN, scopes=["read_tags"])
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))

    async with store.resolve("tags-only").client(transport=transport) as client:
        with pytest.raises(MissingScope) as raised:
            await client.call("list_contacts")

    assert sent == []
    assert raised.value.scope == "read_users_companies"
    assert KNOWN["read_users_companies"] in str(raised.value)


async def test_an_extra_scope_lets_its_operation_through(store):
    store.add("events", TOKEN, scopes=["read_tags"], extra_scopes=["read_events"])
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"events": []}))

    async with store.resolve("events").client(transport=transport) as client:
        client.prepare("list_data_events", {"user_id": "1", "type": "user"})


def test_a_403_naming_a_scope_is_reported_like_a_local_refusal():
    denied = PermissionDenied(
        "OAuth token lacks read_conversations scope",
        status=403,
        errors=[{"code": "forbidden", "message": "OAuth token lacks read_conversations scope"}],
        operation="list_conversations",
    )

    refused = refused_scope(denied)

    assert isinstance(refused, ScopeRefusedByServer) and isinstance(refused, MissingScope)
    assert refused.scope == "read_conversations"
    assert KNOWN["read_conversations"] in str(refused)
    assert "list_conversations" in str(refused)


def test_a_403_without_a_scope_stays_a_permission_error():
    assert refused_scope(PermissionDenied("Admin is not allowed", status=403)) is None
